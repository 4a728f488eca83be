"""The first screen (connectors/welcome.py) and its API."""
from __future__ import annotations

import json

import pytest
import yaml
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.settings import PROJECT_ROOT, Settings
from connectors.welcome import LANGUAGES, _content, welcome

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_welcome_in_each_language_with_four_to_six_suggestions(language):
    shown = welcome(language)
    assert shown.language == language and shown.text and "12 210 20 20" in shown.note
    assert 4 <= len(shown.suggestions) <= 6
    assert all(s.title and s.payload.startswith("/") for s in shown.suggestions)


def test_an_unserved_language_gets_english():
    assert welcome("es") == welcome("en")
    assert welcome(None).language == "en"


def test_every_suggestion_opens_an_existing_entry_or_flow():
    entries = {p.stem for p in (PROJECT_ROOT / "knowledge" / "entries").glob("*.yml")}
    for item in _content()["suggestions"]:
        assert set(item["title"]) == set(LANGUAGES)
        if "entry" in item:
            assert item["entry"] in entries
            assert welcome("en").suggestions[_content()["suggestions"].index(item)].payload == \
                "/choose_entry" + json.dumps({"entry_id": item["entry"]}, separators=(",", ":"))
        else:
            assert item["intent"] in DOMAIN["intents"]


def test_the_api_serves_the_first_screen(tmp_path):
    from tests.unit.test_chat_api import FakeRasa, IdleKnowledge

    app = create_app(Settings(data_dir=tmp_path, knowledge_watch_seconds=0), rasa=FakeRasa(), knowledge=IdleKnowledge())
    with TestClient(app) as client:
        reply = client.get("/api/welcome", params={"language": "uk"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["language"] == "uk" and body["text"] == welcome("uk").text
    assert [b["payload"] for b in body["suggestions"]] == [s.payload for s in welcome("uk").suggestions]
