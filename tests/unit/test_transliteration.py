"""Ukrainian and Russian typed in Latin letters: detection, Cyrillic rendering, and search."""
from __future__ import annotations

import pytest

from knowledge.transliteration import looks_transliterated, to_cyrillic


@pytest.mark.parametrize("text,language,expected", [
    ("zminyty robotu z PESEL UKR", "uk", "змінити роботу з PESEL UKR"),
    ("tymchasovyi pobyt", "uk", "тимчасовий побит"),
    ("kak prodlit vizu", "ru", "как продлит визу"),
    ("vremennyj pobyt i rabota", "ru", "временный побыт и работа"),
    ("shcho z moieiu spravoiu", "uk", "що з моєю справою"),
])
def test_latin_text_is_rendered_in_cyrillic(text, language, expected):
    assert to_cyrillic(text, language) == expected


def test_only_ukrainian_or_russian_in_latin_letters_counts_as_transliterated():
    assert looks_transliterated("kak prodlit vizu", "ru")
    assert not looks_transliterated("как продлить визу", "ru")
    assert not looks_transliterated("jak przedłużyć wizę", "pl")
    assert not looks_transliterated("how to extend my visa", "en")
    assert not looks_transliterated("ok", "uk")
    assert to_cyrillic("how to extend", "pl") == "how to extend"


# Written for these tests, not copied from the entries.
TRANSLITERATED = [
    ("ru", "poteryal kartu pobytu v avtobuse chto delat", "residence-card-lost-or-changed"),
    ("uk", "skilky koshtuie karta pobytu i kudy platyty", "fees"),
    ("ru", "mozhno li rabotat na shengenskoy vize v polshe", "schengen-visa-c"),
]


@pytest.mark.parametrize("lang,question,expected", TRANSLITERATED)
def test_transliterated_questions_find_their_entry(knowledge_search, lang, question, expected):
    result = knowledge_search.run(question, language=lang)
    assert expected in [h.entry_id for h in result.hits[:3]], result.hits[:3]
    assert result.decision in {"answer", "clarify"}
