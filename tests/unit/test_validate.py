import datetime as dt
from pathlib import Path

import yaml

from connectors.settings import PROJECT_ROOT
from knowledge.report import build_report, required_topics
from knowledge.validate import validate_directory

ENTRIES = PROJECT_ROOT / "knowledge" / "entries"


def test_every_real_entry_is_valid():
    problems = validate_directory(ENTRIES)
    assert problems == [], "\n".join(map(str, problems))


def test_every_required_topic_is_covered_in_every_language():
    report = build_report(ENTRIES)
    assert report["missing_topics"] == []
    assert report["entries"] >= 80
    for lang, row in report["languages"].items():
        assert row["entries"] == report["entries"], lang
    assert len(required_topics()) == report["topics_required"]


def _entry(entry_id: str, **overrides) -> dict:
    block = lambda n: {"title": f"T {entry_id} {n}", "answer": "Do this next.",
                       "questions": [f"{entry_id} question {n} {i}" for i in range(8)]}
    data = {"id": entry_id, "audience": ["foreigner"], "tags": ["x"], "checked": "2025-01-01",
            "sources": ["https://example.gov.pl/page"], "related": [],
            "pl": block("pl"), "en": block("en"), "uk": block("uk"), "ru": block("ru")}
    data.update(overrides)
    return data


def _write(directory: Path, data: dict, name: str | None = None) -> None:
    (directory / f"{name or data['id']}.yml").write_text(yaml.safe_dump(data, allow_unicode=True))


def _fields(problems):
    return {(Path(p.file).name, p.entry, p.field) for p in problems}


def test_each_kind_of_problem_names_file_entry_and_field(tmp_path):
    good = _entry("good")
    _write(tmp_path, good)
    missing_lang = _entry("no-russian")
    del missing_lang["ru"]
    _write(tmp_path, missing_lang)
    empty = _entry("empty-answer")
    empty["pl"]["answer"] = "  "
    _write(tmp_path, empty)
    few = _entry("few-questions")
    few["en"]["questions"] = few["en"]["questions"][:3]
    _write(tmp_path, few)
    dup_q = _entry("zz-dup-question")
    dup_q["uk"]["questions"][0] = good["uk"]["questions"][0].upper()
    _write(tmp_path, dup_q)
    _write(tmp_path, _entry("bad-related", related=["does-not-exist"]))
    _write(tmp_path, _entry("bad-url", sources=["htp:/nope"]))
    _write(tmp_path, _entry("future", checked=(dt.date.today() + dt.timedelta(days=3)).isoformat()))
    long = _entry("too-long")
    long["ru"]["answer"] = "x" * 1001
    _write(tmp_path, long)
    _write(tmp_path, _entry("good"), name="zz-good-copy")  # duplicate id (and file name mismatch)

    fields = _fields(validate_directory(tmp_path))
    assert ("no-russian.yml", "no-russian", "ru") in fields
    assert ("empty-answer.yml", "empty-answer", "pl.answer") in fields
    assert ("few-questions.yml", "few-questions", "en.questions") in fields
    assert ("zz-dup-question.yml", "zz-dup-question", "uk.questions") in fields
    assert ("bad-related.yml", "bad-related", "related") in fields
    assert ("bad-url.yml", "bad-url", "sources") in fields
    assert ("future.yml", "future", "checked") in fields
    assert ("too-long.yml", "too-long", "ru.answer") in fields
    assert ("good.yml", "good", "id") in fields or ("zz-good-copy.yml", "good", "id") in fields
    assert not any(f[0] == "good.yml" and f[2] != "id" for f in fields)


def test_cli_validate_exits_nonzero_on_problems(tmp_path, monkeypatch, capsys):
    from connectors import cli
    from connectors.settings import get_settings

    _write(tmp_path, _entry("lonely", related=["ghost"]))
    monkeypatch.setenv("INFOLINE_ENTRIES_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert cli.main(["kb", "validate"]) == 1
        assert "lonely.yml: entry 'lonely', field 'related'" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_out_of_scope_examples_that_repeat_an_entry_question_are_reported(tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    _write(entries, _entry("fees"))
    topics = {"categories": [{"id": "taxes", "refer": {lang: "The tax office." for lang in ("pl", "en", "uk", "ru")},
                              "examples": {"pl": ["fees question pl 0"], "en": ["how to file PIT"],
                                           "uk": ["як подати PIT"], "ru": []}}]}
    (tmp_path / "out-of-scope.yml").write_text(yaml.safe_dump(topics, allow_unicode=True))
    problems = [str(p) for p in validate_directory(entries, today=dt.date(2026, 1, 1))]
    assert any("'fees question pl 0' is also a question of entry 'fees'" in p for p in problems), problems
    assert any("examples.ru" in p and "missing" in p for p in problems), problems
    (tmp_path / "out-of-scope.yml").write_text("categories: [{id: x}]")
    assert any("has no" in str(p) or "needs" in str(p) for p in validate_directory(entries, today=dt.date(2026, 1, 1)))
