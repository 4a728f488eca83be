"""What a message sent while a form waits for a slot really is, before it is taken as the slot's value.

Every form's validation action derives from :class:`GuardedFormValidation`. When the message
holds a value for the requested slot, validation goes on as usual. Otherwise the message may be:

- a wish to leave ("stop", "nieważne", "не надо", a goodbye): the form ends, the person is told,
  and a question after it ("laisse tomber. comment faire appel ?") is answered;
- a request for a consultant: handed over, the form ends;
- a request to go on in another language: switched, the form asks again in it;
- a clearly different request (another flow's intent with high confidence): the form ends and
  that flow starts;
- a question: it is answered from the knowledge base and the form asks its question again;
- a social turn ("ok", "thanks"): the social reply, then the form's question again.

Anything else is validated as an answer and gets the form's own "I could not read that".
As a form starts, a message describing a situation that one entry answers is answered instead
(the flow does not start). A flow keeps the language it started in for short answers.
Rasa ends a form whose validation returns ``ActiveLoop(None)``; setting the requested slot to
None makes the form ask for it again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import SOCIAL_RESPONSES, search_in_context, social_kind
from bot.actions.language import asks_to_switch, switch_language
from bot.actions.texts import conversation_language
from bot.services.turns import fold, leave_and_rest, looks_like_question, wants_person

if TYPE_CHECKING:
    from bot.actions.knowledge import ActionAnswerQuestion

FLOW_OF_INTENT = {"check_case_status": "case_status_form", "change_employer": "employer_change_form",
                  "check_legal_stay": "legal_stay_form"}
# Intents the form's rules already handle (the slot mappings ignore them).
HANDLED_BY_RULES = frozenset({"stop", "start_over", "talk_to_human", "switch_language"})
QUESTION_INTENTS = frozenset({"ask_question", "documents_and_fees", "out_of_scope", "bot_capabilities", "nlu_fallback"})
# Actions that may stand between the person's message and the form's validation of it.
BEFORE_VALIDATION = frozenset({"action_listen", "action_extract_slots"})
SWITCH_CONFIDENCE = 0.8
# A message that starts a flow is answered from the knowledge base instead when it is a
# situation of at least this many words that an entry other than the flow's own answers.
SITUATION_MIN_WORDS = 6
SITUATION_CONFIDENCE = 0.6
FLOW_ENTRIES = {
    "case_status_form": frozenset({"case-status-check"}),
    "legal_stay_form": frozenset({"legal-stay-check"}),
    "employer_change_form": frozenset({"change-employer-blue-card", "change-employer-declaration",
                                       "change-employer-free-access", "change-employer-single-permit",
                                       "change-employer-ukrainian-special-act", "change-employer-work-permit-visa"}),
}
QUESTION_CONFIDENCE = 0.6
LONG_MESSAGE_WORDS = 6


def flow_language(tracker: Tracker, form: str) -> str | None:
    """The conversation's language when ``form`` last started (None while it is starting)."""
    events = list(tracker.events or [])
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "active_loop" and event.get("name") == form:
            for earlier in reversed(events[:index]):
                if earlier.get("event") == "slot" and earlier.get("name") == "language":
                    return earlier.get("value")
            return None
    return None


