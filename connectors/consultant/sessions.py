"""Signed session cookies and CSRF tokens for the consultants' tool (no framework imports).

A cookie value is ``v1.<payload>.<signature>``: the payload is base64url JSON
``{"k": kind, "u": username, "s": session id, "i": issued, "e": expires}`` and the signature is
HMAC-SHA256 over ``v1.<payload>`` with a key derived from ``settings.secret_key``. Two kinds:
``"session"`` (a signed-in consultant) and ``"login"`` (an anonymous visitor of the sign-in form,
so that the form itself is CSRF-protected too).

The CSRF token is an HMAC of the kind and session id under a second derived key: bound to one
session, it changes at every sign-in and cannot be computed without the secret.

Usage::

    codec = SessionCodec(settings.secret_key)
    value, session = codec.issue("anna.kowalska")
    codec.read(value) == session
    codec.check_csrf(session, codec.csrf_token(session))
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

SESSION_MAX_AGE = 8 * 3600       # one shift
LOGIN_MAX_AGE = 2 * 3600         # how long a sign-in form stays usable
SESSION_COOKIE = "consultant_session"
LOGIN_COOKIE = "consultant_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_VERSION = "v1"
_MAX_COOKIE_CHARS = 1024


@dataclass(frozen=True)
class SessionData:
    """A verified cookie: who (``username``, empty for ``kind="login"``), which session, until when (epoch s)."""

    kind: str
    username: str
    sid: str
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), f"infoline/consultant/{purpose}".encode(), hashlib.sha256).digest()


class SessionCodec:
    """Issues and verifies signed session cookies and their CSRF tokens.

    Args:
        secret_key: the app's secret (``settings.secret_key``); separate keys are derived from it.
        session_max_age, login_max_age: lifetimes in seconds.
        clock: returns the current time in epoch seconds; replaced in tests.
    """

    def __init__(self, secret_key: str, *, session_max_age: int = SESSION_MAX_AGE,
                 login_max_age: int = LOGIN_MAX_AGE, clock: Callable[[], float] = time.time) -> None:
        if not secret_key:
            raise ValueError("a secret key is required")
        self._signing_key = _derive(secret_key, "session/v1")
        self._csrf_key = _derive(secret_key, "csrf/v1")
        self.max_age = {"session": session_max_age, "login": login_max_age}
        self.clock = clock

    def _sign(self, message: str) -> str:
        return _b64(hmac.new(self._signing_key, message.encode("ascii"), hashlib.sha256).digest())

    def issue(self, username: str, kind: str = "session") -> tuple[str, SessionData]:
        """A new session (fresh random id) and its cookie value."""
        now = int(self.clock())
        data = SessionData(kind, username, secrets.token_urlsafe(24), now, now + self.max_age[kind])
        payload = _b64(json.dumps({"k": data.kind, "u": data.username, "s": data.sid, "i": data.issued_at,
                                   "e": data.expires_at}, separators=(",", ":")).encode("utf-8"))
        message = f"{_VERSION}.{payload}"
        return f"{message}.{self._sign(message)}", data

    def issue_login(self) -> tuple[str, SessionData]:
        """An anonymous session for the sign-in form."""
        return self.issue("", kind="login")

    def read(self, value: str | None, kind: str = "session") -> SessionData | None:
        """The session in a cookie value if it is correctly signed, of ``kind`` and unexpired; else None."""
        if not value or len(value) > _MAX_COOKIE_CHARS:
            return None
        parts = value.split(".")
        if len(parts) != 3 or parts[0] != _VERSION:
            return None
        message = f"{parts[0]}.{parts[1]}"
        try:
            if not hmac.compare_digest(self._sign(message), parts[2]):
                return None
            raw = json.loads(_unb64(parts[1]))
            data = SessionData(str(raw["k"]), str(raw["u"]), str(raw["s"]), int(raw["i"]), int(raw["e"]))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            return None
        if data.kind != kind or data.expires_at <= self.clock() or not data.sid:
            return None
        return data

    def csrf_token(self, session: SessionData) -> str:
        """The CSRF token of ``session`` (the same for the whole session)."""
        return _b64(hmac.new(self._csrf_key, f"{session.kind}:{session.sid}".encode("utf-8"), hashlib.sha256).digest())

    def check_csrf(self, session: SessionData | None, token: str | None) -> bool:
        """Whether ``token`` is the CSRF token of ``session`` (constant-time)."""
        if session is None or not token or len(token) > 128:
            return False
        return hmac.compare_digest(self.csrf_token(session).encode("ascii"), token.encode("utf-8", "replace"))


@dataclass(frozen=True)
class CookiePolicy:
    """How the cookies are set: always HttpOnly and SameSite=Strict; Secure outside development.

    A Secure cookie gets the ``__Host-`` prefix, so browsers accept it only from this host, over
    HTTPS, for path ``/``.
    """

    secure: bool

    @classmethod
    def for_environment(cls, environment: str) -> "CookiePolicy":
        return cls(secure=environment != "development")

    def name(self, base: str) -> str:
        return f"__Host-{base}" if self.secure else base

    def attributes(self, max_age: int) -> dict:
        """Keyword arguments for ``Response.set_cookie``."""
        return {"max_age": max_age, "path": "/", "httponly": True, "samesite": "strict", "secure": self.secure}
