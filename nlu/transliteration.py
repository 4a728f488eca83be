"""Ukrainian and Russian written in Latin letters, the way people type them (no Rasa imports).

Used to teach the NLU what Latin-typed messages look like ("shcho z moieiu spravoiu",
"kak smenit rabotu"): training examples written in Cyrillic get a Latin copy. People do not
follow one standard, so each copy picks, per example, between the common spellings of the
letters that vary (х: kh/h, ц: ts/c, я: ia/ya, ...).
"""
from __future__ import annotations

import hashlib
import re

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_SHARED = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ч": "ch", "ш": "sh",
    "ь": "", "ъ": "", "'": "", "’": "",
}
_UKRAINIAN = {**_SHARED, "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i", "й": "i", "є": "ie", "ю": "iu", "я": "ia",
              "х": "kh", "ц": "ts", "щ": "shch"}
_RUSSIAN = {**_SHARED, "г": "g", "и": "i", "й": "j", "ы": "y", "э": "e", "ё": "e", "ю": "yu", "я": "ya",
            "х": "kh", "ц": "ts", "щ": "sch"}
# Spellings people use as often as the ones above; one set is chosen per example.
_VARIANTS = {
    "uk": {"х": "h", "ц": "c", "є": "ye", "ю": "yu", "я": "ya", "ї": "yi", "й": "y"},
    "ru": {"х": "h", "ц": "c", "й": "y", "щ": "shch", "ю": "ju", "я": "ja"},
}
_TABLES = {"uk": _UKRAINIAN, "ru": _RUSSIAN}


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def to_latin(text: str, language: str, variant: int | None = None) -> str:
    """``text`` in Latin letters as a Ukrainian (``uk``) or Russian (``ru``) writer would type it.

    ``variant`` 0 uses the main spellings, 1 the alternative ones; None picks by the text's hash.
    """
    table = _TABLES.get(language)
    if table is None:
        return text
    if variant is None:
        variant = hashlib.sha1(text.encode("utf-8")).digest()[0] % 2
    if variant:
        table = {**table, **_VARIANTS[language]}
    out = []
    for ch in text:
        lower = ch.lower()
        latin = table.get(lower)
        if latin is None:
            out.append(ch)
        else:
            out.append(latin.capitalize() if ch != lower and latin else latin)
    return "".join(out)
