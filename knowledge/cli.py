"""Command-line search for consultants and evaluations."""
from __future__ import annotations

import argparse
import json
import sys

from connectors.settings import get_settings
from knowledge.search import KnowledgeSearch


def load_search() -> KnowledgeSearch:
    settings = get_settings()
    return KnowledgeSearch.from_directory(settings.entries_dir, settings.index_dir, settings.embedding_model)


def _jsonl(search: KnowledgeSearch, top: int) -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            query = item.get("q") if isinstance(item, dict) else None
            lang = item.get("lang") if isinstance(item, dict) else None
        except ValueError:
            query, lang = None, None
        if not isinstance(query, str):
            print(json.dumps({"ids": [], "scores": [], "decision": "none", "error": "expected {\"q\": str, \"lang\": str|null}"}))
            continue
        result = search.run(query, language=lang if lang in {"pl", "en", "uk", "ru"} else None, top_k=top)
        print(json.dumps({"ids": [h.entry_id for h in result.hits],
                          "scores": [round(h.confidence, 4) for h in result.hits],
                          "decision": result.decision}, ensure_ascii=False), flush=True)
    return 0


def search_command(args: argparse.Namespace) -> int:
    search = load_search()
    if args.jsonl:
        return _jsonl(search, args.top)
    if not args.question:
        print("Give a question, or --jsonl to read JSON lines from standard input.", file=sys.stderr)
        return 2
    result = search.run(args.question, language=args.lang, top_k=args.top)
    print(f"decision: {result.decision}" + (f" ({result.reason})" if result.reason else ""))
    if result.out_of_scope_topic:
        topic = search.index.topics[result.out_of_scope_topic]
        print(f"out of scope: {topic.id} – {topic.referral(args.lang or 'en')}")
    for rank, hit in enumerate(result.hits, 1):
        _, text = search.entries[hit.entry_id].text(args.lang or "en")
        print(f"{rank}. {hit.entry_id:<40} confidence {hit.confidence:.3f}  score {hit.score:.4f}  "
              f"(dense {hit.dense:.3f}, lexical {hit.lexical:.3f})  {text.title}")
    return 0


def eval_command(args: argparse.Namespace) -> int:
    from knowledge.evaluation import DEFAULT_DEV_SET, OTHER_LANGUAGES_DEV_SET, evaluate, format_table, load_dev_set

    search = load_search()
    if getattr(args, "cross_validate", False):
        from knowledge.crossval import cross_validate, format_cross_validation

        reports = cross_validate(search, [search.config])
        print(json.dumps(reports, indent=2) if args.json else format_cross_validation(reports))
        return 0
    dev_set = load_dev_set(args.dataset) if args.dataset else \
        load_dev_set(DEFAULT_DEV_SET) + load_dev_set(OTHER_LANGUAGES_DEV_SET)
    results = evaluate(search, dev_set)
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    return 0
