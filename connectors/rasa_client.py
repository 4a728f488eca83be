"""Talks to the Rasa server's REST channel (loopback only)."""
from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.services.message_auth import sign_metadata

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa could not be reached or did not answer properly."""


class RasaClient:
    """Sends a user's message to Rasa and returns the bot's messages."""

    def __init__(self, base_url: str, timeout: float = 30.0, client: httpx.AsyncClient | None = None,
                 message_secret: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._message_secret = message_secret

    async def close(self) -> None:
        await self._client.aclose()

    async def is_ready(self) -> bool:
        try:
            response = await self._client.get(f"{self.base_url}/webhooks/rest/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver one user message; returns Rasa's messages (text, buttons, custom payloads).

        The metadata is signed with the secret shared with the actions, so that they can trust
        the client and channel in it (:mod:`bot.services.message_auth`).
        """
        if self._message_secret:
            metadata = sign_metadata(self._message_secret, sender_id, metadata)
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(f"{self.base_url}/webhooks/rest/webhook", json=payload)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            messages = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with something that is not JSON") from exc
        return messages if isinstance(messages, list) else []
