"""`infoline run`: trains when needed, starts Rasa and the app, waits until both are ready.

Stops both cleanly on Ctrl-C; when one dies, says which and why, and stops the other.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from connectors import rasa_setup
from connectors.settings import PROJECT_ROOT, Settings

READY_TIMEOUT_SECONDS = 600


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log: Path

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _start(name: str, cmd: list[str], env: dict[str, str], log_dir: Path) -> Child:
    log = log_dir / f"{name}.log"
    handle = open(log, "ab")
    process = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return Child(name, process, log)


def _stop(children: list[Child], timeout: float = 15.0) -> None:
    for child in children:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def start_processes(settings: Settings, model: Path) -> list[Child]:
    """Start Rasa and the app as child processes (logs in ``<data_dir>/logs``)."""
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    endpoints, credentials = rasa_setup.write_runtime_config(settings)
    # One secret for Rasa and the app, so that only Rasa can call the action endpoint.
    secret = settings.action_secret or secrets.token_urlsafe(32)
    rasa_cmd = [str(rasa_setup.rasa_executable()), "run", "--model", str(model), "--endpoints", str(endpoints),
                "--credentials", str(credentials), "--interface", settings.rasa_host, "--port", str(settings.rasa_port)]
    app_env = dict(os.environ)
    app_env.update({"INFOLINE_HOST": settings.host, "INFOLINE_PORT": str(settings.port),
                    "INFOLINE_RASA_PORT": str(settings.rasa_port), "INFOLINE_DATA_DIR": str(settings.data_dir),
                    "INFOLINE_INDEX_DIR": str(settings.index_dir), "INFOLINE_ENTRIES_DIR": str(settings.entries_dir),
                    "INFOLINE_ACTION_SECRET": secret})
    rasa_env = {**rasa_setup.rasa_environment(), "INFOLINE_ACTION_SECRET": secret}
    app_cmd = [sys.executable, "-m", "uvicorn", "connectors.app:create_app", "--factory",
               "--host", settings.host, "--port", str(settings.port), "--no-access-log"]
    return [_start("rasa", rasa_cmd, rasa_env, log_dir), _start("app", app_cmd, app_env, log_dir)]


def wait_until_ready(settings: Settings, children: list[Child], timeout: float = READY_TIMEOUT_SECONDS) -> Child | None:
    """Poll /healthz until it answers 200. Returns the child that died meanwhile, if any."""
    url = f"http://{settings.host}:{settings.port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                return child
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    raise TimeoutError(f"not ready after {timeout:.0f} s")


def run(settings: Settings, train: bool = True) -> int:
    """Train if needed, start both processes, print the URL, and supervise until Ctrl-C."""
    started = time.monotonic()
    model = rasa_setup.train(settings) if train else rasa_setup.model_path(settings)
    print(f"Starting Rasa on {settings.rasa_url} and the app on http://{settings.host}:{settings.port} ...", flush=True)
    children = start_processes(settings, model)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        try:
            dead = wait_until_ready(settings, children)
        except TimeoutError as exc:
            print(f"Gave up waiting: {exc}. Logs are in {settings.data_dir / 'logs'}.", file=sys.stderr)
            return 1
        if dead is None and not stopping:
            print(f"Ready in {time.monotonic() - started:.0f} s. Chat at http://{settings.host}:{settings.port}/ "
                  "(Ctrl-C stops).", flush=True)
        while not stopping and dead is None:
            dead = next((c for c in children if c.process.poll() is not None), None)
            time.sleep(0.5)
        if dead is not None and not stopping:
            print(f"\nThe {dead.name} process stopped (exit code {dead.process.returncode}). Last lines of {dead.log}:\n"
                  f"{dead.tail()}\nStopping the rest.", file=sys.stderr, flush=True)
            return 1
        print("\nStopping...", flush=True)
        return 0
    finally:
        _stop(children)
