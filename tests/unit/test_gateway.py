"""The gateway: Rasa when it is up; while it is down, confident knowledge answers only, and at once."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from connectors.gateway import AssistantGateway
from connectors.i18n import translate
from connectors.rasa_client import RasaUnavailable
from knowledge.entries import Entry, LocalizedEntry
from knowledge.search import Hit, SearchResult
from nlu.language_id import Detection

FEES = Entry(id="fees", audience=("foreigner",), tags=(), checked=dt.date(2026, 11, 1),
             sources=("https://infoopt.pl/oplaty/",), related=(),
             texts={"pl": LocalizedEntry("Opłaty", "Karta pobytu kosztuje 100 zł.", ("ile kosztuje karta",)),
                    "en": LocalizedEntry("Fees", "The card costs 100 zł.", ("how much is the card",))})


class Search:
    entries = {"fees": FEES}

    def run(self, text, *, language=None, top_k=None):
        decision = "answer" if "kosztuje" in text or "cost" in text else "none"
        return SearchResult(text, decision, (Hit("fees", 1.1, 0.9, 1.0, 0.5),))


class Holder:
    ready = True
    search = Search()


class Languages:
    def detect(self, text):
        return Detection("pl", 0.9, "pl")


class Rasa:
    def __init__(self):
        self.up = False
        self.calls = 0

    async def send(self, sender_id, text, metadata):
        self.calls += 1
        if not self.up:
            raise RasaUnavailable("connection refused")
        return [{"text": "from rasa"}]


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def parts():
    rasa, clock = Rasa(), Clock()
    return rasa, clock, AssistantGateway(rasa, Holder(), Languages(), retry_after=5.0, clock=clock)


def test_while_rasa_is_down_a_question_gets_the_knowledge_answer_with_a_note(parts):
    rasa, _, gateway = parts
    messages = asyncio.run(gateway.send("web:a", "ile kosztuje karta pobytu", {"channel": "web"}))
    assert messages[0]["text"] == translate("degraded_mode", "pl")
    assert messages[1]["text"] == "Karta pobytu kosztuje 100 zł."
    assert messages[2]["custom"]["entry_id"] == "fees" and messages[2]["custom"]["language"] == "pl"


def test_the_chosen_language_wins_over_detection(parts):
    _, _, gateway = parts
    messages = asyncio.run(gateway.send("web:a", "how much does the card cost", {"language": "en"}))
    assert messages[0]["text"] == translate("degraded_mode", "en") and messages[1]["text"] == "The card costs 100 zł."


@pytest.mark.parametrize("text", ["chcę sprawdzić status sprawy", "/affirm", "dzień dobry"])
def test_anything_else_is_unavailable(parts, text):
    _, _, gateway = parts
    with pytest.raises(RasaUnavailable):
        asyncio.run(gateway.send("web:a", text, {"language": "pl"}))


def test_rasa_is_not_retried_for_a_while_after_a_failure_then_is_again(parts):
    rasa, clock, gateway = parts
    asyncio.run(gateway.send("web:a", "ile kosztuje karta", {}))
    asyncio.run(gateway.send("web:a", "ile kosztuje karta", {}))
    assert rasa.calls == 1 and gateway.rasa_down
    rasa.up = True
    clock.now += 5.0
    assert asyncio.run(gateway.send("web:a", "ile kosztuje karta", {})) == [{"text": "from rasa"}]
    assert rasa.calls == 2 and not gateway.rasa_down
