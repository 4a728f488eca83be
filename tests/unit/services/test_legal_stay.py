"""Legal-stay check: tables of dates with the expected outcome (days hand-counted)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.services.legal_stay import (
    BASES,
    REASONS,
    UKR_STATUS_LEGAL_UNTIL,
    UKR_STATUS_SOURCE,
    WARNINGS,
    MissingInput,
    Stay,
    check_legal_stay,
    days_present_in_window,
)

D = date


# --- counting days in the 180-day window -------------------------------------------------

@pytest.mark.parametrize(
    ("name", "stays", "day", "expected"),
    [
        ("entry and exit on the same day is 1 day", [Stay(D(2026, 6, 1), D(2026, 6, 1))], D(2026, 6, 10), 1),
        ("entry and exit days both count", [Stay(D(2026, 6, 1), D(2026, 6, 3))], D(2026, 6, 10), 3),
        ("leap year: 28 Feb – 1 Mar 2028 is 3 days", [Stay(D(2028, 2, 28), D(2028, 3, 1))], D(2028, 3, 1), 3),
        ("common year: 28 Feb – 1 Mar 2027 is 2 days", [Stay(D(2027, 2, 28), D(2027, 3, 1))], D(2027, 3, 1), 2),
        # Window ending 1 May 2028 starts 4 Nov 2027 (it holds 29 Feb 2028).
        ("leap window: its first day counts", [Stay(D(2027, 11, 4), D(2027, 11, 4))], D(2028, 5, 1), 1),
        ("leap window: the day before does not", [Stay(D(2027, 11, 3), D(2027, 11, 3))], D(2028, 5, 1), 0),
        # Window ending 1 May 2027 starts 3 Nov 2026.
        ("common window: its first day counts", [Stay(D(2026, 11, 3), D(2026, 11, 3))], D(2027, 5, 1), 1),
        ("stay crossing the window start is cut", [Stay(D(2026, 10, 30), D(2026, 11, 5))], D(2027, 5, 1), 3),
        ("overlapping stays counted once", [Stay(D(2026, 5, 1), D(2026, 5, 5)), Stay(D(2026, 5, 3), D(2026, 5, 10))],
         D(2026, 5, 10), 10),
        ("unordered stays", [Stay(D(2026, 5, 6), D(2026, 5, 10)), Stay(D(2026, 4, 1), D(2026, 4, 10))],
         D(2026, 5, 10), 15),
        ("open stay runs to the day", [Stay(D(2026, 5, 1))], D(2026, 5, 10), 10),
        ("future stay not counted", [Stay(D(2026, 6, 1), D(2026, 6, 10))], D(2026, 5, 10), 0),
        ("exit after the day is cut", [Stay(D(2026, 5, 1), D(2026, 5, 31))], D(2026, 5, 10), 10),
        ("exit before entry is swapped, not dropped", [Stay(D(2026, 5, 10), D(2026, 5, 1))], D(2026, 5, 10), 10),
    ],
)
def test_days_present_in_window(name, stays, day, expected):
    assert days_present_in_window(stays, day) == expected, name


# --- the check ---------------------------------------------------------------------------

CASES = [
    # name, basis, kwargs, legal_today, legal_until, days_used, days_left, reason, warnings, entry
    ("fresh visa-free entry", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 1))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", (), "visa-free-stay-90-180"),
    ("exactly 90 days is still legal, ends today", "visa_free",
     dict(today=D(2026, 3, 31), stays=[Stay(D(2026, 1, 1))]),
     True, D(2026, 3, 31), 90, 0, "legal_until_90_180_limit", ("ends_within_14_days",), "apply-before-stay-expires"),
    ("91 days is over; last legal day given", "visa_free",
     dict(today=D(2026, 4, 1), stays=[Stay(D(2026, 1, 1))]),
     False, D(2026, 3, 31), 91, 0, "over_90_180_limit", (), "overstay-consequences"),
    ("over the limit from the re-entry day: no legal day", "visa_free",
     dict(today=D(2026, 4, 5), stays=[Stay(D(2026, 1, 1), D(2026, 3, 31)), Stay(D(2026, 4, 5))]),
     False, None, 91, 0, "over_90_180_limit", (), "overstay-consequences"),
    ("gap that resets: 90 days Jan–Mar, back on 27 Sep", "visa_free",
     dict(today=D(2026, 9, 27), stays=[Stay(D(2026, 1, 1), D(2026, 3, 31)), Stay(D(2026, 9, 27))]),
     True, D(2026, 12, 25), 1, 89, "legal_until_90_180_limit", (), "visa-free-stay-90-180"),
    ("partial reset: old days leave the window while staying", "visa_free",
     dict(today=D(2026, 6, 30), stays=[Stay(D(2026, 1, 1), D(2026, 3, 31)), Stay(D(2026, 6, 30))]),
     True, D(2026, 9, 27), 90, 0, "legal_until_90_180_limit", (), "visa-free-stay-90-180"),
    ("leap year stay counted with 29 Feb", "visa_free",
     dict(today=D(2028, 3, 1), stays=[Stay(D(2028, 2, 1))]),
     True, D(2028, 4, 30), 30, 60, "legal_until_90_180_limit", (), "visa-free-stay-90-180"),
    ("future stay flagged and not counted", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 1)), Stay(D(2026, 6, 1), D(2026, 6, 10))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", ("future_date_given",), "visa-free-stay-90-180"),
    ("exit in the future is cut to today", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 1), D(2026, 5, 31))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", ("future_date_given",), "visa-free-stay-90-180"),
    ("overlapping stays", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 1), D(2026, 5, 5)), Stay(D(2026, 5, 3))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", ("stays_overlap",), "visa-free-stay-90-180"),
    ("unordered stays", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 6)), Stay(D(2026, 4, 1), D(2026, 4, 10))]),
     True, D(2026, 7, 24), 15, 75, "legal_until_90_180_limit", (), "visa-free-stay-90-180"),
    ("exit before entry", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 10), D(2026, 5, 1))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", ("dates_inconsistent",), "visa-free-stay-90-180"),
    ("two open stays", "visa_free",
     dict(today=D(2026, 5, 10), stays=[Stay(D(2026, 5, 1)), Stay(D(2026, 5, 8))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_90_180_limit", ("dates_inconsistent", "stays_overlap"),
     "visa-free-stay-90-180"),
    ("no stay covers today: counted as here today", "visa_free",
     dict(today=D(2026, 6, 10), stays=[Stay(D(2026, 6, 1), D(2026, 6, 1))]),
     True, D(2026, 9, 6), 2, 88, "legal_until_90_180_limit", ("no_current_stay",), "visa-free-stay-90-180"),
    ("C visa: validity ends before the 90 days", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 5, 1), valid_to=D(2026, 5, 20), days_allowed=30,
          stays=[Stay(D(2026, 5, 1))]),
     True, D(2026, 5, 20), 10, 20, "legal_until_visa_end", ("ends_within_14_days",), "apply-before-stay-expires"),
    ("C visa: its own days run out first", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 5, 1), valid_to=D(2026, 8, 31), days_allowed=15,
          stays=[Stay(D(2026, 5, 1))]),
     True, D(2026, 5, 15), 10, 5, "legal_until_visa_days_used", ("ends_within_14_days",), "apply-before-stay-expires"),
    ("C visa: earlier Schengen days set the end", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 4, 1), valid_to=D(2026, 12, 31), days_allowed=90,
          stays=[Stay(D(2026, 1, 1), D(2026, 3, 20)), Stay(D(2026, 5, 1))]),
     True, D(2026, 5, 11), 89, 1, "legal_until_90_180_limit", ("ends_within_14_days",), "apply-before-stay-expires"),
    ("C visa: visa days and 90/180 end the same day (visa days named)", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 5, 1), valid_to=D(2027, 4, 30), days_allowed=90,
          stays=[Stay(D(2026, 5, 1))]),
     True, D(2026, 7, 29), 10, 80, "legal_until_visa_days_used", (), "schengen-visa-c"),
    ("C visa: more days used than allowed", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 5, 1), valid_to=D(2026, 8, 31), days_allowed=5,
          stays=[Stay(D(2026, 5, 1))]),
     False, D(2026, 5, 5), 10, 0, "visa_days_exceeded", (), "overstay-consequences"),
    ("C visa expired", "visa_c",
     dict(today=D(2026, 6, 1), valid_from=D(2026, 5, 1), valid_to=D(2026, 5, 20), days_allowed=30,
          stays=[Stay(D(2026, 5, 1))]),
     False, D(2026, 5, 20), 32, 0, "document_expired", (), "overstay-consequences"),
    ("C visa not valid yet", "visa_c",
     dict(today=D(2026, 4, 20), valid_from=D(2026, 5, 1), valid_to=D(2026, 5, 20), days_allowed=30,
          stays=[Stay(D(2026, 4, 20))]),
     False, None, 1, 30, "document_not_yet_valid", (), "overstay-consequences"),
    ("C visa with end before start", "visa_c",
     dict(today=D(2026, 5, 10), valid_from=D(2026, 5, 20), valid_to=D(2026, 5, 1), days_allowed=30,
          stays=[Stay(D(2026, 5, 1))]),
     True, D(2026, 5, 20), 10, 20, "legal_until_visa_end", ("ends_within_14_days", "dates_inconsistent"),
     "apply-before-stay-expires"),
    ("D visa valid", "visa_d",
     dict(today=D(2026, 6, 1), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     True, D(2026, 12, 31), None, None, "legal_until_document_end", (), "national-visa-d"),
    ("D visa: last valid day", "visa_d",
     dict(today=D(2026, 12, 31), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     True, D(2026, 12, 31), None, None, "legal_until_document_end", ("ends_within_14_days",),
     "apply-before-stay-expires"),
    ("D visa: 15 days left is not 'soon'", "visa_d",
     dict(today=D(2026, 12, 16), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     True, D(2026, 12, 31), None, None, "legal_until_document_end", (), "national-visa-d"),
    ("D visa: 14 days left is 'soon'", "visa_d",
     dict(today=D(2026, 12, 17), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     True, D(2026, 12, 31), None, None, "legal_until_document_end", ("ends_within_14_days",),
     "apply-before-stay-expires"),
    ("D visa expired", "visa_d",
     dict(today=D(2027, 1, 1), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     False, D(2026, 12, 31), None, None, "document_expired", (), "overstay-consequences"),
    ("D visa not valid yet", "visa_d",
     dict(today=D(2025, 12, 31), valid_from=D(2026, 1, 1), valid_to=D(2026, 12, 31)),
     False, None, None, None, "document_not_yet_valid", (), "overstay-consequences"),
    ("residence card valid (end date only)", "residence_card",
     dict(today=D(2026, 6, 1), valid_to=D(2028, 2, 29)),
     True, D(2028, 2, 29), None, None, "legal_until_document_end", (), "legal-stay-check"),
    ("residence card expired", "residence_card",
     dict(today=D(2026, 6, 1), valid_from=D(2023, 6, 1), valid_to=D(2026, 5, 31)),
     False, D(2026, 5, 31), None, None, "document_expired", (), "overstay-consequences"),
    ("pending application: until the final decision", "pending_application",
     dict(today=D(2026, 6, 1)),
     True, None, None, None, "legal_until_final_decision", ("stamp_not_travel_document",),
     "stamp-pending-application"),
    ("UKR status", "ukr_status",
     dict(today=D(2026, 11, 24)),
     True, D(2027, 3, 4), None, None, "legal_until_ukr_status_end", ("plan_further_stay", "rules_may_have_changed"),
     "ukraine-special-act-status"),
    ("UKR status ends soon", "ukr_status",
     dict(today=D(2027, 2, 25)),
     True, D(2027, 3, 4), None, None, "legal_until_ukr_status_end",
     ("ends_within_14_days", "plan_further_stay", "rules_may_have_changed"), "apply-before-stay-expires"),
    ("UKR status ended", "ukr_status",
     dict(today=D(2027, 3, 5)),
     False, D(2027, 3, 4), None, None, "ukr_status_ended", ("plan_further_stay", "rules_may_have_changed"),
     "overstay-consequences"),
]


@pytest.mark.parametrize(
    ("name", "basis", "kwargs", "legal", "until", "used", "left", "reason", "warnings", "entry"),
    CASES, ids=[c[0] for c in CASES],
)
def test_check_legal_stay(name, basis, kwargs, legal, until, used, left, reason, warnings, entry):
    result = check_legal_stay(basis, **kwargs)
    assert (result.legal_today, result.legal_until, result.days_used_in_180, result.days_left) == (legal, until, used, left)
    assert result.reason == reason
    assert set(result.warnings) == set(warnings)
    assert result.entry_id == entry
    assert result.basis == basis


def test_result_is_frozen():
    result = check_legal_stay("pending_application", today=D(2026, 6, 1))
    with pytest.raises(AttributeError):
        result.legal_today = False  # type: ignore[misc]


def test_a_d_visa_needs_only_its_end_date():
    result = check_legal_stay("visa_d", today=D(2026, 5, 10), valid_to=D(2026, 9, 30))
    assert result.legal_today and result.legal_until == D(2026, 9, 30)


@pytest.mark.parametrize(
    ("basis", "kwargs", "missing"),
    [
        ("visa_free", {}, ("stays",)),
        ("visa_c", dict(valid_from=D(2026, 5, 1), stays=[Stay(D(2026, 5, 1))]), ("valid_to", "days_allowed")),
        ("visa_d", dict(valid_from=D(2026, 5, 1)), ("valid_to",)),
        ("residence_card", {}, ("valid_to",)),
    ],
)
def test_missing_dates_are_named(basis, kwargs, missing):
    with pytest.raises(MissingInput) as raised:
        check_legal_stay(basis, today=D(2026, 5, 10), **kwargs)
    assert raised.value.fields == missing


def test_unknown_basis_and_bad_days_allowed():
    with pytest.raises(ValueError, match="unknown basis"):
        check_legal_stay("tourist", today=D(2026, 5, 10))
    with pytest.raises(ValueError, match="days_allowed"):
        check_legal_stay("visa_c", today=D(2026, 5, 10), valid_from=D(2026, 5, 1), valid_to=D(2026, 5, 20),
                         days_allowed=0, stays=[Stay(D(2026, 5, 1))])


def test_ukr_end_date_is_the_fact_sheet_date_with_its_source():
    assert UKR_STATUS_LEGAL_UNTIL == D(2027, 3, 4)
    assert UKR_STATUS_SOURCE.value == UKR_STATUS_LEGAL_UNTIL
    assert UKR_STATUS_SOURCE.fact.startswith("fact-sheet.md #14a")
    assert all(url.startswith("https://") for url in UKR_STATUS_SOURCE.sources)


def test_codes_are_declared():
    assert set(BASES) == {"visa_free", "visa_c", "visa_d", "residence_card", "pending_application", "ukr_status"}
    for case in CASES:
        assert case[7] in REASONS
        assert set(case[8]) <= set(WARNINGS)


def _brute_force_last_day(stays: list[Stay], today: date) -> date | None:
    """The last day of a continuous stay from today, by recounting every window."""
    present = {d for s in stays for d in _days(s.entry, min(s.exit or today, today)) if d <= today} | {today}

    def count(day: date, extra_until: date) -> int:
        days = present | set(_days(today, extra_until))
        return sum(1 for d in days if day - timedelta(days=179) <= d <= day)

    if count(today, today) > 90:
        return None
    day = today
    while count(day + timedelta(days=1), day + timedelta(days=1)) <= 90:
        day += timedelta(days=1)
    return day


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_last_day_agrees_with_a_brute_force_count():
    rng = random.Random(20260510)
    today = D(2026, 5, 10)
    for _ in range(150):
        stays = []
        for _ in range(rng.randint(1, 4)):
            entry = today - timedelta(days=rng.randint(0, 400))
            length = rng.randint(0, 80)
            stays.append(Stay(entry, min(entry + timedelta(days=length), today)))
        expected = _brute_force_last_day(stays, today)
        result = check_legal_stay("visa_free", today=today, stays=stays)
        if expected is None:
            assert not result.legal_today
        else:
            assert result.legal_today and result.legal_until == expected, stays
