"""Texts shown to people for the codes returned by ``bot.services`` (one YAML file per service).

Each file maps keys (grouped by purpose) to ``{pl, en, uk, ru}``. Placeholders in braces,
e.g. ``{legal_until}``, are the same in all four languages and are filled by the renderer.
"""
from __future__ import annotations

from pathlib import Path

TEXTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("pl", "en", "uk", "ru")

from functools import lru_cache

import yaml


@lru_cache
def _load(name: str) -> dict:
    return yaml.safe_load((TEXTS_DIR / f"{name}.yml").read_text(encoding="utf-8")) or {}


def text(name: str, key: str, language: str, **values: object) -> str:
    """The text at dotted ``key`` in ``bot/texts/<name>.yml`` in ``language`` (English if missing)."""
    node = _load(name)
    for part in key.split("."):
        node = node[part]
    chosen = node.get(language) or node["en"]
    return chosen.format(**values) if values else chosen


def has_text(name: str, key: str) -> bool:
    node = _load(name)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict) and "en" in node