class GuardedFormValidation(FormValidationAction):
    """A form validation that first checks whether the message answers the form at all."""

    form_slots: tuple[str, ...] = ()

    def __init__(self, answerer: "ActionAnswerQuestion | None" = None) -> None:
        self._answerer = answerer

    def holds_value(self, slot: str, text: str, tracker: Tracker) -> bool:
        """Whether ``text`` gives a readable value for ``slot`` (each form says how)."""
        raise NotImplementedError

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        requested = tracker.get_slot("requested_slot")
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        pinned = self._keep_flow_language(tracker, text)
        if self._starting(tracker) and text and not text.startswith("/"):
            events = self._answered_instead(dispatcher, tracker, domain, text)
            if events is not None:
                return events
        if requested and self._just_heard(tracker) and text and not text.startswith("/"):
            events = self._interruption(dispatcher, tracker, domain, str(requested), text, latest)
            if events is not None:
                return pinned + events
        return pinned + await super().run(dispatcher, tracker, domain)

    def _keep_flow_language(self, tracker: Tracker, text: str) -> list[dict[str, Any]]:
        """A flow goes on in the language it started in: a short answer ("знайшла, WSC-...",
        "tak") that reads as another language does not switch it; asking to switch or writing
        a whole sentence in another language does."""
        started_in = flow_language(tracker, self.form_name())
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if not started_in or started_in == tracker.get_slot("language") or intent == "switch_language" \
                or len([w for w in fold(text).split() if w.isalpha() and len(w) > 1]) >= LONG_MESSAGE_WORDS:
            return []
        tracker.slots["language"] = started_in
        return [SlotSet("language", started_in)]

    def gives_details(self, text: str) -> bool:
        """Whether ``text`` holds details only the flow can use (a case number, dates...)."""
        return False

    def _starting(self, tracker: Tracker) -> bool:
        """Whether this validation runs as the form starts (Rasa sets the loop active after it)."""
        return (tracker.active_loop or {}).get("name") != self.form_name()

    def _answered_instead(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                          text: str) -> list[dict[str, Any]] | None:
        """A situation one entry answers ("I quit my job, I have a TRC for work, what now?") is
        answered instead of starting the flow; a flow starts for what only it can do."""
        if wants_person(text) and self._answerer is not None:
            return self._answerer.hand_over(dispatcher, tracker) + self._leave()
        if self._answerer is None or len([w for w in fold(text).split() if w.isalpha()]) < SITUATION_MIN_WORDS \
                or self.gives_details(text):
            return None
        detected = (tracker.latest_message or {}).get("detected_language")
        result = search_in_context(self._answerer.search(), text, conversation_language(tracker), None, detected)
        # right after leaving this flow, a question about its topic is answered, not the flow restarted
        own = FLOW_ENTRIES[self.form_name()] if not (self._left_lately(tracker) and looks_like_question(text)) else frozenset()
        if result.decision not in ("answer", "clarify") or result.top is None \
                or result.top.entry_id in own \
                or result.top.confidence < SITUATION_CONFIDENCE:
            return None
        answered = self._answerer.respond(dispatcher, tracker, domain, text, conversation_language(tracker), None) or []
        return answered + self._leave()

    def _left_lately(self, tracker: Tracker) -> bool:
        """Whether this flow ended without a result within the person's last two messages."""
        messages = 0
        for event in reversed(tracker.events or []):
            if event.get("event") == "user":
                messages += 1
                if messages > 2:
                    return False
            elif event.get("event") == "active_loop" and event.get("name") is None and messages >= 1:
                return True
            elif event.get("event") == "active_loop" and event.get("name") == self.form_name() and messages >= 1:
                return False
        return False

    def _just_heard(self, tracker: Tracker) -> bool:
        """Whether the form runs on a message the person has just sent, rather than resuming
        after another action (Rasa passes the validation a tracker ending in the form's own run)."""
        for event in reversed(tracker.events):
            kind = event.get("event")
            if kind == "user":
                return True
            if kind == "action" and event.get("name") not in BEFORE_VALIDATION | {self.form_name()}:
                return False
            if kind == "bot":
                return False
        return tracker.latest_action_name in BEFORE_VALIDATION

    def _interruption(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                      requested: str, text: str, latest: dict[str, Any]) -> list[dict[str, Any]] | None:
        intent = latest.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name == "stop" and not self.holds_value(requested, text, tracker):
            # the rule for it did not apply (this validation runs): leave here
            dispatcher.utter_message(response="utter_stopped")
            return self._leave()
        if name == "talk_to_human" and self._answerer is not None and not self.holds_value(requested, text, tracker):
            return self._answerer.hand_over(dispatcher, tracker) + self._leave()
        if name in HANDLED_BY_RULES or self.holds_value(requested, text, tracker):
            return None
        if wants_person(text) and self._answerer is not None:
            return self._answerer.hand_over(dispatcher, tracker) + self._leave()
        target = asks_to_switch(text, tracker.get_slot("language"))
        if target is not None:   # go on in that language: the form asks its question again in it
            return switch_language(dispatcher, tracker, domain, target) + [SlotSet(requested, None)]
        social = social_kind(text)
        leaving, rest = leave_and_rest(text)
        if leaving or social == "farewell":
            farewell = social == "farewell" or (bool(rest) and social_kind(rest) == "farewell")
            dispatcher.utter_message(response="utter_goodbye" if farewell else "utter_stopped")
            answered: list[dict[str, Any]] = []
            if rest and not farewell and self._answerer is not None and self._asks(rest, None, 0.0):
                answered = self._answerer.respond(dispatcher, tracker, domain, rest, conversation_language(tracker),
                                                  None) or []
            return answered + self._leave()
        other_flow = FLOW_OF_INTENT.get(name or "")
        if other_flow and other_flow != self.form_name() and confidence >= SWITCH_CONFIDENCE:
            return self._leave() + [FollowupAction(other_flow)]
        if social:
            dispatcher.utter_message(response=SOCIAL_RESPONSES[social])
            return [SlotSet(requested, None)]
        if self._asks(text, name, confidence) and self._answerer is not None:
            answered = self._answerer.respond(dispatcher, tracker, domain, text, conversation_language(tracker),
                                              None, decline=False)
            if answered is not None:
                return [*answered, SlotSet(requested, None)]
        return None

    @staticmethod
    def _asks(text: str, intent: str | None, confidence: float) -> bool:
        return looks_like_question(text) or (intent in QUESTION_INTENTS and confidence >= QUESTION_CONFIDENCE) \
            or len(fold(text).split()) >= LONG_MESSAGE_WORDS

    def _leave(self) -> list[dict[str, Any]]:
        return [*(SlotSet(slot, None) for slot in self.form_slots), SlotSet("requested_slot", None), ActiveLoop(None)]
