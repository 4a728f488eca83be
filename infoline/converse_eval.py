"""`infoline converse-eval`: whole conversations against the running assistant, with pass rates.

The suite (``evaluation/conversations/``, format in its ``FORMAT.md``) is played turn by turn
through the chat API, as the widget would. Each reply is read back into *reply kinds* (a
greeting, an answer from entry X, the case-status flow asking for the birth date, ...) by
recognising the texts of the assistant's own catalogues (``domain.yml`` responses and
``bot/texts``) and the sources payload of knowledge answers, and the turn's expectations are
checked against them. A conversation passes when every turn passes.

Each conversation writes from its own client address (``X-Forwarded-For``, honoured when the
app trusts the runner as a proxy), as real people do, so that the per-address limits of the
case-status check apply per conversation.

Example::

    suite = load_suite(SUITE_DIR)
    report = asyncio.run(run_suite("http://127.0.0.1:8000", suite))
    print(format_report(report))
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.texts import TEXTS_DIR
from knowledge.entries import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SUITE_DIR = PROJECT_ROOT / "evaluation" / "conversations"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"

# Languages whose speakers in Poland usually read Russian better than English (FORMAT.md).
READ_IN_RUSSIAN = frozenset({"be", "ka", "uz", "kk", "hy", "az", "ky", "tg"})

# Which catalogue texts show which kind of reply: "domain:<response>" or "<texts file>:<key>".
REPLY_KINDS: dict[str, tuple[str, ...]] = {
    "greeting": ("domain:utter_greet",),
    "farewell": ("domain:utter_goodbye",),
    "thanks_reply": ("domain:utter_you_are_welcome",),
    "bot_identity": ("domain:utter_small_talk", "domain:utter_bot_identity"),
    "capabilities": ("domain:utter_capabilities",),
    "acknowledge": ("domain:utter_how_can_i_help", "domain:utter_acknowledge"),
    "no_answer": ("domain:utter_no_answer",),
    "out_of_scope": ("domain:utter_out_of_scope",),
    "clarify": ("domain:utter_clarify",),
    "stopped": ("domain:utter_stopped",),
    "language_switched": ("domain:utter_language_switched",),
    "feedback_thanks": ("domain:utter_feedback_thanks",),
    "feedback_sorry": ("domain:utter_feedback_sorry",),
    "handoff": ("handoff:created",),
    "error": ("domain:utter_default",),
    "ask_case_number": ("case_status:messages.ask_case_number", "domain:utter_ask_case_number"),
    "ask_birth_date": ("case_status:messages.ask_birth_date", "domain:utter_ask_birth_date"),
    "case_result": ("case_status:messages.not_found", "case_status:messages.status_as_of", "case_status:messages.locked"),
    "ask_holder_type": ("dialogue:ask_holder_type", "domain:utter_ask_holder_type"),
    "ask_already_started": ("dialogue:ask_already_started", "domain:utter_ask_already_started"),
    "employer_change_plan": ("dialogue:plan_intro",),
    "ask_stay_basis": ("dialogue:ask_stay_basis", "domain:utter_ask_stay_basis"),
    "ask_stay_dates": ("dialogue:ask_stays", "domain:utter_ask_stay_dates"),
    "ask_valid_period": ("dialogue:ask_valid_to", "domain:utter_ask_valid_period"),
    "ask_days_allowed": ("dialogue:ask_days_allowed", "domain:utter_ask_days_allowed"),
    "legal_stay_result": ("dialogue:legal_today_yes", "dialogue:legal_today_no"),
    "procedure_menu": ("procedures:choose_procedure",),
    "checklist": ("procedures:documents_heading",),
}
EXPECT_KEYS = frozenset({"kind", "all", "not", "entries", "language", "amount", "mentions"})
_AMOUNT = re.compile(r"\d[\d\s]*(?:[.,]\d+)?\s*(?:zł|zl\b|PLN|злот)", re.IGNORECASE)
_CHOOSE = re.compile(r'^/choose_entry\{"entry_id":\s*"([^"]+)"\}$')


class SuiteFormatError(ValueError):
    """A conversation file does not follow FORMAT.md."""


@dataclass(frozen=True)
class Turn:
    user: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    id: str
    language: str
    kind: str
    turns: tuple[Turn, ...]
    description: str = ""
    ui_language: str | None = None
    holdout: bool = False

    @property
    def reply_language(self) -> str:
        """The language the assistant should answer this person in (FORMAT.md)."""
        if self.language in LANGUAGES:
            return self.language
        return "ru" if self.language in READ_IN_RUSSIAN else "en"


def load_suite(directory: Path = SUITE_DIR, *, holdout: bool | None = None) -> list[Conversation]:
    """Every conversation of the suite (``holdout``: True only the holdout, False none of it)."""
    files = []
    if holdout is not True:
        files += [(p, False) for p in sorted(directory.glob("*.yml"))]
    if holdout is not False:
        files += [(p, True) for p in sorted((directory / "holdout").glob("*.yml"))]
    conversations: list[Conversation] = []
    seen: set[str] = set()
    for path, is_holdout in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get("conversations") or []:
            conversation = _conversation(raw, is_holdout, path)
            if conversation.id in seen:
                raise SuiteFormatError(f"{path}: duplicate conversation id {conversation.id}")
            seen.add(conversation.id)
            conversations.append(conversation)
    return conversations


def _conversation(raw: dict[str, Any], holdout: bool, path: Path) -> Conversation:
    try:
        turns = tuple(Turn(str(t["user"]), dict(t.get("expect") or {})) for t in raw["turns"])
        conversation = Conversation(id=str(raw["id"]), language=str(raw["language"]), kind=str(raw["kind"]),
                                    turns=turns, description=str(raw.get("description") or ""),
                                    ui_language=raw.get("ui_language"), holdout=holdout)
    except (KeyError, TypeError) as exc:
        raise SuiteFormatError(f"{path}: conversation {raw.get('id')!r} lacks {exc}") from exc
    for turn in turns:
        unknown = set(turn.expect) - EXPECT_KEYS
        kinds = {k for key in ("kind", "all", "not") for k in _as_list(turn.expect.get(key))}
        if unknown or kinds - set(REPLY_KINDS) - {"answer"}:
            raise SuiteFormatError(f"{path}: {conversation.id}: unknown {sorted(unknown | (kinds - set(REPLY_KINDS) - {'answer'}))}")
    return conversation


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


# --- reading replies ---------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    kind: str
    language: str
    regex: re.Pattern[str]


@lru_cache
def catalogue_patterns() -> tuple[Pattern, ...]:
    """A pattern per reply kind and language, from the texts the assistant actually sends."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}
    responses = domain.get("responses") or {}
    patterns: list[Pattern] = []
    for kind, sources in REPLY_KINDS.items():
        for source in sources:
            for language, template in _variants(source, responses):
                patterns.append(Pattern(kind, language, _template_regex(template)))
    return tuple(patterns)


