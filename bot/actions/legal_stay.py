"""Legal stay check: the basis of stay and the dates it needs, then whether the stay is legal today.

Domain needs: slots ``stay_basis``, ``stay_dates``, ``valid_period``, ``days_allowed`` (text), the
form ``legal_stay_form`` and the actions below. Texts: ``bot/texts/legal_stay.yml``, ``dialogue.yml``.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.choices import recognise
from bot.actions.common import ask_action, conversation_language, text
from bot.actions.choices import keywords
from bot.actions.dates import parse_dates, parse_period, parse_stays
from bot.actions.flow_guard import GuardedFormValidation
from bot.services.legal_stay import BASES, MissingInput, check_legal_stay

SLOTS_BY_BASIS = {
    "visa_free": ["stay_dates"],
    "visa_c": ["valid_period", "days_allowed", "stay_dates"],
    "visa_d": ["valid_period"],
    "residence_card": ["valid_period"],
    "pending_application": [],
    "ukr_status": [],
}
SLOTS = ("stay_basis", "stay_dates", "valid_period", "days_allowed")


# When a message names two bases ("bez wizy ... w strefie Schengen"), the first of these wins.
BASIS_PRIORITY = ("visa_free", "visa_d", "residence_card", "pending_application", "ukr_status", "visa_c")


def _cued(text: str, kind: str, before_date: bool = False) -> bool:
    """Whether a cue of ``kind`` is in ``text`` (with ``before_date``: shortly before a date)."""
    lowered = text.casefold()
    cues = keywords()["stay_cues"][kind]
    if not before_date:
        return any(cue in lowered for cue in cues)
    return any(re.search(re.escape(cue) + r".{0,25}?\d", lowered) for cue in cues)


def basis_in(text: str) -> str | None:
    """The basis of stay a message names (one of several by :data:`BASIS_PRIORITY`)."""
    code = recognise("stay_basis", text, BASES)
    if code:
        return code
    lowered = (text or "").casefold()
    named = [c for c in BASIS_PRIORITY
             if any(re.search(r"(?<!\w)" + re.escape(w.casefold()), lowered) for w in keywords()["stay_basis"].get(c, []))]
    return named[0] if named else None


def details_in(text: str, basis: str | None) -> dict[str, str]:
    """The basis of stay and the dates a message gives before being asked: "bez wizy od 3
    sierpnia" gives the basis and the entry date, "wiza D ważna do 15.03.2027" the validity."""
    found: dict[str, str] = {}
    basis = basis or basis_in(text)
    if basis:
        found["stay_basis"] = basis
    dates = parse_dates(text)
    if not basis or not dates:
        return found
    needed = SLOTS_BY_BASIS.get(basis, [])
    if "stay_dates" in needed and _cued(text, "entry", before_date=True) and (len(dates) == 1 or _cued(text, "no_other_stays")) \
            and dates[0] <= dt.date.today():
        found["stay_dates"] = dates[0].strftime("%d.%m.%Y")
    if "valid_period" in needed and _cued(text, "valid_to", before_date=True):
        found["valid_period"] = dates[-1].strftime("%d.%m.%Y")
    return found


