"""A linear entry classifier on the passage embeddings.

Nearest-passage similarity cannot tell sibling entries apart when their questions are worded
alike ("change employer" with a single permit, with UKR status, as a permanent resident...).
A multinomial logistic regression trained on every passage vector of every entry learns the
directions that separate them; its log-probability is added to the fused score (with a small
weight, ``SearchConfig.classifier_weight``). It is fitted when the index is built, from the
vectors already computed, and saved beside them.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)
# Chosen on the development set (infoline eval): weaker regularisation overfits single phrasings.
REGULARISATION_C = 10.0


@dataclass(frozen=True)
class EntryClassifier:
    """Weights of a softmax over entries: ``log_proba(v) = log softmax(W v + b)``."""

    weights: np.ndarray   # (n_entries, dim)
    bias: np.ndarray      # (n_entries,)

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: np.ndarray, n_entries: int, c: float = REGULARISATION_C) -> "EntryClassifier | None":
        """Fit on passage vectors labelled with their entry's position; None with fewer than two entries."""
        present = np.unique(labels)
        if len(present) < 2:
            return None
        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        model = LogisticRegression(C=c, max_iter=3000).fit(vectors, labels)
        weights = np.zeros((n_entries, vectors.shape[1]), dtype=np.float32)
        bias = np.full(n_entries, -1e4, dtype=np.float32)  # an entry with no passage is never predicted
        weights[model.classes_] = model.coef_
        bias[model.classes_] = model.intercept_
        logger.info("fitted the entry classifier on %d passages in %.1f s", len(labels), time.perf_counter() - started)
        return cls(weights, bias)

    def log_proba(self, vector: np.ndarray) -> np.ndarray:
        """Log-probability of every entry for one query vector."""
        logits = self.weights @ vector + self.bias
        logits = logits - logits.max()
        return logits - np.log(np.exp(logits).sum())

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, weights=self.weights, bias=self.bias)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, n_entries: int, dim: int) -> "EntryClassifier | None":
        """The saved classifier, or None when it is missing or does not fit the index."""
        if not path.exists():
            return None
        with np.load(path) as data:
            weights, bias = data["weights"], data["bias"]
        if weights.shape != (n_entries, dim) or bias.shape != (n_entries,):
            return None
        return cls(weights, bias)
