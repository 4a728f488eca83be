"""The index is rebuilt and swapped in while requests keep being answered."""
from __future__ import annotations

import shutil
import threading

from connectors.settings import PROJECT_ROOT
from knowledge.search import SearchHolder
from tests.unit.test_search import CountingEmbedder


def test_reload_swaps_in_new_content_without_failing_requests(tmp_path):
    entries_dir = tmp_path / "entries"
    entries_dir.mkdir()
    for name in ("fees.yml", "pesel.yml"):
        shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / name, entries_dir / name)
    embedder = CountingEmbedder()
    holder = SearchHolder(entries_dir, tmp_path / "index", embedder=embedder)
    holder.load()
    assert set(holder.search.entries) == {"fees", "pesel"}
    assert holder.reload_if_changed() is False

    errors: list[Exception] = []
    answered = 0
    stop = threading.Event()

    def ask():
        nonlocal answered
        while not stop.is_set():
            try:
                holder.search.run("ile kosztuje karta pobytu", language="pl")
                answered += 1
            except Exception as exc:  # any failure during the swap is a bug
                errors.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    try:
        embedded_before = embedder.embedded
        shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / "cukr-card.yml", entries_dir / "cukr-card.yml")
        assert holder.reload_if_changed() is True
        # only the new entry's passages were embedded; the rest reused the previous vectors
        new_passages = sum(1 for p in holder.search.index.passages if p.entry_id == "cukr-card")
        assert embedder.embedded - embedded_before == new_passages
    finally:
        stop.set()
        worker.join()
    assert errors == []
    assert answered > 0
    assert "cukr-card" in holder.search.entries


def test_broken_edit_keeps_the_current_index(tmp_path):
    entries_dir = tmp_path / "entries"
    entries_dir.mkdir()
    shutil.copy(PROJECT_ROOT / "knowledge" / "entries" / "fees.yml", entries_dir / "fees.yml")
    holder = SearchHolder(entries_dir, tmp_path / "index", embedder=CountingEmbedder())
    holder.load()
    (entries_dir / "broken.yml").write_text("id: [unclosed", encoding="utf-8")
    try:
        holder.reload_if_changed()
    except Exception:
        pass
    assert holder.ready and set(holder.search.entries) == {"fees"}
