"""Dialogue: Rasa training data (bot/data), custom actions and the services they call."""
