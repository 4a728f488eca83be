"""Case status store: case-number formats, CSV import, neutral verification, attempt limits."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from bot.services.case_store import (
    STATUSES,
    AttemptLimiter,
    CaseRow,
    CaseStore,
    CsvFormatError,
    RejectedRow,
    CaseNumberFailureRow,
    VerificationFailureRow,
    normalise_case_number,
    parse_birth_date,
    verify_with_limit,
)
from bot.services.db import create_schema, make_engine

T0 = datetime(2026, 5, 10, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def engine():
    engine = make_engine("sqlite://")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(engine, clock):
    return CaseStore(engine, clock=clock)


def write_csv(tmp_path, text: str, name: str = "statuses.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_CSV = """case_number,birth_date,status,status_date
WSC-II-S.6151.12345.2025,1990-05-12,in_review,2026-04-01
WSC-II-P.6151.56.2026,1985-01-31,card_ready,2026-05-02
"""


# --- case numbers ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WSC-II-S.6151.12345.2025", "WSC-II-S.6151.12345.2025"),
        ("wsc ii s 6151 12345 2025", "WSC-II-S.6151.12345.2025"),
        ("WSC-II-S. 6151.12345.2025", "WSC-II-S.6151.12345.2025"),
        ("wsc-ii-s 6151.15002.2025", "WSC-II-S.6151.15002.2025"),
        ("WSC II S 6151 3321 2025", "WSC-II-S.6151.3321.2025"),
        ("WSC-II-S.6151.012345.2025", "WSC-II-S.6151.12345.2025"),
        ("WSC-II-P.6151.56.2026", "WSC-II-P.6151.56.2026"),
        ("  mój numer to WSC-II-P.6151.998.2026, dziękuję", "WSC-II-P.6151.998.2026"),
        ("6151.12345.2025", "WSC-II-S.6151.12345.2025"),
        ("6151 4412 2025", "WSC-II-S.6151.4412.2025"),
        ("12345/2025", "WSC-II-S.6151.12345.2025"),
        ("12345 / 2025", "WSC-II-S.6151.12345.2025"),
        ("sprawa 8812/2025 co dalej", "WSC-II-S.6151.8812.2025"),
        ("0/2025", None),
        ("12.05.2025", None),
        ("1990-05-12", None),
        ("12345", None),
        ("6152.12345.2025", None),
        ("12/05/2025", None),
        ("", None),
        ("hello", None),
    ],
)
def test_normalise_case_number(text, expected):
    assert normalise_case_number(text) == expected


def test_full_only_refuses_short_forms():
    assert normalise_case_number("12345/2025", full_only=True) is None
    assert normalise_case_number("wsc ii s 6151 12345 2025", full_only=True) == "WSC-II-S.6151.12345.2025"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-12", date(1990, 5, 12)),
        ("12.05.1990", date(1990, 5, 12)),
        ("12/05/1990", date(1990, 5, 12)),
        ("2.5.1990", date(1990, 5, 2)),
        ("29.02.2000", date(2000, 2, 29)),
        ("29.02.2001", None),
        ("12 May 1990", None),
        ("", None),
    ],
)
def test_parse_birth_date(text, expected):
    assert parse_birth_date(text) == expected


# --- import ------------------------------------------------------------------------------

def test_import_inserts_then_updates(store, clock, tmp_path):
    report = store.import_csv(write_csv(tmp_path, GOOD_CSV))
    assert (report.inserted, report.updated, report.rejected) == (2, 0, ())
    clock.advance(days=1)
    report = store.import_csv(write_csv(tmp_path, "case_number,birth_date,status,status_date\n"
                                        "WSC-II-S.6151.12345.2025,1990-05-12,decision_positive,2026-05-10\n"))
    assert (report.inserted, report.updated) == (0, 1)
    status = store.verify("12345/2025", "12.05.1990")
    assert status is not None
    assert (status.status, status.status_date, status.updated_at) == ("decision_positive", date(2026, 5, 10), clock.now)


def test_import_rejects_bad_rows_with_line_numbers(store, tmp_path):
    text = (
        "case_number,birth_date,status,status_date\n"                    # line 1
        "WSC-II-S.6151.1.2025,1990-05-12,received,2026-01-10\n"          # 2 good
        "12345/2025,1990-05-12,received,2026-01-10\n"                     # 3 short number
        "not a number,1990-05-12,received,2026-01-10\n"                   # 4 bad number
        "WSC-II-S.6151.2.2025,12.05.1990,received,2026-01-10\n"          # 5 bad birth date format
        "WSC-II-S.6151.3.2025,1990-05-12,lost,2026-01-10\n"              # 6 bad status
        "WSC-II-S.6151.4.2025,1990-05-12,received,2026-02-30\n"          # 7 impossible date
        "WSC-II-S.6151.5.2025,1990-05-12,received,2026-06-01\n"          # 8 status in the future
        "WSC-II-S.6151.6.2025,,received,2026-01-10\n"                     # 9 missing value
        "\n"                                                              # 10 empty line: skipped
        "WSC-II-S.6151.7.2025,2030-01-01,received,2026-01-10\n"          # 11 birth in the future
        "WSC-II-S.6151.8.2025,2026-02-01,received,2026-01-10\n"          # 12 born after status date
        "WSC-II-S.6151.9.2025,1990-05-12,card_collected,2026-05-10\n"    # 13 good
    )
    report = store.import_csv(write_csv(tmp_path, text))
    assert (report.inserted, report.updated) == (2, 0)
    assert report.rejected == (
        RejectedRow(3, "short_case_number", "case_number"),
        RejectedRow(4, "bad_case_number", "case_number"),
        RejectedRow(5, "bad_birth_date", "birth_date"),
        RejectedRow(6, "bad_status", "status"),
        RejectedRow(7, "bad_status_date", "status_date"),
        RejectedRow(8, "status_date_in_future", "status_date"),
        RejectedRow(9, "missing_value", "birth_date"),
        RejectedRow(11, "bad_birth_date", "birth_date"),
        RejectedRow(12, "birth_date_after_status_date", "birth_date"),
    )


def test_import_semicolons_bom_extra_columns_and_normalised_numbers(store, engine, tmp_path):
    text = ("\ufeffStatus_Date;Case_Number;Birth_Date;Status;Comment\n"
            "2026-04-01;wsc ii s 6151 00777 2025;1990-05-12;awaiting_fingerprints;x\n")
    report = store.import_csv(write_csv(tmp_path, text))
    assert report.inserted == 1 and not report.rejected
    with engine.connect() as conn:
        assert conn.scalar(select(CaseRow.case_number)) == "WSC-II-S.6151.777.2025"


def test_import_later_duplicate_wins(store, tmp_path):
    text = GOOD_CSV + "WSC-II-S.6151.12345.2025,1990-05-12,card_ready,2026-05-01\n"
    report = store.import_csv(write_csv(tmp_path, text))
    assert report.inserted == 2
    assert store.verify("WSC-II-S.6151.12345.2025", "1990-05-12").status == "card_ready"


def test_import_without_required_columns_fails(store, tmp_path):
    with pytest.raises(CsvFormatError, match="status_date"):
        store.import_csv(write_csv(tmp_path, "case_number,birth_date,status\nA,B,C\n"))


def test_every_status_code_imports(store, tmp_path):
    rows = "".join(f"WSC-II-S.6151.{i + 1}.2025,1990-05-12,{code},2026-01-10\n" for i, code in enumerate(STATUSES))
    report = store.import_csv(write_csv(tmp_path, "case_number,birth_date,status,status_date\n" + rows))
    assert report.inserted == len(STATUSES) and not report.rejected


# --- verification ------------------------------------------------------------------------

@pytest.fixture
def loaded(store, tmp_path):
    store.import_csv(write_csv(tmp_path, GOOD_CSV))
    return store


@pytest.mark.parametrize(
    ("case_number", "birth_date", "found"),
    [
        ("WSC-II-S.6151.12345.2025", "1990-05-12", True),
        ("wsc ii s 6151 12345 2025", "12.05.1990", True),
        ("12345/2025", date(1990, 5, 12), True),
        ("WSC-II-P.6151.56.2026", "31.01.1985", True),
        ("56/2026", "31.01.1985", False),   # short form means unit S: a P case needs the full number
        ("WSC-II-S.6151.12345.2025", "1990-05-13", False),  # wrong birth date
        ("WSC-II-S.6151.99999.2025", "1990-05-12", False),  # unknown case
        ("WSC-II-S.6151.12345.2025", "not a date", False),
        ("nonsense", "1990-05-12", False),
    ],
)
def test_verify(loaded, case_number, birth_date, found):
    status = loaded.verify(case_number, birth_date)
    assert (status is not None) == found
    if status is not None:
        assert not hasattr(status, "birth_date")


def test_wrong_birth_date_and_unknown_case_look_the_same(loaded, engine):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event
    event.listen(engine, "before_cursor_execute", record)
    try:
        wrong_birth = loaded.verify("WSC-II-S.6151.12345.2025", "1990-01-01")
        unknown = loaded.verify("WSC-II-S.6151.99999.2025", "1990-05-12")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert wrong_birth is None and unknown is None
    # The same query, once each: no extra work on either path.
    assert len(statements) == 2 and statements[0] == statements[1]


# --- attempt limiter ---------------------------------------------------------------------

@pytest.fixture
def limiter(engine, clock):
    return AttemptLimiter(engine, secret="test-secret", clock=clock)


def fail(limiter, conversation, address, times, clock=None, step_seconds=10):
    result = None
    for _ in range(times):
        result = limiter.record_failure(conversation, address)
        if clock is not None:
            clock.advance(seconds=step_seconds)
    return result


def test_lockout_after_5_failures_in_one_conversation(limiter, clock):
    assert fail(limiter, "conv-1", "10.0.0.1", 4) is None
    assert limiter.check("conv-1", "10.0.0.1") is None
    assert fail(limiter, "conv-1", "10.0.0.1", 1) == T0 + timedelta(minutes=15)
    assert limiter.check("conv-1", "10.0.0.1") == T0 + timedelta(minutes=15)
    # Another address in the same conversation is locked too (the conversation key).
    assert limiter.check("conv-1", "10.0.0.2") == T0 + timedelta(minutes=15)
    # Another conversation from another address is not.
    assert limiter.check("conv-2", "10.0.0.2") is None


def test_lockout_by_address_across_conversations(limiter, clock):
    for i in range(5):
        fail(limiter, f"conv-{i}", "192.0.2.7", 1)
    assert limiter.check("conv-new", "192.0.2.7") == T0 + timedelta(minutes=15)
    assert limiter.check("conv-new", "192.0.2.8") is None
    assert limiter.check("conv-new", None) is None


def test_cooling_off_expires(limiter, clock):
    fail(limiter, "conv-1", "10.0.0.1", 5, clock, step_seconds=60)
    last_failure = T0 + timedelta(minutes=4)
    assert limiter.check("conv-1", "10.0.0.1") == last_failure + timedelta(minutes=15)
    clock.now = last_failure + timedelta(minutes=15) - timedelta(seconds=1)
    assert limiter.check("conv-1", "10.0.0.1") is not None
    clock.now = last_failure + timedelta(minutes=15)
    assert limiter.check("conv-1", "10.0.0.1") is None
    # After the cooling-off a single new failure does not lock again.
    assert fail(limiter, "conv-1", "10.0.0.1", 1) is None


def test_failures_spread_beyond_the_window_do_not_lock(limiter, clock):
    for _ in range(6):
        limiter.record_failure("conv-1", "10.0.0.1")
        clock.advance(minutes=4)  # never 5 within 15 minutes
    assert limiter.check("conv-1", "10.0.0.1") is None


def test_configurable_cooldown_and_attempts(engine, clock):
    limiter = AttemptLimiter(engine, secret="s", max_attempts=3, cooldown=timedelta(minutes=30), clock=clock)
    assert fail(limiter, "c", "a", 3) == T0 + timedelta(minutes=30)


def test_success_resets_its_conversation_but_not_the_address(limiter, clock):
    fail(limiter, "conv-A", "198.51.100.1", 2)
    fail(limiter, "conv-B", "198.51.100.1", 2)
    limiter.record_success("conv-B", "198.51.100.1")
    # conv-B starts again from zero: 4 more failures do not lock it by the conversation key...
    fail(limiter, "conv-B", "198.51.100.9", 4)
    assert limiter.check("conv-B", "198.51.100.9") is None
    # ...but the address keeps every failure: conv-A's 2 + conv-B's 2 + 1 more = 5.
    assert limiter.check("conv-C", "198.51.100.1") is None
    fail(limiter, "conv-C", "198.51.100.1", 1)
    assert limiter.check("conv-C", "198.51.100.1") == T0 + timedelta(minutes=15)
    assert limiter.check("conv-A", "198.51.100.1") == T0 + timedelta(minutes=15)


def test_keys_are_stored_hashed(limiter, engine):
    fail(limiter, "telegram:123456", "203.0.113.5", 1)
    with engine.connect() as conn:
        row = conn.execute(select(VerificationFailureRow)).one()
    assert "123456" not in row.conversation_key and "203.0.113.5" not in (row.address_key or "")


def test_old_failures_are_purged(limiter, engine, clock):
    fail(limiter, "c", "a", 3)
    clock.advance(hours=2)
    fail(limiter, "c", "a", 1)
    with engine.connect() as conn:
        assert len(conn.execute(select(VerificationFailureRow)).all()) == 1


def test_verify_with_limit(loaded, limiter, clock):
    args = dict(conversation_id="conv-1", client_address="10.0.0.1")
    ok = verify_with_limit(loaded, limiter, case_number="12345/2025", birth_date="12.05.1990", **args)
    assert ok.status is not None and ok.retry_at is None
    for _ in range(5):
        outcome = verify_with_limit(loaded, limiter, case_number="12345/2025", birth_date="01.01.2000", **args)
        assert outcome.status is None
    assert outcome.retry_at == T0 + timedelta(minutes=15)
    # Locked: even the right birth date is not checked now.
    locked = verify_with_limit(loaded, limiter, case_number="12345/2025", birth_date="12.05.1990", **args)
    assert locked.status is None and locked.retry_at == T0 + timedelta(minutes=15)
    clock.advance(minutes=15)
    later = verify_with_limit(loaded, limiter, case_number="12345/2025", birth_date="12.05.1990", **args)
    assert later.status is not None


def test_one_case_number_gets_a_bounded_number_of_guesses_from_anywhere(loaded, engine, clock):
    """Spreading birth-date guesses over new conversations and addresses does not help."""
    limiter = AttemptLimiter(engine, secret="s", clock=clock)
    for i in range(10):
        outcome = verify_with_limit(loaded, limiter, conversation_id=f"conv-{i}", client_address=f"10.0.0.{i}",
                                    case_number="12345/2025", birth_date=f"{i + 1:02d}.01.2000")
        assert outcome.status is None
        clock.advance(minutes=1)
    reached = T0 + timedelta(minutes=9)
    assert outcome.retry_at == reached + timedelta(hours=24)
    # The right birth date from a fresh conversation and address is not even checked now...
    right = verify_with_limit(loaded, limiter, conversation_id="conv-new", client_address="10.9.9.9",
                              case_number="WSC-II-S.6151.12345.2025", birth_date="12.05.1990")
    assert right.status is None and right.retry_at == reached + timedelta(hours=24)
    # ...while other case numbers are checked as usual.
    assert limiter.check("conv-new", "10.9.9.9", "6151.777.2025") is None
    clock.now = reached + timedelta(hours=24)
    later = verify_with_limit(loaded, limiter, conversation_id="conv-new", client_address="10.9.9.9",
                              case_number="12345/2025", birth_date="12.05.1990")
    assert later.status is not None


def test_case_numbers_are_stored_hashed(limiter, engine):
    limiter.record_failure("c", "a", "WSC-II-S.6151.12345.2025")
    with engine.connect() as conn:
        row = conn.execute(select(CaseNumberFailureRow)).one()
    assert "12345" not in row.case_key


def test_schema_has_the_documented_columns(engine):
    columns = {c["name"] for c in inspect(engine).get_columns("cases")}
    assert columns == {"case_number", "birth_date", "status", "status_date", "updated_at"}


def test_limiter_rejects_bad_settings(engine):
    with pytest.raises(ValueError):
        AttemptLimiter(engine, secret="s", max_attempts=0)
    with pytest.raises(ValueError):
        AttemptLimiter(engine, secret="s", cooldown=timedelta(0))
