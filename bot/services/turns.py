"""Reading a message before it is searched: social phrases (greetings, thanks, goodbyes, "ok",
emoji, "are you a bot?"), a wish to leave a flow, and whether it asks something. Plain functions
over the phrase lists in ``bot/social.yml``; no framework imports.

Example::

    >>> read_social("hej, ile kosztuje karta pobytu? i dzieki z gory :)").kinds
    ('greeting', 'thanks')
    >>> read_social("hej, ile kosztuje karta pobytu? i dzieki z gory :)").remainder
    'ile kosztuje karta pobytu'
    >>> read_social("Dziękuję, miłego dnia!").kinds, read_social("Dziękuję, miłego dnia!").remainder
    (('thanks', 'farewell'), '')
    >>> wants_to_stop("nie mam numeru pod ręką, nieważne")
    True
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SOCIAL_FILE = Path(__file__).resolve().parents[1] / "social.yml"
SOCIAL_KINDS = ("greeting", "thanks", "farewell", "acknowledge")
# Words that add nothing to a social message ("thank you *very much for the* answer").
_GLUE = frozenset("""and i a also so very much for the your you all z gory za wszystko za pomoc bardzo serdecznie
    please prosze pls plz pani panie again once more the answer odpowiedz informacje info help pomoc
    и і та й а очень дуже за помощь допомогу пожалуйста будь ласка ласка заранее заздалегідь вам тобі тебе вас
    lot many big wielkie wielki much bolshoe bolshoye большое велике дуже then now well ну ладно вот
    lol haha hahaha jaja jajaja xd хаха ахах хах ah oh ой ох eh kkk kkkk kkkkk rs""".split())
_FOLDED_LETTERS = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d", "ı": "i", "’": "'", "`": "'"})
_TAG = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
_EMOJI_GREETING = "👋"
_EMOJI_THANKS = "🙏"
_LONGEST_PHRASE = 5


def fold(text: str) -> str:
    """Lower case, accents dropped (Cyrillic й/ї kept apart from и/і), punctuation and HTML tags as spaces."""
    text = _TAG.sub(" ", text).casefold().translate(_FOLDED_LETTERS)
    kept = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and "a" <= kept[-1] <= "z":
            continue   # Latin accents only; Cyrillic breve and diaeresis stay
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(re.sub(r"[^\w']+", " ", text).replace("'", " ").split())


@lru_cache
def _phrases() -> dict[str, object]:
    raw = yaml.safe_load(SOCIAL_FILE.read_text(encoding="utf-8")) or {}
    phrases: dict[str, object] = {kind: {tuple(fold(p).split()) for p in values if fold(p)} for kind, values in raw.items()}
    phrases["identity_stems"] = {fold(p) for p in raw.get("identity_words", []) if str(p).endswith("*")}
    phrases["identity_words"] = {tuple(fold(p).split()) for p in raw.get("identity_words", []) if not str(p).endswith("*")}
    return phrases


def _lists(kind: str) -> set[tuple[str, ...]]:
    return _phrases().get(kind, set())  # type: ignore[return-value]


@dataclass(frozen=True)
class Social:
    """The social phrases found at the edges of a message and what is left between them."""

    kinds: tuple[str, ...]
    remainder: str

    @property
    def only_social(self) -> bool:
        return bool(self.kinds) and not self.remainder


def _match_at(words: list[str], start: int, kinds: tuple[str, ...]) -> tuple[str, int] | None:
    for length in range(min(_LONGEST_PHRASE, len(words) - start), 0, -1):
        piece = tuple(words[start:start + length])
        for kind in kinds:
            if piece in _lists(kind):
                return kind, length
    return None


def read_social(text: str) -> Social:
    """Strip greetings, fillers, thanks, goodbyes and "ok"s from both ends of ``text``."""
    if not re.search(r"\w", text):
        # only emoji or punctuation
        if _EMOJI_GREETING in text:
            return Social(("greeting",), "")
        if _EMOJI_THANKS in text or "❤" in text:
            return Social(("thanks",), "")
        return Social(("acknowledge",), "") if text.strip() else Social((), "")
    # Keep the sentence breaks: a question in the middle survives, social sentences around it go.
    sentences = [fold(s) for s in re.split(r"[.!?;\n]+|,\s|\s-\s|\s–\s|:\)|:\(|\)\)", text)]
    kinds: list[str] = []
    kept: list[str] = []
    searchable = SOCIAL_KINDS + ("greeting_fillers",)
    for sentence in sentences:
        words = sentence.split()
        while words:
            found = _match_at(words, 0, searchable)
            if found:
                kinds.append(found[0])
                words = words[found[1]:]
            elif words[0] in _GLUE:
                words = words[1:]
            else:
                break
        while words:
            for length in range(min(_LONGEST_PHRASE, len(words)), 0, -1):
                found = _match_at(words, len(words) - length, searchable)
                if found and found[1] == length:
                    kinds.append(found[0])
                    words = words[:-length]
                    break
            else:
                if words[-1] in _GLUE:
                    words = words[:-1]
                    continue
                break
        if words:
            kept.append(" ".join(words))
    distinct = tuple(dict.fromkeys(k for k in kinds if k != "greeting_fillers"))
    if not distinct and "greeting_fillers" in kinds:
        distinct = ("greeting",)
    return Social(distinct, " ".join(kept))


def asks_about_identity(text: str) -> bool:
    """ "Are you a bot?", "czy piszę z człowiekiem?", "ты живой человек?": not "I want a person"."""
    folded = fold(text)
    words = folded.split()
    if not words or len(words) > 14:
        return False
    padded = f" {folded} "
    stems = _phrases()["identity_stems"]
    if not any(f" {' '.join(w)} " in padded for w in _lists("identity_words")) \
            and not any(word.startswith(stem) for word in words for stem in stems):  # type: ignore[union-attr]
        return False
    if any(f" {' '.join(w)} " in padded for w in _lists("handoff_words")):
        return False
    # "is the baby covered automatically?" is no question about the assistant: a cue, or a short question
    asked = any(mark in text for mark in "?¿؟")
    return any(f" {' '.join(w)} " in padded for w in _lists("identity_cues")) or (asked and len(words) <= 5)


def _has_stop_phrase(folded: str, clause: bool = False) -> bool:
    """A stop phrase in ``folded``; in a clause of a longer message a one-word phrase ("stop",
    "нехай") counts only when the clause is at most two words ("нехай роботодавець подасть" is no exit)."""
    padded = f" {folded} "
    short = len(folded.split()) <= (2 if clause else 4)
    return any(f" {' '.join(p)} " in padded and (not clause or len(p) > 1 or short) for p in _lists("stop"))


def wants_to_stop(text: str) -> bool:
    """A short message saying to leave the current flow ("stop", "nieważne", "не надо")."""
    return leave_and_rest(text)[0]


def leave_and_rest(text: str) -> tuple[bool, str]:
    """Whether ``text`` says to leave the current flow, and what it asks besides: "laisse tomber.
    comment faire appel d'un refus ?" leaves and asks about an appeal. A stop phrase counts in a
    short message, or as a short first sentence; "is there no need for a permit?" is a question."""
    folded = fold(text)
    if not folded:
        return False, ""
    clauses = re.split(r"(?<=[.!;,،])\s+|\s+-\s+|\n+", text.strip())
    for number, clause in enumerate(clauses[:3]):
        words = fold(clause).split()
        if len(clauses) > 1 and len(words) <= 5 and _has_stop_phrase(" ".join(words), clause=True):
            return True, " ".join(clauses[number + 1:]).strip()
    if len(folded.split()) > 10 or not _has_stop_phrase(folded, clause=len(folded.split()) > 4):
        return False, ""
    if looks_like_question(text) and not any(folded.startswith(" ".join(p)) for p in _lists("stop")):
        return False, ""
    return True, ""


def looks_like_question(text: str) -> bool:
    """A question mark, or a first word that opens questions."""
    if "?" in text or "¿" in text or "؟" in text:
        return True
    words = fold(text).split()
    return bool(words) and (words[0],) in _lists("question_words") and len(words) >= 3


def opens_question(text: str) -> bool:
    """Whether ``text`` starts with a word that opens questions ("co z dziećmi", "and when")."""
    words = [w for w in fold(text).split() if w not in ("a", "i", "and", "и", "і", "а", "y", "e", "et", "und")]
    return bool(words) and (words[0],) in _lists("question_words")


def wants_person(text: str) -> bool:
    """A request to talk to a consultant ("can you connect me with a person?", "dajcie mi
    człowieka", "можно поговорить с консультантом?"), in a message of any length."""
    padded = f" {fold(text)} "
    return any(f" {' '.join(w)} " in padded for w in _lists("handoff_words")) \
        and any(f" {' '.join(w)} " in padded for w in _lists("person_words"))


def without_social_clauses(text: str) -> str:
    """``text`` without its purely social leading and trailing clauses, as typed: "Привіт! скільки
    коштує карта побиту? Дякую" -> "скільки коштує карта побиту?" (the search reads the rest)."""
    clauses = [c for c in re.split(r"(?<=[.!?;,])\s+|\n+", text.strip()) if c.strip()]
    while len(clauses) > 1 and read_social(clauses[0]).only_social:
        clauses.pop(0)
    while len(clauses) > 1 and read_social(clauses[-1]).only_social:
        clauses.pop()
    return " ".join(clauses) if clauses else text
