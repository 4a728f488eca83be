"""Everything about the Rasa side that the app's tooling does: training data seeds, training, config files.

Rasa runs in its own environment (``.venv-rasa``); this module only calls its command line.
"""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import yaml

from connectors.settings import PROJECT_ROOT, Settings
from knowledge.entries import LANGUAGES, load_entries

logger = logging.getLogger(__name__)
RASA_VENV = PROJECT_ROOT / ".venv-rasa"
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu", "bot/data", "knowledge/entries")
QUESTIONS_PER_ENTRY = 4


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


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """Hash of every file that goes into training, so the model is retrained only when one changes."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def write_question_seeds(entries_dir: Path, target: Path) -> Path:
    """Seed the ``ask_question`` intent with a few questions of every entry in every language."""
    examples: list[str] = []
    for entry in load_entries(entries_dir):
        for lang in LANGUAGES:
            text = entry.texts.get(lang)
            if text:
                examples.extend(text.questions[:QUESTIONS_PER_ENTRY])
    seen: set[str] = set()
    unique = [q for q in examples if not (q.casefold() in seen or seen.add(q.casefold()))]
    target.parent.mkdir(parents=True, exist_ok=True)
    block = "".join(f"- {yaml.safe_dump(q, allow_unicode=True, width=10_000).strip().removesuffix('...').strip()}\n" for q in unique)
    content = {"version": "3.1", "nlu": [{"intent": "ask_question", "examples": block}]}
    target.write_text("# Generated from knowledge/entries by connectors/rasa_setup.py; do not edit.\n"
                      + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return target


def training_data_paths(settings: Settings) -> list[Path]:
    seeds = write_question_seeds(settings.entries_dir, settings.data_dir / "nlu" / "questions.yml")
    return [PROJECT_ROOT / "nlu" / "data", PROJECT_ROOT / "bot" / "data", seeds.parent]


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{training_fingerprint()}.tar.gz"


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
    result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_environment(), capture_output=True, text=True)
    if result.returncode != 0 or not target.exists():
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit("Rasa training failed (output above).")
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
    endpoints: dict = {"action_endpoint": {"url": settings.action_endpoint_url}}
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
