"""`infoline run`: trains when needed, starts Rasa and the app, waits until both are ready, and
keeps them running.

When a process dies, the :class:`Supervisor` says which and why (the tail of its log), leaves the
other one running and starts the dead one again after a back-off (1 s, doubling up to 30 s; back
to 1 s once it has stayed up for a minute). While Rasa is down the app answers what it can from
the knowledge search alone (see ``connectors.gateway``). The supervisor's view of each process is
written to ``<data_dir>/run/supervisor.json`` for ``/healthz``. Ctrl-C stops both cleanly.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from connectors import rasa_setup
from connectors.settings import PROJECT_ROOT, Settings

READY_TIMEOUT_SECONDS = 600
SUPERVISOR_FILE = "supervisor.json"


@dataclass
class Child:
    """A supervised process: how to start it, and the running one."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.0
    restart_at: float | None = None
    last_exit: int | None = None
    last_exit_at: str | None = None

    def start(self) -> None:
        with open(self.log, "ab") as handle:
            self.process = subprocess.Popen(self.cmd, cwd=PROJECT_ROOT, env=self.env, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def state(self) -> dict[str, object]:
        return {"state": "running" if self.running else "restarting", "pid": self.process.pid if self.running and self.process else None,
                "restarts": self.restarts, "last_exit": self.last_exit, "last_exit_at": self.last_exit_at}


def stop_children(children: list[Child], timeout: float = 15.0) -> None:
    """SIGTERM every running child's process group, then SIGKILL what is left after ``timeout``."""
    for child in children:
        if child.running and child.process is not None:
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()




@dataclass
class Supervisor:
    """Restarts dead children with back-off and records their state in ``status_file``.

    Args:
        children: the processes, already started.
        status_file: where each child's state is written as JSON after every change.
        say: where the supervisor reports (the launcher's terminal).
        first_backoff, max_backoff: seconds before the first restart, and the cap of the doubling.
        stable_after: seconds of uptime after which the back-off starts again from ``first_backoff``.
    """

    children: list[Child]
    status_file: Path | None = None
    say: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))
    first_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 60.0

    def __post_init__(self) -> None:
        self.write_status()

    def poll(self, now: float | None = None) -> None:
        """Notice dead children, schedule their restarts, and start the ones whose time has come."""
        now = time.monotonic() if now is None else now
        changed = False
        for child in self.children:
            if child.process is not None and child.restart_at is None and not child.running:
                child.last_exit = child.process.returncode
                child.last_exit_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
                uptime = now - child.started_at
                child.backoff = self.first_backoff if uptime >= self.stable_after or not child.backoff \
                    else min(child.backoff * 2, self.max_backoff)
                child.restart_at = now + child.backoff
                self.say(f"The {child.name} process stopped (exit code {child.last_exit}) after {uptime:.0f} s; "
                         f"restarting it in {child.backoff:.0f} s, the rest keeps running. Last lines of {child.log}:\n"
                         f"{child.tail()}")
                changed = True
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                child.start()
                self.say(f"Restarted the {child.name} process (restart {child.restarts}).")
                changed = True
        if changed:
            self.write_status()

    def write_status(self) -> None:
        if self.status_file is None:
            return
        state = {child.name: child.state() for child in self.children}
        temporary = self.status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        temporary.replace(self.status_file)


def read_supervisor_status(data_dir: Path) -> dict | None:
    """What the launcher last wrote about its processes, or None when not run by the launcher."""
    try:
        return json.loads((data_dir / "run" / SUPERVISOR_FILE).read_text())
    except (OSError, ValueError):
        return None


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
    children = [Child("rasa", rasa_cmd, rasa_env, log_dir / "rasa.log"), Child("app", app_cmd, app_env, log_dir / "app.log")]
    for child in children:
        child.start()
    return children


def wait_until_ready(settings: Settings, children: list[Child], timeout: float = READY_TIMEOUT_SECONDS) -> Child | None:
    """Poll /healthz until it answers 200. Returns the child that died meanwhile, if any."""
    url = f"http://{settings.host}:{settings.port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if not child.running:
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
        if dead is not None and not stopping:
            # A process that cannot even start once is a set-up problem, not a crash to ride out.
            print(f"\nThe {dead.name} process did not start (exit code {dead.process.returncode if dead.process else '?'}). "
                  f"Last lines of {dead.log}:\n{dead.tail()}", file=sys.stderr, flush=True)
            return 1
        if not stopping:
            print(f"Ready in {time.monotonic() - started:.0f} s. Chat at http://{settings.host}:{settings.port}/ "
                  "(Ctrl-C stops).", flush=True)
        supervisor = Supervisor(children, status_file=settings.data_dir / "run" / SUPERVISOR_FILE)
        while not stopping:
            supervisor.poll()
            time.sleep(0.5)
        print("\nStopping...", flush=True)
        return 0
    finally:
        stop_children(children)
        try:
            (settings.data_dir / "run" / SUPERVISOR_FILE).unlink()
        except OSError:
            pass
