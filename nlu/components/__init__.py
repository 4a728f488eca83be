"""Custom Rasa NLU graph components (imported by Rasa through config.yml)."""
