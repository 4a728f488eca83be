"""Recognising a choice (holder type, basis of stay) from a button code or typed words."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

KEYWORDS_FILE = Path(__file__).resolve().parents[1] / "keywords.yml"


@lru_cache
def keywords() -> dict:
    return yaml.safe_load(KEYWORDS_FILE.read_text(encoding="utf-8"))


def recognise(kind: str, value: str, allowed: tuple[str, ...]) -> str | None:
    """The code ``value`` names: the code itself (from a button) or the one whose words it uses.

    Returns None when no code or more than one code matches.
    """
    value = (value or "").strip()
    if value in allowed:
        return value
    lowered = value.casefold()
    found = [code for code, words in keywords()[kind].items()
             if code in allowed and any(re.search(r"(?<!\w)" + re.escape(w.casefold()), lowered) for w in words)]
    return found[0] if len(found) == 1 else None
