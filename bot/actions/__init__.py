"""Custom actions, one class per job, registered with rasa_sdk's executor by the app."""
from __future__ import annotations

from typing import Callable

from rasa_sdk import Action

from bot.actions.knowledge import ActionAnswerQuestion
from knowledge.search import KnowledgeSearch


def build_actions(knowledge: Callable[[], KnowledgeSearch]) -> list[Action]:
    """Every custom action, wired to the services it needs."""
    return [ActionAnswerQuestion(knowledge)]
