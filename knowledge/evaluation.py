"""Evaluation of the knowledge search on the development set, beside two baselines.

Baselines, computed in the same run: BM25 alone (``bm25s`` with its own tokenizer, over one
document per entry) and dense retrieval alone over the answers (max over languages).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from knowledge.entries import LANGUAGES
from knowledge.index import lexical_document
from knowledge.search import KnowledgeSearch

DEFAULT_DEV_SET = Path(__file__).resolve().parents[1] / "evaluation" / "knowledge-dev.jsonl"
# Questions in 21 languages the entries are not written in (answered in English or Russian).
OTHER_LANGUAGES_DEV_SET = DEFAULT_DEV_SET.with_name("knowledge-dev-other.jsonl")
# Where people of a language usually read Russian better than English (nlu/language_id.py).
READ_IN_RUSSIAN = frozenset({"be", "kk", "uz", "az", "hy", "ka", "ky", "tg"})
Ranker = Callable[[str, str | None], list[str]]


def load_dev_set(path: Path | str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def bm25_ranker(search: KnowledgeSearch) -> Ranker:
    import bm25s

    ids = search.index.entry_ids
    corpus = [lexical_document(search.entries[i]) for i in ids]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)

    def rank(query: str, _language: str | None) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords=None, show_progress=False)
        docs, _ = retriever.retrieve(tokens, k=min(10, len(ids)), show_progress=False)
        return [ids[int(d)] for d in docs[0]]

    return rank


def dense_answer_ranker(search: KnowledgeSearch) -> Ranker:
    ids = search.index.entry_ids
    texts, owners = [], []
    for pos, entry_id in enumerate(ids):
        for lang in LANGUAGES:
            text = search.entries[entry_id].texts.get(lang)
            if text:
                texts.append(text.answer)
                owners.append(pos)
    vectors = search.embedder.encode_documents(texts)
    owners_arr = np.array(owners)

    def rank(query: str, _language: str | None) -> list[str]:
        sims = vectors @ search.embedder.encode_query(query)
        best = np.full(len(ids), -1.0)
        np.maximum.at(best, owners_arr, sims)
        return [ids[i] for i in np.argsort(-best)[:10]]

    return rank


def ranking_metrics(rankings: Sequence[list[str]], expected: Sequence[str]) -> dict[str, float]:
    top1 = r3 = mrr = 0.0
    for ranking, gold in zip(rankings, expected):
        if ranking[:1] == [gold]:
            top1 += 1
        if gold in ranking[:3]:
            r3 += 1
        if gold in ranking:
            mrr += 1.0 / (ranking.index(gold) + 1)
    n = max(len(expected), 1)
    return {"top1": top1 / n, "recall@3": r3 / n, "mrr": mrr / n, "n": len(expected)}


def evaluate(search: KnowledgeSearch, dev_set: list[dict]) -> dict:
    """Per-language ranking metrics for the search and both baselines, and out-of-scope handling."""
    baselines = {"bm25": bm25_ranker(search), "dense_answers": dense_answer_ranker(search)}
    known = set(search.entries)
    results: dict = {"systems": {}, "out_of_scope": {}}
    others = sorted({str(r.get("lang")) for r in dev_set if r.get("lang") and r.get("lang") not in LANGUAGES})
    for lang in [*LANGUAGES, *others]:
        rows = [r for r in dev_set if r.get("lang") == lang]
        if not rows:
            continue
        in_scope = [r for r in rows if r.get("expected") in known]
        oos = [r for r in rows if r.get("expected") is None]
        reply_in = lang if lang in LANGUAGES else ("ru" if lang in READ_IN_RUSSIAN else "en")
        written_in = None if lang in LANGUAGES else lang
        outcomes = [search.run(r["q"], language=reply_in, top_k=10, written_in=written_in) for r in in_scope]
        expected = [r["expected"] for r in in_scope]
        results["systems"].setdefault("fused", {})[lang] = ranking_metrics([[h.entry_id for h in o.hits] for o in outcomes], expected)
        for name, ranker in baselines.items():
            results["systems"].setdefault(name, {})[lang] = ranking_metrics([ranker(r["q"], reply_in) for r in in_scope], expected)
        oos_outcomes = [search.run(r["q"], language=reply_in, written_in=written_in) for r in oos]
        results["out_of_scope"][lang] = {
            "in_scope_answered_or_clarified": sum(o.decision != "none" for o in outcomes) / max(len(outcomes), 1),
            "in_scope_answered_correctly": sum(o.decision == "answer" and o.top.entry_id == g for o, g in zip(outcomes, expected)) / max(len(outcomes), 1),
            "out_of_scope_declined": sum(o.decision == "none" for o in oos_outcomes) / max(len(oos_outcomes), 1),
            "n_in_scope": len(outcomes),
            "n_out_of_scope": len(oos_outcomes),
            "skipped_unknown_ids": sum(1 for r in rows if r.get("expected") not in known and r.get("expected") is not None),
        }
    return results


def format_table(results: dict) -> str:
    lines = ["| system | lang | top-1 | recall@3 | MRR | n |", "|---|---|---|---|---|---|"]
    for name, per_lang in results["systems"].items():
        for lang, m in per_lang.items():
            lines.append(f"| {name} | {lang} | {m['top1']:.3f} | {m['recall@3']:.3f} | {m['mrr']:.3f} | {m['n']} |")
    lines += ["", "| lang | in-scope answered or clarified | in-scope answered correctly | out-of-scope declined | n in / out |",
              "|---|---|---|---|---|"]
    for lang, m in results["out_of_scope"].items():
        lines.append(f"| {lang} | {m['in_scope_answered_or_clarified']:.3f} | {m['in_scope_answered_correctly']:.3f} | "
                     f"{m['out_of_scope_declined']:.3f} | {m['n_in_scope']} / {m['n_out_of_scope']} |")
    return "\n".join(lines)
