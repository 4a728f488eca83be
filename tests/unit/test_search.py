"""The real search over the real entries: known questions, out-of-scope ones, odd input, rebuilds."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from connectors.settings import PROJECT_ROOT
from knowledge.entries import load_entries
from knowledge.index import KnowledgeIndex, fingerprint

# Written for these tests, not copied from the entries.
KNOWN = [
    ("pl", "zgubiłam kartę pobytu w tramwaju, co mam zrobić", "residence-card-lost-or-changed"),
    ("en", "my employer fired me and I have a single permit, how long can I stay", "job-loss-with-single-permit"),
    ("uk", "скільки коштує карта побиту і скільки платити за дозвіл", "fees"),
    ("ru", "как подать ponaglenie если дело идёт слишком долго", "processing-time"),
    ("pl", "CUKR kto może złożyć wniosek", "cukr-card"),
    ("en", "do I need a PESEL number and how do I get one", "pesel"),
]
OUT_OF_SCOPE = [
    ("en", "what is the weather tomorrow in Kraków"),
    ("pl", "gdzie zjem dobrą pizzę na Kazimierzu"),
    ("ru", "как поменять водительские права на польские"),
]


@pytest.mark.parametrize("lang,question,expected", KNOWN)
def test_known_questions_find_their_entry(knowledge_search, lang, question, expected):
    result = knowledge_search.run(question, language=lang)
    assert expected in [h.entry_id for h in result.hits[:3]], result.hits[:3]
    assert result.decision in {"answer", "clarify"}


@pytest.mark.parametrize("lang,question", OUT_OF_SCOPE)
def test_out_of_scope_questions_are_declined(knowledge_search, lang, question):
    assert knowledge_search.run(question, language=lang).decision == "none"


@pytest.mark.parametrize("query", ["", "   ", "🙂🙂🙂", "?!...", "x" * 50000,
                                   "'; DROP TABLE entries; --", "<script>alert(1)</script>",
                                   "karta побыту residence 卡"])
def test_odd_input_never_raises(knowledge_search, query):
    result = knowledge_search.run(query)
    assert result.decision in {"answer", "clarify", "none"}


def test_empty_and_wordless_queries_are_none(knowledge_search):
    assert knowledge_search.run("").decision == "none"
    assert knowledge_search.run("🙂🙂").decision == "none"


def test_one_result_per_entry_with_calibrated_confidence(knowledge_search):
    result = knowledge_search.run("ile kosztuje zezwolenie na pobyt czasowy", language="pl", top_k=10)
    ids = [h.entry_id for h in result.hits]
    assert len(ids) == len(set(ids)) == 10
    confidences = [h.confidence for h in result.hits]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)


def test_repeated_question_is_embedded_once(knowledge_search):
    embedder = knowledge_search.embedder
    knowledge_search.run("jak długo czeka się na decyzję wojewody?")
    misses = embedder.misses
    knowledge_search.run("Jak długo czeka się na decyzję  wojewody?")
    assert embedder.misses == misses


class CountingEmbedder:
    """A deterministic stand-in that counts how many passages it embeds."""

    name = "counting-test-embedder"
    dim = 16

    def __init__(self):
        self.embedded = 0

    def _vectors(self, texts):
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim) for t in texts]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_documents(self, texts):
        self.embedded += len(texts)
        return self._vectors(texts)

    def encode_queries(self, texts):
        return self._vectors(texts)


def test_fingerprint_triggers_rebuild_only_on_change(tmp_path):
    entries_dir = tmp_path / "entries"
    entries_dir.mkdir()
    for name in ("fees.yml", "pesel.yml", "cukr-card.yml"):
        shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / name, entries_dir / name)
    embedder = CountingEmbedder()
    index_dir = tmp_path / "index"

    _, rebuilt = KnowledgeIndex.load_or_build(load_entries(entries_dir), embedder, index_dir)
    assert rebuilt and embedder.embedded > 0
    first = embedder.embedded
    _, rebuilt = KnowledgeIndex.load_or_build(load_entries(entries_dir), embedder, index_dir)
    assert not rebuilt and embedder.embedded == first

    path = entries_dir / "pesel.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("questions:", "questions:\n    - nowe pytanie o pesel", 1), encoding="utf-8")
    _, rebuilt = KnowledgeIndex.load_or_build(load_entries(entries_dir), embedder, index_dir)
    assert rebuilt and embedder.embedded > first

    entries = load_entries(entries_dir)
    assert fingerprint(entries, "model-a") != fingerprint(entries, "model-b")


def test_pooling_counts_only_each_entrys_closest_passages(knowledge_search):
    # Entry 0 has one close passage; entry 1 has many that are each a little less close.
    sims = np.array([0.95] + [0.90] * 40)
    owners = np.array([0] + [1] * 40)
    pooled_all = knowledge_search._pool(sims, owners, 2, float(sims.min()), top=0)
    pooled_top = knowledge_search._pool(sims, owners, 2, float(sims.min()), top=2)
    assert pooled_all[1] > pooled_all[0]  # without a cap, the sheer number of questions wins
    assert pooled_top[0] > pooled_top[1]
    assert knowledge_search._pool(sims, owners, 2, float(sims.min()), top=1) == pytest.approx([0.95, 0.90])


def test_cross_validation_asks_held_out_questions_of_an_index_without_them(knowledge_search):
    from knowledge.crossval import cross_validate

    [report] = cross_validate(knowledge_search, [knowledge_search.config], folds=2, per_language=12)
    assert set(report["languages"]) == {"pl", "en", "uk", "ru"}
    for metrics in report["languages"].values():
        assert metrics["n_in_scope"] == 12 and metrics["n_out_of_scope"] > 0
        assert metrics["top1"] <= metrics["recall@3"]
    assert np.mean([m["recall@3"] for m in report["languages"].values()]) > 0.7


def test_close_candidates_below_the_answer_threshold_are_offered_not_dropped(knowledge_search):
    from knowledge.search import Hit

    def hits(first: float, second: float, confidence: float) -> tuple[Hit, ...]:
        return (Hit("fees", first, confidence, 0.9, 0.1), Hit("residence-card-pickup", second, confidence - 0.01, 0.9, 0.1))

    cfg = knowledge_search.config
    assert knowledge_search.decide(hits(1.02, 1.00, 0.9)) == "answer"
    assert knowledge_search.decide(hits(1.02, 1.019, 0.9)) == "clarify"
    assert knowledge_search.decide(hits(1.0, 0.999, (cfg.clarify_threshold + cfg.answer_threshold) / 2)) == "clarify"
    assert knowledge_search.decide(hits(1.0, 0.95, (cfg.clarify_threshold + cfg.answer_threshold) / 2)) == "none"
    assert knowledge_search.decide(hits(1.0, 0.999, cfg.clarify_threshold / 2)) == "none"


def test_a_question_in_a_language_without_entries_is_calibrated_apart(knowledge_search):
    """Spanish shares no words with the entries: without the calibration it is declined, with it answered;
    out-of-scope questions in such languages stay declined, and served languages are unaffected."""
    question = "cuanto cuesta la tarjeta de residencia temporal?"
    assert knowledge_search.run(question, language="en").decision == "none"
    assert knowledge_search.run(question, language="en", written_in="es").decision == "answer"
    for text, lang in [("qual é o tempo do jogo de futebol hoje", "pt"), ("ما هو سعر الدولار اليوم", "ar")]:
        assert knowledge_search.run(text, language="en", written_in=lang).decision == "none"
    served = "ile kosztuje karta pobytu czasowego?"
    assert knowledge_search.run(served, language="pl", written_in="pl") == knowledge_search.run(served, language="pl")
