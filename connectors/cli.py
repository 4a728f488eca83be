"""The `infoline` command line."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from connectors.settings import PROJECT_ROOT, get_settings


def _kb_validate(args: argparse.Namespace) -> int:
    from knowledge.validate import validate_directory

    settings = get_settings()
    problems = validate_directory(settings.entries_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    from knowledge.entries import entry_files

    print(f"All {len(entry_files(settings.entries_dir))} entries are valid.")
    return 0


def _kb_report(args: argparse.Namespace) -> int:
    from knowledge.report import build_report, format_report

    report = build_report(get_settings().entries_dir)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


def _run(args: argparse.Namespace) -> int:
    from connectors.launcher import run

    settings = get_settings()
    updates = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    return run(settings.model_copy(update=updates), train=not args.no_train)


def _train(args: argparse.Namespace) -> int:
    from connectors.rasa_setup import train

    print(train(get_settings(), force=args.force))
    return 0


def _search(args: argparse.Namespace) -> int:
    from knowledge.cli import search_command

    return search_command(args)


def _eval(args: argparse.Namespace) -> int:
    from knowledge.cli import eval_command

    return eval_command(args)


def _bench(args: argparse.Namespace) -> int:
    from knowledge.bench import main as bench_main

    bench_main(sizes=tuple(args.sizes))
    return 0


def _nlu_eval(args: argparse.Namespace) -> int:
    from connectors.nlu_eval import evaluate, format_table

    report = evaluate(get_settings())
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


def _converse_eval(args: argparse.Namespace) -> int:
    from infoline.converse_eval import converse_eval_command

    return converse_eval_command(args)


def _telegram_status(args: argparse.Namespace) -> int:
    import asyncio

    from connectors.telegram_runner import describe_bot

    settings = get_settings()
    if not settings.telegram_token:
        print("Telegram is off: INFOLINE_TELEGRAM_TOKEN is not set.", file=sys.stderr)
        return 1
    print(json.dumps(asyncio.run(describe_bot(settings)), ensure_ascii=False, indent=2))
    return 0


def _cases_import(args: argparse.Namespace) -> int:
    from bot.services.case_store import CaseStore, CsvFormatError
    from bot.services.db import create_schema, make_engine

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.app_database_url)
    create_schema(engine)
    try:
        report = CaseStore(engine).import_csv(args.file)
    except (CsvFormatError, OSError) as exc:
        print(f"Cannot import {args.file}: {exc}", file=sys.stderr)
        return 1
    print(f"Imported: {report.inserted} new, {report.updated} updated, {len(report.rejected)} rejected.")
    for row in report.rejected:
        print(f"  line {row.line}: {row.reason}" + (f" (column {row.column})" if row.column else ""), file=sys.stderr)
    return 1 if report.rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="infoline", description="INFO.OPT assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="train if needed, start Rasa and the app")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--no-train", action="store_true", help="use the model for the current inputs without training")
    run.set_defaults(func=_run)

    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=_train)

    kb = sub.add_parser("kb", help="knowledge base tools").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("validate", help="check every entry").set_defaults(func=_kb_validate)
    report = kb.add_parser("report", help="entries and questions per language, missing topics")
    report.add_argument("--json", action="store_true")
    report.set_defaults(func=_kb_report)

    search = sub.add_parser("search", help="search the knowledge base")
    search.add_argument("question", nargs="?")
    search.add_argument("--lang", choices=["pl", "en", "uk", "ru"])
    search.add_argument("--jsonl", action="store_true", help="read JSON lines {q, lang} from stdin")
    search.add_argument("--top", type=int, default=5)
    search.set_defaults(func=_search)

    evaluate = sub.add_parser("eval", help="evaluate the search on the development set")
    evaluate.add_argument("--set", dest="dataset")
    evaluate.add_argument("--cross-validate", action="store_true",
                          help="5-fold cross-validation on the entries' own questions and the out-of-scope examples")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(func=_eval)
    bench = sub.add_parser("bench", help="search latency, memory and index build time")
    bench.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000], help="synthetic index sizes")
    bench.set_defaults(func=_bench)
    nlu_eval = sub.add_parser("nlu-eval", help="intent macro-F1 per language, with and without the e5 features")
    nlu_eval.add_argument("--json", action="store_true")
    nlu_eval.set_defaults(func=_nlu_eval)

    converse = sub.add_parser("converse-eval", help="play the conversation suite, pass rates per language and kind")
    converse.add_argument("--url", help="a running assistant (default: start one with a data directory of its own)")
    converse.add_argument("--suite", default=str(PROJECT_ROOT / "evaluation" / "conversations"))
    converse.add_argument("--lang", nargs="*", help="only these conversation languages")
    converse.add_argument("--kind", nargs="*", help="only these kinds of conversation")
    converse.add_argument("--id", nargs="*", help="only these conversations")
    converse.add_argument("--holdout", choices=["include", "only", "exclude"], default="include",
                          help="the holdout part is reported as rates only")
    converse.add_argument("--concurrency", type=int, default=4)
    converse.add_argument("--quiet", action="store_true", help="rates only, no failures")
    converse.add_argument("--json", action="store_true")
    converse.set_defaults(func=_converse_eval)

    cases = sub.add_parser("cases", help="the case status store").add_subparsers(dest="cases_command", required=True)
    case_import = cases.add_parser("import", help="import case statuses from a CSV file (see README for the columns)")
    case_import.add_argument("file")
    case_import.set_defaults(func=_cases_import)

    telegram = sub.add_parser("telegram", help="the Telegram channel").add_subparsers(dest="telegram_command", required=True)
    telegram.add_parser("status", help="the bot's name and its webhook state").set_defaults(func=_telegram_status)

    from connectors.consultant.cli import register_commands

    register_commands(sub)  # `consultant add-user USERNAME` and `ask "question" [--lang xx]`
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
