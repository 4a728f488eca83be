"""Answering questions from the knowledge base."""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import create_handoff, hand_over
from bot.actions.language import asks_to_switch, switch_language
from bot.actions.texts import conversation_language, response_text
from bot.services.turns import (asks_about_identity, fold, looks_like_question, opens_question, read_social, wants_person,
                                without_social_clauses)
from knowledge.entries import Entry
from knowledge.search import KnowledgeSearch, SearchResult
from nlu.language_id import SERVED

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.handoff import HandoffStore

logger = logging.getLogger(__name__)
INTENT_ENTRIES_FILE = Path(__file__).resolve().parents[1] / "intent_entries.yml"
MAX_RELATED = 3
# A message this short that the search cannot place is read against the conversation's topic.
FOLLOW_UP_MAX_WORDS = 8
SOCIAL_RESPONSES = {"farewell": "utter_goodbye", "thanks": "utter_you_are_welcome", "greeting": "utter_greet",
                    "acknowledge": "utter_acknowledge", "identity": "utter_small_talk"}
SOCIAL_REST_MAX_WORDS = 2
INTENT_SOCIAL_KIND = {"greet": "greeting", "thanks": "thanks", "goodbye": "farewell", "small_talk": "identity"}


def social_kind(text: str) -> str | None:
    """The social reply a whole message calls for ("are you a bot?", "thanks, bye", "👍"), or None
    when it asks or tells something else."""
    if asks_about_identity(text):
        return "identity"
    reading = read_social(text)
    if not reading.kinds:
        return None
    # "Thank you, that is very helpful", "later, bye", "how are you today lol": a few words
    # around the social phrase that ask nothing
    if reading.remainder and (len(reading.remainder.split()) > SOCIAL_REST_MAX_WORDS or looks_like_question(text)
                              or opens_question(reading.remainder) or any(ch.isdigit() for ch in reading.remainder)
                              or set(reading.kinds) <= {"acknowledge"}):
        return None
    return next(kind for kind in ("farewell", "thanks", "greeting", "acknowledge") if kind in reading.kinds)


# The entry a flow is about, for questions asked while it runs.
FLOW_TOPICS = {"case_status_form": "case-status-check", "legal_stay_form": "legal-stay-check",
               "employer_change_form": "change-employer-single-permit"}


def topic_of(tracker: Tracker) -> str | None:
    """The entry the conversation is about: the running flow's, else the ``topic`` slot (the last
    answered entry or a flow's result), else the last sources payload."""
    flow = (tracker.active_loop or {}).get("name")
    if flow in FLOW_TOPICS:
        return FLOW_TOPICS[flow]
    if tracker.get_slot("topic"):
        return str(tracker.get_slot("topic"))
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get("type") == "sources" and custom.get("entry_id"):
                return str(custom["entry_id"])
        elif event.get("event") in ("restart", "session_started"):
            return None
    return None


_CHOOSE_PAYLOAD = re.compile(r'^/choose_entry\{"entry_id":"([^"]+)"\}$')
_PROCEDURE_PAYLOAD = re.compile(r'^/documents_and_fees\{"procedure":"([^"]+)"\}$')
MENU_REPLY_MAX_WORDS = 6


def last_menu(tracker: Tracker) -> tuple[list[str], list[str]]:
    """The entries and the procedures the assistant's previous turn offered as a choice (a menu
    or "which one did you mean?"; not the related entries under an answer)."""
    payloads: list[str] = []
    users_seen = 0
    answered = False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                break
        elif kind == "bot" and users_seen == 1:
            data = event.get("data") or {}
            if (data.get("custom") or {}).get("type") == "sources":
                answered = True
            payloads += [str(b.get("payload") or "") for b in data.get("buttons") or []]
        elif kind in ("restart", "session_started"):
            break
    if answered:   # an answer's related entries are suggestions, not a choice asked for
        payloads = [p for p in payloads if not _CHOOSE_PAYLOAD.match(p)]
    entries = [m.group(1) for p in payloads if (m := _CHOOSE_PAYLOAD.match(p))]
    procedures = [m.group(1) for p in payloads if (m := _PROCEDURE_PAYLOAD.match(p))]
    return entries, procedures


