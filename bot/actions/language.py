"""Switching the conversation language on request ("English please", "по-русски")."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.texts import conversation_language, response_text
from bot.services.turns import fold
from nlu.language_id import SERVED

LANGUAGE_NAMES_FILE = Path(__file__).resolve().parents[1] / "language_names.yml"
SWITCH_MAX_WORDS = 16


@lru_cache
def _names_file() -> dict[str, Any]:
    return yaml.safe_load(LANGUAGE_NAMES_FILE.read_text(encoding="utf-8"))


def language_names() -> dict[str, list[str]]:
    return {code: words for code, words in _names_file().items() if code in SERVED}


def _mentioned(text: str, names: dict[str, list[str]]) -> set[str]:
    return {code for code, words in names.items()
            for word in words if re.search(r"(?<!\w)" + re.escape(fold(word)), text)}


def requested_language(text: str) -> str | None:
    """The language a message asks for, by the words people use for languages; None when unclear."""
    folded = fold(text.replace("-", " "))
    folded_dashed = fold(text)
    asked = _mentioned(folded, {c: [w.replace("-", " ") for w in ws] for c, ws in _names_file()["request_forms"].items()}) \
        | _mentioned(folded_dashed, _names_file()["request_forms"])
    if len(asked) == 1:
        return asked.pop()
    found = _mentioned(folded_dashed, language_names())
    return found.pop() if len(found) == 1 and not asked else None


def asks_to_switch(text: str, current: str | None) -> str | None:
    """The language a message asks the conversation to go on in ("can we continue in English?",
    "можна українською?"), when it is a request and not a question that names a language."""
    target = requested_language(text)
    words = fold(text).split()
    if target is None or target == current or len(words) > SWITCH_MAX_WORDS:
        return None
    return target


def switch_language(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], target: str,
                    repeat: Callable[[str], list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """Say the conversation goes on in ``target`` (the widget follows the language message) and,
    with ``repeat``, say the last answer again in it."""
    dispatcher.utter_message(text=response_text(domain, "utter_language_switched", target),
                             json_message={"type": "language", "language": target})
    events: list[dict[str, Any]] = [SlotSet("language", target)]
    if repeat is not None:
        events += repeat(target)
    return events


class ActionSwitchLanguage(Action):
    """Sets the ``language`` slot to the language asked for and repeats the last answer in it, or
    asks which language."""

    def __init__(self, repeat: Callable[[Tracker, CollectingDispatcher, dict[str, Any], str], list[dict[str, Any]]] | None = None) -> None:
        self._repeat = repeat

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
        repeat = self._repeat
        return switch_language(dispatcher, tracker, domain, target,
                               (lambda lang: repeat(tracker, dispatcher, domain, lang)) if repeat else None)
