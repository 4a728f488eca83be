"""The app's own database (case statuses, verification attempts, handoff requests).

One engine per process, from a URL (``Settings.app_database_url``): SQLite by default,
PostgreSQL in production. The tables are plain SQLAlchemy 2 declarative models on
:class:`Base`; :func:`create_schema` creates the missing ones.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "UTCDateTime", "make_engine", "create_schema", "utc_now"]


class Base(DeclarativeBase):
    """Declarative base of the app's tables."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone: stored as naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware (UTC) datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utc_now() -> datetime:
    """The current time in UTC (the default clock; tests inject their own)."""
    return datetime.now(timezone.utc)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; for SQLite usable from several threads, and an in-memory
    database (``sqlite://``) shared by every session of the engine."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        if url in ("sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://"):
            kwargs.setdefault("poolclass", StaticPool)
    return create_engine(url, **kwargs)


def create_schema(engine: Engine) -> None:
    """Create the app's tables that do not exist yet."""
    # Import the models so that they are registered on Base.metadata.
    from bot.services import case_store, handoff  # noqa: F401

    Base.metadata.create_all(engine)
