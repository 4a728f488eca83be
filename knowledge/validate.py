"""Checks that every entry is complete and consistent before it reaches users."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

from knowledge.entries import (
    DEFAULT_ENTRIES_DIR,
    LANGUAGES,
    EntryFormatError,
    entry_files,
    parse_entry,
    read_entry_file,
)
from knowledge.out_of_scope import OutOfScopeFormatError, default_out_of_scope_path, load_out_of_scope

MIN_QUESTIONS = 8
MAX_ANSWER_CHARS = 1000
AUDIENCES = {"foreigner", "employer"}
_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one entry: where it is and what it is."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: entry '{self.entry}', field '{self.field}': {self.message}"


def normalise_question(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to spot duplicate questions."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped))


def _valid_address(url: str) -> bool:
    parsed = urlparse(url)
    return (
        parsed.scheme in {"http", "https"}
        and "." in parsed.netloc
        and " " not in url
        and not parsed.netloc.startswith(".")
    )


def validate_directory(directory: Path = DEFAULT_ENTRIES_DIR, today: dt.date | None = None) -> list[Problem]:
    """Validate every entry file in ``directory``.

    Returns the list of problems found (empty when everything is fine).
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    entries = []
    files = entry_files(directory)
    if not files:
        return [Problem(str(directory), "-", "-", "no entry files found")]
    for path in files:
        try:
            raw = read_entry_file(path)
        except EntryFormatError as exc:
            problems.append(Problem(str(path), "-", "-", str(exc)))
            continue
        entries.append((path, raw, parse_entry(raw, path)))

    ids: dict[str, Path] = {}
    for path, _raw, entry in entries:
        if entry.id in ids:
            problems.append(Problem(str(path), entry.id, "id", f"duplicate id, also in {ids[entry.id].name}"))
        ids.setdefault(entry.id, path)

    seen_questions: dict[tuple[str, str], str] = {}
    for path, raw, entry in entries:
        def report(field: str, message: str) -> None:
            problems.append(Problem(str(path), entry.id or "-", field, message))

        if not entry.id:
            report("id", "missing")
        elif not _ID_PATTERN.match(entry.id):
            report("id", "use lower-case words joined by hyphens")
        elif path.stem != entry.id:
            report("id", f"does not match the file name '{path.stem}'")
        if not entry.audience:
            report("audience", "missing (foreigner, employer or both)")
        for value in entry.audience:
            if value not in AUDIENCES:
                report("audience", f"unknown audience '{value}'")
        if raw.get("checked") is None:
            report("checked", "missing")
        elif entry.checked is None:
            report("checked", f"not a date: {raw.get('checked')!r}")
        elif entry.checked > today:
            report("checked", f"date {entry.checked} is in the future")
        if not entry.sources:
            report("sources", "at least one official address is needed")
        for url in entry.sources:
            if not _valid_address(url):
                report("sources", f"malformed address: {url!r}")
        for rel in entry.related:
            if rel not in ids:
                report("related", f"unknown entry id '{rel}'")
            elif rel == entry.id:
                report("related", "an entry cannot be related to itself")
        for lang in LANGUAGES:
            text = entry.texts.get(lang)
            if text is None:
                report(lang, "language missing")
                continue
            if not text.title:
                report(f"{lang}.title", "empty")
            if not text.answer:
                report(f"{lang}.answer", "empty")
            elif len(text.answer) > MAX_ANSWER_CHARS:
                report(f"{lang}.answer", f"{len(text.answer)} characters, over the limit of {MAX_ANSWER_CHARS}")
            if "<" in text.answer and re.search(r"<\s*[a-zA-Z/]", text.answer):
                report(f"{lang}.answer", "contains HTML; use Markdown")
            if len(text.questions) < MIN_QUESTIONS:
                report(f"{lang}.questions", f"{len(text.questions)} questions, at least {MIN_QUESTIONS} needed")
            for question in text.questions:
                key = (lang, normalise_question(question))
                if not key[1]:
                    report(f"{lang}.questions", "empty question")
                    continue
                if key in seen_questions:
                    other = seen_questions[key]
                    where = "in this entry" if other == entry.id else f"also in entry '{other}'"
                    report(f"{lang}.questions", f"duplicate question {question!r} ({where})")
                else:
                    seen_questions[key] = entry.id
    problems.extend(validate_out_of_scope(default_out_of_scope_path(directory), seen_questions))
    return problems


def validate_out_of_scope(path: Path, entry_questions: dict[tuple[str, str], str]) -> list[Problem]:
    """The out-of-scope topics: well formed, every language present, no example that is also an entry's question."""
    if not path.is_file():
        return []
    try:
        topics = load_out_of_scope(path)
    except (OutOfScopeFormatError, yaml.YAMLError) as exc:
        return [Problem(path.name, "-", "-", str(exc))]
    problems = []
    for topic in topics:
        for lang in LANGUAGES:
            if not topic.refer.get(lang):
                problems.append(Problem(path.name, topic.id, f"refer.{lang}", "missing"))
            if not topic.examples.get(lang):
                problems.append(Problem(path.name, topic.id, f"examples.{lang}", "missing"))
            for example in topic.examples.get(lang, ()):
                owner = entry_questions.get((lang, normalise_question(example)))
                if owner:
                    problems.append(Problem(path.name, topic.id, f"examples.{lang}",
                                            f"{example!r} is also a question of entry '{owner}'"))
    return problems