# A typed reply picks an offered option when it clearly leads the others (set on short replies
# such as "for studies", "na pracę", "stały"; "the second one" leads nothing).
PICK_MIN_SCORE = 0.85
PICK_MIN_LEAD = 0.12


def pick_offered(search: KnowledgeSearch, text: str, language: str, ids: list[str]) -> str | None:
    """The one of the offered entries ``ids`` a short reply names, or None."""
    if not ids:
        return None
    result = search.run(text, language=language, top_k=len(search.entries))
    ranked = [h for h in result.hits if h.entry_id in ids]
    if not ranked or ranked[0].score < PICK_MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < PICK_MIN_LEAD:
        return None
    return ranked[0].entry_id


def search_in_context(search: KnowledgeSearch, text: str, language: str, topic: str | None,
                      written_in: str | None = None) -> SearchResult:
    """Search ``text``; a short follow-up ("and the price?") the search cannot answer alone is
    searched again with the topic's title in front, and the better-founded result kept.
    ``written_in``: the language detected in the message (calibrates languages without entries)."""
    result = search.run(text, language=language, written_in=written_in)
    if topic not in search.entries or len(fold(text).split()) > FOLLOW_UP_MAX_WORDS:
        return result
    if result.decision == "answer" and result.top is not None and result.top.confidence >= 0.6:
        return result
    title = search.entries[topic].text(language)[1].title
    contextual = search.run(f"{title}. {text}", language=language, written_in=written_in)
    if contextual.decision == "none":
        return result
    if result.decision == "answer" and result.top is not None and contextual.top is not None \
            and contextual.top.entry_id == topic and result.top.entry_id != topic:
        return result   # "a za samą kartę?" asks something further, not the topic's answer again
    if result.decision == "answer" and result.top is not None and contextual.top is not None \
            and contextual.top.entry_id != result.top.entry_id and contextual.top.confidence <= result.top.confidence:
        return result
    return contextual


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
            from bot.texts import text as service_text

            create_handoff(self._handoff(), tracker, language)
            dispatcher.utter_message(text=service_text("handoff", "created", language))
            return [SlotSet("failed_answers", 0.0)]
        return [SlotSet("failed_answers", float(failures))]

    def search(self) -> KnowledgeSearch:
        """The knowledge search (loaded on first use)."""
        return self._knowledge()

    def repeat_topic(self, tracker: Tracker, dispatcher: CollectingDispatcher, domain: dict[str, Any],
                     language: str) -> list[dict[str, Any]]:
        """The last answered entry again, in ``language`` (after a switch of language)."""
        topic = tracker.get_slot("topic") or topic_of(tracker)
        if not topic or (tracker.active_loop or {}).get("name"):
            return []
        search = self._knowledge()
        if topic not in search.entries:
            return []
        entry = search.entries[topic]
        related = [search.entries[r] for r in entry.related if r in search.entries][:MAX_RELATED]
        dispatcher.utter_message(**entry_message(entry, language, related))
        return []

    def hand_over(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """A consultant is asked to follow up (as action_handoff does)."""
        if self._handoff is None:
            dispatcher.utter_message(response="utter_handoff")
            return []
        return hand_over(dispatcher, self._handoff(), tracker, conversation_language(tracker))

    def before_search(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                      text: str) -> list[dict[str, Any]] | None:
        """What a message gets before any search: a consultant or a switch of language it asks
        for, or the reply to a purely social turn; None when it is to be searched."""
        switched = self.switched(dispatcher, tracker, domain, text)
        if switched is not None:
            return switched
        social = social_kind(text)
        if social:
            dispatcher.utter_message(response=SOCIAL_RESPONSES[social])
            return []
        return None

    def switched(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                 text: str) -> list[dict[str, Any]] | None:
        """What a request the NLU did not catch calls for: a consultant, or going on in another language."""
        if wants_person(text):   # "can you connect me with a consultant?", whatever the NLU made of it
            return self.hand_over(dispatcher, tracker)
        target = asks_to_switch(text, tracker.get_slot("language"))
        if target is None:
            return None
        return switch_language(dispatcher, tracker, domain, target,
                               lambda lang: self.repeat_topic(tracker, dispatcher, domain, lang))

    def name(self) -> str:
        return "action_answer_question"

    def _answer(self, dispatcher: CollectingDispatcher, domain: dict, search: KnowledgeSearch,
                entry: Entry, language: str) -> list[dict[str, Any]]:
        """Say the entry (with its sources and related entries) and make it the topic."""
        if entry.text(language)[0] != language:
            dispatcher.utter_message(response="utter_answer_in_other_language")
        related = [search.entries[r] for r in entry.related if r in search.entries][:MAX_RELATED]
        dispatcher.utter_message(**entry_message(entry, language, related))
        dispatcher.utter_message(text=response_text(domain, "utter_did_it_help", language), buttons=[
            {"title": response_text(domain, "utter_button_yes", language), "payload": "/feedback_positive"},
            {"title": response_text(domain, "utter_button_no", language), "payload": "/feedback_negative"},
        ])
        return [SlotSet("topic", entry.id)]

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
        search = self._knowledge()
        answered = [SlotSet("failed_answers", 0.0)]
        chosen = next(tracker.get_latest_entity_values("entry_id"), None)
        if chosen in search.entries:
            return answered + self._answer(dispatcher, domain, search, search.entries[chosen], language)
        handled = self.before_search(dispatcher, tracker, domain, text)
        if handled is not None:
            return handled
        intent = (latest.get("intent") or {}).get("name")
        return self.respond(dispatcher, tracker, domain, text, language, intent) or []

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], text: str,
                language: str, intent: str | None, *, decline: bool = True) -> list[dict[str, Any]] | None:
        """Answer ``text`` from the knowledge base (an intent's own entries first), offer choices,
        refer elsewhere or decline. With ``decline=False`` nothing is said when there is no answer
        and None is returned instead of events."""
        search = self._knowledge()
        detected = (tracker.latest_message or {}).get("detected_language")
        answered = [SlotSet("failed_answers", 0.0)]
        text = without_social_clauses(text)
        group = intent_entries().get(intent or "")
        if group:
            picked = group[0] if len(group) == 1 else self._within(search, text, language, group)
            self._note_language(dispatcher, detected)
            if picked:
                answered += self._answer(dispatcher, domain, search, search.entries[picked], language)
            else:
                self._clarify(dispatcher, search, group, language)
            return answered
        picked_from_menu = self._menu_reply(dispatcher, tracker, domain, search, text, language)
        if picked_from_menu is not None:
            return answered + picked_from_menu

        result = search_in_context(search, text, language, topic_of(tracker), detected)
        logger.info("knowledge decision=%s top=%s", result.decision, result.top.entry_id if result.top else None)
        checklist = self._checklist_for(dispatcher, text, result, language, detected)
        if checklist is not None:
            return answered + checklist
        if result.decision == "answer" and result.top is not None:
            self._note_language(dispatcher, detected)
            answered += self._answer(dispatcher, domain, search, search.entries[result.top.entry_id], language)
        elif result.decision == "clarify":
            self._note_language(dispatcher, detected)
            self._clarify(dispatcher, search, [h.entry_id for h in result.choices], language)
        elif result.out_of_scope_topic:
            refer_elsewhere(dispatcher, search, result.out_of_scope_topic, language)
        elif not decline:
            return None
        else:
            return self._declined(dispatcher, tracker, language)
        return answered

    def _menu_reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                    search: KnowledgeSearch, text: str, language: str) -> list[dict[str, Any]] | None:
        """A typed reply to the previous turn's buttons ("for studies", "na pracę", "the PESEL
        one"): the offered entry or procedure it names."""
        from bot.actions.documents import checklist_text, procedure_entry

        if len(fold(text).split()) > MENU_REPLY_MAX_WORDS:
            return None
        entries, procedures = last_menu(tracker)
        if procedures:
            by_entry: dict[str, str] = {}
            for procedure in procedures:
                by_entry.setdefault(procedure_entry(procedure), procedure)
            picked = pick_offered(search, text, language, list(by_entry))
            if picked is None:
                return None
            checklist, payload = checklist_text(by_entry[picked], language)
            dispatcher.utter_message(text=checklist, json_message=payload)
            return [SlotSet("topic", payload["entry_id"])]
        if entries:
            picked = pick_offered(search, text, language, [e for e in entries if e in search.entries])
            return self._answer(dispatcher, domain, search, search.entries[picked], language) if picked else None
        return None

    def _checklist_for(self, dispatcher: CollectingDispatcher, text: str, result: SearchResult, language: str,
                       detected: str | None) -> list[dict[str, Any]] | None:
        """ "How much is X?" / "what documents for X?" with X a procedure: its documents and fees."""
        from bot.actions.documents import (GENERAL_FEES_ENTRY, asks_cost_or_documents, checklist_text, named_procedure,
                                           procedures_by_entry)

        if result.top is None or not asks_cost_or_documents(text):
            return None
        top = result.top.entry_id
        if result.decision == "answer" and top != GENERAL_FEES_ENTRY and top not in procedures_by_entry():
            return None   # "what documents for the fingerprints visit?": that entry says
        procedure = named_procedure(result)
        if procedure is None:
            return None
        checklist, payload = checklist_text(procedure, language)
        self._note_language(dispatcher, detected)
        dispatcher.utter_message(text=checklist, json_message=payload)
        return [SlotSet("topic", payload["entry_id"])]

    @staticmethod
    def _note_language(dispatcher: CollectingDispatcher, detected: str | None) -> None:
        if detected and detected not in SERVED:
            dispatcher.utter_message(response="utter_language_not_served")


