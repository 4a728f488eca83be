"""The action endpoint runs actions for Rasa only: the shared secret and a JSON body, nothing else."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.settings import Settings
from tests.unit.test_chat_api import FakeRasa, IdleKnowledge

SECRET = "s3cret-shared-with-rasa"
CALL = {"next_action": "action_switch_language", "sender_id": "web:x", "version": "3.6.21",
        "tracker": {"sender_id": "web:x", "slots": {"language": "pl"}, "latest_message": {"text": "po angielsku", "intent": {}},
                    "events": [], "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None},
        "domain": {"responses": {"utter_language_switched": [{"text": "All right, I'll continue in English."}]}}}


@pytest.fixture
def client(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, action_secret=SECRET, knowledge_watch_seconds=0),
                     rasa=FakeRasa(), knowledge=IdleKnowledge())
    with TestClient(app) as test_client:
        yield test_client


def test_rasa_with_the_secret_runs_the_action(client):
    res = client.post("/webhook", json=CALL, headers={"Authorization": f"Bearer {SECRET}"})
    assert res.status_code == 200
    assert res.json()["events"][0] == {"event": "slot", "timestamp": None, "name": "language", "value": "en"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET},
                                     {"Authorization": f"Basic {SECRET}"}, {"X-Token": SECRET}])
def test_any_other_caller_is_refused_before_an_action_runs(client, headers):
    res = client.post("/webhook", json=CALL, headers=headers)
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == "Bearer"
    assert "events" not in res.json()


def test_a_cross_site_form_post_is_refused(client):
    """A browser form can send text/plain without a preflight; even with the secret it is refused."""
    import json

    res = client.post("/webhook", content=json.dumps(CALL), headers={"Authorization": f"Bearer {SECRET}",
                                                                     "Content-Type": "text/plain"})
    assert res.status_code == 415


def test_without_a_configured_secret_the_endpoint_is_closed(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, knowledge_watch_seconds=0), rasa=FakeRasa(), knowledge=IdleKnowledge())
    with TestClient(app) as client:
        assert client.post("/webhook", json=CALL, headers={"Authorization": "Bearer "}).status_code == 401


def test_chat_messages_reach_rasa_with_signed_metadata():
    """The app signs the client it saw; the actions trust it only for this conversation."""
    import asyncio
    import json

    import httpx

    from bot.services.message_auth import UNVERIFIED_CLIENT, trusted_client
    from connectors.rasa_client import RasaClient

    sent = []

    def rasa(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=[])

    client = RasaClient("http://rasa", client=httpx.AsyncClient(transport=httpx.MockTransport(rasa)), message_secret=SECRET)
    asyncio.run(client.send("web:abc", "hej", {"channel": "web", "client": "k1"}))
    metadata = sent[0]["metadata"]
    assert trusted_client(SECRET, "web:abc", metadata) == "k1"
    assert trusted_client(SECRET, "web:someone-else", metadata) == UNVERIFIED_CLIENT


def test_rasa_is_configured_to_send_the_secret_from_its_environment(tmp_path):
    """endpoints.yml names the variable; the secret itself never lands on disk."""
    import yaml

    from connectors.rasa_setup import write_runtime_config

    endpoints, _ = write_runtime_config(Settings(data_dir=tmp_path, action_secret=SECRET))
    config = yaml.safe_load(endpoints.read_text())
    assert config["action_endpoint"]["headers"] == {"Authorization": "Bearer ${INFOLINE_ACTION_SECRET}"}
    assert SECRET not in endpoints.read_text()
