"""The app: FastAPI factory, routers, the Rasa client, the launcher and the CLI."""
