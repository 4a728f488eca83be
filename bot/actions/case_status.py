"""Case status: ask the case number and the date of birth, verify, tell the status.

Domain needs: slots ``case_number``, ``birth_date`` (text, not influencing the conversation), the
form ``case_status_form``, and the actions below. Texts: ``bot/texts/case_status.yml``.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import ask_action, client_of, conversation_language, text
from bot.actions.dates import birth_date_in
from bot.actions.flow_guard import GuardedFormValidation
from bot.services.case_store import AttemptLimiter, CaseStore, normalise_case_number, verify_with_limit

logger = logging.getLogger(__name__)

# What a person told a status asks about next ("and how do I collect it?").
STATUS_TOPICS = {"received": "processing-time", "formal_deficiencies": "formal-deficiencies",
                 "awaiting_fingerprints": "fingerprints-visit", "in_review": "processing-time",
                 "decision_positive": "residence-card-pickup", "decision_negative": "appeal-negative-decision",
                 "card_ready": "residence-card-pickup", "card_collected": "residence-card-lost-or-changed"}


class ValidateCaseStatusForm(GuardedFormValidation):
    """Normalises the case number and the birth date; re-asks with an example when unclear. Both
    are read from any message of the flow, the one that started it included."""

    form_slots = ("case_number", "birth_date")

    def name(self) -> str:
        return "validate_case_status_form"

    def holds_value(self, slot: str, text: str, tracker: Tracker) -> bool:
        if slot == "case_number":
            return normalise_case_number(text) is not None
        return birth_date_in(text) is not None

    def gives_details(self, text: str) -> bool:
        return normalise_case_number(text) is not None or birth_date_in(text) is not None

    async def extract_birth_date(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        latest = str((tracker.latest_message or {}).get("text") or "")
        if tracker.get_slot("birth_date") or tracker.get_slot("requested_slot") == "birth_date" or latest.startswith("/"):
            return {}
        return {"birth_date": latest} if birth_date_in(latest) else {}

    async def validate_case_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict) -> dict[str, Any]:
        normalised = normalise_case_number(str(value or ""))
        if normalised is None:
            dispatcher.utter_message(text=text("case_status", "messages.bad_case_number", conversation_language(tracker)))
            return {"case_number": None}
        return {"case_number": normalised}

    async def validate_birth_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: dict) -> dict[str, Any]:
        parsed = birth_date_in(str(value or ""))
        if parsed is None:
            dispatcher.utter_message(text=text("case_status", "messages.bad_birth_date", conversation_language(tracker)))
            return {"birth_date": None}
        return {"birth_date": parsed.isoformat()}


ActionAskCaseNumber = ask_action("action_ask_case_number", "case_status", "messages.ask_case_number")
ActionAskBirthDate = ask_action("action_ask_birth_date", "case_status", "messages.ask_birth_date")


class ActionCheckCaseStatus(Action):
    """Verifies the person (with attempts limited) and tells the status; clears the personal data."""

    def __init__(self, store: Callable[[], CaseStore], limiter: Callable[[], AttemptLimiter], secret: str) -> None:
        self._store = store
        self._limiter = limiter
        self._secret = secret

    def name(self) -> str:
        return "action_check_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        clear = [SlotSet("case_number", None), SlotSet("birth_date", None)]
        case_number, birth_date = tracker.get_slot("case_number"), tracker.get_slot("birth_date")
        if not case_number or not birth_date:
            return clear
        outcome = verify_with_limit(self._store(), self._limiter(), conversation_id=tracker.sender_id,
                                    client_address=client_of(tracker, self._secret), case_number=case_number, birth_date=birth_date)
        if outcome.retry_at is not None:
            local = outcome.retry_at.astimezone().strftime("%H:%M")
            dispatcher.utter_message(text=text("case_status", "messages.locked", language, retry_at=local))
            logger.info("case status check refused: cooling off")
            return clear
        if outcome.status is None:
            dispatcher.utter_message(text=text("case_status", "messages.not_found", language))
            logger.info("case status check: not verified")
            return clear
        status = outcome.status
        parts = [
            text("case_status", f"statuses.{status.status}.meaning", language),
            text("case_status", f"statuses.{status.status}.next_steps", language),
            text("case_status", "messages.status_as_of", language, status_date=status.status_date.isoformat(),
                 updated_at=status.updated_at.date().isoformat()),
            text("case_status", "messages.information_only", language),
        ]
        dispatcher.utter_message(text="\n\n".join(parts))
        logger.info("case status told: %s", status.status)
        return clear + [SlotSet("topic", STATUS_TOPICS.get(status.status, "case-status-check"))]
