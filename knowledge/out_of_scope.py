"""Known out-of-scope topics: questions the office does not handle, and who does.

``knowledge/out-of-scope.yml`` groups example questions by topic (taxes, benefits, driving
licences, other countries' visas, ...) with one sentence per language naming who handles it.
The search embeds the examples beside the entries; a question that matches a topic clearly
better than any entry is declined with that topic's referral instead of a guess.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.entries import LANGUAGES

OUT_OF_SCOPE_FILE = "out-of-scope.yml"


@dataclass(frozen=True)
class OutOfScopeTopic:
    """A topic the office does not handle, with example questions and a referral per language."""

    id: str
    refer: dict[str, str]
    examples: dict[str, tuple[str, ...]]

    def referral(self, language: str) -> str:
        """The referral in ``language``, else in English, else in any language there is."""
        for lang in (language, "en", *LANGUAGES):
            if self.refer.get(lang):
                return self.refer[lang]
        return ""


class OutOfScopeFormatError(ValueError):
    """The out-of-scope file does not have the expected shape."""


def default_out_of_scope_path(entries_dir: Path) -> Path:
    """The topics file sits beside the entries folder."""
    return entries_dir.parent / OUT_OF_SCOPE_FILE


def parse_topics(raw: Any, source: str = OUT_OF_SCOPE_FILE) -> list[OutOfScopeTopic]:
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), list):
        raise OutOfScopeFormatError(f"{source}: expected a mapping with a 'categories' list")
    topics, seen = [], set()
    for number, item in enumerate(raw["categories"], start=1):
        if not isinstance(item, dict) or not item.get("id"):
            raise OutOfScopeFormatError(f"{source}: category {number} has no id")
        topic_id = str(item["id"])
        if topic_id in seen:
            raise OutOfScopeFormatError(f"{source}: duplicate category id {topic_id!r}")
        seen.add(topic_id)
        refer = {lang: str(text).strip() for lang, text in (item.get("refer") or {}).items() if lang in LANGUAGES and text}
        examples = {lang: tuple(str(q).strip() for q in (item.get("examples") or {}).get(lang) or () if str(q).strip())
                    for lang in LANGUAGES}
        if not refer or not any(examples.values()):
            raise OutOfScopeFormatError(f"{source}: category {topic_id!r} needs 'refer' and 'examples'")
        topics.append(OutOfScopeTopic(topic_id, refer, examples))
    return topics


def load_out_of_scope(path: Path | None) -> list[OutOfScopeTopic]:
    """The topics in ``path``; none when the file does not exist."""
    if path is None or not path.is_file():
        return []
    with open(path, encoding="utf-8") as fh:
        return parse_topics(yaml.safe_load(fh), str(path))
