"""The office's services as conversations, through the real Rasa and app (issue: dialogue flows)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from bot.services.case_store import CaseStore
from bot.services.db import create_schema, make_engine
from bot.texts import text

pytestmark = pytest.mark.slow
CASE = "WSC-II-S.6151.4321.2025"
BIRTH = "1991-03-14"


def _sender(tag: str) -> str:
    return f"e2e-{tag}-{uuid.uuid4().hex[:8]}"


def _texts(reply: dict) -> str:
    return "\n".join(m["text"] or "" for m in reply["messages"])


def _buttons(reply: dict) -> list[dict]:
    return [b for m in reply["messages"] for b in m["buttons"]]


@pytest.fixture(scope="module")
def cases(assistant, tmp_path_factory):
    csv = tmp_path_factory.mktemp("cases") / "cases.csv"
    csv.write_text(f"case_number,birth_date,status,status_date\n{CASE},{BIRTH},awaiting_fingerprints,2026-11-02\n")
    engine = make_engine(assistant.settings.app_database_url)
    create_schema(engine)
    report = CaseStore(engine).import_csv(csv)
    assert report.inserted + report.updated == 1
    return CASE


@pytest.mark.parametrize("lang,ask", [("pl", "chcę sprawdzić status mojej sprawy"), ("en", "what is the status of my application?")])
def test_case_status_after_verification(assistant, cases, lang, ask):
    sender = _sender(f"case-{lang}")
    reply = assistant.chat(sender, ask, lang)
    assert text("case_status", "messages.ask_case_number", lang) in _texts(reply)
    reply = assistant.chat(sender, "wsc ii s 6151 4321 2025", lang)
    assert text("case_status", "messages.ask_birth_date", lang) in _texts(reply)
    reply = assistant.chat(sender, "14.03.1991", lang)
    assert text("case_status", "statuses.awaiting_fingerprints.meaning", lang) in _texts(reply)


def test_wrong_data_is_neutral_and_attempts_are_limited(assistant, cases):
    sender = _sender("lock")
    not_found = text("case_status", "messages.not_found", "pl")
    locked_prefix = text("case_status", "messages.locked", "pl", retry_at="XX:XX").split("XX:XX")[0]
    replies = []
    for attempt in range(6):
        assistant.chat(sender, "sprawdź status mojej sprawy", "pl")
        number = CASE if attempt % 2 == 0 else "WSC-II-S.6151.9999.2025"  # wrong birth date / unknown case
        assistant.chat(sender, number, "pl")
        replies.append(_texts(assistant.chat(sender, "01.01.1980", "pl")))
        if locked_prefix in replies[-1]:
            break
    # the same neutral answer for a wrong birth date and for an unknown case
    assert replies[0] == replies[1] and not_found in replies[0]
    assert locked_prefix in replies[-1] and len(replies) <= 6
    assistant.chat(sender, "sprawdź status mojej sprawy", "pl")
    assistant.chat(sender, CASE, "pl")
    reply = _texts(assistant.chat(sender, "14.03.1991", "pl"))  # right data, but cooling off
    assert locked_prefix in reply
    assert text("case_status", "statuses.awaiting_fingerprints.meaning", "pl") not in reply


def test_bad_case_number_is_reasked_and_stop_leaves_the_form(assistant):
    sender = _sender("stop")
    assistant.chat(sender, "status mojej sprawy", "pl")
    reply = assistant.chat(sender, "nie wiem jaki", "pl")
    assert text("case_status", "messages.bad_case_number", "pl") in _texts(reply)
    reply = assistant.chat(sender, "stop", "pl")
    assert "przerwałem" in _texts(reply)
    reply = assistant.chat(sender, "Dzień dobry", "pl")
    assert "Dzień dobry" in _texts(reply)


@pytest.mark.parametrize("lang,ask,started", [("en", "I want to change my employer", "/deny"),
                                              ("uk", "хочу змінити роботодавця", "/affirm")])
def test_employer_change_path(assistant, lang, ask, started):
    sender = _sender(f"emp-{lang}")
    reply = assistant.chat(sender, ask, lang)
    assert text("dialogue", "ask_holder_type", lang) in _texts(reply)
    assert any("single_permit" in b["payload"] for b in _buttons(reply))
    reply = assistant.chat(sender, '/inform{"holder_type":"single_permit"}', lang)
    assert text("dialogue", "ask_already_started", lang) in _texts(reply)
    reply = assistant.chat(sender, started, lang)
    body = _texts(reply)
    assert text("employer_change", "steps.apply_to_amend_single_permit", lang) in body
    sources = [m["custom"] for m in reply["messages"] if m.get("custom")]
    assert sources and sources[0]["entry_id"] == "change-employer-single-permit"


@pytest.mark.parametrize("lang,ask", [("ru", "проверь, легально ли я нахожусь в Польше"), ("pl", "czy mój pobyt jest legalny, ile dni mi zostało")])
def test_legal_stay_check_visa_free(assistant, lang, ask):
    sender = _sender(f"stay-{lang}")
    reply = assistant.chat(sender, ask, lang)
    assert text("dialogue", "ask_stay_basis", lang) in _texts(reply)
    reply = assistant.chat(sender, '/inform{"stay_basis":"visa_free"}', lang)
    assert text("dialogue", "ask_stays", lang) in _texts(reply)
    entered = (dt.date.today() - dt.timedelta(days=9)).strftime("%d.%m.%Y")
    reply = assistant.chat(sender, f"{entered}–", lang)
    body = _texts(reply)
    assert text("dialogue", "legal_today_yes", lang) in body
    assert text("dialogue", "days_summary", lang, days_used=10, days_left=80) in body
    assert text("dialogue", "not_a_decision", lang) in body


@pytest.mark.parametrize("lang,ask", [("uk", "які документи потрібні і скільки платити"), ("en", "what documents do I need and what are the fees")])
def test_documents_and_fees(assistant, lang, ask):
    sender = _sender(f"docs-{lang}")
    reply = assistant.chat(sender, ask, lang)
    assert text("procedures", "choose_procedure", lang) in _texts(reply)
    work = next(b for b in _buttons(reply) if '"temporary-residence-work"' in b["payload"])
    reply = assistant.chat(sender, work["payload"], lang)
    body = _texts(reply)
    assert "440 zł" in body
    assert text("procedures", "fees_heading", lang) in body


def test_talk_to_a_person_creates_a_handoff_request(assistant):
    from bot.services.handoff import HandoffStore

    sender = _sender("human")
    assistant.chat(sender, "Мій номер справи WSC-II-S.6151.777.2025, дата народження 02.02.1990", "uk")
    reply = assistant.chat(sender, "хочу поговорити з консультантом", "uk")
    assert text("handoff", "created", "uk") in _texts(reply)
    store = HandoffStore(make_engine(assistant.settings.app_database_url), secret=assistant.settings.secret_key)
    mine = [r for r in store.list_open() if r.channel == "web" and r.language == "uk"]
    assert mine
    transcript = " ".join(line.text for r in mine for line in r.transcript)
    assert "6151.777" not in transcript and "02.02.1990" not in transcript


def test_two_unanswerable_questions_in_a_row_hand_over(assistant):
    sender = _sender("fail")
    assistant.chat(sender, "what is the best pizza place in Kazimierz?", "en")
    reply = assistant.chat(sender, "which football club in Kraków should I support?", "en")
    assert text("handoff", "created", "en") in _texts(reply) or "12 210 20 20" in _texts(reply)


def test_the_action_endpoint_refuses_a_caller_without_rasas_secret(assistant, cases):
    """The brute force of the safety review: running action_check_case_status on made-up trackers."""
    import httpx

    url = f"http://{assistant.settings.host}:{assistant.settings.port}/webhook"
    statuses = set()
    for day in range(1, 31):
        tracker = {"sender_id": f"forged-{day}", "slots": {"case_number": CASE, "birth_date": f"1991-03-{day:02d}",
                                                          "language": "en"},
                   "latest_message": {"text": "x", "metadata": {"client": f"forged-{day}"}}, "events": [],
                   "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}
        call = {"next_action": "action_check_case_status", "sender_id": f"forged-{day}", "tracker": tracker,
                "domain": {}, "version": "3.6.21"}
        response = httpx.post(url, json=call, timeout=10)
        statuses.add(response.status_code)
        assert "awaiting" not in response.text.lower()
    assert statuses == {401}


def test_going_around_the_app_to_rasas_port_buys_no_extra_guesses(assistant, cases):
    """Messages posted straight to Rasa's REST port carry no valid signature: their failed
    verifications share one bucket, whatever client they claim, so a sixth guess is refused."""
    import httpx

    rasa = f"{assistant.settings.rasa_url}/webhooks/rest/webhook"
    locked_prefix = text("case_status", "messages.locked", "en", retry_at="XX:XX").split("XX:XX")[0]
    replies = []
    for attempt in range(6):
        sender = f"direct-{uuid.uuid4().hex[:8]}"
        forged = {"channel": "web", "language": "en", "client": f"forged-client-{attempt}"}
        for message in ("check my case status", "WSC-II-S.6151.4242.2025", f"{attempt + 1:02d}.01.1970"):
            reply = httpx.post(rasa, json={"sender": sender, "message": message, "metadata": forged}, timeout=60).json()
        replies.append(" ".join(m.get("text") or "" for m in reply))
    assert locked_prefix in replies[-1]
    assert not any(text("case_status", "statuses.awaiting_fingerprints.meaning", "en") in r for r in replies)
