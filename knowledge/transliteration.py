"""Back-transliteration of Ukrainian and Russian typed in Latin letters.

Many people write Ukrainian or Russian on a Latin keyboard ("zminyty robotu z PESEL UKR",
"kak prodlit vizu"). The multilingual embedding model understands such text poorly, so the
search also embeds a Cyrillic rendering of it. The rendering only needs to be close enough for
the model: common spellings (KMU 2010, ISO 9 without diacritics, Polish-style "sz"/"cz"/"w")
are folded onto the same letters. Polish official terms in the sentence come out in the
Cyrillic spelling that Ukrainian and Russian writers use for them ("pobyt" → "побит").
"""
from __future__ import annotations

import re

_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_WORD = re.compile(r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż']+")

_POLISH = str.maketrans({"ą": "on", "ć": "ć", "ę": "en", "ł": "l", "ń": "n", "ó": "u", "ś": "s", "ź": "z", "ż": "zh"})
# Longest spellings first; each list maps Latin spellings to one Cyrillic letter (or pair).
_COMMON = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("cz", "ч"),
    ("sh", "ш"), ("sz", "ш"), ("rz", "ж"), ("ć", "ць"),
]
_UKRAINIAN = _COMMON + [
    ("ya", "я"), ("ia", "я"), ("ja", "я"), ("yu", "ю"), ("iu", "ю"), ("ju", "ю"), ("ye", "є"), ("je", "є"),
    ("yi", "ї"), ("ji", "ї"), ("yo", "йо"), ("jo", "йо"), ("ie", "є"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("h", "г"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("y", "и"), ("i", "і"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "ц"),
    ("x", "кс"), ("q", "к"), ("'", "ь"),
]
_RUSSIAN = _COMMON + [
    ("ya", "я"), ("ja", "я"), ("ia", "я"), ("yu", "ю"), ("ju", "ю"), ("iu", "ю"), ("yo", "ё"), ("jo", "ё"),
    ("ye", "е"), ("je", "е"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("h", "х"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("y", "ы"), ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "ц"),
    ("x", "кс"), ("q", "к"), ("'", "ь"),
]
_TABLES = {"uk": _UKRAINIAN, "ru": _RUSSIAN}
# Adjective endings: "tymchasovyi", "novyj", "vremennyj", "inostrannyy", "sinij".
_ENDING = re.compile(r"(yi|yj|yy|ij|iy)$")
_ENDINGS = {"uk": {"yi": "ий", "yj": "ий", "yy": "ий", "ij": "ій", "iy": "ій"},
            "ru": {"yi": "ый", "yj": "ый", "yy": "ый", "ij": "ий", "iy": "ий"}}
# Acronyms and names that stay as they are (PESEL, UKR, CUKR, MOS, ZUS, ...): all capitals.
_KEEP = re.compile(r"^[A-Z]{2,}$")


def looks_transliterated(text: str, language: str | None) -> bool:
    """Ukrainian or Russian (by ``language``) written mostly in Latin letters."""
    if language not in _TABLES:
        return False
    latin, cyrillic = len(_LATIN.findall(text)), len(_CYRILLIC.findall(text))
    return latin >= 4 and latin > 2 * cyrillic


def _word_to_cyrillic(word: str, language: str) -> str:
    if _KEEP.match(word):
        return word
    table = _TABLES[language]
    lower = word.lower().translate(_POLISH)
    ending = ""
    match = _ENDING.search(lower) if len(lower) > 3 else None
    if match:
        ending = _ENDINGS[language][match.group(1)]
        lower = lower[:match.start()]
    out, i = [], 0
    while i < len(lower):
        for latin, cyr in table:
            if lower.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return "".join(out) + ending


def to_cyrillic(text: str, language: str) -> str:
    """``text`` with its Latin words rendered in Cyrillic for ``language`` ("uk" or "ru")."""
    if language not in _TABLES:
        return text
    return _WORD.sub(lambda m: _word_to_cyrillic(m.group(0), language), text)