class ActionSocialTurn(ActionAnswerQuestion):
    """Greetings, thanks, goodbyes and small talk: the social reply, or, when the message also
    asks something ("hi, how much is the card?"), the answer to that."""

    def name(self) -> str:
        return "action_social_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        intent = (latest.get("intent") or {}).get("name")
        switched = self.switched(dispatcher, tracker, domain, text)
        if switched is not None:
            return switched
        social = social_kind(text)
        if social is None:
            remainder = read_social(text).remainder
            if len(remainder.split()) <= 2 and not looks_like_question(text):
                social = INTENT_SOCIAL_KIND.get(intent or "")
        if social is None:
            events = self.respond(dispatcher, tracker, domain, text, language, None, decline=False)
            if events is not None:
                return events
            social = INTENT_SOCIAL_KIND.get(intent or "", "acknowledge")
        dispatcher.utter_message(response=SOCIAL_RESPONSES[social])
        return []


def refer_elsewhere(dispatcher: CollectingDispatcher, search: KnowledgeSearch, topic_id: str, language: str) -> None:
    """Say the question is not the office's business and who handles it instead."""
    dispatcher.utter_message(response="utter_out_of_scope")
    topic = search.index.topics.get(topic_id)
    if topic is not None and topic.referral(language):
        dispatcher.utter_message(text=topic.referral(language))


class ActionOutOfScope(Action):
    """Declines an out-of-scope message, naming who handles it when it is a known topic."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch], answerer: ActionAnswerQuestion | None = None) -> None:
        self._knowledge = knowledge
        self._answerer = answerer

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        if self._answerer is not None:
            handled = self._answerer.before_search(dispatcher, tracker, domain, text)
            if handled is not None:
                return handled
        else:
            social = social_kind(text)
            if social:
                dispatcher.utter_message(response=SOCIAL_RESPONSES[social])
                return []
        search = self._knowledge()
        detected = (tracker.latest_message or {}).get("detected_language")
        result = search_in_context(search, text, language, topic_of(tracker), detected)
        if self._answerer is not None and any(last_menu(tracker)):
            picked = self._answerer._menu_reply(dispatcher, tracker, domain, search, text, language)
            if picked is not None:
                return picked
        if result.decision == "answer" and result.top is not None and self._answerer is not None:
            # The classifier thought it out of scope; the search is sure it is one of ours.
            return self._answerer.respond(dispatcher, tracker, domain, text, language, None)
        if result.out_of_scope_topic:
            refer_elsewhere(dispatcher, search, result.out_of_scope_topic, language)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
