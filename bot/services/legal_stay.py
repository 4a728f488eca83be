"""Legal-stay check: is a stay legal on a given day, and until when.

The result carries codes and data only; the sentences for them are in
``bot/texts/legal_stay.yml`` (``reasons.<reason>``, ``warnings.<warning>``, ``bases.<basis>``).

Bases of stay (``basis``) and the dates each needs:

==========================  ==============================================================
``visa_free``               ``stays`` (entry/exit dates in the Schengen area)
``visa_c``                  ``valid_from``, ``valid_to``, ``days_allowed``, ``stays``
``visa_d``                  ``valid_to`` (``valid_from`` optional: a person asking is here on it)
``residence_card``          ``valid_to`` (``valid_from`` optional)
``pending_application``     nothing: the passport stamp / MOS certificate after applying on time
``ukr_status``              nothing: the end date is :data:`UKR_STATUS_LEGAL_UNTIL`
==========================  ==============================================================

How the 90/180 rule is counted (visa-free stay and the Schengen C visa):

* Every day present in the Schengen area counts, the entry day and the exit day included
  (entry and exit on the same day is 1 day). Overlapping stays are counted once.
* The window is the 180 days ending on the reference day (``today`` and the 179 days before).
* The check is about a person who is in the Schengen area on the reference day: that day
  always counts. If no stay covers it, the answer is "if you are here today"
  (warning ``no_current_stay``).
* ``legal_until`` is the last day one may stay without leaving, i.e. the last day on which
  the window ending that day holds at most 90 days; days that fall out of the window are
  taken into account. When the stay is no longer legal, it is the last day it was legal
  (``None`` if it never was during the current stay or the document is not valid yet).
* ``days_left`` is 90 minus the days used in the current window (for a C visa also the
  visa's own day allowance, whichever is smaller); it can be smaller than the days until
  ``legal_until`` because old days leave the window.
* Dates after the reference day cannot be counted: a stay that starts later is ignored and an
  exit date later than the reference day is cut to it (warning ``future_date_given``).

Rules and dates come from /work/shared/fact-sheet.md (rows 4, 14a and 20); the check is
information, not a decision of the office.

Example::

    >>> from datetime import date
    >>> r = check_legal_stay("visa_free", today=date(2026, 5, 10),
    ...                      stays=[Stay(date(2026, 5, 1))])
    >>> r.legal_today, r.days_used_in_180, r.legal_until
    (True, 10, datetime.date(2026, 7, 29))
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

__all__ = [
    "BASES",
    "SCHENGEN_DAY_LIMIT",
    "SCHENGEN_WINDOW_DAYS",
    "ENDS_SOON_DAYS",
    "UKR_STATUS_LEGAL_UNTIL",
    "UKR_STATUS_SOURCE",
    "REASONS",
    "WARNINGS",
    "Stay",
    "LegalStayResult",
    "MissingInput",
    "check_legal_stay",
    "days_present_in_window",
]


@dataclass(frozen=True)
class SourcedDate:
    """A date taken from the fact sheet, with where it comes from."""

    value: date
    fact: str
    sources: tuple[str, ...]
    source_date: str
    confidence: str


BASES: Final = ("visa_free", "visa_c", "visa_d", "residence_card", "pending_application", "ukr_status")

SCHENGEN_DAY_LIMIT: Final = 90
SCHENGEN_WINDOW_DAYS: Final = 180
ENDS_SOON_DAYS: Final = 14
# Days before the reference day that are still read; anything older cannot matter here.
_LOOKBACK_DAYS: Final = 3650

UKR_STATUS_SOURCE: Final = SourcedDate(
    value=date(2027, 3, 4),
    fact="fact-sheet.md #14a and change 3: the act winding down the Ukrainian special act "
         "(in force 5 Mar 2026) extended legal stay / temporary protection until 4 Mar 2027",
    sources=(
        "https://oko.press/weszla-w-zycie-ustawa-wygaszajaca-pomoc-dla-uchodzcow-z-ukrainy-jakie-beda-zmiany",
        "https://www.upday.com/pl/polityka/od-dzis-nowe-przepisy-dla-ukraincow-w-polsce-ograniczenie-opieki-zdrowotnej-i/c15yqcb",
        "https://www.gazetaprawna.pl/artykuly/10646541,prezydent-podpisal-ustawe-wygaszajaca-rozwiazania-specustawy-ukrainskiej.html",
    ),
    source_date="2026-03-05",
    confidence="medium",
)
UKR_STATUS_LEGAL_UNTIL: Final = UKR_STATUS_SOURCE.value

# Every reason code the check can return (texts: legal_stay.yml ``reasons``).
REASONS: Final = (
    "legal_until_90_180_limit",      # visa-free / C visa: the 90-in-180 limit sets the end
    "legal_until_visa_days_used",    # C visa: the visa's own number of days sets the end
    "legal_until_visa_end",          # C visa: the visa's validity sets the end
    "legal_until_document_end",      # D visa or residence card: its end date
    "legal_until_final_decision",    # pending application: until the decision is final
    "legal_until_ukr_status_end",    # UKR status: fixed end date
    "over_90_180_limit",             # more than 90 days in the 180-day window
    "visa_days_exceeded",            # C visa: more days used than the visa allows
    "document_expired",              # visa or card ended before the reference day
    "document_not_yet_valid",        # visa or card starts after the reference day
    "ukr_status_ended",              # the reference day is after the UKR end date
)

# Every warning code the check can return (texts: legal_stay.yml ``warnings``).
WARNINGS: Final = (
    "ends_within_14_days",           # legal_until is at most 14 days away
    "future_date_given",             # a stay date after the reference day was ignored / cut
    "dates_inconsistent",            # exit before entry, end before start, several open stays
    "stays_overlap",                 # stays overlap; shared days were counted once
    "no_current_stay",               # no stay covers the reference day: counted as if here today
    "stamp_not_travel_document",     # pending application: the stamp/certificate is not a visa
    "plan_further_stay",             # UKR status: plan the next basis (e.g. CUKR card)
    "rules_may_have_changed",        # the rule comes from 2026 sources and may have changed
)

# Which knowledge entry to read for each basis; an expired stay points to the overstay entry,
# one that ends soon to the entry about applying before the stay ends.
_ENTRY_BY_BASIS: Final = {
    "visa_free": "visa-free-stay-90-180",
    "visa_c": "schengen-visa-c",
    "visa_d": "national-visa-d",
    "residence_card": "legal-stay-check",
    "pending_application": "stamp-pending-application",
    "ukr_status": "ukraine-special-act-status",
}
_ENTRY_NOT_LEGAL: Final = "overstay-consequences"
_ENTRY_ENDS_SOON: Final = "apply-before-stay-expires"


@dataclass(frozen=True)
class Stay:
    """One stay in the Schengen area: entry and exit day (``exit=None``: still there)."""

    entry: date
    exit: date | None = None


@dataclass(frozen=True)
class LegalStayResult:
    """The outcome of :func:`check_legal_stay`.

    Attributes:
        basis: the basis of stay checked.
        legal_today: whether the stay is legal on the reference day.
        legal_until: the last legal day (see the module docstring), or ``None`` when there is
            no end date (pending application) or no legal day to give.
        days_used_in_180: days present in the 180-day window ending on the reference day
            (visa-free and C visa only, else ``None``).
        days_left: days still available under the day limits (visa-free and C visa only).
        reason: one code of :data:`REASONS`.
        warnings: codes of :data:`WARNINGS`, in a stable order.
        entry_id: the knowledge entry to read next.
    """

    basis: str
    legal_today: bool
    legal_until: date | None
    days_used_in_180: int | None
    days_left: int | None
    reason: str
    warnings: tuple[str, ...]
    entry_id: str


class MissingInput(ValueError):
    """The basis needs dates that were not given; ``fields`` names them, to ask for them."""

    def __init__(self, basis: str, fields: Sequence[str]) -> None:
        self.basis = basis
        self.fields = tuple(fields)
        super().__init__(f"basis {basis!r} needs: {', '.join(self.fields)}")


def check_legal_stay(
    basis: str,
    *,
    today: date,
    valid_from: date | None = None,
    valid_to: date | None = None,
    days_allowed: int | None = None,
    stays: Iterable[Stay] = (),
) -> LegalStayResult:
    """Check whether a stay on ``basis`` is legal on ``today`` and until when.

    Args:
        basis: one of :data:`BASES`.
        today: the reference day (pass the real date; it is never read from the clock here).
        valid_from, valid_to: validity of the visa or residence card.
        days_allowed: number of days of stay printed on a C visa.
        stays: stays in the Schengen area, in any order (visa-free stay and C visa).

    Returns:
        A :class:`LegalStayResult`.

    Raises:
        ValueError: unknown basis, or ``days_allowed`` below 1.
        MissingInput: the basis needs dates that were not given.
    """
    if basis not in BASES:
        raise ValueError(f"unknown basis of stay {basis!r}; expected one of {', '.join(BASES)}")
    stays = tuple(stays)
    warnings: list[str] = []
    if basis == "visa_free":
        _require(basis, stays=stays or None)
        result = _check_visa_free(today, stays, warnings)
    elif basis == "visa_c":
        _require(basis, valid_from=valid_from, valid_to=valid_to, days_allowed=days_allowed, stays=stays or None)
        assert valid_from and valid_to and days_allowed is not None
        result = _check_visa_c(today, valid_from, valid_to, days_allowed, stays, warnings)
    elif basis == "visa_d":
        _require(basis, valid_to=valid_to)
        result = _check_document(today, valid_from, valid_to, warnings)
    elif basis == "residence_card":
        _require(basis, valid_to=valid_to)
        result = _check_document(today, valid_from, valid_to, warnings)
    elif basis == "pending_application":
        warnings.append("stamp_not_travel_document")
        result = _Partial(True, None, None, None, "legal_until_final_decision")
    else:  # ukr_status
        legal = today <= UKR_STATUS_LEGAL_UNTIL
        warnings += ["plan_further_stay", "rules_may_have_changed"]
        reason = "legal_until_ukr_status_end" if legal else "ukr_status_ended"
        result = _Partial(legal, UKR_STATUS_LEGAL_UNTIL, None, None, reason)

    if result.legal_today and result.legal_until is not None and (result.legal_until - today).days <= ENDS_SOON_DAYS:
        warnings.append("ends_within_14_days")
    if not result.legal_today:
        entry_id = _ENTRY_NOT_LEGAL
    elif "ends_within_14_days" in warnings:
        entry_id = _ENTRY_ENDS_SOON
    else:
        entry_id = _ENTRY_BY_BASIS[basis]
    return LegalStayResult(
        basis=basis,
        legal_today=result.legal_today,
        legal_until=result.legal_until,
        days_used_in_180=result.days_used,
        days_left=result.days_left,
        reason=result.reason,
        warnings=tuple(w for w in WARNINGS if w in warnings),
        entry_id=entry_id,
    )


def days_present_in_window(stays: Iterable[Stay], day: date) -> int:
    """Days present in the 180-day window ending on ``day`` (stays after ``day`` not counted)."""
    presence = _presence(tuple(stays), day, [])
    return _window_count(presence, day)


# --- internals ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Partial:
    legal_today: bool
    legal_until: date | None
    days_used: int | None
    days_left: int | None
    reason: str


def _require(basis: str, **values: object) -> None:
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise MissingInput(basis, missing)


def _check_visa_free(today: date, stays: tuple[Stay, ...], warnings: list[str]) -> _Partial:
    presence = _presence(stays, today, warnings, assume_present_today=True)
    used = _window_count(presence, today)
    last = _last_day_within_limit(presence, today)
    if last is None:
        return _Partial(False, _last_legal_day_before(presence, today), used, 0, "over_90_180_limit")
    return _Partial(True, last, used, SCHENGEN_DAY_LIMIT - used, "legal_until_90_180_limit")


def _check_visa_c(today: date, valid_from: date, valid_to: date, days_allowed: int,
                  stays: tuple[Stay, ...], warnings: list[str]) -> _Partial:
    if days_allowed < 1:
        raise ValueError("days_allowed must be at least 1")
    if valid_to < valid_from:
        warnings.append("dates_inconsistent")
        valid_from, valid_to = valid_to, valid_from
    presence = _presence(stays, today, warnings, assume_present_today=True)
    used = _window_count(presence, today)
    on_visa = sorted(d for d in presence if valid_from <= d <= valid_to)
    days_left = max(0, min(SCHENGEN_DAY_LIMIT - used, days_allowed - len(on_visa)))

    if today < valid_from:
        return _Partial(False, None, used, days_left, "document_not_yet_valid")
    if today > valid_to:
        return _Partial(False, valid_to, used, 0, "document_expired")
    limit_day = _last_day_within_limit(presence, today)
    if limit_day is None:
        return _Partial(False, _last_legal_day_before(presence, today), used, 0, "over_90_180_limit")
    if len(on_visa) > days_allowed:
        return _Partial(False, on_visa[days_allowed - 1], used, 0, "visa_days_exceeded")
    # Staying on from today, every further day is a day on the visa until its end.
    visa_days_day = today + timedelta(days=days_allowed - len(on_visa))
    candidates = [  # ties: the simplest explanation first
        (valid_to, "legal_until_visa_end"),
        (visa_days_day, "legal_until_visa_days_used"),
        (limit_day, "legal_until_90_180_limit"),
    ]
    until, reason = min(candidates, key=lambda c: c[0])
    return _Partial(True, until, used, days_left, reason)


def _check_document(today: date, valid_from: date | None, valid_to: date | None, warnings: list[str]) -> _Partial:
    assert valid_to is not None
    if valid_from is not None and valid_to < valid_from:
        warnings.append("dates_inconsistent")
        valid_from, valid_to = valid_to, valid_from
    if valid_from is not None and today < valid_from:
        return _Partial(False, None, None, None, "document_not_yet_valid")
    if today > valid_to:
        return _Partial(False, valid_to, None, None, "document_expired")
    return _Partial(True, valid_to, None, None, "legal_until_document_end")


def _presence(stays: tuple[Stay, ...], today: date, warnings: list[str], *,
              assume_present_today: bool = False) -> set[date]:
    """The set of days present up to ``today``; adds warning codes to ``warnings``."""
    days: set[date] = set()
    earliest = today - timedelta(days=_LOOKBACK_DAYS)
    open_stays = 0
    for stay in stays:
        entry, exit_ = stay.entry, stay.exit
        if exit_ is not None and exit_ < entry:
            _add(warnings, "dates_inconsistent")
            entry, exit_ = exit_, entry  # count the days rather than drop them: never undercount
        if entry > today:
            _add(warnings, "future_date_given")
            continue
        if exit_ is None:
            open_stays += 1
            exit_ = today
        elif exit_ > today:
            _add(warnings, "future_date_given")
            exit_ = today
        if entry < earliest:
            _add(warnings, "dates_inconsistent")
            entry = earliest
        span = {entry + timedelta(days=i) for i in range((exit_ - entry).days + 1)}
        if span & days:
            _add(warnings, "stays_overlap")
        days |= span
    if open_stays > 1:
        _add(warnings, "dates_inconsistent")
    if assume_present_today and today not in days:
        _add(warnings, "no_current_stay")
        days.add(today)
    return days


def _add(warnings: list[str], code: str) -> None:
    if code not in warnings:
        warnings.append(code)


def _window_count(presence: set[date], day: date) -> int:
    start = day - timedelta(days=SCHENGEN_WINDOW_DAYS - 1)
    return sum(1 for d in presence if start <= d <= day)


def _last_day_within_limit(presence: set[date], today: date) -> date | None:
    """The last day of a continuous stay from ``today`` on, or ``None`` if ``today`` is over."""
    count = _window_count(presence, today)
    if count > SCHENGEN_DAY_LIMIT:
        return None
    day = today
    # The window fills up within 180 + 90 days at most; the bound is only a safety net.
    for _ in range(SCHENGEN_WINDOW_DAYS + SCHENGEN_DAY_LIMIT + 1):
        nxt = day + timedelta(days=1)
        dropped = nxt - timedelta(days=SCHENGEN_WINDOW_DAYS)
        count += 1 - (1 if dropped in presence else 0)
        if count > SCHENGEN_DAY_LIMIT:
            return day
        day = nxt
    return day


def _last_legal_day_before(presence: set[date], today: date) -> date | None:
    """For a stay over the limit: its last day within the limit, if there was one."""
    day = today
    while day in presence and _window_count(presence, day) > SCHENGEN_DAY_LIMIT:
        day -= timedelta(days=1)
    return day if day in presence else None