def _variants(source: str, responses: dict[str, Any]) -> Iterable[tuple[str, str]]:
    where, _, key = source.partition(":")
    if where == "domain":
        for variation in responses.get(key) or []:
            conditions = variation.get("condition") or []
            language = next((c.get("value") for c in conditions if c.get("name") == "language"), "en")
            if variation.get("text"):
                yield language, str(variation["text"])
        return
    path = TEXTS_DIR / f"{where}.yml"
    if not path.exists():
        return
    node: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        for language, template in node.items():
            if language in LANGUAGES and isinstance(template, str):
                yield language, template


def _template_regex(template: str) -> re.Pattern[str]:
    """The template with its ``{placeholders}`` matching anything, as a search pattern."""
    pieces = re.split(r"\{[a-z_]+\}", template.strip())
    return re.compile(r".+?".join(re.escape(" ".join(p.split())) for p in pieces), re.DOTALL)


@dataclass
class Observed:
    """What one turn's reply contained."""

    kinds: dict[str, set[str]] = field(default_factory=dict)    # kind -> languages it was seen in
    answered: list[str] = field(default_factory=list)            # entry ids answered (sources payloads)
    offered: list[str] = field(default_factory=list)             # entry ids offered as choices
    text: str = ""

    def languages(self) -> set[str]:
        found: set[str] = set()
        for languages in self.kinds.values():
            if len(languages) == 1:
                found |= languages
        return found


def read_reply(messages: Sequence[dict[str, Any]]) -> Observed:
    """The reply kinds, answered and offered entries and the text of one turn's messages."""
    observed = Observed()
    texts = []
    for message in messages:
        text = " ".join(str(message.get("text") or "").split())
        if text:
            texts.append(text)
            for pattern in catalogue_patterns():
                if pattern.regex.search(text):
                    observed.kinds.setdefault(pattern.kind, set()).add(pattern.language)
        for button in message.get("buttons") or []:
            match = _CHOOSE.match(str(button.get("payload") or ""))
            if match:
                observed.offered.append(match.group(1))
        custom = message.get("custom") or {}
        if custom.get("type") == "sources" and custom.get("entry_id"):
            observed.answered.append(str(custom["entry_id"]))
            observed.kinds.setdefault("answer", set()).add(str(custom.get("language")))
    observed.text = "\n".join(texts)
    return observed


