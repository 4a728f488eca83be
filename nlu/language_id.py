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
# Belarusian, Kazakh, Uzbek, Azerbaijani, Armenian, Georgian, Kyrgyz and Tajik speakers in Poland
# mostly read Russian better than English (evaluation/conversations/FORMAT.md).
CLOSEST_SERVED = {"be": "ru", "kk": "ru", "uz": "ru", "az": "ru", "hy": "ru", "ka": "ru", "ky": "ru", "tg": "ru",
                  "cs": "pl", "sk": "pl"}

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэёъЫЭЁЪ]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_POLISH_LETTER = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
_LATIN_WORD = re.compile(r"[a-z']+")
# Words that give away Ukrainian or Russian typed on a Latin keyboard ("kak pomenyat rabotu",
# "khochu zminyty robotodavtsia"): frequent words spelt the common ways, none of them a word
# of Polish, English or another language we recognise.
_LATIN_TYPED = {
    "ru": frozenset("""kak kakoj kakoy kakie chto shto chtoby mne menya hochu khochu mozhno nuzhno nuzhen nuzhna nado
        skolko pochemu kogda eto eshche esche eshe uzhe spasibo privet pozhaluysta pozhalujsta pojaluysta zdravstvuyte
        zdravstvujte rabotu rabota raboty rabotat rabotodatel rabotodatelya rabotodatelem smenit pomenyat poluchit
        prodlit oformit uznat dela delo moe moego moya moyu svoj svoyu kartu vizu vizy razreshenie razreshenia
        vremennoe vremennogo postoyannoe propiska dokumentov skazhite podskazhite mogu mozhet
        dolzhen nelzya esli ili ochen tolko teper seychas sejchas segodnya vchera zavtra bolshoe dobryj dobriy
        skazhi luchshe zabud zapisatsya proverit gde nahoditsya nakhoditsya inostrancev inostrantsev dejstvuet deystvuet chisla takoe nahozhus nakhozhus polshe nachal nachala rabotayu rabotaju budet gotova gotovo nedeli nedelyu mesyac mesyatsa vremya chem""".split()),
    "uk": frozenset("""yak yakyi yakyj yaki shcho scho shchob meni mene mozhna treba potribno skilky chomu koly tse
        vzhe shche diakuiu dyakuyu dyakuju diakuju pryvit vitayu vitaiu bud laska robotu roboty pratsiuvaty
        pratsyuvaty robotodavtsia robotodavtsya robotodavets robotodavtsem zminyty zminiti otrymaty prodovzhyty
        diznatysia diznatys spravy sprava moia moya moiu moyu svoiu svoyu kartu vizu vyzu dozvil dozvolu
        tymchasove tymchasovyi postiine dokumentiv pidkazhit skazhit mozhu mozhe povynen
        yakshcho duzhe tilky teper sohodni vchora zavtra dobryi dobrogo ukrainy ukraini
        pochav pochala pratsiuiu pratsyuyu bude hotova hotovo tyzhni tyzhniv tyzhden misiats misiatsi chas poky krashche pereviryty znakhodytsia inozemtsiv diie chysla zabuv vydaiut vydayut mozhlyvo""".split()),
}


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

    @staticmethod
    def _latin_typed(text: str) -> str | None:
        """ "uk" or "ru" for a message in Latin letters with words only those languages have."""
        latin = len(_LATIN_LETTER.findall(text))
        if latin < 4 or _POLISH_LETTER.search(text) or latin < 0.8 * len(_LETTER.findall(text)):
            return None
        words = _LATIN_WORD.findall(text.lower())
        hits = {code: sum(word in markers for word in words) for code, markers in _LATIN_TYPED.items()}
        best = max(hits, key=lambda code: hits[code])
        if hits[best] == 0 or hits["uk"] == hits["ru"]:
            return None
        if hits[best] >= 2 or len(words) <= 3:
            return best
        return best if hits[best] * 6 >= len(words) else None

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
        latin_typed = self._latin_typed(text)
        if latin_typed:
            return Detection(latin_typed, 0.85, latin_typed)
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
            # Short Cyrillic without a telling letter ("статус справи"): the likelier of the two
            # ("ок" alone says nothing and keeps the conversation's language)
            cyrillic = [v for v in values if v.language.iso_code_639_1.name.lower() in ("uk", "ru")]
            if cyrillic and len(text.split()) >= 2 and len(letters) >= 6 \
                    and len(_CYRILLIC.findall(text)) * 2 > len(letters):
                guess = cyrillic[0].language.iso_code_639_1.name.lower()
                return Detection(guess, float(cyrillic[0].value), guess)
            return Detection(None, confidence, None)
        served = code if code in SERVED else CLOSEST_SERVED.get(code, "en")
        return Detection(code, confidence, served)
