"""Case status store: look up a residence case by its number and the applicant's birth date.

Case numbers
------------
The canonical form is the full number as the office writes it::

    WSC-II-S.6151.12345.2025
    └─ unit ─┘ └cls┘ └nr─┘ └yr┘

upper case, the unit as ``WSC-<roman>-<letters>``, then the 4-digit file class, the case
number without leading zeros and the 4-digit year, joined by dots. :func:`normalise_case_number`
accepts what people type and returns that form (or ``None``):

=================================  ===========================================================
``WSC-II-S.6151.12345.2025``       as is
``wsc ii s 6151 12345 2025``       any case; spaces, dots, dashes, underscores as separators
``WSC-II-S. 6151.12345.2025``      extra spaces
``WSC-II-S.6151.012345.2025``      leading zeros dropped → ``...6151.12345.2025``
``6151.12345.2025``                short form without the unit → ``WSC-II-S.6151.12345.2025``
``12345/2025``                     number/year → ``WSC-II-S.6151.12345.2025``
=================================  ===========================================================

Short forms are completed with the unit ``WSC-II-S`` and class ``6151`` (:data:`DEFAULT_UNIT`,
:data:`DEFAULT_CLASS`), the register of most temporary-residence cases. A case in another
unit (e.g. ``WSC-II-P``, permanent residence) is found only with its full number: the short
form of such a case finds nothing, and the answer is the same neutral "not found" (it never
shows another person's case, since the birth date must match too). The number may be part of a
longer text (the first number found is used). The 3-part short form must start with ``6151``.

CSV import
----------
:meth:`CaseStore.import_csv` reads a UTF-8 file (a BOM is fine), comma- or semicolon-separated,
with a header row naming at least these columns (others are ignored):

================  ===============================================================================
``case_number``   the FULL case number (short forms are rejected: the unit cannot be guessed)
``birth_date``    the applicant's birth date, ``YYYY-MM-DD``
``status``        one of :data:`STATUSES`
``status_date``   the date of that status, ``YYYY-MM-DD`` (not in the future)
================  ===============================================================================

Good rows are upserted (by case number; a later row for the same case wins) in one
transaction; bad rows are skipped and reported with their line number in the file (the header
is line 1) and a reason code. Nothing personal is logged.

Verification and attempts
-------------------------
:meth:`CaseStore.verify` returns the same ``None`` for an unknown case and for a wrong birth
date, after the same database work and a constant-time comparison, so the two cannot be told
apart. :class:`AttemptLimiter` counts failed verifications per conversation and per client
address (stored as keyed hashes, in the same database): after ``max_attempts`` (5) failures
within ``window`` for either key, :meth:`AttemptLimiter.check` returns when trying is allowed
again (``cooldown`` after the failure that reached the limit; 15 minutes by default). A
successful verification clears the failures of its own conversation for the conversation
counter only; the address counter keeps every failure (of this and of other conversations)
until it leaves the window.

Conversation ids and addresses come from the caller; a third counter keys on what the caller
cannot choose freely: the case number being tried. After ``case_max_failures`` (10) failed
verifications of one case number within ``case_window`` (24 hours), from whichever
conversations and addresses, that number is not checked until ``case_cooldown`` (24 hours)
after the failure that reached the limit. Guessing a birth date by spreading the guesses over many
conversations or addresses therefore gets at most 10 guesses a day; the owner of the case is
told to try later or to call the infoline. :func:`verify_with_limit` puts it all together.
"""
from __future__ import annotations

import bisect
import csv
import hmac
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Boolean, Date, Engine, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.services.db import Base, UTCDateTime, utc_now
from bot.services.privacy import hash_identifier

__all__ = [
    "STATUSES",
    "DEFAULT_UNIT",
    "DEFAULT_CLASS",
    "REJECT_REASONS",
    "normalise_case_number",
    "parse_birth_date",
    "CaseStatus",
    "RejectedRow",
    "ImportReport",
    "CsvFormatError",
    "CaseStore",
    "AttemptLimiter",
    "VerificationOutcome",
    "verify_with_limit",
]

