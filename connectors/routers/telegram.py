"""Telegram's webhook: updates go on the running bot's queue; the bot answers through the Bot API."""
from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from telegram import Update
from telegram.ext import Application

from connectors.deps import Services

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/telegram", tags=["telegram"])


def _secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison; no configured secret never matches."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@router.post("/webhook", include_in_schema=False)
async def telegram_webhook(
    request: Request,
    services: Services,
    secret: Annotated[str, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = "",
) -> Response:
    """Queue one update for the bot and answer at once (Telegram retries on anything but 2xx).

    404 when the Telegram channel is off; 403 when the secret header is missing or wrong, or
    when no ``INFOLINE_TELEGRAM_WEBHOOK_SECRET`` is configured; 400 when the body is not an update.
    """
    application: Application | None = getattr(request.app.state, "telegram", None)
    if application is None:
        raise HTTPException(404, detail={"code": "not_found", "message": "Not Found"})
    if not _secret_matches(secret, services.settings.telegram_webhook_secret):
        raise HTTPException(403, detail={"code": "forbidden", "message": "A valid secret token is required."})
    try:
        data = json.loads(await request.body())
        update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError) as exc:
        logger.warning("telegram webhook: unreadable update (%s)", type(exc).__name__)
        update = None
    if update is None:
        raise HTTPException(400, detail={"code": "invalid_update", "message": "The body is not a Telegram update."})
    await application.update_queue.put(update)
    return Response(status_code=200)
