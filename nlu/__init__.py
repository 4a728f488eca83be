"""Multilingual NLU: language identification and custom Rasa components."""
