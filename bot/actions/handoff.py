"""Handoff to a consultant: store the request (transcript masked) and tell the person what happens."""
from __future__ import annotations

import logging
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import channel_of, conversation_language, text
from bot.services.handoff import HandoffStore
from bot.services.turns import asks_about_identity

logger = logging.getLogger(__name__)
TRANSCRIPT_LINES = 30


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The conversation so far as {who, text} lines (the store masks personal data)."""
    lines = []
    for event in tracker.events or []:
        if event.get("event") == "user" and event.get("text") and not str(event["text"]).startswith("/"):
            lines.append({"who": "user", "text": str(event["text"])})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"who": "bot", "text": str(event["text"])})
    return lines[-TRANSCRIPT_LINES:]


def create_handoff(store: HandoffStore, tracker: Tracker, language: str) -> str:
    request = store.create_handoff(language=language, channel=channel_of(tracker), sender=tracker.sender_id,
                                   transcript=transcript(tracker) or [{"who": "user", "text": "-"}])
    logger.info("handoff request created")
    return request.id


class ActionHandoff(Action):
    """Creates a handoff request and tells the person how and when they will hear back."""

    def __init__(self, store: Callable[[], HandoffStore]) -> None:
        self._store = store

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        if asks_about_identity((tracker.latest_message or {}).get("text") or ""):
            # "Am I writing with a person?" asks what the assistant is; it does not ask for one.
            dispatcher.utter_message(response="utter_small_talk")
            return []
        return hand_over(dispatcher, self._store(), tracker, language)


def hand_over(dispatcher: CollectingDispatcher, store: HandoffStore, tracker: Tracker, language: str) -> list[dict[str, Any]]:
    """Store the handoff request and tell the person how and when they will hear back."""
    create_handoff(store, tracker, language)
    dispatcher.utter_message(text=text("handoff", "created", language) + "\n\n" + text("handoff", "privacy_note", language))
    dispatcher.utter_message(response="utter_handoff")
    return [SlotSet("failed_answers", 0.0)]
