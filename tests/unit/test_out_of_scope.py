"""Known out-of-scope topics: the file's shape, the index, and declines with a referral."""
from __future__ import annotations

import shutil

import pytest
import yaml

from connectors.settings import PROJECT_ROOT
from knowledge.entries import LANGUAGES, load_entries
from knowledge.index import KnowledgeIndex, fingerprint
from knowledge.out_of_scope import OutOfScopeFormatError, load_out_of_scope, parse_topics
from knowledge.search import SearchHolder
from tests.unit.test_search import CountingEmbedder

TOPICS_FILE = PROJECT_ROOT / "knowledge" / "out-of-scope.yml"

# Written for these tests: everyday questions the voivode's office does not handle.
REFERRED = [
    ("pl", "jak rozliczyć PIT za zeszły rok jako obcokrajowiec na umowie o pracę"),
    ("en", "how do I swap my Ukrainian driving licence for a Polish one"),
    ("uk", "як продовжити український закордонний паспорт, живучи в Кракові"),
    ("ru", "как оформить 800 плюс на ребёнка через ZUS"),
]


def test_the_topics_file_is_complete():
    topics = load_out_of_scope(TOPICS_FILE)
    assert len(topics) >= 10
    for topic in topics:
        for lang in LANGUAGES:
            assert topic.refer.get(lang), (topic.id, lang)
            assert len(topic.examples[lang]) >= 8, (topic.id, lang)
            assert not any(ch.isdigit() for ch in topic.refer[lang].replace("800", "")), \
                f"{topic.id}/{lang}: a referral names who handles it, never a number"


def test_malformed_topics_are_reported():
    with pytest.raises(OutOfScopeFormatError):
        parse_topics({"categories": [{"id": "x", "refer": {"en": "Ask the tax office."}}]})
    with pytest.raises(OutOfScopeFormatError):
        parse_topics({"categories": [{"id": "x", "refer": {"en": "a"}, "examples": {"en": ["b"]}}] * 2})
    with pytest.raises(OutOfScopeFormatError):
        parse_topics(["not", "a", "mapping"])


def test_referral_falls_back_to_english():
    [topic] = parse_topics({"categories": [{"id": "x", "refer": {"en": "Ask the tax office."},
                                            "examples": {"en": ["my tax return"]}}]})
    assert topic.referral("uk") == "Ask the tax office."


def test_topics_are_part_of_the_fingerprint_and_of_the_rebuild(tmp_path):
    entries_dir = tmp_path / "entries"
    entries_dir.mkdir()
    shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / "fees.yml", entries_dir / "fees.yml")
    entries = load_entries(entries_dir)
    topics = parse_topics({"categories": [{"id": "taxes", "refer": {"en": "The tax office."},
                                           "examples": {"en": ["how to file PIT"], "pl": ["jak rozliczyć PIT"]}}]})
    assert fingerprint(entries, "m", topics) != fingerprint(entries, "m")

    embedder = CountingEmbedder()
    index, rebuilt = KnowledgeIndex.load_or_build(entries, embedder, tmp_path / "index", topics=topics)
    assert rebuilt and index.topic_ids == ["taxes"] and index.decline_vectors.shape == (2, embedder.dim)
    assert index.dense.ntotal == len(index.passages)
    again, rebuilt = KnowledgeIndex.load_or_build(entries, embedder, tmp_path / "index", topics=topics)
    assert not rebuilt and again.decline_vectors.shape == (2, embedder.dim)


def test_editing_the_topics_file_reloads_the_search(tmp_path):
    entries_dir = tmp_path / "entries"
    entries_dir.mkdir()
    shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / "fees.yml", entries_dir / "fees.yml")
    topics_file = tmp_path / "out-of-scope.yml"
    holder = SearchHolder(entries_dir, tmp_path / "index", embedder=CountingEmbedder())
    holder.load()
    assert holder.search.index.topic_ids == []
    topics_file.write_text(yaml.safe_dump({"categories": [
        {"id": "weather", "refer": {"en": "I only help with stay and work."}, "examples": {"en": ["weather tomorrow"]}}]}))
    assert holder.reload_if_changed() is True
    assert holder.search.index.topic_ids == ["weather"]


@pytest.mark.parametrize("lang,question", REFERRED)
def test_known_out_of_scope_topics_are_declined_with_a_referral(knowledge_search, lang, question):
    result = knowledge_search.run(question, language=lang)
    assert result.decision == "none"
    assert result.out_of_scope_topic in knowledge_search.index.topics
    assert knowledge_search.index.topics[result.out_of_scope_topic].referral(lang)


def test_consultant_lookup_names_who_handles_an_out_of_scope_question(knowledge_search):
    from connectors.consultant.lookup import load_sections, lookup

    payload = lookup(knowledge_search, "how do I apply for the 800 plus child benefit at ZUS", load_sections())
    assert payload["decision"] == "none"
    assert payload["out_of_scope"]["topic"] == "social-benefits"
    assert set(payload["out_of_scope"]["refer"]) == set(LANGUAGES)
