"""Masking personal data in texts and log records, and hashing identifiers.

:func:`mask_personal_data` replaces, in this order:

============  ==================================================================================
``[EMAIL]``   e-mail addresses
``[CASE]``    case numbers: ``WSC-II-S.6151.12345.2025`` and the forms people type (see
              :mod:`bot.services.case_store`), ``6151.12345.2025``, ``12345/2025`` (``05/2025`` counts as a date)
``[ACCOUNT]`` bank account numbers (26 digits, NRB/IBAN, with or without spaces)
``[PESEL]``   11 digits in a row
``[PASSPORT]`` 1–3 letters and 6–9 digits (``FA123456``, ``AB 1234567``), and any code of
              6–10 letters/digits right after a word for passport (paszport, passport, паспорт…)
``[DATE]``    dates with digits (``12.05.1990``, ``1990-05-12``, ``12/05/90``, ``05/2025``) and with
              month names in Polish, English, Ukrainian and Russian (``12 maja 1990``,
              ``May 12, 1990``, ``12 травня 1990``, ``12 мая 1990``)
``[PHONE]``   phone numbers of 9–15 digits, with an optional ``+``/``00`` prefix and spaces,
              dashes, dots or brackets between groups
============  ==================================================================================

It masks more rather than less: a number that looks like one of these is masked even when it
is something else. The office's own public numbers (infoline, card-pickup phone, bank
accounts for fees) are left as they are, so the assistant's answers stay readable.

:class:`PersonalDataFilter` applies the masking to log records (message, arguments,
exception text and stack); attach it to handlers, since filters on a logger do not see
records propagated from child loggers.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Final

__all__ = ["TAGS", "mask_personal_data", "hash_identifier", "PersonalDataFilter"]

TAGS: Final = ("[EMAIL]", "[CASE]", "[ACCOUNT]", "[PESEL]", "[PASSPORT]", "[DATE]", "[PHONE]")

# Published by the office (/work/shared/facts.md): not personal data, kept readable.
_PUBLIC_DIGITS: Final = frozenset({
    "122102020", "48122102020",         # INFO.OPT infoline 12 210 20 20
    "185402341", "48185402341",         # Nowy Sącz card pickup 18 540 23 41
    "49102028922276300500000000",       # Kraków city stamp-duty account (PKO BP)
    "08101012700051222231000000",       # Voivodeship Office account (NBP)
})

_D = r"(?<![\w.\-/])"   # left boundary: not inside a word or a longer number/date
_E = r"(?![\w\-/]|\.\d)"  # right boundary

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
_CASE = re.compile(
    _D + r"(?:"
    r"WSC[\s.\-]*[IVX]+[\s.\-]*[A-Z]{1,3}[\s.\-]*\d{4}[\s.\-]*\d{1,6}[\s.\-]*(?:19|20)\d{2}"
    r"|6151[\s.]+\d{1,6}[\s.]+(?:19|20)\d{2}"
    r"|(?!(?:0?[1-9]|1[0-2])\s?/)\d{1,6}\s?/\s?(?:19|20)\d{2}"  # a month/year is left to dates
    r")" + _E,
    re.IGNORECASE,
)
_ACCOUNT = re.compile(_D + r"(?:PL\s?)?\d{2}(?:\s?\d{4}){6}" + _E, re.IGNORECASE)
_PESEL = re.compile(r"(?<![\d\w])\d{11}(?![\d\w])")
_PASSPORT_WORD = re.compile(
    r"(?P<word>\b(?:paszport\w*|passport\w*|паспорт\w*|пасп\.?)(?:\s+(?:nr|no|number|numer|номер|№|#)\.?)?"
    r"[\s:№#.]*)"
    r"(?P<code>(?=[A-ZА-Я0-9 ]*\d)[A-ZА-ЯІЇЄ0-9]{1,4}\s?[0-9]{4,9})(?![\w])",
    re.IGNORECASE,
)
_PASSPORT = re.compile(r"(?<![\w])[A-Z]{1,3}\s?\d{6,9}(?![\w])")

_MONTHS = (
    # Polish (nominative and genitive), English, Ukrainian and Russian (genitive), short forms.
    r"stycznia|styczeń|lutego|luty|marca|marzec|kwietnia|kwiecień|maja|maj|czerwca|czerwiec|"
    r"lipca|lipiec|sierpnia|sierpień|września|wrzesień|października|październik|listopada|"
    r"listopad|grudnia|grudzień|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
_DATE_NUMERIC = re.compile(
    _D + r"(?:"
    r"\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}"              # 1990-05-12
    r"|\d{1,2}[.\-/]\d{1,2}[.\-/](?:\d{4}|\d{2})"     # 12.05.1990, 12/05/90
    r"|(?:0?[1-9]|1[0-2])[./](?:19|20)\d{2}"          # 05/2025, 5.2025
    r")" + _E
)
_DATE_WORDS = re.compile(
    r"(?<![\w])(?:"
    r"\d{1,2}\.?\s+(?:" + _MONTHS + r")\.?(?:\s+\d{4}(?:\s*(?:r\.|р\.|г\.|года|року|roku))?)?"
    r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r")(?![\w])",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ \-.])"
    r"(?:\+|00)?\(?\d{1,4}\)?(?:[ \-.]?\(?\d{1,4}\)?){2,6}"
    r"(?![\w])(?![ \-.]\d)"
)


def mask_personal_data(text: str) -> str:
    """``text`` with e-mails, case numbers, accounts, PESEL, passport numbers, dates and phone
    numbers replaced by their tag (see the module docstring). Safe to apply twice."""
    if not text:
        return text
    text = _EMAIL.sub("[EMAIL]", text)
    text = _CASE.sub("[CASE]", text)
    text = _ACCOUNT.sub(lambda m: _unless_public(m, "[ACCOUNT]"), text)
    text = _PESEL.sub("[PESEL]", text)
    text = _PASSPORT_WORD.sub(lambda m: m.group("word") + "[PASSPORT]", text)
    text = _PASSPORT.sub("[PASSPORT]", text)
    text = _DATE_NUMERIC.sub("[DATE]", text)
    text = _DATE_WORDS.sub("[DATE]", text)
    text = _PHONE.sub(_phone, text)
    return text


def hash_identifier(value: str, secret: str | bytes) -> str:
    """A keyed hash (HMAC-SHA256, hex) of an identifier such as a sender id or an address,
    so that it can be matched later without being stored."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("hash_identifier needs a non-empty secret")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks personal data in every record it sees (it never drops one).

    Example::

        handler = logging.StreamHandler()
        handler.addFilter(PersonalDataFilter())
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


def _unless_public(match: re.Match[str], tag: str) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return match.group(0) if digits in _PUBLIC_DIGITS else tag


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 9 <= len(digits) <= 15:
        return match.group(0)
    return match.group(0) if digits in _PUBLIC_DIGITS else "[PHONE]"
