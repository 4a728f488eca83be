"""Masking personal data: a table of messages in Polish, English, Ukrainian and Russian."""
from __future__ import annotations

import logging

import pytest

from bot.services.privacy import PersonalDataFilter, hash_identifier, mask_personal_data

EXAMPLES = [
    # Polish
    ("Mój numer sprawy WSC-II-S.6151.12345.2025, data urodzenia 12.05.1990",
     "Mój numer sprawy [CASE], data urodzenia [DATE]"),
    ("sygnatura wsc ii s 6151 12345 2025 i WSC-II-P. 6151.56.2026", "sygnatura [CASE] i [CASE]"),
    ("sprawa 12345/2025, a druga 6151.4412.2025", "sprawa [CASE], a druga [CASE]"),
    ("urodziłam się 3 maja 1988 r., PESEL 88050312345", "urodziłam się [DATE], PESEL [PESEL]"),
    ("paszport nr EK 123456, tel. 600 700 800", "paszport nr [PASSPORT], tel. [PHONE]"),
    ("napisz na jan.kowalski@gmail.com lub +48 600-700-800", "napisz na [EMAIL] lub [PHONE]"),
    ("karta ważna do 05/2027", "karta ważna do [DATE]"),
    # English
    ("I was born on May 12, 1990 and my passport is FA1234567", "I was born on [DATE] and my passport is [PASSPORT]"),
    ("My case 561/2026, call me at +44 7700 900123", "My case [CASE], call me at [PHONE]"),
    ("born 1990-05-12, e-mail: john_doe+visa@example.co.uk", "born [DATE], e-mail: [EMAIL]"),
    ("my visa ends 31/12/26", "my visa ends [DATE]"),
    # Ukrainian
    ("Я народився 12 травня 1990 р., справа WSC-II-S.6151.30077.2025",
     "Я народився [DATE], справа [CASE]"),
    ("мій паспорт FA 123456, телефон +380 67 123 4567", "мій паспорт [PASSPORT], телефон [PHONE]"),
    ("пошта olena@ukr.net, дата 01.02.2003", "пошта [EMAIL], дата [DATE]"),
    # Russian
    ("Я родился 5 мая 1985 г., мой номер +7 912 345-67-89", "Я родился [DATE], мой номер [PHONE]"),
    ("паспорт номер 72 1234567, дело 9034/2025", "паспорт номер [PASSPORT], дело [CASE]"),
    ("ПЕСЕЛЬ 85010112345, почта ivan.petrov@mail.ru", "ПЕСЕЛЬ [PESEL], почта [EMAIL]"),
]

UNCHANGED = [
    "Opłata wynosi 440 zł, a karta 100 zł.",
    "The threshold is 13 355,34 zł gross a month.",
    "Інфолінія INFO.OPT: 12 210 20 20, info line hours 8:00–16:00",
    "Звоните в INFO.OPT: +48 12 210 20 20",
    "Konto: PKO BP 49 1020 2892 2276 3005 0000 0000",
    "Within 15 working days, up to 90 days in any 180, 7 days.",
    "ul. Przy Rondzie 6, 31-547 Kraków",
    "",
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_masks_personal_data(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_leaves_public_and_ordinary_numbers(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(("text", "_"), EXAMPLES)
def test_masking_twice_changes_nothing(text, _):
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


def test_other_bank_account_is_masked():
    assert mask_personal_data("moje konto PL61 1090 1014 0000 0712 1981 2874") == "moje konto [ACCOUNT]"


def test_log_filter_masks_message_arguments_and_exception(caplog):
    logger = logging.getLogger("tests.privacy")
    handler_filter = PersonalDataFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="tests.privacy"):
            logger.info("lookup %s for %s", "WSC-II-S.6151.12345.2025", "jan@example.com")
            try:
                raise ValueError("bad birth date 12.05.1990")
            except ValueError:
                logger.exception("failed for %s", "+48 600 700 800")
    finally:
        caplog.handler.removeFilter(handler_filter)
    first, second = caplog.records
    assert first.getMessage() == "lookup [CASE] for [EMAIL]"
    assert second.getMessage() == "failed for [PHONE]"
    assert "12.05.1990" not in caplog.text and "[DATE]" in second.exc_text
    assert "6151.12345" not in caplog.text


def test_hash_identifier_is_keyed_and_stable():
    a = hash_identifier("telegram:12345", "secret-1")
    assert a == hash_identifier("telegram:12345", "secret-1")
    assert a != hash_identifier("telegram:12345", "secret-2")
    assert "12345" not in a and len(a) == 64
    with pytest.raises(ValueError):
        hash_identifier("x", "")
