"""Consultant accounts in the app database: password hashing, sign-in with a failure limit.

Passwords are hashed with scrypt (``hashlib.scrypt``, random 16-byte salt) and stored as a
self-describing string ``scrypt$ln=15,r=8,p=3$<salt>$<hash>`` (base64 without padding), so the
cost can be raised later: a stored hash with older parameters still verifies and is upgraded at
the next successful sign-in.

Failed sign-ins are counted in the database (so every app process sees them) per username and per
client address, each keyed by an HMAC of the value rather than the value itself. After
``max_failures`` failures for either key within ``window``, further attempts are refused, without
checking the password, until the window has passed.

Usage::

    store = AccountStore.from_url(settings.app_database_url, secret_key=settings.secret_key)
    store.create_user("anna.kowalska", "a long passphrase")
    result = store.authenticate("anna.kowalska", "a long passphrase", client="203.0.113.7")
    result.ok, result.locked_until
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Engine, Index, Integer, String, create_engine, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024


# --- password hashing -----------------------------------------------------------------------

@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: ``2**log_n`` iterations, block size ``r``, parallelism ``p``.

    The default (N=2^15, r=8, p=3: 32 MiB, about 0.3 s) is one of OWASP's equivalent
    recommended settings, chosen for a lower memory peak than N=2^17, p=1.
    """

    log_n: int = 15
    r: int = 8
    p: int = 3
    salt_bytes: int = 16
    key_bytes: int = 32

    def encode(self) -> str:
        return f"ln={self.log_n},r={self.r},p={self.p}"

    @classmethod
    def decode(cls, text: str, salt_bytes: int, key_bytes: int) -> "ScryptParams":
        values = dict(part.split("=", 1) for part in text.split(","))
        params = cls(log_n=int(values["ln"]), r=int(values["r"]), p=int(values["p"]),
                     salt_bytes=salt_bytes, key_bytes=key_bytes)
        if not (1 <= params.log_n <= 24 and 1 <= params.r <= 64 and 1 <= params.p <= 64):
            raise ValueError("scrypt parameters out of range")
        return params

    @property
    def max_memory(self) -> int:
        return 2 * 128 * self.r * (2 ** self.log_n) + 128 * self.r * self.p + 1024 * 1024


DEFAULT_PARAMS = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2 ** params.log_n, r=params.r, p=params.p,
                          maxmem=params.max_memory, dklen=params.key_bytes)


def hash_password(password: str, params: ScryptParams = DEFAULT_PARAMS) -> str:
    """A new salted scrypt hash of ``password`` as ``scrypt$ln=..,r=..,p=..$salt$hash``."""
    salt = secrets.token_bytes(params.salt_bytes)
    return f"scrypt${params.encode()}${_b64(salt)}${_b64(_scrypt(password, salt, params))}"


def _parse_hash(stored: str) -> tuple[ScryptParams, bytes, bytes]:
    scheme, encoded, salt_text, key_text = stored.split("$")
    if scheme != "scrypt":
        raise ValueError(f"unknown password hash scheme {scheme!r}")
    salt, key = _unb64(salt_text), _unb64(key_text)
    return ScryptParams.decode(encoded, len(salt), len(key)), salt, key


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time comparison; False when malformed)."""
    try:
        params, salt, key = _parse_hash(stored)
    except (ValueError, KeyError, TypeError):
        logger.warning("a stored password hash could not be parsed")
        return False
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    return hmac.compare_digest(_scrypt(password, salt, params), key)


def needs_rehash(stored: str, params: ScryptParams = DEFAULT_PARAMS) -> bool:
    """Whether ``stored`` was made with other parameters than ``params`` (so it should be upgraded)."""
    try:
        current, salt, key = _parse_hash(stored)
    except (ValueError, KeyError, TypeError):
        return True
    return (current.log_n, current.r, current.p, len(salt), len(key)) != (
        params.log_n, params.r, params.p, params.salt_bytes, params.key_bytes)


def normalize_username(username: str) -> str:
    """The canonical form of a username: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def check_new_password(password: str) -> None:
    """Raise :class:`ValueError` when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")


# --- database -------------------------------------------------------------------------------

class Base(DeclarativeBase):
    pass


class ConsultantUser(Base):
    __tablename__ = "consultant_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SignInFailure(Base):
    """One failed sign-in, under a keyed hash of the username or of the client address."""

    __tablename__ = "consultant_sign_in_failures"
    __table_args__ = (Index("ix_consultant_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)


class RevokedSession(Base):
    """A signed session ended by signing out; kept until it would have expired anyway."""

    __tablename__ = "consultant_revoked_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)


def create_app_engine(url: str) -> Engine:
    """An engine for the app database (SQLite file or PostgreSQL); creates the SQLite folder."""
    parsed = make_url(url)
    kwargs: dict = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, **kwargs)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """Stored as naive UTC, which SQLite and PostgreSQL both keep as is."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


