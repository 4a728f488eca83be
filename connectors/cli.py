"""The `infoline` command line."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from connectors.settings import get_settings


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
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(func=_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
