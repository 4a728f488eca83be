"""The Telegram channel against a stand-in Bot API on 127.0.0.1 (never Telegram's servers).

The stand-in answers like the real API (``{"ok": true, "result": ...}``) and records every call;
the real Application is built with ``base_url`` pointing at it and fed real update JSON.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application

from connectors.deps import get_services
from connectors.i18n import translate
from connectors.rasa_client import RasaUnavailable
from connectors.routers import telegram as telegram_router
from connectors.settings import Settings
from connectors.telegram_bot import MAX_BUTTONS_PER_CHAT, build_application, text
from connectors.welcome import welcome
from connectors.telegram_format import markdown_to_html, split_html, utf16_length, visible_text
from connectors.telegram_runner import describe_bot, start_telegram, stop_telegram

TOKEN = "0:stand-in-token"  # any string: only the stand-in sees it
BOT_ID = 4242
CHAT = 1001
OTHER_CHAT = 1002
BLOCKED_CHAT = 1666
CHOOSE_PAYLOAD = '/choose_entry{"entry_id":"change-employer-ukrainian-special-act"}'


@dataclass
class Call:
    method: str
    params: dict[str, str]

    def json(self, name: str) -> Any:
        return json.loads(self.params[name])


class StandInBotApi:
    """The Bot API methods the bot calls; records each call. Chats in ``blocked`` answer 403."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.blocked: set[int] = set()
        self.updates: list[dict[str, Any]] = []
        self.webhook_url = ""
        self._ids = itertools.count(500)
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._handle, methods=["POST"])])

    def reset(self) -> None:
        self.calls.clear()
        self.blocked.clear()
        self.updates.clear()
        self.webhook_url = ""

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == str(chat_id))]

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != TOKEN:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        self.calls.append(Call(method, params))
        if params.get("chat_id", "").lstrip("-").isdigit() and int(params["chat_id"]) in self.blocked:
            return JSONResponse({"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
                                status_code=403)
        answer = getattr(self, f"_{method}", None)
        if answer is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                                status_code=404)
        return JSONResponse({"ok": True, "result": await answer(params)})

    async def _getMe(self, params: dict[str, str]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "INFO.OPT", "username": "infoopt_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _sendMessage(self, params: dict[str, str]) -> dict[str, Any]:
        message = {"message_id": next(self._ids), "date": int(time.time()), "text": params["text"],
                   "chat": {"id": int(params["chat_id"]), "type": "private"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "INFO.OPT"}}
        if "reply_markup" in params:
            message["reply_markup"] = json.loads(params["reply_markup"])
        return message

    async def _sendChatAction(self, params: dict[str, str]) -> bool:
        return True

    async def _answerCallbackQuery(self, params: dict[str, str]) -> bool:
        return True

    async def _setWebhook(self, params: dict[str, str]) -> bool:
        self.webhook_url = params["url"]
        return True

    async def _deleteWebhook(self, params: dict[str, str]) -> bool:
        self.webhook_url = ""
        return True

    async def _getWebhookInfo(self, params: dict[str, str]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _getUpdates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        ready = [u for u in self.updates if u["update_id"] >= offset]
        if not ready:
            await asyncio.sleep(0.05)  # a short "long poll"
        return ready


@pytest.fixture(scope="module")
def stand_in() -> tuple[StandInBotApi, str]:
    """The stand-in Bot API served by uvicorn in a background thread; yields it and its base_url."""
    api = StandInBotApi()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(api.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the stand-in Bot API did not start"
    yield api, f"http://127.0.0.1:{sock.getsockname()[1]}/bot"
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def bot_api(stand_in: tuple[StandInBotApi, str]) -> StandInBotApi:
    stand_in[0].reset()
    return stand_in[0]


@pytest.fixture
def base_url(stand_in: tuple[StandInBotApi, str]) -> str:
    return stand_in[1]


class FakeAssistant:
    """Records what the bot relays; answers with canned Rasa REST messages."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]] | None = None, down: bool = False) -> None:
        self.answers = answers or {}
        self.down = down
        self.calls: list[tuple[str, str, str | None]] = []

    async def __call__(self, sender_id: str, message: str, language: str | None) -> list[dict[str, Any]]:
        self.calls.append((sender_id, message, language))
        if self.down:
            raise RasaUnavailable("Rasa unreachable: ConnectError")
        return self.answers.get(message, [{"recipient_id": sender_id, "text": f"echo: {message}"}])


_update_ids = itertools.count(1)


def _user(chat_id: int, language_code: str) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Olena", "language_code": language_code}


def message_update(text_: str, chat_id: int = CHAT, language_code: str = "en") -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": next(_update_ids), "date": int(time.time()), "text": text_,
                               "chat": {"id": chat_id, "type": "private", "first_name": "Olena"},
                               "from": _user(chat_id, language_code)}
    if text_.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text_.split()[0])}]
    return {"update_id": next(_update_ids), "message": message}


def callback_update(data: str, chat_id: int = CHAT, language_code: str = "en") -> dict[str, Any]:
    return {"update_id": next(_update_ids), "callback_query": {
        "id": f"cq-{next(_update_ids)}", "from": _user(chat_id, language_code), "chat_instance": "ci-1", "data": data,
        "message": {"message_id": 77, "date": int(time.time()), "text": "…",
                    "chat": {"id": chat_id, "type": "private", "first_name": "Olena"}}}}


async def _process(application: Application, updates: list[dict[str, Any]]) -> None:
    for data in updates:
        await application.update_queue.put(Update.de_json(data, application.bot))
    await asyncio.wait_for(application.update_queue.join(), timeout=10)


def run_updates(base_url: str, assistant: FakeAssistant, *batches: list[dict[str, Any]] | Any) -> None:
    """Start the real bot against the stand-in, process the updates through its queue, stop it.

    A batch is a list of update JSONs, processed to the end before the next one; a callable is
    called in between (e.g. to build the next update from what the bot sent).
    """
    async def scenario() -> None:
        application = build_application(TOKEN, assistant, base_url=base_url)
        async with application:
            await application.start()
            for batch in batches:
                await _process(application, batch() if callable(batch) else batch)
            await application.stop()

    asyncio.run(scenario())


def keyboard(call: Call) -> list[dict[str, str]]:
    return [button for row in call.json("reply_markup")["inline_keyboard"] for button in row]


# --- commands -----------------------------------------------------------------------------------

def test_start_shows_the_first_screen_in_the_telegram_language(bot_api, base_url):
    assistant = FakeAssistant()
    shown = welcome("uk")

    def press_first_suggestion() -> list[dict[str, Any]]:
        greeting = bot_api.sent(chat_id=CHAT)[0]
        return [callback_update(keyboard(greeting)[0]["callback_data"], language_code="uk")]

    run_updates(base_url, assistant, [message_update("/start", language_code="uk")], press_first_suggestion)
    greeting, note = bot_api.sent(chat_id=CHAT)[:2]
    assert greeting.params["text"] == markdown_to_html(shown.text)
    assert greeting.params["parse_mode"] == "HTML"
    assert [b["text"] for b in keyboard(greeting)] == [s.title for s in shown.suggestions]
    assert 4 <= len(shown.suggestions) <= 6
    assert "12 210 20 20" in note.params["text"]
    assert [b["callback_data"] for b in keyboard(note)] == ["lang:pl", "lang:en", "lang:uk", "lang:ru"]
    assert [b["text"] for b in keyboard(note)] == ["Polski", "English", "Українська", "Русский"]
    assert assistant.calls == [(f"tg:{CHAT}", shown.suggestions[0].payload, None)]


def test_help_language_and_unknown_commands(bot_api, base_url):
    assistant = FakeAssistant()
    run_updates(base_url, assistant, [message_update("/help", language_code="pl"), message_update("/language"),
                                      message_update("/nonsense", language_code="ru")])
    help_, language, unknown = bot_api.sent(chat_id=CHAT)
    assert help_.params["text"] == markdown_to_html(text("help", "pl"))
    assert "reply_markup" not in help_.params
    assert language.params["text"] == text("choose_language", "en")
    assert len(keyboard(language)) == 4
    assert unknown.params["text"] == markdown_to_html(text("help", "ru"))
    assert assistant.calls == []


def test_human_command_relays_the_talk_to_human_intent(bot_api, base_url):
    assistant = FakeAssistant({"/talk_to_human": [{"text": "A consultant will write to you."}]})
    run_updates(base_url, assistant, [message_update("/human")])
    assert assistant.calls == [(f"tg:{CHAT}", "/talk_to_human", None)]
    assert [c.params["text"] for c in bot_api.sent(chat_id=CHAT)] == ["A consultant will write to you."]


# --- relaying text ------------------------------------------------------------------------------

def test_language_is_none_until_chosen_then_passed_with_tg_sender(bot_api, base_url):
    assistant = FakeAssistant()
    run_updates(base_url, assistant, [message_update("Hello"), callback_update("lang:uk"), message_update("Привіт")])
    assert assistant.calls == [(f"tg:{CHAT}", "Hello", None), (f"tg:{CHAT}", "Привіт", "uk")]
    [answered] = bot_api.sent("answerCallbackQuery")
    assert "text" not in answered.params
    texts = [c.params["text"] for c in bot_api.sent(chat_id=CHAT)]
    assert texts == ["echo: Hello", text("language_set", "uk"), "echo: Привіт"]
    assert len(bot_api.sent("sendChatAction", CHAT)) == 2


def test_answer_is_escaped_formatted_with_buttons_and_sources(bot_api, base_url):
    answer = [
        {"recipient_id": f"tg:{CHAT}",
         "text": "<script>alert(1)</script> **Fee** & more: [MOS](https://mos.cudzoziemcy.gov.pl/?a=1&b=2)\n- first",
         "buttons": [{"title": "Change of employer <b>", "payload": CHOOSE_PAYLOAD},
                     {"title": "Yes", "payload": "/feedback_positive"}]},
        {"recipient_id": f"tg:{CHAT}", "custom": {
            "type": "sources", "entry_id": "pesel", "language": "en", "requested_language": "en", "checked": "2026-11-24",
            "sources": ["https://www.euraxess.pl/pl/a", "https://euraxess.pl/pl/b", "https://bip.krakow.pl/x?y=<z>"]}},
    ]
    assistant = FakeAssistant({"fee?": answer})
    run_updates(base_url, assistant, [message_update("fee?")])
    [reply] = bot_api.sent(chat_id=CHAT)
    html = reply.params["text"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Fee</b> &amp; more" in html
    assert '<a href="https://mos.cudzoziemcy.gov.pl/?a=1&amp;b=2">MOS</a>' in html
    assert "\n• first" in html
    assert visible_text(html).endswith("\n\nSources: euraxess.pl, bip.krakow.pl · checked 2026-11-24")
    assert '<a href="https://bip.krakow.pl/x?y=&lt;z&gt;">bip.krakow.pl</a>' in html
    buttons = keyboard(reply)
    assert [b["text"] for b in buttons] == ["Change of employer <b>", "Yes"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert len({b["callback_data"] for b in buttons}) == 2


def test_pressed_button_relays_the_long_payload_behind_its_short_key(bot_api, base_url):
    answer = [{"text": "Which one?", "buttons": [{"title": "Employer change (UA)", "payload": CHOOSE_PAYLOAD}]}]
    assistant = FakeAssistant({"change employer": answer, CHOOSE_PAYLOAD: [{"text": "Here is how."}]})

    def press() -> list[dict[str, Any]]:
        [button] = keyboard(bot_api.sent(chat_id=CHAT)[0])
        assert len(CHOOSE_PAYLOAD.encode()) > 64 >= len(button["callback_data"].encode())
        return [callback_update(button["callback_data"])]

    run_updates(base_url, assistant, [message_update("change employer")], press)
    assert assistant.calls[1] == (f"tg:{CHAT}", CHOOSE_PAYLOAD, None)
    assert len(bot_api.sent("answerCallbackQuery")) == 1
    assert bot_api.sent(chat_id=CHAT)[-1].params["text"] == "Here is how."


def test_unknown_button_key_is_answered_as_expired_without_relaying(bot_api, base_url):
    assistant = FakeAssistant()
    run_updates(base_url, assistant, [callback_update("b:forgotten", language_code="pl")])
    [answered] = bot_api.sent("answerCallbackQuery")
    assert answered.params["text"] == text("button_expired", "pl")
    assert answered.params["show_alert"] == "true"
    assert assistant.calls == [] and bot_api.sent() == []


def test_language_message_from_the_assistant_switches_the_chat_language(bot_api, base_url):
    switched = [{"text": "Буду отвечать по-русски."}, {"custom": {"type": "language", "language": "ru"}},
                {"text": "Вопрос?", "custom": None},
                {"custom": {"type": "sources", "sources": ["https://udsc.gov.pl/"], "checked": None}}]
    assistant = FakeAssistant({"по-русски": switched})
    run_updates(base_url, assistant, [message_update("по-русски"), message_update("ещё")])
    assert assistant.calls[1] == (f"tg:{CHAT}", "ещё", "ru")
    texts = [visible_text(c.params["text"]) for c in bot_api.sent(chat_id=CHAT)]
    assert texts[:2] == ["Буду отвечать по-русски.", "Вопрос?\n\nИсточники: udsc.gov.pl"]


def test_long_answer_is_split_into_parts_within_the_limit(bot_api, base_url):
    paragraph = ("The **residence card** costs 440 zł; see [infoopt.pl](https://infoopt.pl/oplaty/) & ask <us>. " * 6).strip()
    long_answer = "\n\n".join(f"{i}. {paragraph}" for i in range(12))
    assert len(long_answer) > 6000
    answer = [{"text": long_answer, "buttons": [{"title": "Yes", "payload": "/feedback_positive"}]}]
    assistant = FakeAssistant({"long": answer})
    run_updates(base_url, assistant, [message_update("long")])
    parts = bot_api.sent(chat_id=CHAT)
    assert len(parts) >= 2
    for part in parts:
        html = part.params["text"]
        assert utf16_length(html) <= 4096
        assert html.count("<b>") == html.count("</b>") and html.count("<a ") == html.count("</a>")
        assert html == html.strip()
    assert all("reply_markup" not in p.params for p in parts[:-1]) and keyboard(parts[-1])[0]["text"] == "Yes"
    shown = "\n\n".join(visible_text(p.params["text"]) for p in parts)
    assert shown == visible_text(markdown_to_html(long_answer))  # cut at paragraph breaks only


def test_assistant_unavailable_gets_the_translated_message(bot_api, base_url, caplog):
    assistant = FakeAssistant(down=True)
    with caplog.at_level(logging.INFO):
        run_updates(base_url, assistant, [message_update("my private question", language_code="ru")])
    [reply] = bot_api.sent(chat_id=CHAT)
    assert reply.params["text"] == translate("assistant_unavailable", "ru")
    assert "my private question" not in caplog.text


def test_too_long_message_is_refused_without_relaying(bot_api, base_url):
    assistant = FakeAssistant()
    run_updates(base_url, assistant, [message_update("x" * 2001)])
    assert assistant.calls == []
    assert bot_api.sent(chat_id=CHAT)[0].params["text"] == translate("message_too_long", "en", limit=2000)


def test_blocked_chat_does_not_stop_the_next_update(bot_api, base_url, caplog):
    bot_api.blocked.add(BLOCKED_CHAT)
    assistant = FakeAssistant()
    with caplog.at_level(logging.INFO):
        run_updates(base_url, assistant, [message_update("secret words", chat_id=BLOCKED_CHAT),
                                          message_update("/start", chat_id=BLOCKED_CHAT),
                                          message_update("next one", chat_id=OTHER_CHAT)])
    assert [c.params["text"] for c in bot_api.sent(chat_id=OTHER_CHAT)] == ["echo: next one"]
    assert "cannot write to this chat" in caplog.text
    assert "secret words" not in caplog.text and "Olena" not in caplog.text


def test_photo_gets_the_text_only_message(bot_api, base_url):
    update = message_update("x")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 10, "height": 10}]
    assistant = FakeAssistant()
    run_updates(base_url, assistant, [update])
    assert bot_api.sent(chat_id=CHAT)[0].params["text"] == text("text_only", "en")
    assert assistant.calls == []


# --- formatting ---------------------------------------------------------------------------------

def test_split_prefers_lines_then_words_and_never_cuts_tags_or_entities():
    lines = "\n".join(["a line with &amp; and <b>bold text</b> in it"] * 200)
    parts = split_html(lines, limit=1000)
    assert all(utf16_length(p) <= 1000 for p in parts)
    assert all(p.endswith("in it") for p in parts)
    words = "<b>" + " ".join(["word&amp;word"] * 600) + "</b>"
    parts = split_html(words, limit=1000)
    assert all(utf16_length(p) <= 1000 and p.startswith("<b>word&amp;word") and p.endswith("word&amp;word</b>")
               for p in parts)
    assert " ".join(visible_text(p) for p in parts) == visible_text(words)


def test_split_counts_utf16_units_and_cuts_inside_a_word_only_as_last_resort():
    parts = split_html("😀" * 3000, limit=4096)
    assert [utf16_length(p) for p in parts] == [4096, 1904]
    assert split_html("short") == ["short"] and split_html(" \n ") == []


def test_markdown_to_html_escapes_everything_but_our_markup():
    assert markdown_to_html("[x](javascript:alert(1)) **<i>b</i>** a&b") == \
        "[x](javascript:alert(1)) <b>&lt;i&gt;b&lt;/i&gt;</b> a&amp;b"
    assert markdown_to_html("**[MOS](https://mos.gov.pl)**") == '<b><a href="https://mos.gov.pl">MOS</a></b>'
    assert markdown_to_html('[x](https://a.pl/"><script>)') == '[x](https://a.pl/"&gt;&lt;script&gt;)'


def test_button_map_stays_bounded_and_reuses_keys():
    from connectors.telegram_bot import _button_key

    chat_data: dict[str, Any] = {}
    first = _button_key(chat_data, CHOOSE_PAYLOAD)
    assert _button_key(chat_data, CHOOSE_PAYLOAD) == first
    for i in range(MAX_BUTTONS_PER_CHAT + 50):
        _button_key(chat_data, f"/p{i}")
    assert len(chat_data["buttons"]) == MAX_BUTTONS_PER_CHAT and first not in chat_data["buttons"]


# --- the webhook route --------------------------------------------------------------------------

SECRET = "webhook-secret-for-tests"


def webhook_client(application: Application | None, secret: str = SECRET) -> TestClient:
    app = FastAPI()
    app.include_router(telegram_router.router)
    app.state.telegram = application
    app.dependency_overrides[get_services] = lambda: SimpleNamespace(settings=Settings(telegram_webhook_secret=secret))
    return TestClient(app)


def test_webhook_with_the_right_secret_queues_the_update(base_url):
    application = build_application(TOKEN, FakeAssistant(), base_url=base_url)
    update = message_update("Hello")
    response = webhook_client(application).post("/telegram/webhook", json=update,
                                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200
    queued = application.update_queue.get_nowait()
    assert isinstance(queued, Update) and queued.update_id == update["update_id"]
    assert queued.effective_message.text == "Hello"


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}])
def test_webhook_without_the_right_secret_is_forbidden(base_url, headers):
    application = build_application(TOKEN, FakeAssistant(), base_url=base_url)
    response = webhook_client(application).post("/telegram/webhook", json=message_update("Hi"), headers=headers)
    assert response.status_code == 403
    assert application.update_queue.empty()


def test_webhook_is_forbidden_when_no_secret_is_configured(base_url):
    application = build_application(TOKEN, FakeAssistant(), base_url=base_url)
    response = webhook_client(application, secret="").post("/telegram/webhook", json=message_update("Hi"),
                                                           headers={"X-Telegram-Bot-Api-Secret-Token": ""})
    assert response.status_code == 403 and application.update_queue.empty()


def test_webhook_is_not_found_when_telegram_is_off():
    response = webhook_client(None).post("/telegram/webhook", json={}, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 404


def test_webhook_refuses_a_body_that_is_not_an_update(base_url):
    application = build_application(TOKEN, FakeAssistant(), base_url=base_url)
    response = webhook_client(application).post("/telegram/webhook", content=b"[1, 2]",
                                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 400 and application.update_queue.empty()


# --- starting and stopping ----------------------------------------------------------------------

def _settings(base_url: str, **values: Any) -> Settings:
    return Settings(telegram_token=TOKEN, telegram_api_base_url=base_url, **values)


def test_no_token_means_no_telegram():
    assert asyncio.run(start_telegram(Settings(telegram_token=""), FakeAssistant())) is None


def test_polling_mode_fetches_updates_and_answers(bot_api, base_url):
    assistant = FakeAssistant()
    bot_api.updates.append(message_update("Dzień dobry", language_code="pl"))

    async def scenario() -> None:
        application = await start_telegram(_settings(base_url, telegram_mode="polling"), assistant)
        assert application is not None and application.running and application.updater.running
        deadline = time.monotonic() + 5
        while not bot_api.sent(chat_id=CHAT) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await stop_telegram(application)
        assert not application.running

    asyncio.run(scenario())
    assert bot_api.sent("deleteWebhook") and bot_api.sent("getUpdates")
    assert assistant.calls == [(f"tg:{CHAT}", "Dzień dobry", None)]
    assert bot_api.sent(chat_id=CHAT)[0].params["text"] == "echo: Dzień dobry"


def test_webhook_mode_registers_the_url_with_the_secret(bot_api, base_url):
    settings = _settings(base_url, telegram_mode="webhook", telegram_webhook_secret=SECRET)

    async def scenario() -> dict[str, Any]:
        application = await start_telegram(settings, FakeAssistant(), webhook_url="https://infoopt.example/telegram/webhook")
        assert application is not None and application.running and not application.updater.running
        await stop_telegram(application)
        return await describe_bot(settings)

    status = asyncio.run(scenario())
    [registered] = bot_api.sent("setWebhook")
    assert registered.params["url"] == "https://infoopt.example/telegram/webhook"
    assert registered.params["secret_token"] == SECRET
    assert registered.json("allowed_updates") == ["message", "callback_query"]
    assert not bot_api.sent("getUpdates")
    assert status["username"] == "infoopt_test_bot" and status["webhook_url"] == "https://infoopt.example/telegram/webhook"


@pytest.mark.parametrize("values", [{"telegram_mode": "webhook"}, {"telegram_mode": "webhook", "telegram_webhook_secret": SECRET},
                                    {"telegram_mode": "carrier-pigeon"}])
def test_misconfiguration_is_refused_before_contacting_telegram(bot_api, base_url, values):
    with pytest.raises(ValueError):
        asyncio.run(start_telegram(_settings(base_url, **values), FakeAssistant()))
    assert bot_api.calls == []


def test_a_refused_token_raises_and_leaves_nothing_running(bot_api, base_url):
    settings = Settings(telegram_token="0:not-the-stand-in-token", telegram_api_base_url=base_url)
    with pytest.raises(InvalidToken):
        asyncio.run(start_telegram(settings, FakeAssistant()))
    assert [c.method for c in bot_api.calls] == []  # refused before being recorded
