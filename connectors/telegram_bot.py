"""The Telegram channel: relays private chats to the assistant and delivers its answers.

Built in one place by :func:`build_application`; started and stopped by
:mod:`connectors.telegram_runner`. Example::

    application = build_application(token, send)   # send(sender_id, text, language) -> Rasa messages
    async with application:
        await application.start()
        ...
        await application.stop()

Each chat is one conversation with sender id ``tg:<chat_id>``. Per chat, ``chat_data`` holds the
chosen language (None until chosen) and a bounded map from the short keys in the buttons'
``callback_data`` (Telegram allows 64 bytes) to the assistant's longer payloads.
"""
from __future__ import annotations

import asyncio
import logging
from html import escape
import secrets
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from connectors.i18n import LANGUAGES, translate
from connectors.rasa_client import RasaUnavailable
from connectors.telegram_format import markdown_to_html, source_links, split_html
from connectors.welcome import welcome

logger = logging.getLogger(__name__)

Send = Callable[[str, str, str | None], Awaitable[list[dict[str, Any]]]]
Context = ContextTypes.DEFAULT_TYPE

TEXTS_FILE = Path(__file__).with_name("telegram_texts.yml")
HUMAN_PAYLOAD = "/talk_to_human"
LANGUAGE_PREFIX = "lang:"
BUTTON_PREFIX = "b:"
MAX_BUTTONS_PER_CHAT = 200
LANGUAGE = "language"  # chat_data keys
BUTTONS = "buttons"
RELAY = "relay"  # bot_data key


@dataclass(frozen=True)
class Relay:
    """How handlers reach the assistant: stored in ``bot_data``."""

    send: Send
    max_message_chars: int


@dataclass
class Outgoing:
    """One message to deliver: Telegram HTML and (title, payload) buttons."""

    html: str
    buttons: list[tuple[str, str]] = field(default_factory=list)


@lru_cache
def _catalogue() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def text(key: str, language: str | None, **values: str) -> str:
    """The bot's text ``key`` in ``language`` (English when unknown), with ``values`` filled in."""
    texts = _catalogue()[key]
    found = texts.get(language or "en") or texts["en"]
    return found.format(**values) if values else found


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs different chats' updates concurrently and each chat's updates in order."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates (without holding a concurrency slot), then process."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_data(context: Context) -> dict[str, Any]:
    if context.chat_data is None:
        raise RuntimeError("a chat update without chat data")
    return context.chat_data


def _chosen_language(context: Context) -> str | None:
    return _chat_data(context).get(LANGUAGE)


def _ui_language(update: Update, context: Context) -> str:
    """The chosen language, else the Telegram app's language when we serve it, else English."""
    chosen = _chosen_language(context)
    if chosen:
        return chosen
    user = update.effective_user
    hint = (user.language_code or "")[:2] if user else ""
    return hint if hint in LANGUAGES else "en"


def _language_keyboard() -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text("language_name", code), callback_data=f"{LANGUAGE_PREFIX}{code}")
           for code in LANGUAGES]
    return InlineKeyboardMarkup([row[:2], row[2:]])


def _button_key(chat_data: dict[str, Any], payload: str) -> str:
    """A short key for ``payload``, remembered in the chat's bounded map (oldest forgotten first)."""
    buttons: OrderedDict[str, str] = chat_data.setdefault(BUTTONS, OrderedDict())
    key = next((k for k, p in buttons.items() if p == payload), None) or secrets.token_urlsafe(6)
    buttons[key] = payload
    buttons.move_to_end(key)
    while len(buttons) > MAX_BUTTONS_PER_CHAT:
        buttons.popitem(last=False)
    return key


def _keyboard(chat_data: dict[str, Any], buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=BUTTON_PREFIX + _button_key(chat_data, payload))]
                                 for title, payload in buttons])


def _sources_line(custom: dict[str, Any], language: str) -> str | None:
    sources = custom.get("sources")
    links = source_links(sources) if isinstance(sources, list) else ""
    if not links:
        return None
    language = custom.get("requested_language") or custom.get("language") or language
    checked = custom.get("checked")
    template = escape(text("sources_line" if checked else "sources_line_undated", language), quote=False)
    return template.format(sources=links, checked=escape(str(checked or ""), quote=False))


def compose(messages: list[dict[str, Any]], chat_data: dict[str, Any], language: str) -> list[Outgoing]:
    """Turn the assistant's messages into Telegram messages; a language message updates ``chat_data``."""
    outgoing: list[Outgoing] = []
    for message in messages:
        body = message.get("text")
        buttons = [(str(b.get("title", "")), str(b.get("payload", "")))
                   for b in message.get("buttons") or [] if isinstance(b, dict) and b.get("title") and b.get("payload")]
        if isinstance(body, str) and body.strip():
            outgoing.append(Outgoing(markdown_to_html(body), buttons))
        elif buttons and outgoing and not outgoing[-1].buttons:
            outgoing[-1].buttons = buttons
        elif buttons:
            outgoing.append(Outgoing(markdown_to_html(text("choose_option", language)), buttons))
        custom = message.get("custom")
        if not isinstance(custom, dict):
            continue
        if custom.get("type") == "language" and custom.get("language") in LANGUAGES:
            chat_data[LANGUAGE] = language = custom["language"]
        elif custom.get("type") == "sources" and (line := _sources_line(custom, language)):
            if outgoing:
                outgoing[-1].html += "\n\n" + line
            else:
                outgoing.append(Outgoing(line))
    return outgoing


