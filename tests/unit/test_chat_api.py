"""The chat API with the app's own client and a stand-in for Rasa."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.rasa_client import RasaUnavailable
from connectors.settings import Settings


class FakeRasa:
    def __init__(self, fail: bool = False):
        self.fail = fail
        self.sent: list[tuple] = []

    async def send(self, sender_id, text, metadata):
        if self.fail:
            raise RasaUnavailable("down")
        self.sent.append((sender_id, text, metadata))
        return [{"recipient_id": sender_id, "text": f"echo: {text}"},
                {"recipient_id": sender_id, "text": "Choose:", "buttons": [{"title": "A", "payload": "/a"}]},
                {"recipient_id": sender_id, "custom": {"type": "sources", "sources": ["https://infoopt.pl/"]}}]

    async def is_ready(self):
        return not self.fail

    async def close(self):
        pass


class IdleKnowledge:
    """Never loads: these tests are about the API, not the search."""
    ready = False
    error = None

    def load(self):
        return False


@pytest.fixture
def make_client(tmp_path):
    def _make(rasa: FakeRasa) -> TestClient:
        app = create_app(Settings(data_dir=tmp_path), rasa=rasa, knowledge=IdleKnowledge())
        return TestClient(app)
    return _make


def test_chat_relays_to_rasa_with_channel_and_language(make_client):
    rasa = FakeRasa()
    with make_client(rasa) as client:
        res = client.post("/api/chat", json={"sender": "abc-1", "message": "  Hello  ", "language": "en"})
    assert res.status_code == 200
    body = res.json()
    assert body["sender"] == "abc-1"
    assert body["messages"][0]["text"] == "echo: Hello"
    assert body["messages"][1]["buttons"] == [{"title": "A", "payload": "/a"}]
    assert body["messages"][2]["custom"]["type"] == "sources"
    (sender, text, metadata), = rasa.sent
    assert (sender, text) == ("web:abc-1", "Hello")
    assert metadata["channel"] == "web" and metadata["language"] == "en"
    assert len(metadata["client"]) == 24 and "testclient" not in metadata["client"]  # hashed, not the address


@pytest.mark.parametrize("payload,status,code", [
    ({"message": "hi"}, 422, "invalid_request"),
    ({"sender": "a"}, 422, "invalid_request"),
    ({"sender": "a", "message": "   "}, 400, "empty_message"),
    ({"sender": "a", "message": "x" * 2001}, 413, "message_too_long"),
    ({"sender": "a", "message": "hi", "language": "de"}, 422, "invalid_language"),
    ({"sender": "<script>", "message": "hi"}, 422, "invalid_request"),
    ({"sender": "a", "message": 42}, 422, "invalid_request"),
])
def test_bad_input_gets_a_clear_json_error(make_client, payload, status, code):
    with make_client(FakeRasa()) as client:
        res = client.post("/api/chat", json=payload)
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
    assert res.json()["error"]["message"]


def test_errors_are_translated(make_client):
    with make_client(FakeRasa()) as client:
        res = client.post("/api/chat", json={"sender": "a", "message": "x" * 2500, "language": "uk"})
    assert res.json()["error"]["message"].startswith("Повідомлення задовге")


def test_non_json_body(make_client):
    with make_client(FakeRasa()) as client:
        res = client.post("/api/chat", content=b"{not json", headers={"Content-Type": "application/json"})
        res2 = client.post("/api/chat", content=b"plain text", headers={"Content-Type": "text/plain"})
    assert res.status_code == 400 and res.json()["error"]["code"] == "invalid_json"
    assert res2.status_code in (400, 422) and "error" in res2.json()


def test_rasa_down_gives_503_in_the_persons_language(make_client):
    with make_client(FakeRasa(fail=True)) as client:
        res = client.post("/api/chat", json={"sender": "a", "message": "Dzień dobry, mam pytanie", "language": "pl"})
        health = client.get("/healthz")
    assert res.status_code == 503
    assert res.json()["error"]["code"] == "assistant_unavailable"
    assert "Asystent" in res.json()["error"]["message"]
    assert health.status_code == 503 and health.json()["parts"]["rasa"]["ready"] is False


def test_page_and_openapi_are_served(make_client):
    with make_client(FakeRasa()) as client:
        page = client.get("/")
        schema = client.get("/openapi.json").json()
    assert page.status_code == 200 and "chat-log" in page.text
    assert "/api/chat" in schema["paths"]
    assert "ChatRequest" in schema["components"]["schemas"]


def test_admin_reload_needs_a_configured_token(tmp_path):
    class Reloadable(IdleKnowledge):
        loads = 0

        def load(self):
            Reloadable.loads += 1
            return True

        @property
        def search(self):
            class S:
                entries = {"a": 1}
            return S()

    off = TestClient(create_app(Settings(data_dir=tmp_path), rasa=FakeRasa(), knowledge=Reloadable()))
    with off as client:
        assert client.post("/admin/knowledge/reload").status_code == 404
    app = create_app(Settings(data_dir=tmp_path, admin_token="s3cret-token"), rasa=FakeRasa(), knowledge=Reloadable())
    with TestClient(app) as client:
        assert client.post("/admin/knowledge/reload", headers={"Authorization": "Bearer nope"}).status_code == 401
        before = Reloadable.loads
        res = client.post("/admin/knowledge/reload", headers={"Authorization": "Bearer s3cret-token"})
        assert res.status_code == 200 and res.json()["reloaded"] is True
        assert Reloadable.loads == before + 1
