from knowledge.lexical import TextNormalizer


def test_inflections_diacritics_and_transliteration_meet():
    n = TextNormalizer()
    assert n.stems("ponaglenie") == n.stems("Ponaglenia")
    assert n.stems("zgubiłem kartę") == n.stems("zgubilem karte")
    assert n.stems("как сменить работодателя")[-1] == n.stems("kak smenit rabotodatelya")[-1]
    assert n.stems("роботодавця") == n.stems("robotodavtsya")
    assert "cukr" in n.stems("Karta CUKR?") and "pesel" in n.stems("numer PESEL")


def test_odd_input_does_not_fail():
    n = TextNormalizer()
    assert n.stems("") == []
    assert n.stems("🙂🙂") == []
    assert isinstance(n.stems("x" * 60000), list)