class ValidateLegalStayForm(GuardedFormValidation):
    """Asks only for the dates the chosen basis needs, and checks each answer can be read; the
    basis and dates given up front (in the message that started the flow) are used."""

    form_slots = SLOTS

    def name(self) -> str:
        return "validate_legal_stay_form"

    def holds_value(self, slot: str, text: str, tracker: Tracker) -> bool:
        if slot == "stay_basis":
            return basis_in(text) is not None
        if slot == "stay_dates":
            return parse_stays(text) is not None or bool(parse_dates(text))
        if slot == "valid_period":
            return parse_period(text) is not None
        return any(ch.isdigit() for ch in text)

    def gives_details(self, text: str) -> bool:
        return bool(parse_dates(text))

    async def extract_stay_basis(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        latest = str((tracker.latest_message or {}).get("text") or "")
        if latest.startswith("/") or tracker.get_slot("requested_slot") not in (None, "stay_basis"):
            return {}
        if tracker.get_slot("requested_slot") == "stay_basis" and not tracker.get_slot("stay_basis"):
            # the answer to the question itself: the basis goes through the slot mapping, the dates here
            basis = basis_in(latest)
            return {k: v for k, v in details_in(latest, basis).items() if k != "stay_basis"} if basis else {}
        return {k: v for k, v in details_in(latest, tracker.get_slot("stay_basis")).items() if not tracker.get_slot(k)}

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        basis = tracker.get_slot("stay_basis")
        return ["stay_basis", *SLOTS_BY_BASIS.get(basis, [])]

    async def validate_stay_basis(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        code = basis_in(str(value or ""))
        if code is None:
            dispatcher.utter_message(text=text("dialogue", "bad_stay_basis", conversation_language(tracker)))
        return {"stay_basis": code}

    async def validate_stay_dates(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        stays = parse_stays(str(value or ""))
        if stays is None:
            dispatcher.utter_message(text=text("dialogue", "bad_stays", conversation_language(tracker)))
            return {"stay_dates": None}
        future = next((s.entry for s in stays if s.entry > dt.date.today()), None)
        if future is not None:
            dispatcher.utter_message(text=text("dialogue", "future_stays", conversation_language(tracker),
                                               date=future.strftime("%d.%m.%Y")))
            return {"stay_dates": None}
        return {"stay_dates": str(value)}

    async def validate_valid_period(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if parse_period(str(value or "")) is None:
            dispatcher.utter_message(text=text("dialogue", "bad_date", conversation_language(tracker)))
            return {"valid_period": None}
        return {"valid_period": str(value)}

    async def validate_days_allowed(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        if not digits or not 1 <= int(digits) <= 365:
            dispatcher.utter_message(text=text("dialogue", "bad_number", conversation_language(tracker)))
            return {"days_allowed": None}
        return {"days_allowed": digits}


def _basis_buttons(language: str) -> list[dict]:
    return [{"title": text("legal_stay", f"bases.{code}", language), "payload": f'/inform{{"stay_basis":"{code}"}}'}
            for code in BASES]


ActionAskStayBasis = ask_action("action_ask_stay_basis", "dialogue", "ask_stay_basis", _basis_buttons)
ActionAskStayDates = ask_action("action_ask_stay_dates", "dialogue", "ask_stays")
ActionAskValidPeriod = ask_action("action_ask_valid_period", "dialogue", "ask_valid_to")
ActionAskDaysAllowed = ask_action("action_ask_days_allowed", "dialogue", "ask_days_allowed")


class ActionCheckLegalStay(Action):
    """Computes the result with bot.services.legal_stay and explains it; clears the dates."""

    def __init__(self, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._today = today

    def name(self) -> str:
        return "action_check_legal_stay"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        language = conversation_language(tracker)
        reset = [SlotSet(slot, None) for slot in SLOTS]
        basis = tracker.get_slot("stay_basis")
        if basis not in BASES:
            return reset
        period = parse_period(tracker.get_slot("valid_period") or "") or (None, None)
        days = tracker.get_slot("days_allowed")
        try:
            result = check_legal_stay(basis, today=self._today(), valid_from=period[0], valid_to=period[1],
                                      days_allowed=int(days) if days else None,
                                      stays=parse_stays(tracker.get_slot("stay_dates") or "") or ())
        except (MissingInput, ValueError):
            dispatcher.utter_message(text=text("dialogue", "bad_date", language))
            return reset
        lines = [text("dialogue", "legal_today_yes" if result.legal_today else "legal_today_no", language),
                 text("legal_stay", f"reasons.{result.reason}", language,
                      legal_until=result.legal_until.strftime("%d.%m.%Y") if result.legal_until else "",
                      days_used=result.days_used_in_180 or 0, days_left=result.days_left or 0)]
        if result.days_used_in_180 is not None:
            lines.append(text("dialogue", "days_summary", language, days_used=result.days_used_in_180,
                              days_left=result.days_left or 0))
        for code in result.warnings:
            lines.append("- " + text("legal_stay", f"warnings.{code}", language,
                                     legal_until=result.legal_until.strftime("%d.%m.%Y") if result.legal_until else "",
                                     days_used=result.days_used_in_180 or 0, days_left=result.days_left or 0))
        lines.append(text("dialogue", "not_a_decision", language))
        dispatcher.utter_message(text="\n\n".join(lines))
        return reset + [SlotSet("topic", result.entry_id)]
