"""The conversation suite's reader and checker: the suite loads, replies are read back into kinds
from the assistant's own texts, and each expectation can fail."""
from __future__ import annotations

from bot.texts import text
from infoline.converse_eval import SUITE_DIR, Turn, check_turn, load_suite, read_reply, summarise, ConversationResult


def test_the_suite_is_large_and_well_formed():
    suite = load_suite(SUITE_DIR)
    by_language: dict[str, int] = {}
    for conversation in suite:
        by_language[conversation.language] = by_language.get(conversation.language, 0) + 1
    assert len(suite) >= 250
    assert all(by_language[lang] >= 40 for lang in ("pl", "en", "uk", "ru"))
    assert len([lang for lang in by_language if lang not in ("pl", "en", "uk", "ru")]) >= 10
    assert any(c.holdout for c in suite) and any(not c.holdout for c in suite)


def test_a_knowledge_answer_is_read_with_its_entry_and_language():
    observed = read_reply([{"text": "Opłata wynosi 440 zł."},
                           {"custom": {"type": "sources", "entry_id": "fees", "language": "pl"}}])
    assert observed.answered == ["fees"]
    assert check_turn(Turn("ile kosztuje", {"kind": "answer", "entries": ["fees"], "amount": True}), observed, "pl") == []
    problems = check_turn(Turn("ile kosztuje", {"kind": "answer", "entries": ["work-permit"]}), observed, "pl")
    assert problems and "expected entries" in problems[0]


def test_catalogue_texts_are_recognised_in_their_language():
    asked = read_reply([{"text": text("case_status", "messages.ask_case_number", "uk")}])
    assert "ask_case_number" in asked.kinds and asked.languages() == {"uk"}
    problems = check_turn(Turn("статус", {"kind": "ask_case_number"}), asked, "ru")
    assert any("expected ru" in p for p in problems)


def test_a_handoff_fails_a_turn_that_did_not_ask_for_one():
    handed = read_reply([{"text": text("handoff", "created", "en")}])
    assert any("handed off" in p for p in check_turn(Turn("thanks", {}), handed, "en"))
    assert check_turn(Turn("a person please", {"kind": "handoff"}), handed, "en") == []


def test_an_empty_reply_fails_and_rates_are_per_language():
    assert check_turn(Turn("hello", {}), read_reply([]), "en") == ["no reply"]
    suite = load_suite(SUITE_DIR, holdout=False)[:3]
    summary = summarise([ConversationResult(c, [] if i else [(1, "x", ["no reply"], "")]) for i, c in enumerate(suite)])
    assert summary["all"]["passed"] == 2 and summary["all"]["total"] == 3


def test_entries_count_only_when_the_turn_must_answer_or_did():
    from infoline.converse_eval import Observed

    flow_started = Observed(kinds={"ask_case_number": {"en"}}, text="Please type your case number")
    either = Turn("how do I check my case?", {"kind": ["ask_case_number", "answer"], "entries": ["case-status-check"]})
    assert check_turn(either, flow_started, "en") == []
    wrong_answer = Observed(kinds={"answer": {"en"}}, answered=["fees"], text="The fee is 340 zł")
    assert check_turn(either, wrong_answer, "en")
    must = Turn("how do I check my case?", {"all": ["answer", "ask_case_number"], "entries": ["case-status-check"]})
    assert check_turn(must, flow_started, "en")
