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
    ("როგორ შევცვალო დამსაქმებელი?", "en"),     # Georgian: answered in English
])
def test_detects_language_and_reply_language(identifier, text, served):
    assert identifier.detect(text).served == served


def test_unsure_on_tiny_or_empty_text(identifier):
    assert identifier.detect("").served is None
    assert identifier.detect("?!").served is None
    assert identifier.detect("ok").served is None
