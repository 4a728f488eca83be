"""Handoff requests: a conversation passed to INFO.OPT staff, stored in the app database.

What is stored, and what is not:

* ``sender``: only a keyed hash (:func:`bot.services.privacy.hash_identifier`), so requests of
  the same sender can be grouped without keeping the id;
* ``transcript``: a list of ``{"who", "text"}`` (``who`` one of :data:`SPEAKERS`), every text
  passed through :func:`bot.services.privacy.mask_personal_data`, at most ``max_lines`` of the
  latest lines, each cut to ``max_chars`` characters;
* ``language`` (pl, en, uk, ru), ``channel`` (a short code such as ``web`` or ``telegram``),
  ``status`` (one of :data:`STATUSES`) and ``created_at`` (UTC).

Example::

    store = HandoffStore(engine, secret=settings.secret_key)
    request = store.create_handoff(language="uk", channel="web", sender=sender_id,
                                   transcript=[{"who": "user", "text": "..."}])
    waiting = store.list_open()
"""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, Engine, String, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.services.db import Base, UTCDateTime, utc_now
from bot.services.privacy import hash_identifier, mask_personal_data

__all__ = [
    "LANGUAGES",
    "SPEAKERS",
    "STATUSES",
    "TranscriptLine",
    "HandoffRequest",
    "UnknownHandoffError",
    "HandoffStore",
]

logger = logging.getLogger(__name__)

LANGUAGES: Final = ("pl", "en", "uk", "ru")
SPEAKERS: Final = ("user", "bot", "consultant")
STATUSES: Final = ("open", "taken", "closed")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")


class HandoffRow(Base):
    """One handoff request."""

    __tablename__ = "handoff_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(32))
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    transcript: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the stored transcript (text already masked)."""

    who: str
    text: str


@dataclass(frozen=True)
class HandoffRequest:
    """A stored handoff request."""

    id: str
    created_at: datetime
    language: str
    channel: str
    sender_hash: str
    transcript: tuple[TranscriptLine, ...]
    status: str


class UnknownHandoffError(KeyError):
    """No handoff request with this id."""


class HandoffStore:
    """Handoff requests in the app database.

    Args:
        engine: the app engine (tables created with :func:`bot.services.db.create_schema`).
        secret: key for hashing sender ids.
        clock: returns the current aware UTC time (injected in tests).
        max_lines: how many of the latest transcript lines are kept.
        max_chars: longest text kept per line.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        secret: str,
        clock: Callable[[], datetime] = utc_now,
        max_lines: int = 50,
        max_chars: int = 2000,
    ) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._secret = secret
        self._clock = clock
        self._max_lines = max_lines
        self._max_chars = max_chars

    def create_handoff(
        self,
        *,
        language: str,
        channel: str,
        sender: str,
        transcript: Iterable[Mapping[str, Any]],
    ) -> HandoffRequest:
        """Store a new open request.

        Raises:
            ValueError: unknown language, a bad channel code, an empty sender, or a transcript
                line without a known ``who`` or a text.
        """
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if not _CHANNEL.match(channel or ""):
            raise ValueError(f"bad channel code {channel!r}")
        if not sender:
            raise ValueError("a sender id is required")
        lines = [self._line(raw) for raw in transcript][-self._max_lines:]
        row = HandoffRow(
            id=str(uuid.uuid4()),
            created_at=self._clock(),
            language=language,
            channel=channel,
            sender_hash=hash_identifier("sender:" + sender, self._secret),
            transcript=[{"who": line.who, "text": line.text} for line in lines],
            status="open",
        )
        with self._sessions.begin() as session:
            session.add(row)
        logger.info("handoff request %s created (channel %s, language %s)", row.id, channel, language)
        return _request(row)

    def list_open(self) -> list[HandoffRequest]:
        """Open requests, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(HandoffRow).where(HandoffRow.status == "open")
                                   .order_by(HandoffRow.created_at, HandoffRow.id))
            return [_request(row) for row in rows]

    def set_status(self, handoff_id: str, status: str) -> HandoffRequest:
        """Change a request's status (``taken`` by a consultant, ``closed`` when done).

        Raises:
            ValueError: unknown status.
            UnknownHandoffError: no such request.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        with self._sessions.begin() as session:
            row = session.get(HandoffRow, handoff_id)
            if row is None:
                raise UnknownHandoffError(handoff_id)
            row.status = status
        return _request(row)

    def _line(self, raw: Mapping[str, Any]) -> TranscriptLine:
        who, text = raw.get("who"), raw.get("text")
        if who not in SPEAKERS:
            raise ValueError(f"transcript line with unknown 'who' {who!r}; expected one of {', '.join(SPEAKERS)}")
        if not isinstance(text, str):
            raise ValueError("transcript line without a text")
        return TranscriptLine(who, mask_personal_data(text)[: self._max_chars])


def _request(row: HandoffRow) -> HandoffRequest:
    return HandoffRequest(
        id=row.id,
        created_at=row.created_at,
        language=row.language,
        channel=row.channel,
        sender_hash=row.sender_hash,
        transcript=tuple(TranscriptLine(item["who"], item["text"]) for item in row.transcript),
        status=row.status,
    )
