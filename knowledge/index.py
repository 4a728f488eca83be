"""The knowledge index: dense passage vectors in FAISS plus a lexical BM25 over entries.

Built from the entries and an embedder, saved to disk under a fingerprint of the content and the
model, so it is rebuilt only when one of them changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import faiss
import numpy as np

from knowledge.classifier import EntryClassifier
from knowledge.embedders import Embedder
from knowledge.entries import LANGUAGES, Entry
from knowledge.lexical import TextNormalizer
from knowledge.out_of_scope import OutOfScopeTopic

logger = logging.getLogger(__name__)
INDEX_FORMAT = 3
ANSWER_PASSAGE_CHARS = 600
# Exact search stays under ~15 ms p95 at 100k passages on one core (infoline bench); HNSW above that.
HNSW_THRESHOLD = 200_000


@dataclass(frozen=True)
class Passage:
    """A piece of an entry that is embedded on its own: a title, a question or an answer."""

    entry_id: str
    language: str
    kind: str  # "title" | "question" | "answer"
    text: str


def passages_for(entries: Sequence[Entry]) -> list[Passage]:
    """Every title, question and (the start of every) answer, per language."""
    passages: list[Passage] = []
    for entry in entries:
        for lang in LANGUAGES:
            text = entry.texts.get(lang)
            if text is None:
                continue
            if text.title:
                passages.append(Passage(entry.id, lang, "title", text.title))
            for question in text.questions:
                passages.append(Passage(entry.id, lang, "question", question))
            if text.answer:
                passages.append(Passage(entry.id, lang, "answer", f"{text.title}. {text.answer[:ANSWER_PASSAGE_CHARS]}"))
    return passages


def decline_passages(topics: Sequence[OutOfScopeTopic]) -> list[Passage]:
    """The example questions of the known out-of-scope topics (``entry_id`` is the topic id)."""
    return [Passage(topic.id, lang, "decline", example)
            for topic in topics for lang in LANGUAGES for example in topic.examples.get(lang, ())]


def lexical_document(entry: Entry) -> str:
    """The text an entry is matched on lexically: titles, questions and answers in all languages."""
    parts = []
    for lang in LANGUAGES:
        text = entry.texts.get(lang)
        if text is not None:
            parts.extend([text.title, text.title, *text.questions, text.answer])
    return "\n".join(parts)


def fingerprint(entries: Sequence[Entry], model_name: str, topics: Sequence[OutOfScopeTopic] = ()) -> str:
    """Changes whenever an entry's or out-of-scope topic's indexed text, the model or the index format changes."""
    digest = hashlib.sha256(f"{INDEX_FORMAT}|{model_name}|".encode())
    for passage in passages_for(entries) + decline_passages(topics):
        digest.update(json.dumps(asdict(passage), ensure_ascii=False).encode())
    return digest.hexdigest()[:24]


def make_faiss_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product up to ``HNSW_THRESHOLD`` passages, HNSW (M=32, efSearch=96) above."""
    dim = vectors.shape[1]
    if len(vectors) >= HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 96
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


