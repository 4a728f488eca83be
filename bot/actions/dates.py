"""Reading dates and periods as people type them (no framework imports).

Numbers (``14.11.2026``, ``14/11/2026``, ``2026-11-14``) are read here; dates with a month's
name in any served language (``14 listopada``, ``1 September 2026``, ``3 жовтня``) and, in a
short message, relative ones (``вчера``, ``два тижні тому``) by ``dateparser``.
"""
from __future__ import annotations

import datetime as dt
import re

import dateparser

from bot.services.legal_stay import Stay

_DATE = re.compile(r"(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})|(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})")
# "14 listopada 2026", "3rd October", "21 de julio de 1988"; and "September 2, 2026"
_WORD_DATE = re.compile(r"(?<![\d.])(\d{1,2})(?:st|nd|rd|th|-?го|-?е)?\s+(?:de\s+|of\s+)?([^\W\d_]{3,})\.?"
                        r"(?:\s+(?:de\s+)?(\d{4}))?", re.UNICODE)
_MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d)")
_PERIOD_SPLIT = re.compile(r"[;,\n]+")
# The served languages first, then those of people who often write in their own.
LANGUAGES = ["pl", "en", "uk", "ru", "be", "es", "pt", "fr", "de", "it", "tr"]
RELATIVE_MAX_WORDS = 5


def _word_date(day: str, month: str, year: str | None, today: dt.date) -> dt.date | None:
    """``day month [year]`` when ``month`` really is a month's name (strict parsing)."""
    parsed = dateparser.parse(f"{day} {month} {year or today.year}", languages=LANGUAGES,
                              settings={"STRICT_PARSING": True, "DATE_ORDER": "DMY"})
    if not parsed or parsed.day != int(day) or parsed.year != int(year or today.year):
        return None   # "2 lata" (two years) is no date
    return parsed.date()


def parse_dates(text: str, today: dt.date | None = None) -> list[dt.date]:
    """Every date in ``text``, in the order written; invalid ones (31 February) skipped."""
    today = today or dt.date.today()
    text = text or ""
    found: list[tuple[int, dt.date]] = []
    for m in _DATE.finditer(text):
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
        try:
            found.append((m.start(), dt.date(int(year), int(month), int(day))))
        except ValueError:
            continue
    for m in _WORD_DATE.finditer(text):
        if any(start <= m.start() < start + 10 for start, _ in found):
            continue
        date = _word_date(m.group(1), m.group(2), m.group(3), today)
        if date:
            found.append((m.start(), date))
    for m in _MONTH_FIRST.finditer(text):
        if any(start - 12 <= m.start() < start + 12 for start, _ in found):
            continue
        date = _word_date(m.group(2), m.group(1), m.group(3), today)
        if date:
            found.append((m.start(), date))
    if not found and 0 < len(text.split()) <= RELATIVE_MAX_WORDS and not re.search(r"\d", text):
        base = dt.datetime.combine(today, dt.time())
        parsed = dateparser.parse(text, languages=LANGUAGES,
                                  settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY"})
        if parsed and parsed.date() != today or (parsed and re.search(r"(?i)today|dzi|сьогодн|сегодн", text)):
            found.append((0, parsed.date()))
    return [date for _, date in sorted(found, key=lambda item: item[0])]


def birth_date_in(text: str, today: dt.date | None = None) -> dt.date | None:
    """The first date in ``text`` that can be a living person's date of birth."""
    today = today or dt.date.today()
    return next((d for d in parse_dates(text, today) if dt.date(today.year - 120, 1, 1) <= d <= today), None)


def parse_stays(text: str) -> list[Stay] | None:
    """Stays written as "from–to" separated by commas or new lines; an open end means still here.
    Parts without a date ("first time in Schengen this year") are words around the dates.

    Returns None when a part with dates cannot be read, or there is no date at all.
    """
    stays = []
    for part in _PERIOD_SPLIT.split(text or ""):
        dates = parse_dates(part)
        if not dates and not any(ch.isdigit() for ch in part):
            continue
        if len(dates) == 1:
            stays.append(Stay(dates[0], None))
        elif len(dates) == 2:
            stays.append(Stay(dates[0], dates[1]))
        else:
            return None
    return stays or None


def parse_period(text: str) -> tuple[dt.date | None, dt.date] | None:
    """A validity period "from–to", or just the end date."""
    dates = parse_dates(text)
    if len(dates) == 1:
        return None, dates[0]
    if len(dates) == 2:
        return min(dates), max(dates)
    return None
