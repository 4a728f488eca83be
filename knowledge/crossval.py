"""Cross-validation of the whole search on the knowledge base's own questions.

The development set is small (about 80 questions a language), so settings tuned on it can fit it
rather than people's questions. Here each fold's share of the entries' questions and of the
out-of-scope examples is taken out of the index (dense passages, BM25 documents, the entry
classifier and the decline examples) and asked as queries. The stored vectors are reused, so only
the queries are embedded.
"""
from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from typing import Sequence

from knowledge.entries import Entry
from knowledge.evaluation import ranking_metrics
from knowledge.index import KnowledgeIndex, Passage, decline_passages, passages_for
from knowledge.out_of_scope import OutOfScopeTopic
from knowledge.search import KnowledgeSearch, SearchConfig


def _without_questions(entries: Sequence[Entry], held: set[tuple[str, str, str]]) -> list[Entry]:
    return [dataclasses.replace(entry, texts={
        lang: dataclasses.replace(text, questions=tuple(q for q in text.questions if (entry.id, lang, q) not in held))
        for lang, text in entry.texts.items()}) for entry in entries]


def _without_examples(topics: Sequence[OutOfScopeTopic], held: set[tuple[str, str, str]]) -> list[OutOfScopeTopic]:
    return [dataclasses.replace(topic, examples={
        lang: tuple(q for q in examples if (topic.id, lang, q) not in held)
        for lang, examples in topic.examples.items()}) for topic in topics]


def _key(passage: Passage) -> tuple[str, str, str]:
    return passage.entry_id, passage.language, passage.text


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def cross_validate(search: KnowledgeSearch, configs: Sequence[SearchConfig], *, folds: int = 5,
                   per_language: int = 400, seed: int = 1) -> list[dict]:
    """Per config and language: top-1, recall@3, the share answered or clarified, the share answered
    correctly (held-out entry questions), and the share of held-out out-of-scope examples declined."""
    index = search.index
    vector_of = {(p.entry_id, p.language, p.kind, p.text): i for i, p in enumerate(index.passages)}
    decline_row = {_key(p): len(index.passages) + i for i, p in enumerate(index.decline_passages)}
    questions = [p for p in index.passages if p.kind == "question"]
    random.Random(seed).shuffle(questions)
    sample: list[Passage] = []
    for lang in sorted({p.language for p in questions}):
        sample += [p for p in questions if p.language == lang][:per_language]
    examples = list(index.decline_passages)
    # Per config, per language: (held-out question, its ranking, decision) and out-of-scope declines.
    asked: list[dict[str, list[tuple[Passage, list[str], str]]]] = [defaultdict(list) for _ in configs]
    declined: list[dict[str, list[bool]]] = [defaultdict(list) for _ in configs]
    for fold in range(folds):
        held_questions = sample[fold::folds]
        held_examples = examples[fold::folds]
        entries = _without_questions(list(index.entries.values()), {_key(p) for p in held_questions})
        topics = _without_examples(list(index.topics.values()), {_key(p) for p in held_examples})
        passages = passages_for(entries)
        rows = [vector_of[(p.entry_id, p.language, p.kind, p.text)] for p in passages]
        rows += [decline_row[_key(p)] for p in decline_passages(topics)]
        fold_index = KnowledgeIndex(entries, passages, index.vectors[rows], index.model_name,
                                    normalizer=index.normalizer, topics=topics)
        for config, config_asked, config_declined in zip(configs, asked, declined):
            fold_search = KnowledgeSearch(fold_index, search.embedder, config)
            for p in held_questions:
                result = fold_search.run(p.text, language=p.language, top_k=3)
                config_asked[p.language].append((p, [h.entry_id for h in result.hits], result.decision))
            for p in held_examples:
                config_declined[p.language].append(fold_search.run(p.text, language=p.language).decision == "none")
    reports = []
    for config, config_asked, config_declined in zip(configs, asked, declined):
        languages = {}
        for lang in sorted(config_asked):
            rows = config_asked[lang]
            metrics = ranking_metrics([ranking for _, ranking, _ in rows], [p.entry_id for p, _, _ in rows])
            languages[lang] = {
                "top1": metrics["top1"],
                "recall@3": metrics["recall@3"],
                "in_scope_answered_or_clarified": _share([d != "none" for _, _, d in rows]),
                "in_scope_answered_correctly": _share([d == "answer" and r[:1] == [p.entry_id] for p, r, d in rows]),
                "out_of_scope_declined": _share(config_declined[lang]),
                "n_in_scope": len(rows),
                "n_out_of_scope": len(config_declined[lang]),
            }
        reports.append({"config": dataclasses.asdict(config), "languages": languages})
    return reports


def format_cross_validation(reports: Sequence[dict]) -> str:
    lines = ["| lang | top-1 | recall@3 | in-scope answered or clarified | in-scope answered correctly | "
             "out-of-scope declined | n in / out |", "|---|---|---|---|---|---|---|"]
    for report in reports:
        for lang, m in report["languages"].items():
            lines.append(f"| {lang} | {m['top1']:.3f} | {m['recall@3']:.3f} | {m['in_scope_answered_or_clarified']:.3f} | "
                         f"{m['in_scope_answered_correctly']:.3f} | {m['out_of_scope_declined']:.3f} | "
                         f"{m['n_in_scope']} / {m['n_out_of_scope']} |")
    return "\n".join(lines)