async def _deliver(context: Context, chat_id: int, message: Outgoing) -> None:
    """Send one message, split to Telegram's limit; its buttons go under the last part."""
    parts = split_html(message.html)
    keyboard = _keyboard(_chat_data(context), message.buttons)
    for index, part in enumerate(parts):
        await context.bot.send_message(chat_id, part, reply_markup=keyboard if index == len(parts) - 1 else None)


async def _say(update: Update, context: Context, key: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Send one of the bot's own texts in the chat's language."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, markdown_to_html(text(key, _ui_language(update, context))),
                                       reply_markup=keyboard)


async def _relay(update: Update, context: Context, message: str) -> None:
    """Send ``message`` to the assistant as this chat and deliver the answer."""
    chat = update.effective_chat
    message = message.strip()
    if chat is None or not message:
        return
    relay: Relay = context.bot_data[RELAY]
    language = _ui_language(update, context)
    if len(message) > relay.max_message_chars:
        html = markdown_to_html(translate("message_too_long", language, limit=relay.max_message_chars))
        await context.bot.send_message(chat.id, html)
        return
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    try:
        answer = await relay.send(f"tg:{chat.id}", message, _chosen_language(context))
    except RasaUnavailable as exc:
        logger.warning("telegram turn failed: %s", exc)
        await context.bot.send_message(chat.id, markdown_to_html(translate("assistant_unavailable", language)))
        return
    for outgoing in compose(answer, _chat_data(context), language):
        await _deliver(context, chat.id, outgoing)


async def start(update: Update, context: Context) -> None:
    """The first screen: the welcome with suggested questions as buttons, then what is stored,
    the infoline and the four languages."""
    chat = update.effective_chat
    if chat is None:
        return
    shown = welcome(_ui_language(update, context))
    await _deliver(context, chat.id, Outgoing(markdown_to_html(shown.text),
                                              [(s.title, s.payload) for s in shown.suggestions]))
    await context.bot.send_message(chat.id, markdown_to_html(shown.note + "\n\n" + text("choose_language", shown.language)),
                                   reply_markup=_language_keyboard())


async def choose_language(update: Update, context: Context) -> None:
    """Offer the four languages."""
    await _say(update, context, "choose_language", _language_keyboard())


async def show_help(update: Update, context: Context) -> None:
    """Say what the bot can do and list its commands."""
    await _say(update, context, "help")


async def ask_for_human(update: Update, context: Context) -> None:
    """Ask the assistant for a person (the talk_to_human intent)."""
    await _relay(update, context, HUMAN_PAYLOAD)


async def relay_text(update: Update, context: Context) -> None:
    """Relay a typed message to the assistant and deliver its answer."""
    if update.effective_message and update.effective_message.text:
        await _relay(update, context, update.effective_message.text)


async def text_only(update: Update, context: Context) -> None:
    """Say that only text messages are read."""
    await _say(update, context, "text_only")


async def language_chosen(update: Update, context: Context) -> None:
    """Store the language picked on the keyboard and confirm it in that language."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_chat is None:
        return
    await query.answer()
    _chat_data(context)[LANGUAGE] = query.data.removeprefix(LANGUAGE_PREFIX)
    await _say(update, context, "language_set")


async def button_pressed(update: Update, context: Context) -> None:
    """Relay the payload behind a pressed button, like a typed message."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_chat is None:
        return
    payload = _chat_data(context).get(BUTTONS, {}).get(query.data.removeprefix(BUTTON_PREFIX))
    if payload is None:
        await query.answer(text("button_expired", _ui_language(update, context)), show_alert=True)
        return
    await query.answer()
    await _relay(update, context, payload)


async def on_error(update: object, context: Context) -> None:
    """Log a failed update by its id and the exception, never its content; other updates go on."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
        logger.info("telegram update %s dropped: the bot cannot write to this chat", update_id)
        return
    logger.error("telegram update %s failed", update_id, exc_info=context.error)


def build_application(token: str, send: Send, base_url: str | None = None, *,
                      max_message_chars: int = 2000) -> Application:
    """The bot with its handlers; ``base_url`` replaces Telegram's API (e.g. ``http://127.0.0.1:8081/bot``).

    Args:
        token: the bot token from @BotFather.
        send: ``send(sender_id, text, language)`` returning the assistant's REST messages; raises
            :class:`~connectors.rasa_client.RasaUnavailable` when the assistant cannot be reached.
        base_url: a stand-in Bot API (tests, a local Bot API server); None means Telegram's.
        max_message_chars: longest message relayed, as for the web chat.
    """
    builder = (Application.builder().token(token)
               .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(PerChatUpdateProcessor()))
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    application.bot_data[RELAY] = Relay(send=send, max_message_chars=max_message_chars)
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        CommandHandler("start", start, filters=private),
        CommandHandler("language", choose_language, filters=private),
        CommandHandler("help", show_help, filters=private),
        CommandHandler("human", ask_for_human, filters=private),
        CallbackQueryHandler(language_chosen, pattern=rf"^{LANGUAGE_PREFIX}({'|'.join(LANGUAGES)})$"),
        CallbackQueryHandler(button_pressed, pattern=rf"^{BUTTON_PREFIX}"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, relay_text),
        MessageHandler(private & filters.COMMAND, show_help),
        MessageHandler(private & filters.ATTACHMENT, text_only),
    ])
    application.add_error_handler(on_error)
    return application
