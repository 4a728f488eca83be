"""Request and reply shapes of the chat API."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Language = Literal["pl", "en", "uk", "ru"]


class ChatRequest(BaseModel):
    """One message from a person to the assistant."""

    sender: str = Field(..., min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$",
                        description="A stable id of the conversation (for example a random id kept by the widget).")
    message: str = Field(..., description="What the person wrote. 1 to 2,000 characters (INFOLINE_MAX_MESSAGE_CHARS).")
    language: Language | None = Field(None, description="Reply language chosen by the person; detected from the text when absent.")

    model_config = {"json_schema_extra": {"examples": [{"sender": "c0ffee42", "message": "How much is a residence card?", "language": "en"}]}}


class Button(BaseModel):
    title: str
    payload: str


class BotMessage(BaseModel):
    """One message of the assistant: text (Markdown), buttons, and/or a custom payload such as sources."""

    text: str | None = None
    buttons: list[Button] = []
    custom: dict[str, Any] | None = None


class WelcomeReply(BaseModel):
    """The chat's first screen: a welcome, suggested questions as buttons, what is stored, the infoline."""

    language: str
    text: str
    note: str
    suggestions: list[Button]


class ChatReply(BaseModel):
    sender: str
    messages: list[BotMessage]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorReply(BaseModel):
    """Every error of the API: a code for programs and a translated message for people."""

    error: ErrorDetail