logger = logging.getLogger(__name__)

# Status codes, in the order a case usually goes (texts: bot/texts/case_status.yml).
STATUSES: Final = (
    "received",               # application received
    "formal_deficiencies",    # summoned to fill formal gaps
    "awaiting_fingerprints",  # summoned to come in person (fingerprints, passport, signature)
    "in_review",              # being examined
    "decision_positive",      # permit granted
    "decision_negative",      # refused
    "card_ready",             # residence card ready for pickup
    "card_collected",         # card collected
)

DEFAULT_UNIT: Final = "WSC-II-S"
DEFAULT_CLASS: Final = "6151"

# Reason codes for rejected CSV rows.
REJECT_REASONS: Final = (
    "missing_value", "bad_case_number", "short_case_number", "bad_birth_date",
    "bad_status", "bad_status_date", "status_date_in_future", "birth_date_after_status_date",
)
_REQUIRED_COLUMNS: Final = ("case_number", "birth_date", "status", "status_date")

_SEP = r"[\s._\-]"
_FULL = re.compile(
    r"(?<![A-Za-z0-9])WSC" + _SEP + r"*(?P<roman>[IVX]{1,4})" + _SEP + r"*(?P<letters>[A-Z]{1,3})"
    + _SEP + r"*(?P<cls>\d{4})" + _SEP + r"+(?P<number>\d{1,6})" + _SEP + r"+(?P<year>20\d{2})(?!\d)",
    re.IGNORECASE,
)
_CLASS_FORM = re.compile(
    r"(?<![\d.])" + DEFAULT_CLASS + _SEP + r"+(?P<number>\d{1,6})" + _SEP + r"+(?P<year>20\d{2})(?!\d)"
)
_SLASH_FORM = re.compile(r"(?<![\d./])(?P<number>\d{1,6})\s*/\s*(?P<year>20\d{2})(?![\d/])")

# Compared against when the case is unknown, so both paths do the same work.
_NO_BIRTH_DATE: Final = "0000-00-00"
_UNKNOWN_CASE: Final = f"{DEFAULT_UNIT}.{DEFAULT_CLASS}.0.2000"


def normalise_case_number(text: str, *, full_only: bool = False) -> str | None:
    """The canonical case number found in ``text`` (see the module docstring), or ``None``.

    Args:
        text: what the person typed (may contain other words).
        full_only: accept only the full form with the unit (used for imports).
    """
    if not text:
        return None
    match = _FULL.search(text)
    if match:
        unit = f"WSC-{match['roman'].upper()}-{match['letters'].upper()}"
        return _canonical(unit, match["cls"], match["number"], match["year"])
    if full_only:
        return None
    match = _CLASS_FORM.search(text) or _SLASH_FORM.search(text)
    if match:
        return _canonical(DEFAULT_UNIT, DEFAULT_CLASS, match["number"], match["year"])
    return None


def _canonical(unit: str, cls: str, number: str, year: str) -> str | None:
    n = int(number)
    return f"{unit}.{cls}.{n}.{year}" if n > 0 else None


_BIRTH_FORMATS: Final = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./\-](?P<m>\d{1,2})[./\-](?P<y>\d{4})$"),
)


