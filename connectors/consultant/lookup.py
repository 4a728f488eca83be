"""The consultants' lookup: ranked entries with every language side by side, filtered (no framework imports).

Topic sections come from ``knowledge/topics.yml``. An entry whose id is a topic belongs to that
topic's section; any other entry belongs to the sections of the topics its tags name (a tag equal
to a topic id, or one being a dash-separated prefix of the other: ``visa-free`` →
``visa-free-stay-90-180``, ``pesel-ukr`` → ``pesel``), and to :data:`OTHER` when none does.

Usage::

    sections = load_sections()
    payload = lookup(search, "ile kosztuje karta pobytu", sections, audience="foreigner", section="residence-permits")
    payload["results"][0]["texts"]["uk"]["title"]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from knowledge.entries import LANGUAGES, Entry
from knowledge.report import TOPICS_FILE
from knowledge.search import SearchResult

OTHER = "other"
AUDIENCES = ("foreigner", "employer")
TOP_K = 10
MAX_QUERY_CHARS = 1000


class Searcher(Protocol):
    """What the lookup needs of :class:`knowledge.search.KnowledgeSearch`."""

    entries: dict[str, Entry]

    def run(self, query: str, *, language: str | None = None, top_k: int | None = None) -> SearchResult: ...


@dataclass(frozen=True)
class Section:
    """A topic section of ``topics.yml``: a slug for URLs, its title and its topic ids."""

    slug: str
    title: str
    topics: tuple[str, ...]


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")


def parse_sections(data: dict[str, Any]) -> tuple[Section, ...]:
    sections = []
    for block in data.get("sections") or []:
        title = str(block.get("section") or "").strip()
        topics = tuple(str(t["id"]) for t in block.get("topics") or [] if isinstance(t, dict) and t.get("id"))
        if title:
            sections.append(Section(slugify(title), title, topics))
    return tuple(sections)


@lru_cache(maxsize=4)
def load_sections(path: Path = TOPICS_FILE) -> tuple[Section, ...]:
    """The topic sections of ``topics.yml``, in file order (read once per process)."""
    return parse_sections(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def _related_ids(tag: str, topic: str) -> bool:
    return tag == topic or topic.startswith(tag + "-") or tag.startswith(topic + "-")


def sections_of(entry: Entry, sections: tuple[Section, ...]) -> tuple[str, ...]:
    """The slugs of the sections ``entry`` is listed under (``("other",)`` when none)."""
    own = tuple(s.slug for s in sections if entry.id in s.topics)
    if own:
        return own
    by_tags = tuple(s.slug for s in sections if any(_related_ids(tag, topic) for tag in entry.tags for topic in s.topics))
    return by_tags or (OTHER,)


def section_slugs(sections: tuple[Section, ...]) -> frozenset[str]:
    return frozenset(s.slug for s in sections) | {OTHER}


def _texts(entry: Entry) -> dict[str, dict[str, str] | None]:
    return {lang: ({"title": entry.texts[lang].title, "answer": entry.texts[lang].answer} if lang in entry.texts else None)
            for lang in LANGUAGES}


def _titles(entry: Entry | None) -> dict[str, str]:
    return {lang: text.title for lang, text in entry.texts.items()} if entry else {}


def entry_payload(entry: Entry, entries: dict[str, Entry], sections: tuple[Section, ...]) -> dict[str, Any]:
    """One entry as the tool shows it: metadata and the title and answer in all four languages."""
    return {
        "id": entry.id,
        "audience": list(entry.audience),
        "tags": list(entry.tags),
        "sections": list(sections_of(entry, sections)),
        "checked": entry.checked.isoformat() if entry.checked else None,
        "sources": list(entry.sources),
        "related": [{"id": rid, "titles": _titles(entries.get(rid))} for rid in entry.related],
        "texts": _texts(entry),
    }


def lookup(search: Searcher, query: str, sections: tuple[Section, ...], *, audience: str = "",
           section: str = "", top_k: int = TOP_K) -> dict[str, Any]:
    """Ranked entries for ``query``, filtered by ``audience`` and ``section`` (empty = any).

    An empty query gives no results. Without filters the search is asked for ``top_k`` entries;
    with filters it ranks all of them so that ``top_k`` matching ones are found when they exist.

    Raises:
        ValueError: an unknown audience or section.
    """
    if audience and audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    if section and section not in section_slugs(sections):
        raise ValueError(f"unknown topic section {section!r}")
    query = (query or "")[:MAX_QUERY_CHARS]
    payload: dict[str, Any] = {"query": query, "audience": audience or None, "topic": section or None,
                               "decision": "none", "results": []}
    if not query.strip():
        return payload
    entries = search.entries
    filtered = bool(audience or section)
    result = search.run(query, top_k=max(len(entries), top_k) if filtered else top_k)
    payload["decision"] = result.decision
    topic = getattr(search, "index", None) and search.index.topics.get(result.out_of_scope_topic or "")
    if topic:
        payload["out_of_scope"] = {"topic": topic.id, "refer": dict(topic.refer)}
    for hit in result.hits:
        entry = entries.get(hit.entry_id)
        if entry is None:
            continue
        if audience and audience not in entry.audience:
            continue
        if section and section not in sections_of(entry, sections):
            continue
        item = entry_payload(entry, entries, sections)
        payload["results"].append({"id": item.pop("id"), "score": round(hit.score, 4),
                                   "confidence": round(hit.confidence, 4), **item})
        if len(payload["results"]) >= top_k:
            break
    return payload
