"""Switching the conversation language on request ("English please", "по-русски")."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.texts import conversation_language, response_text
from nlu.language_id import SERVED

LANGUAGE_NAMES_FILE = Path(__file__).resolve().parents[1] / "language_names.yml"


@lru_cache
def language_names() -> dict[str, list[str]]:
    return yaml.safe_load(LANGUAGE_NAMES_FILE.read_text(encoding="utf-8"))


def requested_language(text: str) -> str | None:
    """The language a message asks for, by the words people use for languages; None when unclear."""
    lowered = text.casefold()
    found = {code for code, words in language_names().items()
             for word in words if re.search(r"(?<!\w)" + re.escape(word.casefold()), lowered)}
    return found.pop() if len(found) == 1 else None


class ActionSwitchLanguage(Action):
    """Sets the ``language`` slot to the language asked for, or asks which one."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        target = requested_language(text)
        if target is None and text.startswith("/"):
            target = next(tracker.get_latest_entity_values("language"), None)
        if target not in SERVED:
            buttons = [{"title": name, "payload": f'/switch_language{{"language":"{code}"}}'}
                       for code, name in (("pl", "Polski"), ("en", "English"), ("uk", "Українська"), ("ru", "Русский"))]
            dispatcher.utter_message(text=response_text(domain, "utter_ask_which_language", conversation_language(tracker)),
                                     buttons=buttons)
            return []
        dispatcher.utter_message(text=response_text(domain, "utter_language_switched", target),
                                 json_message={"type": "language", "language": target})
        return [SlotSet("language", target)]
