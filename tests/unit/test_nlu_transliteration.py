"""Latin-typed copies of Ukrainian and Russian training examples (nlu/transliteration.py)."""
from __future__ import annotations

import pytest

from nlu.transliteration import is_cyrillic, to_latin


@pytest.mark.parametrize("text,language,variant,expected", [
    ("що з моєю справою", "uk", 0, "shcho z moieiu spravoiu"),
    ("що з моєю справою", "uk", 1, "shcho z moyeyu spravoyu"),
    ("як змінити роботу", "uk", 0, "iak zminyty robotu"),
    ("как сменить работу", "ru", 0, "kak smenit rabotu"),
    ("увидимся", "ru", 0, "uvidimsya"),
    ("Привет, есть вопрос", "ru", 0, "Privet, est vopros"),
    ("хочу змінити", "uk", 1, "hochu zminyty"),
])
def test_cyrillic_is_written_the_way_people_type_it_in_latin(text, language, variant, expected):
    assert to_latin(text, language, variant) == expected


def test_the_spelling_variant_is_stable_per_text_and_other_languages_are_left_alone():
    assert to_latin("як справи", "uk") == to_latin("як справи", "uk")
    assert not is_cyrillic(to_latin("щастя і ґанок", "uk"))
    assert to_latin("jak się masz", "pl") == "jak się masz"
