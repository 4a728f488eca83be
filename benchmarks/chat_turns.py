"""Start the real Rasa and app, then measure: time to ready, chat-turn latency (50 turns), memory.

Run: .venv/bin/python benchmarks/chat_turns.py   (prints JSON; asserts nothing)
"""
from __future__ import annotations

import json
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from connectors import launcher, rasa_setup
from connectors.settings import Settings

MESSAGES = [
    ("pl", "Dzień dobry"), ("pl", "Ile kosztuje karta pobytu?"), ("en", "I lost my residence card, what now?"),
    ("uk", "Як змінити роботодавця з картою побиту?"), ("ru", "Сколько ждать решения по побыту?"),
    ("en", "What can you do?"), ("pl", "zgubiłem paszport z wizą co robić"), ("uk", "дякую"),
    ("ru", "как получить PESEL"), ("en", "bye"),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa runs in one process)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return round(total / 1024, 1)


def main() -> dict:
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="infoline-bench-")), port=_port(), rasa_port=_port())
    t = time.monotonic()
    model = rasa_setup.train(settings)
    train_s = time.monotonic() - t
    t = time.monotonic()
    children = launcher.start_processes(settings, model)
    try:
        dead = launcher.wait_until_ready(settings, children)
        assert dead is None, dead.tail()
        ready_s = time.monotonic() - t
        latencies = []
        with httpx.Client(base_url=f"http://{settings.host}:{settings.port}", timeout=60) as client:
            for i in range(50):
                lang, text = MESSAGES[i % len(MESSAGES)]
                sender = f"bench-{uuid.uuid4().hex[:6]}" if i % len(MESSAGES) == 0 else sender
                start = time.perf_counter()
                client.post("/api/chat", json={"sender": sender, "message": text, "language": lang}).raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        report = {
            "training_s_if_needed": round(train_s, 1),
            "start_to_ready_s": round(ready_s, 1),
            "chat_turn_ms": {"median": round(statistics.median(latencies), 1),
                             "p95": round(latencies[int(0.95 * len(latencies)) - 1], 1), "turns": len(latencies)},
            "rss_mb": {c.name: _rss_mb(c.process.pid) for c in children},
        }
    finally:
        launcher._stop(children)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
