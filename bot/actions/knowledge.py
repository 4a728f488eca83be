"""Answering questions from the knowledge base."""
from __future__ import annotations

import logging
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.entries import Entry
from knowledge.search import KnowledgeSearch
from nlu.language_id import SERVED

logger = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "en"


def conversation_language(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in SERVED else DEFAULT_LANGUAGE


def entry_message(entry: Entry, language: str) -> dict[str, Any]:
    """The text and the sources payload that present one entry."""
    used, text = entry.text(language)
    return {
        "text": text.answer,
        "json_message": {
            "type": "sources",
            "entry_id": entry.id,
            "title": text.title,
            "language": used,
            "requested_language": language,
            "sources": list(entry.sources),
            "checked": entry.checked.isoformat() if entry.checked else None,
        },
    }


class ActionAnswerQuestion(Action):
    """Searches the knowledge base and answers, asks which entry was meant, or declines."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch]) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        latest = tracker.latest_message or {}
        detected = latest.get("detected_language")
        if detected and detected not in SERVED:
            dispatcher.utter_message(response="utter_language_not_served")
        search = self._knowledge()
        chosen = next(tracker.get_latest_entity_values("entry_id"), None)
        if chosen in search.entries:
            dispatcher.utter_message(**entry_message(search.entries[chosen], language))
            return []
        result = search.run(latest.get("text") or "", language=language)
        logger.info("knowledge decision=%s top=%s", result.decision, result.top.entry_id if result.top else None)
        if result.decision == "answer":
            dispatcher.utter_message(**entry_message(search.entries[result.top.entry_id], language))
        elif result.decision == "clarify":
            buttons = []
            for hit in result.choices:
                _, text = search.entries[hit.entry_id].text(language)
                buttons.append({"title": text.title, "payload": f'/choose_entry{{"entry_id":"{hit.entry_id}"}}'})
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_no_answer")
        return []
