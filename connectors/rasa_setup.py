"""Everything about the Rasa side that the app's tooling does: training data seeds, training, config files.

Rasa runs in its own environment (``.venv-rasa``); this module only calls its command line.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

from connectors.settings import PROJECT_ROOT, Settings
from knowledge.entries import LANGUAGES, load_entries
from knowledge.out_of_scope import default_out_of_scope_path, load_out_of_scope

logger = logging.getLogger(__name__)
RASA_VENV = PROJECT_ROOT / ".venv-rasa"
# The knowledge entries count through the question seeds generated from them (see write_question_seeds).
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu", "bot/data", "bot/intent_entries.yml")
INTENT_ENTRIES = PROJECT_ROOT / "bot" / "intent_entries.yml"
QUESTIONS_PER_ENTRY = 2
EXAMPLES_PER_OUT_OF_SCOPE_TOPIC = 3


def rasa_executable() -> Path:
    exe = RASA_VENV / "bin" / "rasa"
    if not exe.exists():
        raise SystemExit(f"Rasa is not installed in {RASA_VENV}; run `make setup` first.")
    return exe


def rasa_environment() -> dict[str, str]:
    """Environment for Rasa processes: our components importable, no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")]))
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "2"),
    })
    return env


def training_fingerprint(root: Path = PROJECT_ROOT, extra: Path | None = None) -> str:
    """Hash of every file that goes into training, so the model is retrained only when one changes."""
    digest = hashlib.sha256()
    if extra is not None and extra.exists():
        digest.update(extra.read_bytes())
    for name in TRAINING_INPUTS:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _normalise_example(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return " ".join(re.findall(r"\w+", text.casefold()))


def handwritten_examples(nlu_dir: Path = PROJECT_ROOT / "nlu" / "data") -> dict[str, str]:
    """Normalised hand-written NLU examples and their intents."""
    examples: dict[str, str] = {}
    for path in sorted(nlu_dir.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" in block:
                for line in str(block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        examples[_normalise_example(line[2:])] = block["intent"]
    return examples


def write_question_seeds(entries_dir: Path, target: Path) -> Path:
    """Seed intents with a few questions of every entry in every language.

    Questions of entries that serve a service intent (``bot/intent_entries.yml``) seed that intent;
    all others seed ``ask_question``. A few examples of every known out-of-scope topic
    (``knowledge/out-of-scope.yml``) seed ``out_of_scope``. Questions that repeat a hand-written
    example are left out.
    """
    intent_of_entry = {entry_id: intent for intent, ids in (yaml.safe_load(INTENT_ENTRIES.read_text()) or {}).items()
                       for entry_id in ids}
    taken = handwritten_examples()
    by_intent: dict[str, list[str]] = {}
    seen: set[str] = set()
    for entry in load_entries(entries_dir):
        intent = intent_of_entry.get(entry.id, "ask_question")
        for lang in LANGUAGES:
            text = entry.texts.get(lang)
            for question in (text.questions[:QUESTIONS_PER_ENTRY] if text else ()):
                key = _normalise_example(question)
                if key and key not in taken and key not in seen and "{" not in question:
                    seen.add(key)
                    by_intent.setdefault(intent, []).append(question)
    for topic in load_out_of_scope(default_out_of_scope_path(entries_dir)):
        for lang in LANGUAGES:
            examples = topic.examples.get(lang, ())
            step = max(len(examples) // EXAMPLES_PER_OUT_OF_SCOPE_TOPIC, 1)  # spread: short, long, Latin-typed
            for example in examples[::step][:EXAMPLES_PER_OUT_OF_SCOPE_TOPIC]:
                key = _normalise_example(example)
                if key and key not in taken and key not in seen and "{" not in example:
                    seen.add(key)
                    by_intent.setdefault("out_of_scope", []).append(example)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlu = [{"intent": intent, "examples": "".join(f"- {_yaml_scalar(q)}\n" for q in questions)}
           for intent, questions in by_intent.items()]
    target.write_text("# Generated from knowledge/entries and knowledge/out-of-scope.yml by connectors/rasa_setup.py; do not edit.\n"
                      + yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False, width=10_000),
                      encoding="utf-8")
    return target


def _yaml_scalar(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def training_data_paths(settings: Settings) -> list[Path]:
    seeds = write_question_seeds(settings.entries_dir, settings.data_dir / "nlu" / "questions.yml")
    return [PROJECT_ROOT / "nlu" / "data", PROJECT_ROOT / "bot" / "data", seeds.parent]


def model_path(settings: Settings) -> Path:
    seeds = write_question_seeds(settings.entries_dir, settings.data_dir / "nlu" / "questions.yml")
    return settings.models_dir / f"{training_fingerprint(extra=seeds)}.tar.gz"


def train(settings: Settings, force: bool = False) -> Path:
    """Train the Rasa model unless one for the current inputs exists; returns its path."""
    target = model_path(settings)
    if target.exists() and not force:
        print(f"Rasa model is up to date ({target.name}).", flush=True)
        return target
    data = training_data_paths(settings)
    print("Training the Rasa model (inputs changed)...", flush=True)
    cmd = [str(rasa_executable()), "train", "--config", "config.yml", "--domain", "domain.yml",
           "--data", *map(str, data), "--out", str(target.parent), "--fixed-model-name", target.name.removesuffix(".tar.gz")]
    log = settings.data_dir / "logs" / "train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "w") as handle:
        result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_environment(), stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not target.exists():
        sys.stderr.write(log.read_text(errors="replace")[-6000:])
        raise SystemExit(f"Rasa training failed (output above; full log in {log}).")
    print(f"Trained in {time.monotonic() - started:.0f} s.", flush=True)
    return target


def validate_data(settings: Settings) -> subprocess.CompletedProcess:
    """Run ``rasa data validate`` on the domain, NLU data, stories and rules."""
    data = training_data_paths(settings)
    cmd = [str(rasa_executable()), "data", "validate", "--config", "config.yml", "--domain", "domain.yml",
           "--data", *map(str, data)]
    return subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_environment(), capture_output=True, text=True)


def write_runtime_config(settings: Settings) -> tuple[Path, Path]:
    """endpoints.yml (actions, tracker store, lock store) and credentials.yml (REST channel) for ``rasa run``."""
    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    # Rasa fills ${INFOLINE_ACTION_SECRET} from its environment: the secret never lands on disk.
    endpoints: dict = {"action_endpoint": {"url": settings.action_endpoint_url,
                                           "headers": {"Authorization": "Bearer ${INFOLINE_ACTION_SECRET}"}}}
    endpoints["tracker_store"] = tracker_store_config(settings)
    if settings.lock_store_url:
        endpoints["lock_store"] = lock_store_config(settings.lock_store_url)
    endpoints_file = run_dir / "endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    credentials_file = run_dir / "credentials.yml"
    credentials_file.write_text(yaml.safe_dump({"rest": None}))
    return endpoints_file, credentials_file


def tracker_store_config(settings: Settings) -> dict:
    from urllib.parse import urlparse

    url = settings.tracker_store_url
    if not url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(settings.data_dir / "rasa-tracker.db")}
    parsed = urlparse(url)
    config = {"type": "SQL", "dialect": "postgresql", "url": parsed.hostname or "127.0.0.1",
              "port": parsed.port or 5432, "db": parsed.path.lstrip("/") or "rasa"}
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password:
        config["password"] = parsed.password
    return config


def lock_store_config(url: str) -> dict:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return {"type": "redis", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 6379,
            "db": int(parsed.path.lstrip("/") or 0), "key_prefix": "infoopt"}
