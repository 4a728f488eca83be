"""Documents and fees for a chosen procedure, from knowledge/data/procedures.yml."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import conversation_language, text
from bot.services.procedures import UnknownProcedureError, get_procedure, procedure_choices


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
    """Shows the checklist for the procedure chosen (a button), or offers the procedures."""

    def name(self) -> str:
        return "action_documents_and_fees"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        procedure = next(tracker.get_latest_entity_values("procedure"), None)
        if procedure:
            try:
                message, payload = checklist_text(procedure, language)
            except UnknownProcedureError:
                procedure = None
            else:
                dispatcher.utter_message(text=message, json_message=payload)
                return []
        buttons = [{"title": choice.title, "payload": f'/documents_and_fees{{"procedure":"{choice.procedure_id}"}}'}
                   for choice in procedure_choices(language)]
        dispatcher.utter_message(text=text("procedures", "choose_procedure", language), buttons=buttons)
        return []
