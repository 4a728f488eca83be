"""Answering questions from the knowledge base."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.texts import conversation_language, response_text
from knowledge.entries import Entry
from knowledge.search import KnowledgeSearch, SearchResult
from nlu.language_id import SERVED

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.handoff import HandoffStore

logger = logging.getLogger(__name__)
INTENT_ENTRIES_FILE = Path(__file__).resolve().parents[1] / "intent_entries.yml"
MAX_RELATED = 3


@lru_cache
def intent_entries() -> dict[str, list[str]]:
    return yaml.safe_load(INTENT_ENTRIES_FILE.read_text(encoding="utf-8")) or {}


def choose_payload(entry_id: str) -> str:
    return f'/choose_entry{{"entry_id":"{entry_id}"}}'


def entry_button(entry: Entry, language: str) -> dict[str, str]:
    return {"title": entry.text(language)[1].title, "payload": choose_payload(entry.id)}


def entry_message(entry: Entry, language: str, related: list[Entry]) -> dict[str, Any]:
    """The answer, its related follow-ups as buttons, and the sources payload."""
    _, text = entry.text(language)
    return {
        "text": text.answer,
        "buttons": [entry_button(r, language) for r in related],
        "json_message": entry.citation(language),
    }


class ActionAnswerQuestion(Action):
    """Searches the knowledge base and answers, asks which entry was meant, or declines."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch],
                 handoff: Callable[[], "HandoffStore"] | None = None) -> None:
        self._knowledge = knowledge
        self._handoff = handoff

    def _declined(self, dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> list[dict[str, Any]]:
        """No answer: after the second one in a row, a consultant is asked to follow up."""
        failures = int(tracker.get_slot("failed_answers") or 0) + 1
        dispatcher.utter_message(response="utter_no_answer")
        if failures >= 2 and self._handoff is not None:
            from bot.actions.handoff import create_handoff
            from bot.texts import text as service_text

            create_handoff(self._handoff(), tracker, language)
            dispatcher.utter_message(text=service_text("handoff", "created", language))
            return [SlotSet("failed_answers", 0.0)]
        return [SlotSet("failed_answers", float(failures))]

    def name(self) -> str:
        return "action_answer_question"

    def _answer(self, dispatcher: CollectingDispatcher, domain: dict, search: KnowledgeSearch,
                entry: Entry, language: str) -> None:
        if entry.text(language)[0] != language:
            dispatcher.utter_message(response="utter_answer_in_other_language")
        related = [search.entries[r] for r in entry.related if r in search.entries][:MAX_RELATED]
        dispatcher.utter_message(**entry_message(entry, language, related))
        dispatcher.utter_message(text=response_text(domain, "utter_did_it_help", language), buttons=[
            {"title": response_text(domain, "utter_button_yes", language), "payload": "/feedback_positive"},
            {"title": response_text(domain, "utter_button_no", language), "payload": "/feedback_negative"},
        ])

    def _clarify(self, dispatcher: CollectingDispatcher, search: KnowledgeSearch, ids: list[str], language: str) -> None:
        buttons = [entry_button(search.entries[i], language) for i in ids if i in search.entries]
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)

    def _within(self, search: KnowledgeSearch, text: str, language: str, ids: list[str]) -> str | None:
        """The one entry of ``ids`` the text points to, or None when it does not say which."""
        result: SearchResult = search.run(text, language=language, top_k=len(search.entries))
        ranked = [h for h in result.hits if h.entry_id in ids]
        if ranked and ranked[0].confidence >= 0.5 and (
                len(ranked) == 1 or ranked[0].score - ranked[1].score >= 2 * search.config.clarify_margin):
            return ranked[0].entry_id
        return None

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        detected = latest.get("detected_language")
        if detected and detected not in SERVED:
            dispatcher.utter_message(response="utter_language_not_served")
        search = self._knowledge()

        answered = [SlotSet("failed_answers", 0.0)]
        chosen = next(tracker.get_latest_entity_values("entry_id"), None)
        if chosen in search.entries:
            self._answer(dispatcher, domain, search, search.entries[chosen], language)
            return answered

        intent = (latest.get("intent") or {}).get("name")
        group = intent_entries().get(intent)
        if group:
            picked = group[0] if len(group) == 1 else self._within(search, text, language, group)
            if picked:
                self._answer(dispatcher, domain, search, search.entries[picked], language)
            else:
                self._clarify(dispatcher, search, group, language)
            return answered

        result = search.run(text, language=language)
        logger.info("knowledge decision=%s top=%s", result.decision, result.top.entry_id if result.top else None)
        if result.decision == "answer":
            self._answer(dispatcher, domain, search, search.entries[result.top.entry_id], language)
        elif result.decision == "clarify":
            self._clarify(dispatcher, search, [h.entry_id for h in result.choices], language)
        elif result.out_of_scope_topic:
            refer_elsewhere(dispatcher, search, result.out_of_scope_topic, language)
            return answered
        else:
            return self._declined(dispatcher, tracker, language)
        return answered


def refer_elsewhere(dispatcher: CollectingDispatcher, search: KnowledgeSearch, topic_id: str, language: str) -> None:
    """Say the question is not the office's business and who handles it instead."""
    dispatcher.utter_message(response="utter_out_of_scope")
    topic = search.index.topics.get(topic_id)
    if topic is not None and topic.referral(language):
        dispatcher.utter_message(text=topic.referral(language))


class ActionOutOfScope(Action):
    """Declines an out-of-scope message, naming who handles it when it is a known topic."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch]) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        search = self._knowledge()
        result = search.run(text, language=language)
        if result.out_of_scope_topic:
            refer_elsewhere(dispatcher, search, result.out_of_scope_topic, language)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
