import json

import pytest

from connectors.nlu_eval import EVAL_DIR, load_sets, macro_f1


def test_macro_f1():
    assert macro_f1(["a", "a", "b"], ["a", "a", "b"]) == 1.0
    assert macro_f1(["a", "b"], ["b", "a"]) == 0.0
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx((2 / 3 + 0.8) / 2)


def test_held_out_sets_cover_trained_and_unseen_languages():
    sets = load_sets(EVAL_DIR)
    assert {"pl", "en", "uk", "ru", "be", "ka", "hi"} <= set(sets)
    for lang, rows in sets.items():
        assert len(rows) >= 100, lang
        assert all(set(r) == {"text", "intent"} for r in rows)


def test_texts_seen_in_training_are_left_out_of_the_scores():
    from connectors.nlu_eval import held_out
    from connectors.rasa_setup import _normalise_example, handwritten_examples

    trained = set(handwritten_examples())
    sets = held_out(load_sets(EVAL_DIR), trained)
    assert all(_normalise_example(r["text"]) not in trained for rows in sets.values() for r in rows)
    assert all(len(rows) >= 100 for rows in sets.values())
