"""The consultants' lookup tool: sign-in, the search page and its JSON search API.

Pages are server-rendered with Jinja2 (autoescaped); the page's script (``/static/consultant.js``)
calls ``GET /consultant/api/search``. Every POST needs the CSRF token of the current (or, for
the sign-in form, the anonymous) session, as the ``csrf_token`` form field or ``X-CSRF-Token``.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from connectors.consultant.accounts import AccountStore
from connectors.consultant.lookup import load_sections, lookup, section_slugs
from connectors.consultant.sessions import (CSRF_FIELD, CSRF_HEADER, LOGIN_COOKIE, SESSION_COOKIE, CookiePolicy,
                                            SessionCodec, SessionData)
from connectors.deps import Services

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/consultant", tags=["consultant"])

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "consultant"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
)
MAX_FORM_BYTES = 8 * 1024
OFFICE_ZONE = "Europe/Warsaw"
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_store_lock = threading.Lock()


# --- dependencies ---------------------------------------------------------------------------

def get_accounts(request: Request, services: Services) -> AccountStore:
    """The account store of this app (one engine per app, built at first use)."""
    store = getattr(request.app.state, "consultant_accounts", None)
    if store is None:
        with _store_lock:
            store = getattr(request.app.state, "consultant_accounts", None)
            if store is None:
                settings = services.settings
                store = AccountStore.from_url(settings.app_database_url, secret_key=settings.secret_key)
                request.app.state.consultant_accounts = store
    return store


def get_codec(services: Services) -> SessionCodec:
    return SessionCodec(services.settings.secret_key)


def get_cookie_policy(services: Services) -> CookiePolicy:
    return CookiePolicy.for_environment(services.settings.environment)


Accounts = Annotated[AccountStore, Depends(get_accounts)]
Codec = Annotated[SessionCodec, Depends(get_codec)]
Cookies = Annotated[CookiePolicy, Depends(get_cookie_policy)]


def current_session(request: Request, accounts: Accounts, codec: Codec, cookies: Cookies) -> SessionData | None:
    """The signed-in consultant's session, or None (no cookie, bad signature, expired, signed out, disabled)."""
    session = codec.read(request.cookies.get(cookies.name(SESSION_COOKIE)))
    if session is None or not accounts.session_is_valid(session.username, session.sid):
        return None
    return session


MaybeSession = Annotated[SessionData | None, Depends(current_session)]


def require_session(session: MaybeSession) -> SessionData:
    if session is None:
        raise HTTPException(401, detail={"code": "not_signed_in", "message": "Sign in at /consultant/login."})
    return session


ConsultantSession = Annotated[SessionData, Depends(require_session)]


# --- helpers --------------------------------------------------------------------------------

def _page(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(template).render(**context), status_code=status, headers=SECURITY_HEADERS)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form body (first value per field); 413 when too large, 415 when not a form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in {"application/x-www-form-urlencoded", ""}:
        raise HTTPException(415, detail={"code": "unsupported_media_type", "message": "Send an url-encoded form."})
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, detail={"code": "form_too_large", "message": "The form is too large."})
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, detail={"code": "invalid_form", "message": "The form could not be read."}) from exc
    return {key: values[0] for key, values in fields.items() if values}


def _csrf_from(request: Request, form: dict[str, str]) -> str | None:
    return request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)


def _login_form(codec: SessionCodec, cookies: CookiePolicy, *, status: int = 200, error: str = "",
                username: str = "", locked_until: dt.datetime | None = None,
                now: dt.datetime | None = None) -> HTMLResponse:
    """The sign-in page with a fresh anonymous session whose CSRF token the form carries."""
    value, login = codec.issue_login()
    context = {"csrf_token": codec.csrf_token(login), "error": error, "username": username}
    headers = {}
    if locked_until is not None:
        seconds = max(0.0, (locked_until - (now or dt.datetime.now(dt.timezone.utc))).total_seconds())
        try:
            zone, zone_name = ZoneInfo(OFFICE_ZONE), "Kraków time"
        except ZoneInfoNotFoundError:
            zone, zone_name = dt.timezone.utc, "UTC"
        context.update(retry_minutes=max(1, math.ceil(seconds / 60)), retry_at_iso=locked_until.isoformat(),
                       retry_at_local=locked_until.astimezone(zone).strftime("%H:%M"), retry_zone=zone_name)
        headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    response = _page("login.html", status, **context)
    response.headers.update(headers)
    response.set_cookie(cookies.name(LOGIN_COOKIE), value, **cookies.attributes(codec.max_age["login"]))
    return response


