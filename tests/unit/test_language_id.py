import pytest

from nlu.language_id import LanguageIdentifier


@pytest.fixture(scope="module")
def identifier():
    return LanguageIdentifier()


@pytest.mark.parametrize("text,served", [
    ("Jak zmienić pracodawcę mając kartę pobytu?", "pl"),
    ("How do I change my employer on a single permit?", "en"),
    ("Як змінити роботодавця, якщо маю карту побиту?", "uk"),
    ("Как сменить работодателя, если у меня карта побыту?", "ru"),
    ("Як змяніць працадаўцу?", "ru"),          # Belarusian: answered in Russian
    ("როგორ შევცვალო დამსაქმებელი?", "ru"),     # Georgian: answered in Russian
])
def test_detects_language_and_reply_language(identifier, text, served):
    assert identifier.detect(text).served == served


def test_unsure_on_tiny_or_empty_text(identifier):
    assert identifier.detect("").served is None
    assert identifier.detect("?!").served is None
    assert identifier.detect("ok").served is None


@pytest.mark.parametrize(("text", "language"), [
    ("kak pomenyat rabotodatelya", "ru"),
    ("net eshche ne nachal", "ru"),
    ("khochu zminyty robotodavtsia", "uk"),
    ("a poky ne zabuv: de vydaiut karty pobytu v krakovi?", "uk"),
])
def test_latin_typed_ukrainian_and_russian(identifier, text, language):
    assert identifier.detect(text).served == language


@pytest.mark.parametrize("text", ["karty pobytu", "zaraz wracam", "I have a pobyt card and a PESEL, what now?"])
def test_polish_words_in_latin_are_not_taken_for_ukrainian_or_russian(identifier, text):
    assert identifier.detect(text).served in (None, "pl", "en")
