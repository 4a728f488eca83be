"""Reading dates and periods as people type them (no framework imports)."""
from __future__ import annotations

import datetime as dt
import re

from bot.services.legal_stay import Stay

_DATE = re.compile(r"(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")
_PERIOD_SPLIT = re.compile(r"[;,\n]+")


def parse_dates(text: str) -> list[dt.date]:
    """Every date in ``text`` (dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd); invalid ones skipped."""
    found = []
    for m in _DATE.finditer(text or ""):
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def parse_stays(text: str) -> list[Stay] | None:
    """Stays written as "from–to" separated by commas or new lines; an open end means still here.

    Returns None when a part cannot be read.
    """
    stays = []
    for part in _PERIOD_SPLIT.split(text or ""):
        if not part.strip():
            continue
        dates = parse_dates(part)
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
