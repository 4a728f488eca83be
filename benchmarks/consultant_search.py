"""Search-as-you-type latency of the consultants' tool on the real index (prints figures; asserts nothing).

Signs in through the real routes, then sends the prefixes of real questions as a consultant types
them ("z", "zg", "zgu", ...) to GET /consultant/api/search and reports p50/p95 per request.
Run: .venv/bin/python benchmarks/consultant_search.py
"""
from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from connectors.app import create_app
from connectors.consultant.accounts import AccountStore
from connectors.settings import Settings

QUESTIONS = ["zgubiona karta pobytu", "ile kosztuje pobyt stały", "change employer blue card",
             "як подати на CUKR", "как продлить визу D", "ponaglenie", "PESEL dla cudzoziemca"]


class _NoRasa:
    async def send(self, *args):
        return []

    async def is_ready(self):
        return True

    async def close(self):
        pass


def main() -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="infoline-consultant-bench-"))
    settings = Settings(data_dir=data_dir, knowledge_watch_seconds=0)
    AccountStore.from_url(settings.app_database_url, settings.secret_key).create_user("bench", "a long bench passphrase 1")
    app = create_app(settings, rasa=_NoRasa())
    timings = []
    with TestClient(app) as client:
        while not client.get("/healthz").json()["parts"]["knowledge"]["ready"]:
            time.sleep(0.5)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/consultant/login").text).group(1)
        client.post("/consultant/login", data={"username": "bench", "password": "a long bench passphrase 1",
                                               "csrf_token": token})
        for question in QUESTIONS:
            for end in range(3, len(question) + 1, 2):
                start = time.perf_counter()
                response = client.get("/consultant/api/search", params={"q": question[:end]})
                timings.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
    timings.sort()
    report = {"requests": len(timings), "p50_ms": round(statistics.median(timings), 1),
              "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1), "max_ms": round(timings[-1], 1)}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
