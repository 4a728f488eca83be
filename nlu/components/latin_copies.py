"""Rasa component that adds Latin-typed copies of Ukrainian and Russian training examples.

Many people write Ukrainian or Russian on a Latin keyboard. Hand-written Latin examples cover
a few of each intent; this component gives every Cyrillic example (without entities) a Latin
copy with the same intent at training time, so DIET's character features and the e5 classifier
both see how such messages look. It changes nothing at prediction time.

Registered as a message tokenizer so that Rasa runs it over the training data first, before
the real tokenizer (it does not tokenize: Rasa's single-tokenizer rule counts Tokenizer classes).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.transliteration import is_cyrillic, to_latin

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class LatinCopies(GraphComponent):
    """Adds a Latin-typed copy of every Cyrillic intent example that has no entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LatinCopies":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        existing = {(m.get(TEXT) or "").strip().lower() for m in training_data.training_examples}
        copies = []
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            if not is_cyrillic(text) or example.get(ENTITIES) or not example.get(INTENT):
                continue
            latin = to_latin(text, "uk" if _UKRAINIAN_ONLY.search(text) else "ru")
            if latin.strip().lower() in existing or is_cyrillic(latin):
                continue
            existing.add(latin.strip().lower())
            copies.append(Message(data={TEXT: latin, INTENT: example.get(INTENT)}))
        return training_data.merge(TrainingData(training_examples=copies)) if copies else training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
