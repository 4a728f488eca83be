"""Handoff requests: stored masked and hashed, listed oldest first."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot.services.db import create_schema, make_engine
from bot.services.handoff import HandoffRow, HandoffStore, TranscriptLine, UnknownHandoffError
from bot.services.privacy import hash_identifier

T0 = datetime(2026, 5, 10, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def engine():
    engine = make_engine("sqlite://")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine):
    return HandoffStore(engine, secret="test-secret", clock=Clock())


TRANSCRIPT = [
    {"who": "user", "text": "Dzień dobry, sprawa WSC-II-S.6151.12345.2025, urodzona 12.05.1990"},
    {"who": "bot", "text": "Zadzwoń do INFO.OPT: 12 210 20 20."},
    {"who": "user", "text": "Мій телефон +380 67 123 4567, пошта olena@ukr.net"},
]


def test_create_masks_transcript_and_hashes_sender(store, engine):
    request = store.create_handoff(language="pl", channel="telegram", sender="telegram:987654321",
                                   transcript=TRANSCRIPT)
    assert request.status == "open" and request.language == "pl" and request.channel == "telegram"
    assert request.transcript == (
        TranscriptLine("user", "Dzień dobry, sprawa [CASE], urodzona [DATE]"),
        TranscriptLine("bot", "Zadzwoń do INFO.OPT: 12 210 20 20."),
        TranscriptLine("user", "Мій телефон [PHONE], пошта [EMAIL]"),
    )
    assert request.sender_hash == hash_identifier("sender:telegram:987654321", "test-secret")
    with engine.connect() as conn:
        raw = " ".join(str(v) for v in conn.execute(text("SELECT * FROM handoff_requests")).one())
    for secret in ("987654321", "12345", "12.05.1990", "olena@ukr.net", "123 4567"):
        assert secret not in raw


def test_list_open_oldest_first_and_without_closed(store):
    first = store.create_handoff(language="en", channel="web", sender="a", transcript=[])
    second = store.create_handoff(language="uk", channel="web", sender="b", transcript=[])
    third = store.create_handoff(language="ru", channel="telegram", sender="c", transcript=[])
    store.set_status(second.id, "taken")
    assert [r.id for r in store.list_open()] == [first.id, third.id]
    store.set_status(first.id, "closed")
    assert [r.id for r in store.list_open()] == [third.id]
    assert store.list_open()[0].created_at.tzinfo is not None


def test_same_sender_same_hash_other_sender_other_hash(store):
    a1 = store.create_handoff(language="en", channel="web", sender="s-1", transcript=[])
    a2 = store.create_handoff(language="en", channel="web", sender="s-1", transcript=[])
    b = store.create_handoff(language="en", channel="web", sender="s-2", transcript=[])
    assert a1.sender_hash == a2.sender_hash != b.sender_hash
    assert a1.id != a2.id


def test_long_transcripts_keep_the_latest_lines_and_cut_long_texts(engine):
    store = HandoffStore(engine, secret="s", max_lines=3, max_chars=10)
    lines = [{"who": "user", "text": f"message number {i}"} for i in range(6)]
    request = store.create_handoff(language="pl", channel="web", sender="x", transcript=lines)
    assert [line.text for line in request.transcript] == ["message nu"] * 3
    assert len(request.transcript) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(language="de"), "language"),
        (dict(channel="Web Chat!"), "channel"),
        (dict(sender=""), "sender"),
        (dict(transcript=[{"who": "admin", "text": "hi"}]), "who"),
        (dict(transcript=[{"who": "user"}]), "text"),
    ],
)
def test_bad_input_is_refused(store, kwargs, message):
    args = dict(language="pl", channel="web", sender="x", transcript=[]) | kwargs
    with pytest.raises(ValueError, match=message):
        store.create_handoff(**args)


def test_set_status_checks(store):
    request = store.create_handoff(language="pl", channel="web", sender="x", transcript=[])
    with pytest.raises(ValueError):
        store.set_status(request.id, "done")
    with pytest.raises(UnknownHandoffError):
        store.set_status("no-such-id", "closed")


def test_rows_are_json_lists(store, engine):
    store.create_handoff(language="pl", channel="web", sender="x", transcript=TRANSCRIPT[:1])
    with engine.connect() as conn:
        row = conn.execute(select(HandoffRow)).one()
    assert row.transcript == [{"who": "user", "text": "Dzień dobry, sprawa [CASE], urodzona [DATE]"}]
