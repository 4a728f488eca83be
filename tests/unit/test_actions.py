"""Custom actions on recorded trackers, with a fresh CollectingDispatcher each time."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import ActionAnswerQuestion, ActionOutOfScope
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
    assert events == [{"event": "slot", "timestamp": None, "name": "failed_answers", "value": 0.0},
                      {"event": "slot", "timestamp": None, "name": "topic", "value": "pesel"}]
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


def test_question_without_an_answer_is_declined_with_the_infoline(answer):
    messages, events = run(answer, tracker("czy mogę przyjść do urzędu z psem asystującym", "ask_question", "pl"))
    assert [m["response"] for m in messages] == ["utter_no_answer"]
    assert events[-1]["name"] == "failed_answers" and events[-1]["value"] == 1.0


def test_known_out_of_scope_question_names_who_handles_it(answer, knowledge_search):
    messages, events = run(answer, tracker("як обміняти українські водійські права на польські", "ask_question", "uk"))
    assert messages[0]["response"] == "utter_out_of_scope"
    topic = knowledge_search.run("як обміняти українські водійські права на польські", language="uk").out_of_scope_topic
    assert messages[1]["text"] == knowledge_search.index.topics[topic].referral("uk")
    assert events == [{"event": "slot", "timestamp": None, "name": "failed_answers", "value": 0.0}]


def test_out_of_scope_intent_adds_the_referral_when_the_topic_is_known(knowledge_search):
    action = ActionOutOfScope(lambda: knowledge_search)
    messages, _ = run(action, tracker("how do I file my PIT tax return in Poland", "out_of_scope", "en"))
    assert messages[0]["response"] == "utter_out_of_scope" and len(messages) == 2
    messages, _ = run(action, tracker("tell me a recipe for a chocolate cake", "out_of_scope", "en"))
    assert messages[0]["response"] == "utter_out_of_scope"


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


@pytest.mark.parametrize(("text", "language"), [
    ("sorry, can we continue in English? my polish is not so good", "en"),
    ("а можно по-русски, я плохо понимаю английский", "ru"),
    ("можна українською? я погано розумію польську", "uk"),
    ("vous pouvez me répondre en polonais ?", "pl"),
    ("გამარჯობა, შეიძლება რუსულად ვწერო?", "ru"),
    ("ingilizce devam edebilir miyiz?", "en"),
])
def test_the_language_asked_for_wins_over_one_only_named(text, language):
    assert requested_language(text) == language


def test_a_switch_the_nlu_missed_is_obeyed_and_the_last_answer_repeated(answer, knowledge_search):
    t = Tracker.from_dict({
        "sender_id": "test", "slots": {"language": "pl", "topic": "pesel"}, "latest_action_name": "action_listen",
        "latest_message": {"text": "sorry, can we continue in English?", "intent": {"name": "ask_question", "confidence": 0.5},
                           "entities": []},
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
    })
    messages, events = run(answer, t)
    assert messages[0]["custom"] == {"type": "language", "language": "en"}
    assert messages[1]["text"] == knowledge_search.entries["pesel"].texts["en"].answer
    assert {"event": "slot", "timestamp": None, "name": "language", "value": "en"} in events


def test_a_fee_question_naming_a_procedure_gets_its_amounts(answer):
    messages, events = run(answer, tracker("ile sie placi za zezwolenie na pobyt czasowy i prace", "ask_question", "pl"))
    assert "zł" in messages[0]["text"]
    assert messages[0]["custom"]["entry_id"] == "temporary-residence-work"
    assert {"event": "slot", "timestamp": None, "name": "topic", "value": "temporary-residence-work"} in events


def test_a_documents_question_an_entry_answers_gets_that_entry(answer):
    messages, _ = run(answer, tracker("what documents do I need to bring to the fingerprints visit?", "ask_question", "en"))
    assert messages[0]["custom"]["entry_id"] == "fingerprints-visit"


@pytest.mark.parametrize(("text", "language", "entry"), [
    ("for studies", "en", "temporary-residence-study"), ("na prace", "pl", "temporary-residence-work"),
])
def test_a_typed_reply_to_the_procedure_menu_picks_the_procedure(answer, text, language, entry):
    buttons = [{"title": p, "payload": f'/documents_and_fees{{"procedure":"{p}"}}'}
               for p in ("temporary-residence-work", "temporary-residence-family", "temporary-residence-study")]
    t = Tracker.from_dict({
        "sender_id": "test", "slots": {"language": language}, "latest_action_name": "action_listen",
        "latest_message": {"text": text, "intent": {"name": "ask_question", "confidence": 0.5}, "entities": []},
        "events": [{"event": "user", "text": "jakie dokumenty?"}, {"event": "bot", "text": "?", "data": {"buttons": buttons}},
                   {"event": "action", "name": "action_listen"}, {"event": "user", "text": text}],
        "paused": False, "followup_action": None, "active_loop": {},
    })
    messages, _ = run(answer, t)
    assert messages[0]["custom"]["entry_id"] == entry and "zł" in messages[0]["text"]


def test_a_follow_up_the_search_answers_alone_is_not_the_topic_again(knowledge_search):
    from bot.actions.knowledge import search_in_context

    result = search_in_context(knowledge_search, "a za sama karte?", "pl", "temporary-residence-work")
    assert result.top.entry_id != "temporary-residence-work"
    short = search_in_context(knowledge_search, "and how long is it valid?", "en", "national-visa-d")
    assert short.decision == "answer" and short.top.entry_id == "national-visa-d"


@pytest.mark.parametrize(("question", "language", "procedure"), [
    ("What does the permanent residence application cost?", "en", "permanent-residence"),
    ("скільки коштує карта побиту?", "uk", "residence-card"),
    ("what documents do I need for studies?", "en", "temporary-residence-study"),
    ("kakie dokumenty nuzhny?", "ru", None),          # several document lists fit, none is named: a menu
])
def test_the_procedure_a_question_names(knowledge_search, question, language, procedure):
    from bot.actions.documents import named_procedure

    assert named_procedure(knowledge_search.run(question, language=language)) == procedure


def test_a_greeting_before_a_fee_question_does_not_hide_it(answer):
    messages, _ = run(answer, tracker("Привіт! скільки коштує карта побиту?", "ask_question", "uk"))
    assert "zł" in messages[0]["text"] or "зл" in messages[0]["text"]
