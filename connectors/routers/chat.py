"""The web chat API: one endpoint that relays a message to Rasa and returns the replies."""
from __future__ import annotations

import logging

import hashlib
import hmac

from fastapi import APIRouter, HTTPException, Request

from connectors.deps import Services
from connectors.i18n import translate
from connectors.rasa_client import RasaUnavailable
from connectors.schemas import BotMessage, Button, ChatReply, ChatRequest, ErrorReply, WelcomeReply
from connectors.welcome import welcome

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])


class ApiError(HTTPException):
    """An error with a code and a message already translated for the person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status_code=status, detail={"code": code, "message": message})


def client_key(address: str, secret: str) -> str:
    """A keyed hash of the client address: enough to limit attempts, not the address itself."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:24]


def to_bot_message(raw: dict) -> BotMessage:
    buttons = [Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
               for b in raw.get("buttons") or [] if isinstance(b, dict)]
    custom = raw.get("custom") if isinstance(raw.get("custom"), dict) else None
    return BotMessage(text=raw.get("text"), buttons=buttons, custom=custom)


@router.get("/welcome", response_model=WelcomeReply, summary="The chat's first screen")
async def first_screen(language: str | None = None) -> WelcomeReply:
    """The welcome, four to six suggested questions and the note on what is stored, in
    ``language`` (pl, en, uk, ru; English otherwise)."""
    shown = welcome(language)
    return WelcomeReply(language=shown.language, text=shown.text, note=shown.note,
                        suggestions=[Button(title=s.title, payload=s.payload) for s in shown.suggestions])


@router.post(
    "/chat",
    response_model=ChatReply,
    responses={400: {"model": ErrorReply}, 413: {"model": ErrorReply}, 422: {"model": ErrorReply}, 503: {"model": ErrorReply}},
    summary="Send a message to the assistant",
)
async def chat(request: ChatRequest, services: Services, http: Request) -> ChatReply:
    """Relay the person's message to the dialogue engine and return its messages.

    Errors are JSON ``{"error": {"code", "message"}}`` with the message in the person's language:
    ``empty_message`` and ``invalid_request`` (400/422), ``message_too_long`` (413),
    ``assistant_unavailable`` (503).
    """
    text = request.message.strip()
    language = request.language or services.languages.detect(text).served
    if not text:
        raise ApiError(400, "empty_message", translate("empty_message", language))
    limit = services.settings.max_message_chars
    if len(text) > limit:
        raise ApiError(413, "message_too_long", translate("message_too_long", language, limit=limit))
    metadata = {"channel": "web", "language": request.language,
                "client": client_key(http.client.host if http.client else "", services.settings.secret_key)}
    try:
        raw_messages = await services.gateway.send(f"web:{request.sender}", text, metadata)
    except RasaUnavailable as exc:
        logger.warning("chat turn failed: %s", exc)
        raise ApiError(503, "assistant_unavailable", translate("assistant_unavailable", language)) from exc
    return ChatReply(sender=request.sender, messages=[to_bot_message(m) for m in raw_messages])
