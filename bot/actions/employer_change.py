"""Employer change: what the person holds and whether work started, then the path to follow.

Domain needs: slots ``holder_type``, ``already_started`` (text), the form ``employer_change_form``
and the actions below. Texts: ``bot/texts/employer_change.yml`` and ``bot/texts/dialogue.yml``.
"""
from __future__ import annotations

from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choices import keywords, recognise
from bot.actions.common import conversation_language, is_no, is_yes, text
from bot.actions.flow_guard import GuardedFormValidation
from bot.actions.knowledge import entry_message
from bot.services.employer_change import HOLDERS, plan_employer_change
from knowledge.search import KnowledgeSearch


def _employer_asking(tracker: Tracker) -> bool:
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == "change_employer":
            words = (event.get("text") or "").casefold()
            return any(w in words for w in keywords()["employer_asking"])
    return False


def started_answer(value: str) -> str | None:
    """ "yes"/"no" for whether the new work started: a yes or no (also leading a longer answer,
    "nie, od przyszłego miesiąca"), or words that say it ("not yet", "już pracuję")."""
    value = str(value or "").strip()
    if value in {"yes", "no"}:
        return value
    if is_yes(value) or is_no(value):
        return "yes" if is_yes(value) else "no"
    lowered = value.casefold()
    cues = keywords()["already_started"]
    for answer in ("no", "yes"):   # "not started yet" holds "started": the negative cues first
        if any(cue in lowered for cue in cues[answer]):
            return answer
    first = lowered.replace(",", " ").replace(".", " ").split()[:1]
    if first and (is_yes(first[0]) or is_no(first[0])):
        return "yes" if is_yes(first[0]) else "no"
    return None


class ValidateEmployerChangeForm(GuardedFormValidation):
    """Maps typed words or buttons to a holder type, and yes/no to whether work started; both are
    read from any message of the flow, the one that started it included."""

    form_slots = ("holder_type", "already_started")

    def name(self) -> str:
        return "validate_employer_change_form"

    def holds_value(self, slot: str, text: str, tracker: Tracker) -> bool:
        if slot == "holder_type":
            return recognise("holder_type", text, HOLDERS) is not None
        return started_answer(text) is not None

    async def extract_holder_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        latest = str((tracker.latest_message or {}).get("text") or "")
        if tracker.get_slot("holder_type") or tracker.get_slot("requested_slot") == "holder_type" or latest.startswith("/"):
            return {}
        code = recognise("holder_type", latest, HOLDERS)
        return {"holder_type": code} if code else {}

    async def extract_already_started(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        latest = str((tracker.latest_message or {}).get("text") or "")
        if tracker.get_slot("already_started") or tracker.get_slot("requested_slot") == "already_started" \
                or latest.startswith("/"):
            return {}
        lowered = latest.casefold()
        cues = keywords()["already_started"]
        for answer in ("no", "yes"):
            if any(cue in lowered for cue in cues[answer]):
                return {"already_started": answer}
        return {}

    async def validate_holder_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict) -> dict[str, Any]:
        code = recognise("holder_type", str(value or ""), HOLDERS)
        if code is None:
            dispatcher.utter_message(text=text("dialogue", "bad_holder_type", conversation_language(tracker)))
        return {"holder_type": code}

    async def validate_already_started(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: dict) -> dict[str, Any]:
        answer = started_answer(str(value or ""))
        if answer:
            return {"already_started": answer}
        dispatcher.utter_message(text=text("dialogue", "bad_yes_no", conversation_language(tracker)))
        return {"already_started": None}


class ActionAskHolderType(Action):
    def name(self) -> str:
        return "action_ask_holder_type"

    async def run(self, dispatcher, tracker, domain):
        language = conversation_language(tracker)
        buttons = [{"title": text("employer_change", f"holders.{code}", language),
                    "payload": f'/inform{{"holder_type":"{code}"}}'} for code in HOLDERS]
        dispatcher.utter_message(text=text("dialogue", "ask_holder_type", language), buttons=buttons)
        return []


class ActionAskAlreadyStarted(Action):
    def name(self) -> str:
        return "action_ask_already_started"

    async def run(self, dispatcher, tracker, domain):
        language = conversation_language(tracker)
        from bot.actions.texts import response_text

        buttons = [{"title": response_text(domain, "utter_button_yes", language), "payload": "/affirm"},
                   {"title": response_text(domain, "utter_button_no", language), "payload": "/deny"}]
        dispatcher.utter_message(text=text("dialogue", "ask_already_started", language), buttons=buttons)
        return []


class ActionEmployerChangePath(Action):
    """Tells the steps, who does them and the deadlines, then the entry to read."""

    def __init__(self, knowledge: Callable[[], KnowledgeSearch]) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_employer_change_path"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        reset = [SlotSet("holder_type", None), SlotSet("already_started", None)]
        holder = tracker.get_slot("holder_type")
        if holder not in HOLDERS:
            return reset
        employer = _employer_asking(tracker)
        plan = plan_employer_change(holder, same_position=True, already_started=tracker.get_slot("already_started") == "yes",
                                    asker_is_employer=employer)
        lines = [text("dialogue", "plan_intro", language, holder=text("employer_change", f"holders.{holder}", language))]
        for number, step in enumerate(plan.steps, 1):
            actor = text("employer_change", f"actors.{step.actor}.{plan.asker}", language)
            lines.append(f"{number}. {actor}: {text('employer_change', f'steps.{step.code}', language)}")
        if plan.warnings:
            lines.append("")
            lines.append(text("dialogue", "warnings_heading", language))
            lines.extend(f"- {text('employer_change', f'warnings.{code}', language)}" for code in plan.warnings)
        lines.append("")
        lines.append(text("dialogue", "read_more", language))
        dispatcher.utter_message(text="\n".join(lines))
        search = self._knowledge()
        if plan.entry_id in search.entries:
            dispatcher.utter_message(**entry_message(search.entries[plan.entry_id], language, []))
        return reset
