"""Blends DIET's intent ranking with a multilingual classifier on the e5 sentence embedding.

DIET leans on word and character features, which say nothing about a message in a script it was
not trained on (Georgian, Hindi) and little about transliterated or mixed text. A logistic
regression on the e5 embedding (which places the same question close together in any language)
is trained beside it; the two rankings are averaged, and for a message whose language we do not
serve the e5 classifier gets most of the weight. Stored as plain arrays (no pickle).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_id import SERVED

FEATURIZER = "nlu.components.e5_featurizer.E5SentenceFeaturizer"


def _embedding(message: Message) -> np.ndarray | None:
    _, sentence = message.get_dense_features(TEXT)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class E5IntentBlender(IntentClassifier, GraphComponent):
    """Averages DIET's ranking with an e5 logistic-regression ranking (config: weights, C)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"e5_weight": 0.5, "e5_weight_unserved_language": 0.9, "C": 10.0, "max_iter": 500}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classes: list[str] = []
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "E5IntentBlender":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        for example in training_data.intent_examples:
            vector = _embedding(example)
            if vector is not None and example.get(INTENT):
                rows.append(vector)
                labels.append(example.get(INTENT))
        if len(set(labels)) >= 2:
            model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"])
            model.fit(np.stack(rows), labels)
            self.classes = [str(c) for c in model.classes_]
            self.coef, self.intercept = model.coef_.astype(np.float32), model.intercept_.astype(np.float32)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            (directory / "classes.json").write_text(json.dumps(self.classes))
            if self.coef is not None:
                np.savez(directory / "weights.npz", coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "E5IntentBlender":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                component.classes = json.loads((directory / "classes.json").read_text())
                weights = directory / "weights.npz"
                if weights.exists():
                    with np.load(weights) as data:
                        component.coef, component.intercept = data["coef"], data["intercept"]
        except ValueError:
            pass
        return component

    def _e5_ranking(self, vector: np.ndarray) -> dict[str, float]:
        logits = self.coef @ vector + self.intercept
        logits = logits - logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        return dict(zip(self.classes, probs.tolist()))

    def process(self, messages: List[Message]) -> List[Message]:
        if self.coef is None:
            return messages
        for message in messages:
            vector = _embedding(message)
            if vector is None:
                continue
            e5 = self._e5_ranking(vector)
            diet = {r["name"]: float(r["confidence"]) for r in message.get("intent_ranking") or []}
            detected = message.get("detected_language")
            weight = self.config["e5_weight_unserved_language"] if detected and detected not in SERVED else self.config["e5_weight"]
            names = set(e5) | set(diet)
            blended = sorted(({"name": n, "confidence": weight * e5.get(n, 0.0) + (1 - weight) * diet.get(n, 0.0)}
                              for n in names), key=lambda r: -r["confidence"])
            message.set(INTENT, blended[0], add_to_output=True)
            message.set("intent_ranking", blended[:10], add_to_output=True)
        return messages
