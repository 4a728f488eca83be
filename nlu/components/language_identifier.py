"""Rasa component that puts the message's language on it as a ``language`` entity.

The language the message is plainly written in (three words or more, identified with
confidence) wins; otherwise the language chosen in the widget or Telegram (message metadata
``language``), otherwise what the text looks like. The detected language, also when we do not serve it, is added to the
parse data as ``detected_language`` for the actions.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_id import SERVED, LanguageIdentifier

LANGUAGE_ENTITY = "language"
PLAIN_MIN_WORDS = 3
PLAIN_MIN_CONFIDENCE = 0.7


def _plainly_written(text: str, confidence: float) -> bool:
    """Whether ``text`` is long and clear enough for its language to count over a chosen one."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= PLAIN_MIN_WORDS and confidence >= PLAIN_MIN_CONFIDENCE


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageIdentifierComponent(GraphComponent, EntityExtractorMixin):
    """Sets the ``language`` entity from metadata or from the text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._identifier = LanguageIdentifier(min_confidence=config["min_confidence"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageIdentifierComponent":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._annotate(message)
        return messages

    def _annotate(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        metadata = message.get("metadata") or {}
        chosen: Optional[str] = metadata.get("language") if isinstance(metadata, dict) else None
        detection = self._identifier.detect(text)
        message.set("detected_language", detection.language, add_to_output=True)
        # The language the person plainly writes in wins over the one chosen in the widget or
        # Telegram (people leave the page's language as it is and write their own); a short or
        # unclear message ("ok", "WSC-II-...") keeps the chosen one.
        written = detection.served if detection.served and _plainly_written(text, detection.confidence) else None
        language = written or (chosen if chosen in SERVED else detection.served)
        if not language:
            return
        entity = {"entity": LANGUAGE_ENTITY, "value": language, "start": 0, "end": len(text),
                  "confidence": detection.confidence if written or chosen not in SERVED else 1.0}
        others = [e for e in message.get(ENTITIES, []) if e.get("entity") != LANGUAGE_ENTITY]
        message.set(ENTITIES, others + self.add_extractor_name([entity]), add_to_output=True)