def parse_birth_date(value: date | str) -> date | None:
    """A birth date from a date or from ``YYYY-MM-DD``, ``DD.MM.YYYY``, ``DD/MM/YYYY`` or
    ``DD-MM-YYYY`` text; ``None`` if it is not a real date."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    for pattern in _BIRTH_FORMATS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


# --- tables ------------------------------------------------------------------------------

class CaseRow(Base):
    """One case: its status as last imported."""

    __tablename__ = "cases"

    case_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    birth_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    status_date: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VerificationFailureRow(Base):
    """One failed verification; keys are keyed hashes of the conversation id and the address."""

    __tablename__ = "case_verification_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_key: Mapped[str] = mapped_column(String(64), index=True)
    address_key: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cleared_for_conversation: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseNumberFailureRow(Base):
    """One failed verification of a case number (a keyed hash of its canonical form)."""

    __tablename__ = "case_number_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_key: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseStatus:
    """What a verified person may see: the status and its dates (never the birth date)."""

    case_number: str
    status: str
    status_date: date
    updated_at: datetime


@dataclass(frozen=True)
class RejectedRow:
    """A CSV row that was not imported: its line in the file and why (a code of
    :data:`REJECT_REASONS`), with the column at fault when there is one."""

    line: int
    reason: str
    column: str | None = None


@dataclass(frozen=True)
class ImportReport:
    """Counts of an import and the rows rejected."""

    inserted: int
    updated: int
    rejected: tuple[RejectedRow, ...]


class CsvFormatError(ValueError):
    """The file cannot be imported at all (e.g. required columns missing)."""


# --- the store ---------------------------------------------------------------------------

class CaseStore:
    """Case statuses in the app database.

    Args:
        engine: a SQLAlchemy engine (tables created with :func:`bot.services.db.create_schema`).
        clock: returns the current aware UTC time (injected in tests).

    Example::

        store = CaseStore(make_engine(settings.app_database_url))
        report = store.import_csv("statuses.csv")
        status = store.verify("wsc ii s 6151 12345 2025", "1990-05-12")
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def verify(self, case_number: str, birth_date: date | str) -> CaseStatus | None:
        """The case's status if the number and the birth date both match, else ``None``
        (the same for an unknown case, a wrong birth date or input that cannot be read)."""
        key = normalise_case_number(case_number) or _UNKNOWN_CASE
        given = parse_birth_date(birth_date)
        given_text = given.isoformat() if given else "invalid"
        with self._sessions() as session:
            row = session.get(CaseRow, key)
        stored_text = row.birth_date.isoformat() if row is not None else _NO_BIRTH_DATE
        matches = hmac.compare_digest(stored_text.encode(), given_text.encode())
        if row is None or not matches:
            return None
        return CaseStatus(row.case_number, row.status, row.status_date, row.updated_at)

    def import_csv(self, path: str | Path) -> ImportReport:
        """Upsert the statuses of a CSV file (columns in the module docstring).

        Raises:
            CsvFormatError: no header or a required column is missing.
        """
        good: dict[str, tuple[date, str, date]] = {}
        rejected: list[RejectedRow] = []
        today = self._clock().date()
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=delimiter)
            columns = {(name or "").strip().lower(): name for name in (reader.fieldnames or [])}
            missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise CsvFormatError(f"missing columns: {', '.join(missing)}")
            for raw in reader:
                values = {c: (raw.get(columns[c]) or "").strip() for c in _REQUIRED_COLUMNS}
                if not any(values.values()):
                    continue  # an empty line
                problem = _check_row(values, today)
                if problem is not None:
                    rejected.append(RejectedRow(reader.line_num, *problem))
                    continue
                case_number = normalise_case_number(values["case_number"], full_only=True)
                assert case_number is not None
                good[case_number] = (
                    date.fromisoformat(values["birth_date"]),
                    values["status"],
                    date.fromisoformat(values["status_date"]),
                )
        inserted = updated = 0
        now = self._clock()
        with self._sessions.begin() as session:
            keys = list(good)
            existing: dict[str, CaseRow] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                existing.update((r.case_number, r) for r in session.scalars(
                    select(CaseRow).where(CaseRow.case_number.in_(chunk))))
            for case_number, (birth, status, status_date) in good.items():
                row = existing.get(case_number)
                if row is None:
                    session.add(CaseRow(case_number=case_number, birth_date=birth, status=status,
                                        status_date=status_date, updated_at=now))
                    inserted += 1
                else:
                    row.birth_date, row.status, row.status_date, row.updated_at = birth, status, status_date, now
                    updated += 1
        logger.info("case import: %d inserted, %d updated, %d rejected", inserted, updated, len(rejected))
        return ImportReport(inserted, updated, tuple(rejected))


