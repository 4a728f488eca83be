"""Language identification tuned for short chat messages (no Rasa imports).

Served languages are answered in; other common languages of foreigners in Poland are
recognised so the assistant can say which language it answers in.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

SERVED = ("pl", "en", "uk", "ru")
# Languages recognised but not served: the reply goes out in the closest served language.
RECOGNISED = ("be", "ka", "hi", "hy", "kk", "tr", "vi", "de", "es", "fr", "it", "pt", "uz", "az", "cs", "sk", "ro", "lt")
CLOSEST_SERVED = {"be": "ru", "kk": "ru", "uz": "ru", "az": "ru", "hy": "ru", "ka": "en", "cs": "pl", "sk": "pl"}

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэёъЫЭЁЪ]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Detection:
    """What a text is written in: ``language`` (ISO 639-1, or None), ``confidence`` and ``served`` reply language."""

    language: str | None
    confidence: float
    served: str | None


class LanguageIdentifier:
    """Detects the language of short texts with lingua, restricted to the languages we expect."""

    def __init__(self, min_confidence: float = 0.6, preload: bool = True) -> None:
        self.min_confidence = min_confidence
        self.preload = preload
        self._detector = None
        self._lock = threading.Lock()

    def _loaded(self):
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from lingua import IsoCode639_1, LanguageDetectorBuilder

                    codes = [getattr(IsoCode639_1, c.upper()) for c in SERVED + RECOGNISED if hasattr(IsoCode639_1, c.upper())]
                    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
                    if self.preload:
                        builder = builder.with_preloaded_language_models()
                    self._detector = builder.build()
        return self._detector

    def warm_up(self) -> None:
        self._loaded()

    def detect(self, text: str) -> Detection:
        """Detect the language of ``text``; returns ``Detection(None, 0, None)`` when unsure."""
        letters = _LETTER.findall(text or "")
        if len(letters) < 2:
            return Detection(None, 0.0, None)
        if _UKRAINIAN_ONLY.search(text) and not _RUSSIAN_ONLY.search(text):
            hint = "uk"
        elif _RUSSIAN_ONLY.search(text) and not _UKRAINIAN_ONLY.search(text):
            hint = "ru"
        else:
            hint = None
        values = self._loaded().compute_language_confidence_values(text[:1000])
        if not values:
            return Detection(hint, 0.9 if hint else 0.0, hint)
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        confidence = float(best.value)
        if hint and code not in {"uk", "ru", "be"}:
            code, confidence = hint, 0.9
        elif hint and code in {"uk", "ru"} and code != hint:
            code, confidence = hint, max(confidence, 0.7)
        short = len(letters) < 8 and len(text.split()) < 2
        threshold = self.min_confidence + (0.25 if short else 0.0)
        if confidence < threshold:
            return Detection(None, confidence, None)
        served = code if code in SERVED else CLOSEST_SERVED.get(code, "en")
        return Detection(code, confidence, served)