def _client_address(request: Request) -> str | None:
    # Behind a reverse proxy, run uvicorn with --proxy-headers and --forwarded-allow-ips so this is
    # the caller's address; X-Forwarded-For is not read here because anyone can send it.
    return request.client.host if request.client else None


# --- routes ---------------------------------------------------------------------------------

@router.get("/login", include_in_schema=False)
def login_page(session: MaybeSession, codec: Codec, cookies: Cookies) -> Response:
    """The sign-in form (or the tool, when already signed in)."""
    if session is not None:
        return _redirect("/consultant")
    return _login_form(codec, cookies)


@router.post("/login", include_in_schema=False)
async def login(request: Request, accounts: Accounts, codec: Codec, cookies: Cookies) -> Response:
    """Check the credentials; on success set the session cookie and go to the tool.

    401 for wrong credentials, 429 (with ``Retry-After``) while sign-ins are refused after too
    many failures, 403 without the form's CSRF token.
    """
    form = await _form(request)
    username = form.get("username", "")[:64]
    login_session = codec.read(request.cookies.get(cookies.name(LOGIN_COOKIE)), kind="login")
    if not codec.check_csrf(login_session, _csrf_from(request, form)):
        return _login_form(codec, cookies, status=403, error="expired", username=username)
    result = await run_in_threadpool(accounts.authenticate, username, form.get("password", ""), _client_address(request))
    if result.locked_until is not None:
        return _login_form(codec, cookies, status=429, error="locked", username=username,
                           locked_until=result.locked_until, now=accounts.clock())
    if not result.ok or result.username is None:
        return _login_form(codec, cookies, status=401, error="invalid", username=username)
    value, _ = codec.issue(result.username)
    response = _redirect("/consultant")
    response.set_cookie(cookies.name(SESSION_COOKIE), value, **cookies.attributes(codec.max_age["session"]))
    response.delete_cookie(cookies.name(LOGIN_COOKIE), path="/", secure=cookies.secure, httponly=True, samesite="strict")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, accounts: Accounts, codec: Codec, cookies: Cookies) -> Response:
    """End the session (it stays refused until it would have expired) and go to the sign-in form."""
    form = await _form(request)
    session = codec.read(request.cookies.get(cookies.name(SESSION_COOKIE)))
    if session is not None:
        if not codec.check_csrf(session, _csrf_from(request, form)):
            raise HTTPException(403, detail={"code": "csrf_failed", "message": "Missing or wrong CSRF token."})
        expires = dt.datetime.fromtimestamp(session.expires_at, dt.timezone.utc)
        await run_in_threadpool(accounts.revoke_session, session.sid, expires)
    response = _redirect("/consultant/login")
    response.delete_cookie(cookies.name(SESSION_COOKIE), path="/", secure=cookies.secure, httponly=True, samesite="strict")
    return response


@router.get("", include_in_schema=False)
def tool_page(session: MaybeSession, codec: Codec, q: str = "", audience: str = "", topic: str = "") -> Response:
    """The lookup tool; without a session, a redirect to the sign-in form."""
    if session is None:
        return _redirect("/consultant/login")
    sections = load_sections()
    return _page("tool.html", username=session.username, csrf_token=codec.csrf_token(session), q=q[:1000],
                 audience=audience if audience in {"foreigner", "employer"} else "",
                 topic=topic if topic in section_slugs(sections) else "", sections=sections)


@router.get("/api/search", summary="Search the guidance for consultants")
def search(session: ConsultantSession, services: Services,
           q: Annotated[str, Query(max_length=1000)] = "",
           audience: Literal["", "foreigner", "employer"] = "",
           topic: str = "") -> JSONResponse:
    """Up to 10 ranked entries with the title and answer in pl, en, uk and ru side by side.

    ``audience`` (foreigner|employer) and ``topic`` (a section slug from ``knowledge/topics.yml``,
    or ``other``) filter the results; an empty ``q`` gives no results. ``decision`` is the
    search's own (answer|clarify|none) on the unfiltered ranking. Needs a signed-in session (401).
    """
    knowledge = services.knowledge
    if not knowledge.ready:
        raise HTTPException(503, detail={"code": "knowledge_not_ready", "message": "The knowledge index is still loading."})
    try:
        payload = lookup(knowledge.search, q, load_sections(), audience=audience, section=topic)
    except ValueError as exc:
        raise HTTPException(422, detail={"code": "invalid_filter", "message": str(exc)}) from exc
    return JSONResponse(payload, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
