"""Custom actions, one class per job, registered with rasa_sdk's executor by the app."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rasa_sdk import Action

from bot.actions.case_status import ActionAskBirthDate, ActionAskCaseNumber, ActionCheckCaseStatus, ValidateCaseStatusForm
from bot.actions.documents import ActionDocumentsAndFees
from bot.actions.employer_change import (ActionAskAlreadyStarted, ActionAskHolderType, ActionEmployerChangePath,
                                         ValidateEmployerChangeForm)
from bot.actions.handoff import ActionHandoff
from bot.actions.knowledge import ActionAnswerQuestion, ActionOutOfScope, ActionSocialTurn
from bot.actions.language import ActionSwitchLanguage
from bot.actions.legal_stay import (ActionAskDaysAllowed, ActionAskStayBasis, ActionAskStayDates, ActionAskValidPeriod,
                                    ActionCheckLegalStay, ValidateLegalStayForm)
from bot.services.case_store import AttemptLimiter, CaseStore
from bot.services.handoff import HandoffStore
from knowledge.search import KnowledgeSearch


@dataclass
class BotServices:
    """What the actions call, as getters so that they can be swapped (index reloads, tests)."""

    knowledge: Callable[[], KnowledgeSearch]
    cases: Callable[[], CaseStore]
    attempts: Callable[[], AttemptLimiter]
    handoffs: Callable[[], HandoffStore]
    # Shared with the app, which signs the client of each message (bot.services.message_auth).
    message_secret: str


def build_actions(services: BotServices) -> list[Action]:
    """Every custom action, wired to the services it needs."""
    answerer = ActionAnswerQuestion(services.knowledge, services.handoffs)
    return [
        answerer,
        ActionSocialTurn(services.knowledge, services.handoffs),
        ActionOutOfScope(services.knowledge, answerer),
        ActionSwitchLanguage(answerer.repeat_topic),
        ValidateCaseStatusForm(answerer), ActionAskCaseNumber(), ActionAskBirthDate(),
        ActionCheckCaseStatus(services.cases, services.attempts, services.message_secret),
        ValidateEmployerChangeForm(answerer), ActionAskHolderType(), ActionAskAlreadyStarted(),
        ActionEmployerChangePath(services.knowledge),
        ValidateLegalStayForm(answerer), ActionAskStayBasis(), ActionAskStayDates(), ActionAskValidPeriod(), ActionAskDaysAllowed(),
        ActionCheckLegalStay(),
        ActionDocumentsAndFees(services.knowledge, answerer),
        ActionHandoff(services.handoffs),
    ]
