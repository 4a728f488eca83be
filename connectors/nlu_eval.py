"""`infoline nlu-eval`: intent macro-F1 per language on held-out sets, with and without the e5 features.

Both NLU models are trained in the same run from the same data; only the pipeline differs (the
second drops ``E5SentenceFeaturizer``). Held-out sets: ``evaluation/nlu/<lang>.jsonl``, written
apart from the training data; be, ka and hi have no training data at all (transfer).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections import Counter
from pathlib import Path

import yaml

from connectors import rasa_setup
from connectors.settings import PROJECT_ROOT, Settings

EVAL_DIR = PROJECT_ROOT / "evaluation" / "nlu"
FEATURIZER = "nlu.components.e5_featurizer.E5SentenceFeaturizer"
BLENDER = "nlu.components.e5_intent_blender.E5IntentBlender"


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Macro-averaged F1 over the intents present in ``gold``."""
    labels = sorted(set(gold))
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, predicted):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    scores = []
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _nlu_config(with_features: bool, target: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    if not with_features:
        config["pipeline"] = [c for c in config["pipeline"] if c.get("name") not in (FEATURIZER, BLENDER)]
    config.pop("policies", None)
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def _nlu_data_dir(settings: Settings, target: Path) -> Path:
    """All NLU training files in one folder (``rasa train nlu`` takes a single --nlu path)."""
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    seeds = rasa_setup.write_question_seeds(settings.entries_dir, settings.data_dir / "nlu" / "questions.yml")
    for source in [*sorted((PROJECT_ROOT / "nlu" / "data").rglob("*.yml")), seeds]:
        shutil.copy(source, target / f"{source.parent.name}-{source.name}")
    return target


def _train_nlu(settings: Settings, config: Path, name: str, out: Path) -> tuple[Path, float]:
    nlu_dir = _nlu_data_dir(settings, out / "nlu-data")
    digest = hashlib.sha256(config.read_bytes())
    for file in sorted(nlu_dir.iterdir()):
        digest.update(file.read_bytes())
    for file in sorted((PROJECT_ROOT / "nlu" / "components").glob("*.py")):
        digest.update(file.read_bytes())
    model, stamp = out / f"{name}.tar.gz", out / f"{name}.inputs"
    if model.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return model, float("nan")  # trained earlier from the same inputs
    started = time.monotonic()
    cmd = [str(rasa_setup.rasa_executable()), "train", "nlu", "--config", str(config), "--nlu", str(nlu_dir),
           "--domain", "domain.yml", "--out", str(out), "--fixed-model-name", name]
    result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_setup.rasa_environment(), capture_output=True, text=True)
    if result.returncode != 0 or not model.exists():
        raise SystemExit(f"NLU training failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    stamp.write_text(digest.hexdigest())
    return model, time.monotonic() - started


def _predict(model: Path, texts: list[str]) -> list[str]:
    cmd = [str(rasa_setup.RASA_VENV / "bin" / "python"), "-m", "nlu.predict", str(model)]
    stdin = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_setup.rasa_environment(), input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"prediction failed:\n{result.stderr[-3000:]}")
    return [json.loads(line)["intent"] for line in result.stdout.splitlines() if line.startswith('{"intent"')]


def load_sets(directory: Path = EVAL_DIR) -> dict[str, list[dict]]:
    return {p.stem: [json.loads(l) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
            for p in sorted(directory.glob("*.jsonl"))}


def held_out(sets: dict[str, list[dict]], trained: set[str]) -> dict[str, list[dict]]:
    """Drop test texts that also occur in the training data, so every score is on unseen text."""
    return {lang: [r for r in rows if rasa_setup._normalise_example(r["text"]) not in trained]
            for lang, rows in sets.items()}


def evaluate(settings: Settings) -> dict:
    work = settings.data_dir / "nlu-eval"
    work.mkdir(parents=True, exist_ok=True)
    trained = set(rasa_setup.handwritten_examples())
    seeds = rasa_setup.write_question_seeds(settings.entries_dir, settings.data_dir / "nlu" / "questions.yml")
    trained |= set(rasa_setup.handwritten_examples(seeds.parent))
    all_sets = load_sets()
    sets = held_out(all_sets, trained)
    report: dict = {"excluded_as_seen_in_training": {k: len(all_sets[k]) - len(v) for k, v in sets.items()}}
    for key, with_features in (("with_features", True), ("without_features", False)):
        config = _nlu_config(with_features, work / f"config-{key}.yml")
        model, seconds = _train_nlu(settings, config, key, work)
        texts = [row["text"] for rows in sets.values() for row in rows]
        predictions = iter(_predict(model, texts))
        report[key] = {}
        for lang, rows in sets.items():
            predicted = [next(predictions) for _ in rows]
            gold = [row["intent"] for row in rows]
            report[key][lang] = {"macro_f1": round(macro_f1(gold, predicted), 4),
                                 "accuracy": round(sum(g == p for g, p in zip(gold, predicted)) / len(rows), 4),
                                 "n": len(rows),
                                 "errors": [{"text": row["text"], "gold": g, "predicted": p}
                                            for row, g, p in zip(rows, gold, predicted) if g != p]}
        report.setdefault("training_seconds", {})[key] = round(seconds, 1)
    return report


def format_table(report: dict) -> str:
    langs = list(report["with_features"])
    lines = ["| language | macro-F1 with e5 features | macro-F1 without | n |", "|---|---|---|---|"]
    for lang in langs:
        w, wo = report["with_features"][lang], report["without_features"][lang]
        lines.append(f"| {lang} | {w['macro_f1']:.3f} | {wo['macro_f1']:.3f} | {w['n']} |")
    lines.append(f"\nNLU training time: {report['training_seconds']['with_features']} s with features, "
                 f"{report['training_seconds']['without_features']} s without.")
    return "\n".join(lines)
