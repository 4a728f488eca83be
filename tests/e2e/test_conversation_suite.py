"""The whole conversation suite (evaluation/conversations) played end to end against a freshly
started Rasa server and app, as `infoline converse-eval` does.

The floors are a ratchet against regressions, set a little under the rates measured when they
were last raised (README, "Conversations"); the targets of issue #12 are higher. The holdout
part counts in the rates but its failures are never printed.
"""
from __future__ import annotations

import asyncio

import pytest

from infoline.converse_eval import SUITE_DIR, format_report, load_suite, run_suite, running_assistant, summarise

pytestmark = pytest.mark.slow

# pass rate floors per group of languages, over development and holdout conversations together
FLOORS = {"pl/en/uk/ru": 0.52, "other": 0.24}


def test_the_conversation_suite_holds_its_pass_rates():
    conversations = load_suite(SUITE_DIR)
    with running_assistant(SUITE_DIR / "cases.csv") as url:
        results = asyncio.run(run_suite(url, conversations, concurrency=4))
    print(format_report(results, show_failures=False))
    groups = summarise(results)["all"]["served_vs_other"]
    for group, floor in FLOORS.items():
        assert groups[group]["rate"] >= floor, f"{group}: {groups[group]} under the floor {floor}"
    assert not any("request failed" in problem or "HTTP 5" in problem
                   for result in results for _, _, problems, _ in result.failures for problem in problems)
