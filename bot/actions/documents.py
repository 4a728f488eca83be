"""Documents and fees for a chosen procedure, from knowledge/data/procedures.yml."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choices import keywords
from bot.actions.common import conversation_language, text
from bot.actions.knowledge import search_in_context, social_kind, topic_of, SOCIAL_RESPONSES
from bot.services.turns import fold, without_social_clauses
from bot.services.procedures import UnknownProcedureError, default_catalog, get_procedure, procedure_choices
from knowledge.search import KnowledgeSearch, SearchResult

if TYPE_CHECKING:
    from bot.actions.knowledge import ActionAnswerQuestion

# The entry that lists every fee: a question it tops names no procedure by itself.
GENERAL_FEES_ENTRY = "fees"
GENERAL_FEES_PROCEDURE = "residence-card"
MENU_SIZE = 4
# How likely a ranked entry must be to name its procedure, and the general fees entry on top.
NAMED_MIN_CONFIDENCE = 0.03
CHECKLIST_MIN_CONFIDENCE = 0.5
FEES_MIN_CONFIDENCE = 0.1


# Entries that are document lists of a procedure whose own entry is another one.
CHECKLIST_ENTRIES = {"documents-checklist-work": "temporary-residence-work",
                     "documents-checklist-study": "temporary-residence-study",
                     "documents-checklist-family": "temporary-residence-family",
                     "documents-checklist-permanent": "permanent-residence"}
# Entries about several procedures at once: they name none of them.
OVERVIEW_ENTRIES = frozenset({"work-permit-types"})


def procedure_entry(procedure_id: str) -> str:
    """The knowledge entry a procedure belongs to."""
    return default_catalog().procedure(procedure_id, "en").entry_id


def procedures_by_entry() -> dict[str, list[str]]:
    catalog = default_catalog()
    by_entry: dict[str, list[str]] = {}
    for procedure_id in catalog.ids:
        entry_id = catalog.procedure(procedure_id, "en").entry_id
        if entry_id not in OVERVIEW_ENTRIES:
            by_entry.setdefault(entry_id, []).append(procedure_id)
    for entry_id, procedure_id in CHECKLIST_ENTRIES.items():
        if procedure_id in catalog.ids:
            by_entry.setdefault(entry_id, []).append(procedure_id)
    return by_entry


def asks_cost_or_documents(text: str) -> bool:
    """Whether ``text`` asks what something costs or which documents it needs."""
    folded = f" {fold(text)} "
    cues = keywords()["asks_cost_or_documents"]
    return any(f" {fold(cue)}" in folded for kind in ("cost", "documents") for cue in cues[kind])


def named_procedure(result: SearchResult) -> str | None:
    """The procedure a question names, read from the entries the search ranks first: a specific
    procedure's entry among the top three (if at all likely), else the general fees entry on top
    (the residence card: "how much is the card?")."""
    if result.top is None:
        return None
    by_entry = procedures_by_entry()
    likely_lists = {hit.entry_id for hit in result.hits[:3]
                    if hit.entry_id in CHECKLIST_ENTRIES and hit.confidence >= CHECKLIST_MIN_CONFIDENCE}
    names_main = any(hit.entry_id in by_entry and hit.entry_id not in CHECKLIST_ENTRIES
                     and hit.entry_id != GENERAL_FEES_ENTRY and hit.confidence >= NAMED_MIN_CONFIDENCE
                     for hit in result.hits[:3])
    if len(likely_lists) > 1 and not names_main:
        return None   # "kakie dokumenty nuzhny?": several lists fit, none is named
    for hit in result.hits[:3]:
        # the document lists match any "what documents?", so they name their procedure only when likely
        needed = CHECKLIST_MIN_CONFIDENCE if hit.entry_id in CHECKLIST_ENTRIES else NAMED_MIN_CONFIDENCE
        if hit.entry_id != GENERAL_FEES_ENTRY and hit.entry_id in by_entry and hit.confidence >= needed:
            return by_entry[hit.entry_id][0]
    top = result.hits[0]
    return GENERAL_FEES_PROCEDURE if top.entry_id == GENERAL_FEES_ENTRY and top.confidence >= FEES_MIN_CONFIDENCE else None


def menu_procedures(result: SearchResult | None, language: str) -> list[str]:
    """The few procedures most likely meant: those of the ranked entries, then the most asked."""
    by_entry = procedures_by_entry()
    ranked = [p for hit in (result.hits if result else ()) for p in by_entry.get(hit.entry_id, [])]
    ranked += [choice.procedure_id for choice in procedure_choices(language)]
    return list(dict.fromkeys(ranked))[:MENU_SIZE]


def checklist_text(procedure_id: str, language: str) -> tuple[str, dict[str, Any]]:
    """The checklist message and its sources payload."""
    info = get_procedure(procedure_id, language)
    lines = [text("procedures", "documents_heading", language, title=info.title)]
    lines += [f"- {doc}" for doc in info.documents]
    lines += ["", text("procedures", "fees_heading", language)]
    for fee in info.fees:
        amount = f"{fee.amount_pln} zł" if fee.amount_pln is not None else text("procedures", "amount_unknown", language)
        lines.append(f"- {fee.label}: {amount}. {text('procedures', 'pay_to', language, payee=fee.payee)}"
                     + (f" ({fee.note})" if fee.note else ""))
    lines += ["", text("procedures", "checked_on", language, checked=info.checked.isoformat())]
    payload = {"type": "sources", "entry_id": info.entry_id, "title": info.title, "language": language,
               "requested_language": language, "sources": list(info.sources), "checked": info.checked.isoformat()}
    return "\n".join(lines), payload


class ActionDocumentsAndFees(Action):
    """Shows the checklist (documents and fees) for the procedure the question names or the button
    chose; a question the knowledge base answers directly gets that answer; a short menu of the
    likeliest procedures only when nothing names one."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch] | None = None,
                 answerer: "ActionAnswerQuestion | None" = None) -> None:
        self._knowledge = knowledge
        self._answerer = answerer

    def name(self) -> str:
        return "action_documents_and_fees"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        latest = tracker.latest_message or {}
        message = latest.get("text") or ""
        procedure = next(tracker.get_latest_entity_values("procedure"), None)
        result = None
        if not procedure and self._knowledge is not None and not message.startswith("/"):
            if self._answerer is not None:
                handled = self._answerer.before_search(dispatcher, tracker, domain, message)
                if handled is not None:
                    return handled
            elif (social := social_kind(message)) is not None:
                dispatcher.utter_message(response=SOCIAL_RESPONSES[social])
                return []
            search = self._knowledge()
            topic = topic_of(tracker)
            message = without_social_clauses(message)
            result = search_in_context(search, message, language, topic, latest.get("detected_language"))
            procedure = named_procedure(result)
            if procedure is None and result.decision == "answer" and self._answerer is not None:
                return self._answerer.respond(dispatcher, tracker, domain, message, language, None) or []
            if procedure is None and topic:
                procedure = (procedures_by_entry().get(topic) or [None])[0]
        if procedure:
            try:
                checklist, payload = checklist_text(procedure, language)
            except UnknownProcedureError:
                procedure = None
            else:
                dispatcher.utter_message(text=checklist, json_message=payload)
                return []
        titles = {choice.procedure_id: choice.title for choice in procedure_choices(language)}
        buttons = [{"title": titles[p], "payload": f'/documents_and_fees{{"procedure":"{p}"}}'}
                   for p in menu_procedures(result, language) if p in titles]
        dispatcher.utter_message(text=text("procedures", "choose_procedure", language), buttons=buttons)
        return []
