"""Reading social phrases, wishes to leave and questions out of a message (bot/services/turns.py)."""
from __future__ import annotations

import pytest

from bot.services.turns import asks_about_identity, fold, looks_like_question, read_social, wants_to_stop


def test_fold_drops_latin_accents_but_keeps_cyrillic_letters_apart():
    assert fold("Dziękuję, MIŁEGO dnia!") == "dziekuje milego dnia"
    assert fold("Дякую, їжак й") == "дякую їжак й"


@pytest.mark.parametrize("message, kinds", [
    ("hej", ("greeting",)),
    ("Dzień dobry!", ("greeting",)),
    ("Добрий день", ("greeting",)),
    ("privet", ("greeting",)),
    ("thanks a lot!", ("thanks",)),
    ("spasibo bolshoe", ("thanks",)),
    ("Дякую, до побачення", ("thanks", "farewell")),
    ("ok", ("acknowledge",)),
    ("👍", ("acknowledge",)),
    ("👋", ("greeting",)),
    ("🙏", ("thanks",)),
])
def test_social_only_messages_are_recognised_in_several_languages(message, kinds):
    social = read_social(message)
    assert social.kinds == kinds
    assert social.only_social


def test_a_question_between_social_phrases_is_kept():
    social = read_social("hej, ile kosztuje karta pobytu? i dzieki z gory :)")
    assert social.kinds == ("greeting", "thanks")
    assert social.remainder == "ile kosztuje karta pobytu"
    assert not social.only_social


def test_a_plain_question_has_no_social_kind():
    social = read_social("How long does a residence card take?")
    assert social.kinds == ()
    assert social.remainder == "how long does a residence card take"


@pytest.mark.parametrize("message", ["are you a bot?", "czy rozmawiam z człowiekiem?", "ты живой человек?",
                                     "Is this an automatic chat?"])
def test_identity_questions(message):
    assert asks_about_identity(message)


@pytest.mark.parametrize("message", ["I want to talk to a human", "połącz mnie z człowiekiem",
                                     "Що робити, якщо я втратив роботу, а маю дозвіл на проживання і роботу?",
                                     "How long does a residence card take?"])
def test_a_wish_for_a_person_or_a_question_is_not_an_identity_question(message):
    assert not asks_about_identity(message)


@pytest.mark.parametrize("message", ["stop", "never mind", "forget it", "nieważne", "не треба", "не надо",
                                     "nie mam numeru pod ręką, nieważne"])
def test_wishes_to_leave_a_flow(message):
    assert wants_to_stop(message)


@pytest.mark.parametrize("message", ["14.11.2026", "work permit", "I never stopped working there, I just moved"
                                     " to another city and I want to know what happens to my permit now"])
def test_answers_and_long_messages_are_not_wishes_to_leave(message):
    assert not wants_to_stop(message)


@pytest.mark.parametrize("message, expected", [
    ("wait, is the 15-day deadline in working days?", True),
    ("ile to kosztuje", True),
    ("сколько стоит карта", True),
    ("karta pobytu", False),
    ("14 listopada", False),
])
def test_questions_are_told_from_answers(message, expected):
    assert looks_like_question(message) is expected


def test_social_clauses_are_dropped_before_the_search():
    from bot.services.turns import without_social_clauses

    assert without_social_clauses("Привіт! скільки коштує карта побиту?") == "скільки коштує карта побиту?"
    assert without_social_clauses("hej, ile kosztuje karta pobytu? i dzieki z gory :)") == "ile kosztuje karta pobytu?"
    assert without_social_clauses("ok") == "ok"
