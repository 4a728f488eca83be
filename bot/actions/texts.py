"""Picking a response's text from the domain for a given language (texts live in domain.yml)."""
from __future__ import annotations

from typing import Any

from nlu.language_id import SERVED

DEFAULT_LANGUAGE = "en"


def response_text(domain: dict[str, Any], name: str, language: str | None) -> str:
    """The text of response ``name`` in ``language``: its variation with that language condition,
    else the unconditioned (English) one."""
    variations = (domain.get("responses") or {}).get(name) or []
    default = None
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            default = default or variation.get("text")
        elif any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            return variation.get("text") or ""
    if default is None:
        raise KeyError(f"response {name!r} is missing from the domain")
    return default


def conversation_language(tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in SERVED else DEFAULT_LANGUAGE