def check_turn(turn: Turn, observed: Observed, reply_language: str) -> list[str]:
    """What is wrong with the reply to ``turn`` (nothing when it passes)."""
    expect, problems = turn.expect, []
    kinds = set(observed.kinds)
    if "error" in kinds:
        problems.append("the assistant said something went wrong")
    if "handoff" in kinds and "handoff" not in _as_list(expect.get("kind")) + _as_list(expect.get("all")):
        problems.append("handed off to staff")
    wanted_any = _as_list(expect.get("kind"))
    if wanted_any and not kinds & set(wanted_any):
        problems.append(f"expected one of {wanted_any}, got {sorted(kinds) or 'nothing known'}")
    missing = [k for k in _as_list(expect.get("all")) if k not in kinds]
    if missing:
        problems.append(f"expected all of {_as_list(expect.get('all'))}, missing {missing}")
    unwanted = [k for k in _as_list(expect.get("not")) if k in kinds]
    if unwanted:
        problems.append(f"must not {unwanted}")
    entries = set(_as_list(expect.get("entries")))
    if entries:
        wants_answer = "answer" in wanted_any or "answer" in _as_list(expect.get("all"))
        wants_clarify = "clarify" in wanted_any or "clarify" in _as_list(expect.get("all"))
        good = (set(observed.answered) & entries) or ((wants_clarify or not wants_answer) and set(observed.offered) & entries)
        # "kind: [ask_case_number, answer]" with entries: the entries count only if it answered
        must_answer = bool({"answer", "clarify"} & set(_as_list(expect.get("all")))) \
            or (bool(wanted_any) and set(wanted_any) <= {"answer", "clarify"}) or not wanted_any
        if not good and (observed.answered or observed.offered or must_answer):
            problems.append(f"expected entries {sorted(entries)}, answered {observed.answered}, offered {observed.offered}")
    language = expect.get("language") or reply_language
    seen = observed.languages()
    if seen and language not in seen:
        problems.append(f"reply in {sorted(seen)}, expected {language}")
    if expect.get("amount") and not _AMOUNT.search(observed.text):
        problems.append("no amount in złoty")
    mentions = _as_list(expect.get("mentions"))
    if mentions and not any(m.casefold() in observed.text.casefold() for m in mentions):
        problems.append(f"mentions none of {mentions}")
    if not kinds and not observed.text:
        problems.append("no reply")
    return problems


# --- playing the suite -------------------------------------------------------------------

@dataclass
class ConversationResult:
    conversation: Conversation
    failures: list[tuple[int, str, list[str], str]]   # (turn number, user text, problems, reply text)

    @property
    def passed(self) -> bool:
        return not self.failures


async def play(client: httpx.AsyncClient, conversation: Conversation, address: str) -> ConversationResult:
    """Play one conversation turn by turn; every turn is checked, failures are collected."""
    sender = f"eval-{conversation.id}-{uuid.uuid4().hex[:6]}"[:128]
    language = conversation.reply_language
    failures = []
    for number, turn in enumerate(conversation.turns, 1):
        payload: dict[str, Any] = {"sender": sender, "message": turn.user}
        if conversation.ui_language:
            payload["language"] = conversation.ui_language
        try:
            response = await client.post("/api/chat", json=payload, headers={"X-Forwarded-For": address})
        except httpx.HTTPError as exc:
            failures.append((number, turn.user, [f"request failed: {type(exc).__name__}"], ""))
            break
        if response.status_code != 200:
            failures.append((number, turn.user, [f"HTTP {response.status_code}: {response.text[:200]}"], ""))
            continue
        observed = read_reply(response.json().get("messages") or [])
        language = turn.expect.get("language") or language
        problems = check_turn(turn, observed, language)
        if problems:
            failures.append((number, turn.user, problems, observed.text[:600]))
    return ConversationResult(conversation, failures)


async def run_suite(base_url: str, conversations: Sequence[Conversation], *, concurrency: int = 4,
                    timeout: float = 120.0) -> list[ConversationResult]:
    """Play every conversation, ``concurrency`` at a time, each from its own client address."""
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        async def one(index: int, conversation: Conversation) -> ConversationResult:
            async with semaphore:
                return await play(client, conversation, f"198.18.{index // 250}.{index % 250 + 1}")
        return list(await asyncio.gather(*(one(i, c) for i, c in enumerate(conversations))))