def _check_row(values: dict[str, str], today: date) -> tuple[str, str | None] | None:
    for column in _REQUIRED_COLUMNS:
        if not values[column]:
            return "missing_value", column
    if normalise_case_number(values["case_number"], full_only=True) is None:
        short = normalise_case_number(values["case_number"]) is not None
        return ("short_case_number" if short else "bad_case_number"), "case_number"
    birth = _iso_date(values["birth_date"])
    if birth is None or birth > today:
        return "bad_birth_date", "birth_date"
    if values["status"] not in STATUSES:
        return "bad_status", "status"
    status_date = _iso_date(values["status_date"])
    if status_date is None:
        return "bad_status_date", "status_date"
    if status_date > today:
        return "status_date_in_future", "status_date"
    if birth > status_date:
        return "birth_date_after_status_date", "birth_date"
    return None


def _iso_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- attempts ----------------------------------------------------------------------------

class AttemptLimiter:
    """Failed case verifications per conversation, per client address and per case number.

    Args:
        engine: the app engine (same database as the cases).
        secret: key for hashing conversation ids, addresses and case numbers.
        max_attempts: failures of one conversation or one address within ``window`` that start
            a cooling-off period.
        cooldown: how long that cooling-off lasts, from the failure that reached the limit.
        window: how far back failures count; defaults to ``cooldown``.
        case_max_failures: failures on one case number within ``case_window`` that stop
            checking that number for ``case_cooldown`` (see the module docstring).
        clock: returns the current aware UTC time.

    Example::

        limiter = AttemptLimiter(engine, secret=settings.secret_key,
                                 max_attempts=settings.case_max_attempts,
                                 cooldown=timedelta(minutes=settings.case_cooldown_minutes))
        retry_at = limiter.check(conversation_id, client_address, case_number)
    """

    def __init__(
        self,
        engine: Engine,
        *,
        secret: str,
        max_attempts: int = 5,
        cooldown: timedelta = timedelta(minutes=15),
        window: timedelta | None = None,
        case_max_failures: int = 10,
        case_window: timedelta = timedelta(hours=24),
        case_cooldown: timedelta = timedelta(hours=24),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if max_attempts < 1 or case_max_failures < 1:
            raise ValueError("max_attempts and case_max_failures must be at least 1")
        if cooldown <= timedelta(0) or case_cooldown <= timedelta(0):
            raise ValueError("cooldown must be positive")
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._secret = secret
        self.max_attempts = max_attempts
        self.cooldown = cooldown
        self.window = window if window is not None else cooldown
        self.case_max_failures = case_max_failures
        self.case_window = case_window
        self.case_cooldown = case_cooldown
        self._clock = clock

    def check(self, conversation_id: str, client_address: str | None = None,
              case_number: str | None = None) -> datetime | None:
        """``None`` if a verification may be tried now, else the (UTC) time when it may."""
        now = self._clock()
        conversation_key, address_key = self._keys(conversation_id, client_address)
        case_key = self._case_key(case_number)
        since = now - self.window - self.cooldown
        with self._sessions() as session:
            conversation_times = list(session.scalars(
                select(VerificationFailureRow.failed_at)
                .where(VerificationFailureRow.conversation_key == conversation_key,
                       VerificationFailureRow.cleared_for_conversation.is_(False),
                       VerificationFailureRow.failed_at > since)
                .order_by(VerificationFailureRow.failed_at)))
            address_times: list[datetime] = []
            if address_key is not None:
                address_times = list(session.scalars(
                    select(VerificationFailureRow.failed_at)
                    .where(VerificationFailureRow.address_key == address_key,
                           VerificationFailureRow.failed_at > since)
                    .order_by(VerificationFailureRow.failed_at)))
            case_times: list[datetime] = []
            if case_key is not None:
                case_times = list(session.scalars(
                    select(CaseNumberFailureRow.failed_at)
                    .where(CaseNumberFailureRow.case_key == case_key,
                           CaseNumberFailureRow.failed_at > now - self.case_window - self.case_cooldown)
                    .order_by(CaseNumberFailureRow.failed_at)))
        ends = [t for t in (self._locked_until(conversation_times, self.max_attempts, self.window, self.cooldown),
                            self._locked_until(address_times, self.max_attempts, self.window, self.cooldown),
                            self._locked_until(case_times, self.case_max_failures, self.case_window,
                                               self.case_cooldown)) if t]
        until = max(ends, default=None)
        return until if until is not None and until > now else None

    def record_failure(self, conversation_id: str, client_address: str | None = None,
                       case_number: str | None = None) -> datetime | None:
        """Count a failed verification; returns :meth:`check` afterwards. Old rows are purged."""
        now = self._clock()
        conversation_key, address_key = self._keys(conversation_id, client_address)
        case_key = self._case_key(case_number)
        with self._sessions.begin() as session:
            session.execute(delete(VerificationFailureRow).where(
                VerificationFailureRow.failed_at <= now - self.window - self.cooldown))
            session.execute(delete(CaseNumberFailureRow).where(
                CaseNumberFailureRow.failed_at <= now - self.case_window - self.case_cooldown))
            session.add(VerificationFailureRow(conversation_key=conversation_key, address_key=address_key,
                                               failed_at=now, cleared_for_conversation=False))
            if case_key is not None:
                session.add(CaseNumberFailureRow(case_key=case_key, failed_at=now))
        return self.check(conversation_id, client_address, case_number)

    def record_success(self, conversation_id: str, client_address: str | None = None) -> None:
        """A successful verification: clears this conversation's own counter only."""
        conversation_key, _ = self._keys(conversation_id, client_address)
        with self._sessions.begin() as session:
            session.execute(update(VerificationFailureRow)
                            .where(VerificationFailureRow.conversation_key == conversation_key)
                            .values(cleared_for_conversation=True))

    def _keys(self, conversation_id: str, client_address: str | None) -> tuple[str, str | None]:
        if not conversation_id:
            raise ValueError("a conversation id is required")
        conversation_key = hash_identifier("conversation:" + conversation_id, self._secret)
        address_key = hash_identifier("address:" + client_address, self._secret) if client_address else None
        return conversation_key, address_key

    def _case_key(self, case_number: str | None) -> str | None:
        canonical = normalise_case_number(case_number or "")
        return hash_identifier("case:" + canonical, self._secret) if canonical else None

    @staticmethod
    def _locked_until(times: Sequence[datetime], limit: int, window: timedelta,
                      cooldown: timedelta) -> datetime | None:
        """The end of the latest cooling-off started by ``times`` (sorted), if any: ``cooldown``
        after the failure that reached ``limit`` failures within ``window``."""
        until: datetime | None = None
        for i, failed_at in enumerate(times):
            first = bisect.bisect_right(times, failed_at - window, 0, i + 1)
            if i + 1 - first >= limit:
                until = failed_at + cooldown
        return until


# --- both together -----------------------------------------------------------------------

@dataclass(frozen=True)
class VerificationOutcome:
    """``status`` when verified; ``retry_at`` when trying is not allowed now (then nothing
    was checked). Both ``None``: not verified (unknown case or wrong birth date)."""

    status: CaseStatus | None
    retry_at: datetime | None


def verify_with_limit(
    store: CaseStore,
    limiter: AttemptLimiter,
    *,
    conversation_id: str,
    client_address: str | None,
    case_number: str,
    birth_date: date | str,
) -> VerificationOutcome:
    """Check the limiter, verify, and count the result."""
    retry_at = limiter.check(conversation_id, client_address, case_number)
    if retry_at is not None:
        return VerificationOutcome(None, retry_at)
    status = store.verify(case_number, birth_date)
    if status is None:
        return VerificationOutcome(None, limiter.record_failure(conversation_id, client_address, case_number))
    limiter.record_success(conversation_id, client_address)
    return VerificationOutcome(status, None)

