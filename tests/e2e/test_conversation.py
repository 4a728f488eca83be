"""End-to-end conversations through the real Rasa server and the real app."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.slow

GREETING = {"pl": "Dzień dobry", "en": "Hello", "uk": "Вітаю", "ru": "Здравствуйте"}
CAPABILITIES = {"pl": "Odpowiadam", "en": "I can answer", "uk": "Я відповідаю", "ru": "Я отвечаю"}
GOODBYE = {"pl": "Do widzenia", "en": "Goodbye", "uk": "До побачення", "ru": "До свидания"}
QUESTIONS = {
    "pl": ("Gdzie odebrać kartę pobytu w Krakowie?", {"residence-card-pickup"}),
    "en": ("I lost my residence card, what should I do?", {"residence-card-lost-or-changed"}),
    "uk": ("Що робити, якщо я втратив роботу, а маю дозвіл на проживання і роботу?", {"job-loss-with-single-permit"}),
    "ru": ("Что делать, если я потерял карту побыту?", {"residence-card-lost-or-changed"}),
}
GREET_TEXT = {"pl": "Dzień dobry", "en": "Hello", "uk": "Добрий день", "ru": "Добрый день"}
CAPABILITIES_TEXT = {"pl": "W czym możesz mi pomóc?", "en": "What can you do?", "uk": "Чим ти можеш допомогти?", "ru": "Чем ты можешь помочь?"}
BYE_TEXT = {"pl": "ok, do widzenia", "en": "ok, goodbye then", "uk": "ну все, бувайте", "ru": "ладно, пока"}


def _texts(reply: dict) -> str:
    return "\n".join(m["text"] or "" for m in reply["messages"])


def _sources(reply: dict) -> list[dict]:
    return [m["custom"] for m in reply["messages"] if m.get("custom") and m["custom"].get("type") == "sources"]


@pytest.mark.parametrize("lang", ["pl", "en", "uk", "ru"])
def test_short_conversation_in_each_language(assistant, lang):
    sender = f"e2e-{lang}-{uuid.uuid4().hex[:8]}"
    assert GREETING[lang] in _texts(assistant.chat(sender, GREET_TEXT[lang], lang))
    assert CAPABILITIES[lang] in _texts(assistant.chat(sender, CAPABILITIES_TEXT[lang], lang))

    question, expected = QUESTIONS[lang]
    reply = assistant.chat(sender, question, lang)
    sources = _sources(reply)
    if sources:
        assert sources[0]["entry_id"] in expected
        assert sources[0]["language"] == lang
        assert all(url.startswith("https://") for url in sources[0]["sources"])
        assert sources[0]["checked"]
    else:  # a clarification must offer the expected entry among its choices
        wanted = {f'/choose_entry{{"entry_id":"{e}"}}' for e in expected}
        chosen = next((b for m in reply["messages"] for b in m["buttons"] if b["payload"] in wanted), None)
        assert chosen is not None, reply
        assert _sources(assistant.chat(sender, chosen["payload"], lang))[0]["entry_id"] in expected

    assert GOODBYE[lang] in _texts(assistant.chat(sender, BYE_TEXT[lang], lang))


@pytest.mark.parametrize("text,lang,marker", [
    ("Dzień dobry wszystkim", "pl", "Dzień dobry"),
    ("Добрий день, у мене питання", "uk", "Вітаю"),
    ("Здравствуйте, у меня вопрос", "ru", "Здравствуйте"),
])
def test_reply_follows_the_language_written_in(assistant, text, lang, marker):
    reply = assistant.chat(f"e2e-detect-{uuid.uuid4().hex[:8]}", text)
    assert marker in _texts(reply)


def test_out_of_scope_question_is_declined_with_the_infoline(assistant):
    reply = assistant.chat(f"e2e-oos-{uuid.uuid4().hex[:8]}", "What is the best pizza place in Kraków?", "en")
    assert "12 210 20 20" in _texts(reply)
    assert not _sources(reply)


def test_question_for_another_institution_names_who_handles_it(assistant):
    reply = assistant.chat(f"e2e-refer-{uuid.uuid4().hex[:8]}", "як оформити 800 плюс на дитину через ZUS?", "uk")
    texts = _texts(reply)
    assert "12 210 20 20" in texts and "ZUS" in texts.split("12 210 20 20")[-1]
    assert not _sources(reply)


def test_health_reports_every_part_ready(assistant):
    health = assistant.client.get("/healthz").json()
    assert health["ready"] is True
    assert set(health["parts"]) == {"app", "knowledge", "rasa"}
    assert health["parts"]["knowledge"]["entries"] >= 80


def test_html_in_a_message_comes_back_as_plain_data(assistant):
    res = assistant.client.post("/api/chat", json={"sender": "e2e-xss", "message": "<script>alert(1)</script> pobyt"})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/json")


def test_the_language_written_in_wins_over_the_chosen_one_and_a_short_reply_keeps_it(assistant):
    """A Ukrainian who chose Polish writes Ukrainian: answered in Ukrainian; then "ок" stays in Ukrainian."""
    sender = f"e2e-written-{uuid.uuid4().hex[:8]}"
    reply = assistant.chat(sender, "Скільки коштує карта побиту для роботи?", "pl")
    assert _sources(reply)[0]["language"] == "uk"
    assert "допомог" in _texts(assistant.chat(sender, "ок"))   # Ukrainian, not the chosen Polish
