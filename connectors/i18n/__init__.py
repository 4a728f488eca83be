"""Translated messages of the app itself (not the dialogue's, which live in domain.yml)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("pl", "en", "uk", "ru")
_FILE = Path(__file__).with_name("messages.yml")


@lru_cache
def catalogue() -> dict[str, dict[str, str]]:
    return yaml.safe_load(_FILE.read_text(encoding="utf-8"))


def translate(key: str, language: str | None, **values: object) -> str:
    """The message ``key`` in ``language`` (English when unknown), with ``values`` filled in."""
    texts = catalogue()[key]
    text = texts.get(language or "en") or texts["en"]
    return text.format(**values) if values else text