def summarise(results: Sequence[ConversationResult]) -> dict[str, Any]:
    """Pass rates overall, per language and per kind, separately for the holdout part."""
    def rates(group: Sequence[ConversationResult], key) -> dict[str, dict[str, float | int]]:
        buckets: dict[str, list[bool]] = defaultdict(list)
        for result in group:
            buckets[key(result.conversation)].append(result.passed)
        return {name: {"passed": sum(v), "total": len(v), "rate": round(sum(v) / len(v), 3)}
                for name, v in sorted(buckets.items())}

    summary: dict[str, Any] = {}
    for part, group in (("all", list(results)), ("development", [r for r in results if not r.conversation.holdout]),
                        ("holdout", [r for r in results if r.conversation.holdout])):
        if not group:
            continue
        passed = sum(r.passed for r in group)
        summary[part] = {"passed": passed, "total": len(group), "rate": round(passed / len(group), 3),
                         "by_language": rates(group, lambda c: c.language),
                         "by_kind": rates(group, lambda c: c.kind),
                         "served_vs_other": rates(group, lambda c: "pl/en/uk/ru" if c.language in LANGUAGES else "other")}
    return summary


def format_report(results: Sequence[ConversationResult], *, show_failures: bool = True) -> str:
    """A readable report: pass rates, then (development conversations only) what failed."""
    summary = summarise(results)
    lines = []
    for part, figures in summary.items():
        lines.append(f"{part}: {figures['passed']}/{figures['total']} conversations passed ({figures['rate']:.1%})")
        for title, key in (("language", "by_language"), ("kind", "by_kind"), ("group", "served_vs_other")):
            cells = "  ".join(f"{name} {v['passed']}/{v['total']}" for name, v in figures[key].items())
            lines.append(f"  by {title}: {cells}")
    if show_failures:
        # Holdout conversations are read as rates only: their failures are not shown.
        for result in results:
            if result.passed or result.conversation.holdout:
                continue
            lines.append(f"\nFAIL {result.conversation.id} ({result.conversation.description})")
            for number, user, problems, reply in result.failures:
                lines.append(f"  turn {number}: {user[:160]!r}")
                lines.extend(f"    - {p}" for p in problems)
                if reply:
                    lines.append(f"    reply: {reply[:300]!r}")
    return "\n".join(lines)


def results_json(results: Sequence[ConversationResult]) -> str:
    return json.dumps({"summary": summarise(results),
                       "failed": [r.conversation.id for r in results if not r.passed and not r.conversation.holdout]},
                      ensure_ascii=False, indent=2)


# --- the command ------------------------------------------------------------------------

@contextlib.contextmanager
def running_assistant(cases_file: Path) -> Iterator[str]:
    """Start Rasa and the app on free ports with a data directory of their own (the case store
    holding ``cases_file``), yield the app's URL, stop both afterwards."""
    from bot.services.case_store import CaseStore
    from bot.services.db import create_schema, make_engine
    from connectors import launcher, rasa_setup
    from connectors.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="converse-eval-") as data_dir:
        settings = get_settings().model_copy(update={"data_dir": Path(data_dir), "port": _free_port(),
                                                     "rasa_port": _free_port(), "knowledge_watch_seconds": 0})
        engine = make_engine(settings.app_database_url)
        create_schema(engine)
        CaseStore(engine).import_csv(cases_file)
        engine.dispose()
        model = rasa_setup.train(settings)
        children = launcher.start_processes(settings, model)
        try:
            dead = launcher.wait_until_ready(settings, children, timeout=600)
            if dead is not None:
                raise RuntimeError(f"the {dead.name} process died:\n{dead.tail(40)}")
            yield f"http://{settings.host}:{settings.port}"
        finally:
            launcher.stop_children(children)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def select(conversations: Sequence[Conversation], *, languages: Sequence[str] = (), kinds: Sequence[str] = (),
           ids: Sequence[str] = ()) -> list[Conversation]:
    return [c for c in conversations
            if (not languages or c.language in languages) and (not kinds or c.kind in kinds) and (not ids or c.id in ids)]


def converse_eval_command(args: Any) -> int:
    """`infoline converse-eval`: play the suite against ``--url`` or a freshly started assistant."""
    holdout = {"include": None, "only": True, "exclude": False}[args.holdout]
    conversations = select(load_suite(Path(args.suite), holdout=holdout), languages=args.lang or (),
                           kinds=args.kind or (), ids=args.id or ())
    if not conversations:
        print("No conversation matches.", file=sys.stderr)
        return 1

    async def play_all(url: str) -> list[ConversationResult]:
        return await run_suite(url, conversations, concurrency=args.concurrency)

    if args.url:
        results = asyncio.run(play_all(args.url))
    else:
        with running_assistant(Path(args.suite) / "cases.csv") as url:
            results = asyncio.run(play_all(url))
    print(results_json(results) if args.json else format_report(results, show_failures=not args.quiet))
    return 0
