"""The first screen: a welcome, suggested questions as buttons, what is stored and the infoline.

Shown by the web chat before the first message (``GET /api/welcome``) and by Telegram's /start,
from ``connectors/welcome.yml``. Plain functions, no framework imports.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

WELCOME_FILE = Path(__file__).with_name("welcome.yml")
LANGUAGES = ("pl", "en", "uk", "ru")


@dataclass(frozen=True)
class Suggestion:
    title: str
    payload: str   # what a pressed button sends, like any button of the assistant


@dataclass(frozen=True)
class Welcome:
    language: str
    text: str
    note: str
    suggestions: tuple[Suggestion, ...]


@lru_cache
def _content() -> dict:
    return yaml.safe_load(WELCOME_FILE.read_text(encoding="utf-8"))


def payload_of(item: dict) -> str:
    if "entry" in item:
        return "/choose_entry" + json.dumps({"entry_id": item["entry"]}, separators=(",", ":"))
    return f"/{item['intent']}"


def welcome(language: str | None) -> Welcome:
    """The welcome in ``language`` (English when it is not one we write in)."""
    language = language if language in LANGUAGES else "en"
    content = _content()
    suggestions = tuple(Suggestion(item["title"][language], payload_of(item)) for item in content["suggestions"])
    return Welcome(language, content["welcome"][language], content["note"][language], suggestions)
