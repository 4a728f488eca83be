"""The launcher's supervisor: a dead process is restarted with back-off, the other keeps running."""
from __future__ import annotations

import json
import sys
import time

import pytest

from connectors.launcher import Child, Supervisor, read_supervisor_status, stop_children

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


@pytest.fixture
def children(tmp_path):
    kids = [Child("rasa", SLEEPER, {}, tmp_path / "rasa.log"), Child("app", SLEEPER, {}, tmp_path / "app.log")]
    for kid in kids:
        kid.start()
    yield kids
    stop_children(kids, timeout=5)


def _kill(child: Child) -> None:
    child.process.kill()
    child.process.wait()


def test_a_dead_process_is_restarted_after_back_off_and_the_other_keeps_running(children, tmp_path):
    (tmp_path / "run").mkdir()
    said: list[str] = []
    supervisor = Supervisor(children, status_file=tmp_path / "run" / "supervisor.json", say=said.append)
    rasa, app = children
    app_pid = app.process.pid
    _kill(rasa)
    now = time.monotonic()
    supervisor.poll(now)
    assert "rasa process stopped" in said[-1] and "restarting it in 1 s" in said[-1]
    assert app.running and app.process.pid == app_pid
    assert read_supervisor_status(tmp_path)["rasa"]["state"] == "restarting"
    supervisor.poll(now + 0.5)
    assert not rasa.running                      # not before the back-off
    supervisor.poll(now + 1.0)
    assert rasa.running and rasa.restarts == 1
    status = json.loads((tmp_path / "run" / "supervisor.json").read_text())
    assert status["rasa"]["state"] == "running" and status["rasa"]["restarts"] == 1
    assert status["rasa"]["last_exit"] == -9 and status["app"]["restarts"] == 0


def test_back_off_doubles_while_crashing_and_resets_once_stable(children):
    supervisor = Supervisor(children, say=lambda message: None, max_backoff=4.0, stable_after=60.0)
    rasa = children[0]
    delays = []
    for _ in range(5):
        _kill(rasa)
        now = rasa.started_at + 1.0            # crashed one second after each start
        supervisor.poll(now)
        delays.append(rasa.backoff)
        supervisor.poll(rasa.restart_at)
    assert delays == [1.0, 2.0, 4.0, 4.0, 4.0]
    _kill(rasa)
    supervisor.poll(rasa.started_at + 120.0)  # ran for two minutes before dying
    assert rasa.backoff == 1.0
