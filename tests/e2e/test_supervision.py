"""Crashes survived: the real launcher (`infoline run`) restarts a killed Rasa or app and keeps the
other running; while Rasa is down the chat answers questions from the knowledge base and refuses
the rest at once; conversations go on after the restart where they were."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from bot.texts import text
from connectors.i18n import translate
from connectors.settings import PROJECT_ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.slow


class Launched:
    def __init__(self, data_dir, port: int, rasa_port: int) -> None:
        self.data_dir, self.port = data_dir, port
        env = {**os.environ, "INFOLINE_DATA_DIR": str(data_dir), "INFOLINE_PORT": str(port),
               "INFOLINE_RASA_PORT": str(rasa_port), "INFOLINE_KNOWLEDGE_WATCH_SECONDS": "0"}
        self.output = open(data_dir / "launcher.out", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "connectors.cli", "run", "--no-train"], cwd=PROJECT_ROOT,
                                        env=env, stdout=self.output, stderr=subprocess.STDOUT, start_new_session=True)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)

    def processes(self) -> dict:
        return json.loads((self.data_dir / "run" / "supervisor.json").read_text())

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.data_dir / "launcher.out").read_text()
            try:
                if self.client.get("/healthz").status_code == 200 and (self.data_dir / "run" / "supervisor.json").exists():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise AssertionError(f"not ready after {timeout} s:\n{(self.data_dir / 'launcher.out').read_text()[-3000:]}")

    def chat(self, sender: str, message: str, language: str = "pl") -> httpx.Response:
        return self.client.post("/api/chat", json={"sender": sender, "message": message, "language": language})

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.output.close()


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    running = Launched(tmp_path_factory.mktemp("supervised"), free_port(), free_port())
    try:
        running.wait_ready(420)
        yield running
    finally:
        running.stop()


def _texts(response: httpx.Response) -> str:
    return "\n".join(m["text"] or "" for m in response.json()["messages"])


def test_rasa_killed_is_restarted_while_the_app_answers_from_the_knowledge_base(launched):
    sender = f"crash-{uuid.uuid4().hex[:8]}"
    asked = launched.chat(sender, "chcę sprawdzić status mojej sprawy")
    assert text("case_status", "messages.ask_case_number", "pl") in _texts(asked)
    before = launched.processes()
    os.killpg(before["rasa"]["pid"], signal.SIGKILL)
    time.sleep(1.5)

    started = time.monotonic()
    question = launched.chat(f"other-{uuid.uuid4().hex[:8]}", "Ile kosztuje karta pobytu?")
    assert question.status_code == 200
    assert translate("degraded_mode", "pl") in _texts(question)
    assert any((m.get("custom") or {}).get("type") == "sources" for m in question.json()["messages"])
    # A flow's step (the case number the form waits for) needs Rasa: refused at once.
    flow_turn = launched.chat(sender, "WSC-II-S.6151.24680.2025")
    assert flow_turn.status_code == 503
    assert flow_turn.json()["error"]["message"] == translate("assistant_unavailable", "pl")
    assert time.monotonic() - started < 10

    health = launched.client.get("/healthz").json()
    assert health["ready"] is False and health["parts"]["rasa"]["degraded"] is True
    assert launched.processes()["app"]["pid"] == before["app"]["pid"]

    launched.wait_ready(240)
    after = launched.processes()
    assert after["rasa"]["restarts"] == 1 and after["rasa"]["pid"] != before["rasa"]["pid"]
    assert after["app"]["pid"] == before["app"]["pid"] and after["app"]["restarts"] == 0
    # The conversation goes on where it was: the form still waits for the case number (the
    # refused turn left nothing behind).
    reply = launched.chat(sender, "WSC-II-S.6151.24680.2025")
    assert text("case_status", "messages.ask_birth_date", "pl") in _texts(reply)


def test_app_killed_is_restarted_and_rasa_keeps_running(launched):
    before = launched.processes()
    os.killpg(before["app"]["pid"], signal.SIGKILL)
    time.sleep(2)
    launched.wait_ready(180)
    after = launched.processes()
    assert after["app"]["restarts"] == 1 and after["app"]["pid"] != before["app"]["pid"]
    assert after["rasa"]["pid"] == before["rasa"]["pid"]
    assert launched.chat(f"after-{uuid.uuid4().hex[:8]}", "Dzień dobry").status_code == 200
