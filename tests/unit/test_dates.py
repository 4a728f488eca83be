"""Dates and periods as people type them (bot/actions/dates.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.actions.dates import birth_date_in, parse_dates, parse_period, parse_stays

TODAY = dt.date(2026, 12, 4)
D = dt.date


@pytest.mark.parametrize(("text", "dates"), [
    ("14.11.2026", [D(2026, 11, 14)]),
    ("1988.07.21", [D(1988, 7, 21)]),
    ("2026-11-14", [D(2026, 11, 14)]),
    ("14 listopada", [D(2026, 11, 14)]),
    ("3 жовтня 2026", [D(2026, 10, 3)]),
    ("I came on September 2, 2026", [D(2026, 9, 2)]),
    ("entered 3rd October", [D(2026, 10, 3)]),
    ("naci el 21 de julio de 1988", [D(1988, 7, 21)]),
    ("depuis le 3 octobre 2026", [D(2026, 10, 3)]),
    ("два тижні тому", [D(2026, 11, 20)]),
    ("31.02.2026", []),
    ("karta na 2 lata", []),
    ("mam 3 dzieci", []),
])
def test_dates_in_the_forms_people_type_them(text, dates):
    assert parse_dates(text, TODAY) == dates


def test_a_birth_date_is_a_past_date_of_a_living_person():
    assert birth_date_in("WSC-II-S.6151.1357.2026, ur. 03.02.1995", TODAY) == D(1995, 2, 3)
    assert birth_date_in("15.01.2027", TODAY) is None
    assert birth_date_in("01.01.1850", TODAY) is None


def test_stays_ignore_the_words_around_the_dates():
    stays = parse_stays("i came 2 september 2026, first time in schengen this year")
    assert stays is not None and len(stays) == 1 and stays[0].entry.month == 9 and stays[0].exit is None
    assert parse_stays("first time in schengen") is None


def test_a_period_or_just_its_end():
    assert parse_period("wiza wazna do 15.03.2027") == (None, D(2027, 3, 15))
    assert parse_period("01.01.2026–31.12.2026") == (D(2026, 1, 1), D(2026, 12, 31))
