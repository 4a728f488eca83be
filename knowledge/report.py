"""Coverage report: entries and questions per language, and topic ids still missing."""
from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.entries import LANGUAGES, load_entries

TOPICS_FILE = Path(__file__).resolve().parent / "topics.yml"


def required_topics() -> list[str]:
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return [topic["id"] for section in data["sections"] for topic in section["topics"]]


def build_report(entries_dir: Path) -> dict:
    entries = load_entries(entries_dir)
    ids = {e.id for e in entries}
    languages = {
        lang: {
            "entries": sum(1 for e in entries if lang in e.texts),
            "questions": sum(len(e.texts[lang].questions) for e in entries if lang in e.texts),
        }
        for lang in LANGUAGES
    }
    topics = required_topics()
    return {
        "entries": len(entries),
        "languages": languages,
        "topics_required": len(topics),
        "topics_covered": sum(1 for t in topics if t in ids),
        "missing_topics": [t for t in topics if t not in ids],
        "extra_entries": sorted(ids - set(topics)),
    }


def format_report(report: dict) -> str:
    lines = [f"Entries: {report['entries']}", "", "language  entries  questions"]
    for lang, row in report["languages"].items():
        lines.append(f"{lang:<9} {row['entries']:>7}  {row['questions']:>9}")
    lines += ["", f"Topics covered: {report['topics_covered']} of {report['topics_required']}"]
    missing = report["missing_topics"]
    lines.append("Missing topics: " + (", ".join(missing) if missing else "none"))
    lines.append(f"Entries beyond the topic list: {len(report['extra_entries'])}")
    return "\n".join(lines)
