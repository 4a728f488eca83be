"""Messages sent while a form waits for a slot (bot/actions/flow_guard.py), on recorded trackers
shaped like the ones Rasa sends to a form's validation action."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.case_status import ValidateCaseStatusForm
from bot.actions.knowledge import ActionAnswerQuestion
from connectors.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
FORM = "case_status_form"


def in_form(text: str, *, requested: str | None = "case_number", language: str = "pl", started_in: str = "pl",
            intent: str = "nlu_fallback", confidence: float = 0.4, slots: dict | None = None) -> Tracker:
    """A tracker as the form's validation gets it: the form started, asked, and the person wrote ``text``."""
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "chce sprawdzic status sprawy", "parse_data": {}},
        {"event": "slot", "name": "language", "value": started_in},
        {"event": "action", "name": FORM},
        {"event": "active_loop", "name": FORM},
        {"event": "slot", "name": "requested_slot", "value": "case_number"},
        {"event": "bot", "text": "Podaj numer sprawy"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "language", "value": language},
        {"event": "action", "name": FORM},
        *({"event": "slot", "name": name, "value": value} for name, value in (slots or {}).items()),
    ]
    return Tracker.from_dict({
        "sender_id": "test", "slots": {"language": language, "requested_slot": requested, **(slots or {})},
        "latest_action_name": FORM, "events": events, "paused": False, "followup_action": None,
        "active_loop": {"name": FORM},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
    })


@pytest.fixture
def validate(knowledge_search):
    return ValidateCaseStatusForm(ActionAnswerQuestion(lambda: knowledge_search))


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def slot_values(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_question_is_answered_and_the_form_asks_again(validate):
    messages, events = run(validate, in_form("a ile to w ogole trwa taka sprawa?"))
    sources = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "sources"]
    assert sources and sources[0]["entry_id"] in {"processing-time", "case-status-check"}
    assert slot_values(events)["case_number"] is None            # asked again, nothing taken as the number
    assert not any(e.get("event") == "active_loop" for e in events)


@pytest.mark.parametrize("text", ["nieważne", "не треба", "never mind", "laisse tomber"])
def test_stop_words_leave_the_form(validate, text):
    messages, events = run(validate, in_form(text))
    assert messages[0]["response"] == "utter_stopped"
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}
    assert slot_values(events)["requested_slot"] is None


def test_leaving_with_a_question_answers_it(validate):
    messages, events = run(validate, in_form("nieważne, a gdzie mogę się odwołać od decyzji odmownej?"))
    assert messages[0]["response"] == "utter_stopped"
    assert any((m.get("custom") or {}).get("entry_id") == "appeal-negative-decision" for m in messages)
    assert events[-1]["event"] == "active_loop" and events[-1]["name"] is None


def test_a_thanks_gets_its_reply_and_the_question_again(validate):
    messages, events = run(validate, in_form("ok dzięki"))
    assert messages[0]["response"] in {"utter_you_are_welcome", "utter_acknowledge"}
    assert slot_values(events) == {"case_number": None}


def test_a_value_goes_through_validation(validate):
    _, events = run(validate, in_form("WSC-II-S.6151.24680.2025", slots={"case_number": "WSC-II-S.6151.24680.2025"}))
    assert slot_values(events)["case_number"] == "WSC-II-S.6151.24680.2025"


def test_a_short_answer_does_not_switch_the_flow_language(validate):
    _, events = run(validate, in_form("знайшла, WSC-II-S.6151.1357.2026", language="ru", started_in="uk",
                                      slots={"case_number": "WSC-II-S.6151.1357.2026"}))
    assert events[0] == {"event": "slot", "timestamp": None, "name": "language", "value": "uk"}


def test_case_number_and_birth_date_in_one_message_fill_both(validate):
    text = "WSC-II-S.6151.24680.2025, ur. 21.07.1988"
    _, events = run(validate, in_form(text, requested=None, slots={"case_number": "WSC-II-S.6151.24680.2025"}))
    values = slot_values(events)
    assert values["case_number"] == "WSC-II-S.6151.24680.2025"
    assert values["birth_date"]


def starting(text: str, form_validation, language: str = "en"):
    """A tracker as the validation gets it when ``text`` has just started the form."""
    return Tracker.from_dict({
        "sender_id": "test", "slots": {"language": language, "requested_slot": None},
        "latest_action_name": form_validation.form_name(), "paused": False, "followup_action": None, "active_loop": {},
        "events": [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": {}},
                   {"event": "action", "name": form_validation.form_name()}],
        "latest_message": {"text": text, "intent": {"name": "change_employer", "confidence": 0.8}, "entries": []},
    })


def test_a_situation_an_entry_answers_is_answered_instead_of_starting_a_flow(knowledge_search):
    from bot.actions.employer_change import ValidateEmployerChangeForm

    validate = ValidateEmployerChangeForm(ActionAnswerQuestion(lambda: knowledge_search))
    messages, events = run(validate, starting("I quit my job at the warehouse, I have a residence card for work, "
                                              "what happens to my permit now?", validate))
    answered = [(m.get("custom") or {}).get("entry_id") for m in messages]
    offered = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert "job-loss-with-single-permit" in answered or any("job-loss-with-single-permit" in p for p in offered)
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}


def test_a_request_for_the_flow_starts_it(knowledge_search):
    validate = ValidateCaseStatusForm(ActionAnswerQuestion(lambda: knowledge_search))
    messages, events = run(validate, starting("I want to check the status of my case please", validate))
    assert messages == [] and not any(e.get("event") == "active_loop" for e in events)


def test_an_entry_date_in_the_future_is_asked_again():
    from bot.actions.legal_stay import ValidateLegalStayForm

    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateLegalStayForm().validate_stay_dates("i came on 12.03.2031", dispatcher,
                                                                      in_form("x", language="en"), DOMAIN))
    assert result == {"stay_dates": None}
    assert "12.03.2031" in dispatcher.messages[0]["text"]


def test_a_request_for_a_person_inside_a_flow_hands_over(validate):
    messages, events = run(validate, in_form("nie rozumiem o jaki numer chodzi, dajcie mi czlowieka prosze"))
    assert messages[-1]["response"] == "utter_handoff"
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}


def test_the_stop_intent_leaves_when_its_rule_did_not(validate):
    messages, events = run(validate, in_form("стоп", language="ru", intent="stop", confidence=0.9))
    assert messages[0]["response"] == "utter_stopped"
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}


def test_a_question_right_after_leaving_a_flow_is_answered_not_the_flow_restarted(knowledge_search):
    validate = ValidateCaseStatusForm(ActionAnswerQuestion(lambda: knowledge_search))
    text = "a gdzie w ogole moge znalezc ten numer sprawy?"
    t = starting(text, validate, language="pl")
    t.events[:0] = [{"event": "user", "text": "nieważne"}, {"event": "active_loop", "name": None},
                    {"event": "bot", "text": "Dobrze, przerwałem."}]
    messages, events = run(validate, t)
    assert any((m.get("custom") or {}).get("entry_id") == "case-status-check" for m in messages)
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}
