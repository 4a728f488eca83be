"""The one way a channel's message reaches the assistant.

Normally that is Rasa. When Rasa cannot be reached (it crashed and the launcher is starting it
again, or it does not answer in time), the gateway answers what it can without it: a question
the knowledge search answers with confidence gets that answer, preceded by a note that the
assistant is restarting (degraded mode); anything else raises :class:`RasaUnavailable` at once,
and the channel shows its translated "not available" message. After a failure Rasa is not tried
again for ``retry_after`` seconds, so that people do not wait for a timeout on every message.
Nothing of a degraded turn is kept: the conversation goes on in Rasa where it was.

Example::

    gateway = AssistantGateway(rasa_client, search_holder, language_identifier)
    messages = await gateway.send("web:abc", "ile kosztuje karta pobytu", {"channel": "web", "language": "pl"})
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from connectors.i18n import LANGUAGES, translate
from connectors.rasa_client import RasaClient, RasaUnavailable
from knowledge.search import SearchHolder
from nlu.language_id import LanguageIdentifier

logger = logging.getLogger(__name__)


class AssistantGateway:
    """Sends messages to Rasa; answers from the knowledge search alone while Rasa is down."""

    def __init__(self, rasa: RasaClient, knowledge: SearchHolder, languages: LanguageIdentifier, *,
                 retry_after: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rasa = rasa
        self._knowledge = knowledge
        self._languages = languages
        self._retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0
        self.degraded_turns = 0

    @property
    def rasa_down(self) -> bool:
        """Whether the last attempt failed less than ``retry_after`` seconds ago."""
        return self._clock() < self._down_until

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's messages for this turn, or the degraded answer; raises RasaUnavailable when neither."""
        if not self.rasa_down:
            try:
                return await self.rasa.send(sender_id, text, metadata)
            except RasaUnavailable as exc:
                self._down_until = self._clock() + self._retry_after
                logger.warning("Rasa unavailable (%s): degraded mode for %.0f s", exc, self._retry_after)
        language = metadata.get("language")
        if language not in LANGUAGES:
            language = self._languages.detect(text).served or "en"
        messages = await asyncio.to_thread(self.knowledge_answer, text, language)
        if messages is None:
            raise RasaUnavailable("Rasa is down and the knowledge base has no confident answer")
        self.degraded_turns += 1
        return messages

    def knowledge_answer(self, text: str, language: str) -> list[dict[str, Any]] | None:
        """The degraded-mode reply to ``text``: the note, the answer and its sources; None when the
        search is not ready, the message is a button payload, or no entry is a confident answer."""
        if not self._knowledge.ready or text.startswith("/"):
            return None
        search = self._knowledge.search
        result = search.run(text, language=language)
        if result.decision != "answer" or result.top is None:
            return None
        entry = search.entries[result.top.entry_id]
        return [{"text": translate("degraded_mode", language)},
                {"text": entry.text(language)[1].answer},
                {"custom": entry.citation(language)}]
