"""Lexical matching on spaCy-normalised text.

Text is tokenised with spaCy's language-aware tokenizer, reduced to lemmas where pymorphy3
knows the word (Ukrainian, Russian), stripped of accents, transliterated from Cyrillic to Latin
and cut to a stem prefix. People type "ponaglenie", "ponaglenia" or "kak smenit rabotodatelya":
each lands on the same stems as the curated text, and exact terms such as "CUKR" or "PESEL"
stay intact.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

STEM_LENGTH = 6
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_WORD = re.compile(r"\w", re.UNICODE)
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "c", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
})
# Latin spellings people use for the same Cyrillic sounds, folded to one form.
_LATIN_FOLD = (("shch", "sh"), ("kh", "h"), ("ts", "c"), ("ja", "ya"), ("ju", "yu"), ("ia", "ya"), ("iu", "yu"), ("w", "v"), ("j", "i"))


def strip_accents(text: str) -> str:
    """Remove combining marks and fold Polish ł, which has no decomposition."""
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_latin(token: str) -> str:
    for src, dst in _LATIN_FOLD:
        token = token.replace(src, dst)
    return token


class TextNormalizer:
    """Turns text into normalised stems for lexical matching.

    >>> TextNormalizer().stems("Ponaglenia w sprawie CUKR?")
    ['ponagl', 'v', 'spravi', 'cukr']
    """

    def __init__(self, stem_length: int = STEM_LENGTH) -> None:
        self.stem_length = stem_length
        self._tokenizers: dict[str, object] = {}
        self._morph: dict[str, object | None] = {}
        self._lock = threading.Lock()

    def _tokenizer(self, language: str):
        with self._lock:
            if language not in self._tokenizers:
                import spacy

                self._tokenizers[language] = spacy.blank(language).tokenizer
            return self._tokenizers[language]

    def _analyzer(self, language: str):
        with self._lock:
            if language not in self._morph:
                try:
                    import pymorphy3

                    self._morph[language] = pymorphy3.MorphAnalyzer(lang=language)
                except Exception:  # dictionaries missing: fall back to stems only
                    self._morph[language] = None
            return self._morph[language]

    @staticmethod
    def guess_script_language(text: str) -> str:
        if _CYRILLIC.search(text):
            return "uk" if _UKRAINIAN_LETTERS.search(text) else "ru"
        return "pl"

    def tokens(self, text: str, language: str | None = None) -> list[str]:
        """Word tokens (lower-cased, lemmatised where possible), punctuation dropped."""
        lang = language if language in {"pl", "en", "uk", "ru"} else self.guess_script_language(text)
        words = [t.text for t in self._tokenizer(lang)(text) if _WORD.search(t.text)]
        result = []
        for word in words:
            lower = word.lower()
            if _CYRILLIC.search(lower):
                lemma_lang = "uk" if (lang == "uk" or _UKRAINIAN_LETTERS.search(lower)) else "ru"
                lower = _lemma(self._analyzer(lemma_lang), lower)
            result.append(lower)
        return result

    def stems(self, text: str, language: str | None = None) -> list[str]:
        """Normalised stems: accents stripped, Cyrillic transliterated, prefix-cut."""
        stems = []
        for token in self.tokens(text, language):
            latin = _fold_latin(strip_accents(token.translate(_TRANSLIT)))
            latin = re.sub(r"[^\w]", "", latin)
            latin = latin.replace("y", "i")
            if latin:
                stems.append(latin[: self.stem_length])
        return stems


def _lemma(analyzer, word: str) -> str:
    if analyzer is None:
        return word
    return _lemma_cached(analyzer, word)


@lru_cache(maxsize=65536)
def _lemma_cached(analyzer, word: str) -> str:
    return analyzer.parse(word)[0].normal_form
