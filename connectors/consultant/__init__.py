"""The consultants' lookup tool: accounts, signed sessions, the search behind ``/consultant``."""
