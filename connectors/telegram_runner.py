"""Starts and stops the Telegram channel inside the app's lifespan.

Example (the app's lifespan)::

    telegram = await start_telegram(settings, rasa_sender(services.rasa), webhook_url=...)
    app.state.telegram = telegram          # read by POST /telegram/webhook
    yield
    await stop_telegram(telegram)
"""
from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from connectors.gateway import AssistantGateway
from connectors.rasa_client import RasaClient
from connectors.settings import Settings
from connectors.telegram_bot import Send, build_application

logger = logging.getLogger(__name__)
MODES = ("polling", "webhook")
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def rasa_sender(rasa: RasaClient | AssistantGateway) -> Send:
    """The bot's ``send`` callable over the app's gateway to Rasa, marking messages as Telegram's."""

    async def send(sender_id: str, text: str, language: str | None) -> list[dict[str, Any]]:
        # A Telegram chat cannot be forged (updates come from Telegram), so it is its own client.
        return await rasa.send(sender_id, text, {"channel": "telegram", "language": language, "client": sender_id})

    return send


def _quiet_library_loggers() -> None:
    """httpx logs request URLs, which hold the bot token; the library logs texts at DEBUG."""
    for name, level in (("httpx", logging.WARNING), ("telegram", logging.INFO)):
        library_logger = logging.getLogger(name)
        if library_logger.getEffectiveLevel() < level:
            library_logger.setLevel(level)


async def start_telegram(settings: Settings, send: Send, webhook_url: str | None = None) -> Application | None:
    """Start the bot; None when no token is configured (the channel is off).

    ``settings.telegram_mode`` "polling" fetches updates from Telegram (development; it removes
    any webhook); "webhook" registers ``webhook_url`` (the public URL of POST /telegram/webhook)
    with ``settings.telegram_webhook_secret``, and updates arrive through that route.

    Raises:
        ValueError: an unknown mode, or webhook mode without a URL or a secret.
        telegram.error.TelegramError: Telegram refused the token or could not be reached.
    """
    if not settings.telegram_token:
        return None
    mode = settings.telegram_mode
    if mode not in MODES:
        raise ValueError(f"INFOLINE_TELEGRAM_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "webhook" and not (webhook_url and settings.telegram_webhook_secret):
        raise ValueError("Telegram webhook mode needs a webhook URL and INFOLINE_TELEGRAM_WEBHOOK_SECRET")
    _quiet_library_loggers()
    application = build_application(settings.telegram_token, send, base_url=settings.telegram_api_base_url or None,
                                    max_message_chars=settings.max_message_chars)
    try:
        await application.initialize()
        if mode == "webhook":
            await application.bot.set_webhook(webhook_url, secret_token=settings.telegram_webhook_secret,
                                              allowed_updates=ALLOWED_UPDATES)
        elif application.updater is not None:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await application.start()
    except BaseException:
        await stop_telegram(application)
        raise
    logger.info("telegram channel started (%s) as @%s", mode, application.bot.username)
    return application


async def stop_telegram(application: Application | None) -> None:
    """Stop polling, finish the updates in hand, and release the bot's connections. The webhook stays set."""
    if application is None:
        return
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def describe_bot(settings: Settings) -> dict[str, Any]:
    """The bot's name and webhook state (URL, pending updates, last error), for the command line."""
    kwargs = {"base_url": settings.telegram_api_base_url} if settings.telegram_api_base_url else {}
    _quiet_library_loggers()
    async with Bot(settings.telegram_token, **kwargs) as bot:
        info = await bot.get_webhook_info()
        return {
            "username": bot.username,
            "mode": settings.telegram_mode,
            "webhook_url": info.url or None,
            "pending_updates": info.pending_update_count,
            "last_error": info.last_error_message,
            "last_error_date": info.last_error_date.isoformat() if info.last_error_date else None,
        }
