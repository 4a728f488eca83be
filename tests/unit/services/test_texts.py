"""Text files in bot/texts: every key in pl, en, uk and ru, and a text for every code."""
from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.services import case_store, employer_change, legal_stay
from bot.texts import LANGUAGES, TEXTS_DIR

FILES = sorted(TEXTS_DIR.glob("*.yml"))


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((TEXTS_DIR / name).read_text(encoding="utf-8"))


def language_nodes(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every mapping that holds texts (has a language key), with its dotted path; raises on
    a text that is not inside such a mapping."""
    if isinstance(node, dict) and set(node) & set(LANGUAGES):
        return [(path, node)]
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            found += language_nodes(value, f"{path}.{key}" if path else str(key))
        return found
    raise AssertionError(f"{path}: a text outside a {{pl, en, uk, ru}} mapping")


def missing_languages(path: Path) -> list[str]:
    problems = []
    for key, texts in language_nodes(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for lang in LANGUAGES:
            if not isinstance(texts.get(lang), str) or not texts[lang].strip():
                problems.append(f"{key}: no {lang}")
        extra = set(texts) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unexpected keys {sorted(extra)}")
    return problems


def test_there_are_text_files():
    assert {p.name for p in FILES} >= {"legal_stay.yml", "employer_change.yml", "case_status.yml"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_key_has_all_four_languages(path):
    assert missing_languages(path) == []


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_placeholders_match_across_languages(path):
    for key, texts in language_nodes(yaml.safe_load(path.read_text(encoding="utf-8"))):
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGUAGES}
        assert len({frozenset(v) for v in fields.values()}) == 1, f"{key}: {fields}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_texts_are_in_their_script(path):
    cyrillic = re.compile(r"[а-яА-ЯіїєІЇЄёЁ]")
    for key, texts in language_nodes(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for lang in ("uk", "ru"):
            assert cyrillic.search(texts[lang]) or len(texts[lang]) < 12, f"{key}.{lang}"
        for lang in ("pl", "en"):
            assert not cyrillic.search(texts[lang]), f"{key}.{lang}"
        assert not re.search(r"[іїєІЇЄ]", texts["ru"]), f"{key}.ru has Ukrainian letters"
        assert not re.search(r"[ыэъЫЭЪё]", texts["uk"]), f"{key}.uk has Russian letters"


def test_the_check_fails_on_a_missing_language(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("group:\n  key:\n    pl: a\n    en: b\n    uk: в\n", encoding="utf-8")
    assert missing_languages(broken) == ["group.key: no ru"]


def test_legal_stay_codes_have_texts():
    texts = load("legal_stay.yml")
    assert set(texts["bases"]) == set(legal_stay.BASES)
    assert set(texts["reasons"]) == set(legal_stay.REASONS)
    assert set(texts["warnings"]) == set(legal_stay.WARNINGS)


def test_employer_change_codes_have_texts():
    texts = load("employer_change.yml")
    assert set(texts["holders"]) == set(employer_change.HOLDERS)
    assert set(texts["steps"]) == set(employer_change.STEPS)
    assert set(texts["warnings"]) == set(employer_change.WARNINGS)
    assert set(texts["actors"]) == set(employer_change.ACTORS)
    for actor in employer_change.ACTORS:
        assert set(texts["actors"][actor]) == {"foreigner", "employer"}


def test_case_statuses_have_meaning_and_next_steps():
    texts = load("case_status.yml")
    assert set(texts["statuses"]) == set(case_store.STATUSES)
    for status in case_store.STATUSES:
        assert set(texts["statuses"][status]) == {"meaning", "next_steps"}
    assert {"not_found", "locked", "status_as_of"} <= set(texts["messages"])


def test_uncertain_rules_carry_no_number_in_the_check_text():
    """The single-permit amendment fee is uncertain: only the warning about it names amounts."""
    texts = load("employer_change.yml")
    for lang in LANGUAGES:
        assert "zł" not in texts["steps"]["apply_to_amend_single_permit"][lang]
        assert "7" not in texts["steps"]["previous_employer_notifies_voivode_if_work_ended_early"][lang]
