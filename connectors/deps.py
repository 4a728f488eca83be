"""Shared objects of the running app, injected into routes as dependencies."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from connectors.gateway import AssistantGateway
from connectors.rasa_client import RasaClient
from connectors.settings import Settings
from knowledge.search import SearchHolder
from nlu.language_id import LanguageIdentifier


@dataclass
class AppServices:
    """What the routers need: built once in the app's lifespan."""

    settings: Settings
    rasa: RasaClient
    knowledge: SearchHolder
    languages: LanguageIdentifier
    gateway: AssistantGateway


def get_services(request: Request) -> AppServices:
    return request.app.state.services


Services = Annotated[AppServices, Depends(get_services)]
