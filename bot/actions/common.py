"""Small helpers shared by the flow actions: the person's language, message metadata, texts."""
from __future__ import annotations

from typing import Any

from typing import Callable

from rasa_sdk import Action, Tracker

from bot.actions.choices import keywords
from bot.actions.texts import conversation_language
from bot.services.message_auth import trusted_client
from bot.texts import text

__all__ = ["conversation_language", "text", "metadata", "channel_of", "client_of", "is_yes", "is_no", "ask_action"]



def metadata(tracker: Tracker) -> dict[str, Any]:
    latest = tracker.latest_message or {}
    meta = latest.get("metadata")
    if isinstance(meta, dict):
        return meta
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and isinstance(event.get("metadata"), dict):
            return event["metadata"]
    return {}


def channel_of(tracker: Tracker) -> str:
    channel = metadata(tracker).get("channel")
    return channel if isinstance(channel, str) and channel.isidentifier() else "web"


def client_of(tracker: Tracker, secret: str) -> str:
    """The client the app signed for this conversation's latest message, else the shared
    "unverified" bucket (see :mod:`bot.services.message_auth`)."""
    return trusted_client(secret, tracker.sender_id, metadata(tracker))


def is_yes(value: str) -> bool:
    return value.strip().casefold().rstrip("!.") in keywords()["answers"]["yes"]


def is_no(value: str) -> bool:
    return value.strip().casefold().rstrip("!.") in keywords()["answers"]["no"]


def ask_action(name: str, texts: str, key: str, buttons: Callable[[str], list[dict]] | None = None) -> type[Action]:
    """An ``action_ask_<slot>`` class that asks with the text ``key`` of ``bot/texts/<texts>.yml``."""

    class AskAction(Action):
        def name(self) -> str:
            return name

        async def run(self, dispatcher, tracker, domain):
            language = conversation_language(tracker)
            dispatcher.utter_message(text=text(texts, key, language), buttons=buttons(language) if buttons else [])
            return []

    AskAction.__name__ = AskAction.__qualname__ = "".join(p.title() for p in name.split("_"))
    return AskAction