class LexicalIndex:
    """BM25 over one document per entry, on normalised stems."""

    def __init__(self, documents: Sequence[str], normalizer: TextNormalizer) -> None:
        import bm25s

        self.normalizer = normalizer
        corpus = [normalizer.stems(doc) or [""] for doc in documents]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.5)
        self._bm25.index(corpus, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)
        self.size = len(documents)

    def scores(self, query: str, language: str | None = None) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no stem is known)."""
        stems = [s for s in self.normalizer.stems(query, language) if s in self._vocab]
        if not stems:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(stems), dtype=np.float32)


class KnowledgeIndex:
    """Dense passages (FAISS) and lexical entries (BM25) for a set of entries."""

    def __init__(self, entries: Sequence[Entry], passages: list[Passage], vectors: np.ndarray,
                 model_name: str, normalizer: TextNormalizer | None = None,
                 topics: Sequence[OutOfScopeTopic] = (), classifier: EntryClassifier | None = None) -> None:
        """``vectors`` holds the entry passages' vectors followed by the out-of-scope examples' ones.

        Without a ``classifier`` one is fitted on the entry passages' vectors.
        """
        self.entries = {e.id: e for e in entries}
        self.entry_ids = [e.id for e in entries]
        self.entry_position = {eid: i for i, eid in enumerate(self.entry_ids)}
        self.passages = passages
        self.passage_entry = np.array([self.entry_position[p.entry_id] for p in passages], dtype=np.int64)
        self.passage_language = np.array([p.language for p in passages])
        self.vectors = vectors
        self.model_name = model_name
        self.fingerprint = fingerprint(entries, model_name, topics)
        self.topics = {t.id: t for t in topics}
        self.topic_ids = [t.id for t in topics]
        self.decline_passages = decline_passages(topics)
        topic_position = {tid: i for i, tid in enumerate(self.topic_ids)}
        self.decline_topic = np.array([topic_position[p.entry_id] for p in self.decline_passages], dtype=np.int64)
        self.decline_vectors = np.ascontiguousarray(vectors[len(passages):], dtype=np.float32)
        self.dense = make_faiss_index(vectors[:len(passages)])
        self.classifier = classifier or EntryClassifier.fit(vectors[:len(passages)], self.passage_entry, len(self.entry_ids))
        self.normalizer = normalizer or TextNormalizer()
        self.lexical = LexicalIndex([lexical_document(e) for e in entries], self.normalizer)

    @classmethod
    def build(cls, entries: Sequence[Entry], embedder: Embedder, previous: "KnowledgeIndex | None" = None,
              topics: Sequence[OutOfScopeTopic] = ()) -> "KnowledgeIndex":
        """Embed every passage; passages unchanged since ``previous`` (same model) reuse its vectors."""
        started = time.perf_counter()
        passages = passages_for(entries)
        embedded = passages + decline_passages(topics)
        known: dict[str, np.ndarray] = {}
        if previous is not None and previous.model_name == embedder.name:
            known = {p.text: previous.vectors[i]
                     for i, p in enumerate(previous.passages + previous.decline_passages)}
        todo = sorted({p.text for p in embedded if p.text not in known})
        if todo:
            known.update(zip(todo, embedder.encode_documents(todo)))
        dim = next(iter(known.values())).shape[0] if known else embedder.dim
        vectors = np.stack([known[p.text] for p in embedded]) if embedded else np.zeros((0, dim), dtype=np.float32)
        logger.info("embedded %d new passages (of %d) in %.1f s", len(todo), len(embedded), time.perf_counter() - started)
        return cls(entries, passages, vectors.astype(np.float32), embedder.name, topics=topics)

    def save(self, directory: Path) -> Path:
        """Write the vectors under a folder named by the fingerprint; returns that folder."""
        target = directory / self.fingerprint
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / "vectors.npy.tmp"
        with open(tmp, "wb") as fh:
            np.save(fh, self.vectors)
        tmp.replace(target / "vectors.npy")
        if self.classifier is not None:
            self.classifier.save(target / "classifier.npz")
        (target / "meta.json").write_text(json.dumps({"model": self.model_name, "passages": len(self.passages),
                                                     "out_of_scope_examples": len(self.decline_passages)}))
        return target

    @classmethod
    def load_or_build(cls, entries: Sequence[Entry], embedder: Embedder, directory: Path,
                      previous: "KnowledgeIndex | None" = None,
                      topics: Sequence[OutOfScopeTopic] = ()) -> tuple["KnowledgeIndex", bool]:
        """Load the saved index whose fingerprint matches, or build and save a new one.

        Returns the index and whether it was (re)built.
        """
        expected = fingerprint(entries, embedder.name, topics)
        saved = directory / expected / "vectors.npy"
        passages = passages_for(entries)
        if saved.exists():
            vectors = np.load(saved)
            if vectors.shape[0] == len(passages) + len(decline_passages(topics)):
                logger.info("loaded knowledge index %s", expected)
                classifier = EntryClassifier.load(directory / expected / "classifier.npz", len(entries), vectors.shape[1])
                index = cls(entries, passages, vectors, embedder.name, topics=topics, classifier=classifier)
                if classifier is None and index.classifier is not None:
                    index.classifier.save(directory / expected / "classifier.npz")
                return index, False
        index = cls.build(entries, embedder, previous, topics)
        index.save(directory)
        return index, True
