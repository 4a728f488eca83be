import datetime as dt

import pytest

from bot.actions.choices import recognise
from bot.actions.dates import parse_dates, parse_period, parse_stays
from bot.services.employer_change import HOLDERS
from bot.services.legal_stay import BASES


@pytest.mark.parametrize("text,dates", [
    ("01.03.2026", [dt.date(2026, 3, 1)]),
    ("1/3/2026 - 2026-04-15", [dt.date(2026, 3, 1), dt.date(2026, 4, 15)]),
    ("31.02.2026", []),
    ("no dates here", []),
])
def test_parse_dates(text, dates):
    assert parse_dates(text) == dates


def test_parse_stays_open_and_closed():
    stays = parse_stays("01.03.2026–15.04.2026, 01.06.2026–")
    assert [(s.entry, s.exit) for s in stays] == [(dt.date(2026, 3, 1), dt.date(2026, 4, 15)), (dt.date(2026, 6, 1), None)]
    assert parse_stays("maybe in march") is None
    assert parse_stays("") is None


def test_parse_period():
    assert parse_period("31.12.2026") == (None, dt.date(2026, 12, 31))
    assert parse_period("31.12.2026 - 01.01.2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert parse_period("soon") is None


@pytest.mark.parametrize("kind,text,allowed,code", [
    ("holder_type", "single_permit", HOLDERS, "single_permit"),
    ("holder_type", "mam oświadczenie o powierzeniu pracy", HOLDERS, "declaration"),
    ("holder_type", "у меня статус УКР", HOLDERS, "ukr_special_act"),
    ("holder_type", "no idea", HOLDERS, None),
    ("stay_basis", "I came visa-free with a biometric passport", BASES, "visa_free"),
    ("stay_basis", "mam kartę pobytu", BASES, "residence_card"),
    ("stay_basis", "banana", BASES, None),
])
def test_recognise_choices(kind, text, allowed, code):
    assert recognise(kind, text, allowed) == code


@pytest.mark.parametrize("value,yes,no", [("Tak!", True, False), ("да", True, False), ("not yet", False, True),
                                          ("ще ні.", False, True), ("maybe", False, False)])
def test_yes_no_answers(value, yes, no):
    from bot.actions.common import is_no, is_yes

    assert (is_yes(value), is_no(value)) == (yes, no)
