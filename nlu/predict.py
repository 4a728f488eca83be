"""Runs inside the Rasa environment: parse texts with a trained model and print the intents.

Usage: python -m nlu.predict MODEL.tar.gz < texts.jsonl > predictions.jsonl
Each input line is {"text": ...}; each output line is {"intent": ..., "confidence": ...}, the top
intent of the classifier itself (the fallback classifier's "nlu_fallback" is skipped).
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys


async def _predict(model_path: str) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    for line in sys.stdin:
        if not line.strip():
            continue
        text = json.loads(line)["text"]
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
        print(json.dumps({"intent": top["name"], "confidence": round(float(top["confidence"]), 4)}), flush=True)


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    asyncio.run(_predict(sys.argv[1]))
