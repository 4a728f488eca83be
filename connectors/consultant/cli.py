"""`infoline consultant add-user USERNAME` and `infoline ask "question" [--lang xx]`.

Register them in ``connectors/cli.py`` with :func:`register_commands` (or by hand, see its code).
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from connectors.settings import get_settings
from knowledge.entries import LANGUAGES


def read_new_password(stdin: TextIO | None = None) -> str | None:
    """The new password: the first line of stdin when it is not a terminal, else asked twice.

    Returns None when the two typed passwords differ.
    """
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat the password: ")
    return first if first == second else None


def add_user_command(args: argparse.Namespace) -> int:
    """Create a consultant account; 0 on success, 1 when the name is taken, 2 on bad input."""
    from connectors.consultant.accounts import AccountStore, UserExists

    password = read_new_password()
    if password is None:
        print("The passwords differ; nothing was changed.", file=sys.stderr)
        return 2
    settings = get_settings()
    store = AccountStore.from_url(settings.app_database_url, secret_key=settings.secret_key)
    try:
        name = store.create_user(args.username, password)
    except UserExists:
        print(f"A consultant named {args.username!r} already exists.", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"Not created: {exc}.", file=sys.stderr)
        return 2
    finally:
        store.engine.dispose()
    print(f"Consultant {name!r} created; sign in at /consultant/login.")
    return 0


def _print_entry(entry, language: str, confidence: float, out: TextIO) -> None:
    used, text = entry.text(language)
    note = f" [{used}]" if used != language else ""
    print(f"{text.title}{note}  ({entry.id}, confidence {confidence:.2f})", file=out)
    print("", file=out)
    print(text.answer, file=out)
    if entry.sources:
        print("", file=out)
        print("Sources:", file=out)
        for source in entry.sources:
            print(f"  {source}", file=out)
    if entry.checked:
        print(f"Checked: {entry.checked.isoformat()}", file=out)


def answer_question(search, question: str, language: str | None, out: TextIO = sys.stdout) -> int:
    """Print the best answer, the choices, or that there is no answer; returns the exit code (0, or 1 for none)."""
    if language is None:
        from nlu.language_id import LanguageIdentifier

        language = LanguageIdentifier(preload=False).detect(question).served or "en"
    result = search.run(question, language=language, top_k=5)
    if result.decision == "answer" and result.top is not None:
        _print_entry(search.entries[result.top.entry_id], language, result.top.confidence, out)
        return 0
    if result.decision == "clarify":
        print("Several entries fit; which one is meant?", file=out)
        for rank, hit in enumerate(result.choices, 1):
            _, text = search.entries[hit.entry_id].text(language)
            print(f"  {rank}. {text.title}  ({hit.entry_id}, confidence {hit.confidence:.2f})", file=out)
            for source in search.entries[hit.entry_id].sources[:2]:
                print(f"       {source}", file=out)
        return 0
    print("No answer in the knowledge base.", file=out)
    if result.hits:
        print("Closest entries (below the answer threshold):", file=out)
        for hit in result.hits[:3]:
            _, text = search.entries[hit.entry_id].text(language)
            print(f"  - {text.title}  ({hit.entry_id}, confidence {hit.confidence:.2f})", file=out)
    return 1


def ask_command(args: argparse.Namespace) -> int:
    """`infoline ask`: answer one question from the knowledge base, as the assistant would."""
    from knowledge.cli import load_search

    if not (args.question or "").strip():
        print("Give a question.", file=sys.stderr)
        return 2
    return answer_question(load_search(), args.question, args.lang)


def register_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``consultant add-user`` and ``ask`` to the ``infoline`` parser's subcommands."""
    consultant = sub.add_parser("consultant", help="consultant accounts").add_subparsers(
        dest="consultant_command", required=True)
    add_user = consultant.add_parser("add-user", help="create a consultant account (password from stdin or prompted twice)")
    add_user.add_argument("username")
    add_user.set_defaults(func=add_user_command)

    ask = sub.add_parser("ask", help="print the best answer to a question, with its sources")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=list(LANGUAGES), help="answer language (default: the question's)")
    ask.set_defaults(func=ask_command)