class UserExists(ValueError):
    """The username is taken."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of :meth:`AccountStore.authenticate`.

    ``ok`` with the canonical ``username``; otherwise ``locked_until`` is set when attempts are
    refused (or, after this failure, will be) until that moment (UTC).
    """

    ok: bool
    username: str | None = None
    locked_until: dt.datetime | None = None


class AccountStore:
    """Consultant accounts, failed sign-ins and revoked sessions in the app database.

    Args:
        engine: a SQLAlchemy engine (see :func:`create_app_engine`); tables are created if missing.
        secret_key: keys the hashes under which failures are counted (no raw addresses are stored).
        max_failures, window: sign-in is refused after ``max_failures`` failures within ``window``.
        params: scrypt cost for new hashes.
        clock: returns the current time (aware UTC); replaced in tests.
    """

    def __init__(self, engine: Engine, secret_key: str, *, max_failures: int = 5,
                 window: dt.timedelta = dt.timedelta(minutes=15), params: ScryptParams = DEFAULT_PARAMS,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.engine = engine
        self.max_failures = max_failures
        self.window = window
        self.params = params
        self.clock = clock
        self._key = hmac.new(secret_key.encode("utf-8"), b"infoline/consultant/sign-in-failures/v1", hashlib.sha256).digest()
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()
        Base.metadata.create_all(engine)

    @classmethod
    def from_url(cls, url: str, secret_key: str, **kwargs) -> "AccountStore":
        return cls(create_app_engine(url), secret_key, **kwargs)

    # accounts

    def create_user(self, username: str, password: str) -> str:
        """Create an active account; returns the canonical username.

        Raises:
            ValueError: the username or password does not meet the rules.
            UserExists: the username is taken.
        """
        name = normalize_username(username)
        if not USERNAME_PATTERN.match(name):
            raise ValueError("the username must be 3-64 characters: a-z, 0-9, '.', '_', '-', '@'")
        check_new_password(password)
        with Session(self.engine) as db:
            db.add(ConsultantUser(username=name, password_hash=hash_password(password, self.params),
                                  active=True, created_at=_naive_utc(self.clock())))
            try:
                db.commit()
            except IntegrityError as exc:
                raise UserExists(name) from exc
        return name

    def set_password(self, username: str, password: str) -> None:
        """Replace an account's password (raises :class:`KeyError` for an unknown user)."""
        check_new_password(password)
        with Session(self.engine) as db:
            user = db.scalar(select(ConsultantUser).where(ConsultantUser.username == normalize_username(username)))
            if user is None:
                raise KeyError(username)
            user.password_hash = hash_password(password, self.params)
            db.commit()

    def set_active(self, username: str, active: bool) -> None:
        with Session(self.engine) as db:
            user = db.scalar(select(ConsultantUser).where(ConsultantUser.username == normalize_username(username)))
            if user is None:
                raise KeyError(username)
            user.active = active
            db.commit()

    def password_hash(self, username: str) -> str | None:
        with Session(self.engine) as db:
            return db.scalar(select(ConsultantUser.password_hash)
                             .where(ConsultantUser.username == normalize_username(username)))

    def is_active(self, username: str) -> bool:
        with Session(self.engine) as db:
            return bool(db.scalar(select(ConsultantUser.active).where(ConsultantUser.username == username)))

    # sign-in

    def _failure_key(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()

    def _keys(self, username: str, client: str | None) -> list[str]:
        keys = [self._failure_key("user", username)]
        if client:
            keys.append(self._failure_key("client", client))
        return keys

    def locked_until(self, username: str, client: str | None) -> dt.datetime | None:
        """When sign-in is allowed again for this username or client address, or None if it is now."""
        now = self.clock()
        since = _naive_utc(now - self.window)
        until: dt.datetime | None = None
        with Session(self.engine) as db:
            for key in self._keys(normalize_username(username), client):
                nth = db.scalar(select(SignInFailure.at)
                                .where(SignInFailure.key == key, SignInFailure.at > since)
                                .order_by(SignInFailure.at.desc()).offset(self.max_failures - 1).limit(1))
                if nth is not None:
                    candidate = _aware(nth) + self.window
                    if candidate > now and (until is None or candidate > until):
                        until = candidate
        return until

    def _record_failure(self, username: str, client: str | None) -> None:
        now = _naive_utc(self.clock())
        with Session(self.engine) as db:
            db.execute(delete(SignInFailure).where(SignInFailure.at <= now - self.window))
            db.add_all(SignInFailure(key=key, at=now) for key in self._keys(username, client))
            db.commit()

    def _verify_or_waste_time(self, stored: str | None, password: str) -> bool:
        """Verify against ``stored``, or against a dummy hash so unknown names take as long."""
        if stored is None:
            with self._dummy_lock:
                if self._dummy_hash is None:
                    self._dummy_hash = hash_password(secrets.token_urlsafe(16), self.params)
            verify_password(password, self._dummy_hash)
            return False
        return verify_password(password, stored)

    def authenticate(self, username: str, password: str, client: str | None = None) -> SignInResult:
        """Check a sign-in attempt, counting failures per username and per client address.

        A locked username or address is refused without checking the password. A success clears
        the username's failures (not the address's) and upgrades an outdated hash.
        """
        name = normalize_username(username)
        locked = self.locked_until(name, client)
        if locked is not None:
            return SignInResult(False, locked_until=locked)
        with Session(self.engine) as db:
            user = db.scalar(select(ConsultantUser).where(ConsultantUser.username == name)) if name else None
            stored = user.password_hash if user is not None and user.active else None
            if self._verify_or_waste_time(stored, password):
                assert user is not None
                user.last_sign_in_at = _naive_utc(self.clock())
                if needs_rehash(user.password_hash, self.params):
                    user.password_hash = hash_password(password, self.params)
                db.execute(delete(SignInFailure).where(SignInFailure.key == self._failure_key("user", name)))
                db.commit()
                return SignInResult(True, username=name)
        self._record_failure(name, client)
        logger.info("failed consultant sign-in")
        return SignInResult(False, locked_until=self.locked_until(name, client))

    # sessions

    def revoke_session(self, sid: str, expires_at: dt.datetime) -> None:
        """Remember that session ``sid`` was signed out (until it expires)."""
        now = _naive_utc(self.clock())
        with Session(self.engine) as db:
            db.execute(delete(RevokedSession).where(RevokedSession.expires_at <= now))
            if db.get(RevokedSession, sid) is None:
                db.add(RevokedSession(sid=sid, expires_at=_naive_utc(expires_at)))
            try:
                db.commit()
            except IntegrityError:  # revoked concurrently by another request
                db.rollback()

    def session_is_valid(self, username: str, sid: str) -> bool:
        """Whether a (correctly signed, unexpired) session still counts: user active, not signed out."""
        with Session(self.engine) as db:
            if db.get(RevokedSession, sid) is not None:
                return False
            return bool(db.scalar(select(ConsultantUser.active).where(ConsultantUser.username == username)))
