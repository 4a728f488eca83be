"""Knowledge entries: the curated guidance, loaded from YAML files.

One file per entry under ``knowledge/entries/<id>.yml``; see ``knowledge/AUTHORING.md``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("pl", "en", "uk", "ru")
DEFAULT_ENTRIES_DIR = Path(__file__).resolve().parent / "entries"


@dataclass(frozen=True)
class LocalizedEntry:
    """The text of an entry in one language."""

    title: str
    answer: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One piece of curated guidance, in every language it exists in."""

    id: str
    audience: tuple[str, ...]
    tags: tuple[str, ...]
    checked: dt.date | None
    sources: tuple[str, ...]
    related: tuple[str, ...]
    texts: dict[str, LocalizedEntry] = field(default_factory=dict)
    path: Path | None = None

    def text(self, language: str) -> tuple[str, LocalizedEntry]:
        """The text in ``language`` or, when missing, the best available one.

        Returns the language actually used and its text.
        """
        if language in self.texts:
            return language, self.texts[language]
        for fallback in ("en", "pl", "uk", "ru"):
            if fallback in self.texts:
                return fallback, self.texts[fallback]
        raise KeyError(f"entry {self.id} has no text")

    def citation(self, language: str) -> dict[str, Any]:
        """What the channels show under an answer: the entry, the language used, sources, date checked."""
        used, text = self.text(language)
        return {"type": "sources", "entry_id": self.id, "title": text.title, "language": used,
                "requested_language": language, "sources": list(self.sources),
                "checked": self.checked.isoformat() if self.checked else None}


class EntryFormatError(ValueError):
    """A file that cannot be read as an entry at all."""


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_entry(raw: dict[str, Any], path: Path | None = None) -> Entry:
    """Build an :class:`Entry` from a parsed YAML mapping (lenient: validation is separate)."""
    texts: dict[str, LocalizedEntry] = {}
    for lang in LANGUAGES:
        block = raw.get(lang)
        if isinstance(block, dict):
            texts[lang] = LocalizedEntry(
                title=str(block.get("title") or "").strip(),
                answer=str(block.get("answer") or "").strip(),
                questions=tuple(str(q).strip() for q in (block.get("questions") or []) if q is not None),
            )
    return Entry(
        id=str(raw.get("id") or "").strip(),
        audience=_as_tuple(raw.get("audience")),
        tags=_as_tuple(raw.get("tags")),
        checked=_as_date(raw.get("checked")),
        sources=_as_tuple(raw.get("sources")),
        related=_as_tuple(raw.get("related")),
        texts=texts,
        path=path,
    )


def read_entry_file(path: Path) -> dict[str, Any]:
    """Parse one entry file into a mapping, raising :class:`EntryFormatError` when unreadable."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EntryFormatError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise EntryFormatError(f"{path}: expected a mapping at the top level")
    return raw


def entry_files(directory: Path = DEFAULT_ENTRIES_DIR) -> list[Path]:
    """All entry files, in a stable order."""
    return sorted(p for p in directory.glob("*.y*ml") if p.is_file())


def load_entries(directory: Path = DEFAULT_ENTRIES_DIR) -> list[Entry]:
    """Load every entry under ``directory`` (unvalidated; run :mod:`knowledge.validate` for checks)."""
    return [parse_entry(read_entry_file(p), p) for p in entry_files(directory)]
