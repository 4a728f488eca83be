"""Custom actions on recorded trackers, with a fresh CollectingDispatcher each time."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import ActionAnswerQuestion
from bot.actions.language import ActionSwitchLanguage, requested_language
from connectors.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(text: str, intent: str = "ask_question", language: str = "pl", entities: list | None = None) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "test", "slots": {"language": language}, "latest_action_name": "action_listen",
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9},
                           "entities": entities or [], "detected_language": language},
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
    })


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


@pytest.fixture
def answer(knowledge_search):
    return ActionAnswerQuestion(lambda: knowledge_search)


def test_chosen_entry_is_answered_with_sources_related_and_feedback(answer, knowledge_search):
    messages, events = run(answer, tracker("/choose_entry", "choose_entry", "uk",
                                           [{"entity": "entry_id", "value": "pesel"}]))
    assert events == [{"event": "slot", "timestamp": None, "name": "failed_answers", "value": 0.0}]
    main = messages[0]
    assert main["text"] == knowledge_search.entries["pesel"].texts["uk"].answer
    assert main["custom"]["entry_id"] == "pesel" and main["custom"]["language"] == "uk"
    assert main["custom"]["sources"] and main["custom"]["checked"]
    related = knowledge_search.entries["pesel"].related
    assert [b["payload"] for b in main["buttons"]] == [f'/choose_entry{{"entry_id":"{r}"}}' for r in related[:3]]
    feedback = messages[1]
    assert feedback["text"] == "Чи допомогла ця відповідь?"
    assert [b["payload"] for b in feedback["buttons"]] == ["/feedback_positive", "/feedback_negative"]


def test_employer_change_without_details_offers_every_path(answer):
    messages, _ = run(answer, tracker("chcę zmienić pracodawcę", "change_employer", "pl"))
    assert messages[0]["response"] == "utter_clarify"
    assert len(messages[0]["buttons"]) == 6


def test_employer_change_with_blue_card_goes_to_that_path(answer):
    messages, _ = run(answer, tracker("I have an EU Blue Card and want to change my employer", "change_employer", "en"))
    assert messages[0]["custom"]["entry_id"] == "change-employer-blue-card"


def test_out_of_scope_question_is_declined(answer):
    messages, _ = run(answer, tracker("jaka będzie jutro pogoda w Krakowie", "ask_question", "pl"))
    assert [m["response"] for m in messages] == ["utter_no_answer"]


@pytest.mark.parametrize("text,code", [
    ("English please", "en"), ("по-русски пожалуйста", "ru"), ("можна українською?", "uk"),
    ("a mozna po polsku?", "pl"), ("можно на украинском", "uk"), ("hello", None),
])
def test_requested_language(text, code):
    assert requested_language(text) == code


def test_switch_language_sets_the_slot_and_answers_in_the_new_language():
    messages, events = run(ActionSwitchLanguage(), tracker("по-русски, пожалуйста", "switch_language", "pl"))
    assert events == [{"event": "slot", "timestamp": None, "name": "language", "value": "ru"}]
    assert messages[0]["text"] == "Хорошо, дальше пишу по-русски."
    assert messages[0]["custom"] == {"type": "language", "language": "ru"}


def test_unclear_switch_asks_which_language():
    messages, events = run(ActionSwitchLanguage(), tracker("change the language", "switch_language", "en"))
    assert events == [] and len(messages[0]["buttons"]) == 4
