"""Search latency and index build benchmark (prints figures; never asserts timings).

- real index: p50/p95 of a full search vs. embedding the same queries alone (same run),
  cold (every query new) and warm (repeated questions served from the query cache);
- synthetic indexes of 10k and 100k passages: FAISS search latency, memory and build time.
"""
from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import faiss
import numpy as np

from knowledge.evaluation import DEFAULT_DEV_SET, load_dev_set
from knowledge.index import make_faiss_index
from knowledge.search import KnowledgeSearch


def _pcts(samples_ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(samples_ms, 50)), 2), "p95_ms": round(float(np.percentile(samples_ms, 95)), 2)}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_real(search: KnowledgeSearch, queries: list[str]) -> dict:
    embed_ms, search_ms, warm_ms = [], [], []
    inner = search.embedder.inner
    for q in queries:  # warm up code paths
        inner.encode_queries([q + " warmup"])
    for q in queries:
        t = time.perf_counter()
        inner.encode_queries([q])
        embed_ms.append((time.perf_counter() - t) * 1000)
    search.embedder._cache.clear()
    for q in queries:
        t = time.perf_counter()
        search.run(q)
        search_ms.append((time.perf_counter() - t) * 1000)
    for q in queries:
        t = time.perf_counter()
        search.run(q)
        warm_ms.append((time.perf_counter() - t) * 1000)
    embed, cold = _pcts(embed_ms), _pcts(search_ms)
    return {"queries": len(queries), "passages": len(search.index.passages), "embedding_only": embed,
            "search_cold": cold, "search_repeated": _pcts(warm_ms),
            "p95_ratio_search_to_embedding": round(cold["p95_ms"] / embed["p95_ms"], 3)}


def bench_synthetic(size: int, dim: int = 384, queries: int = 200, seed: int = 7,
                    base: np.ndarray | None = None) -> dict:
    """A synthetic index of ``size`` passages: real passage vectors with noise when ``base`` is given
    (clustered like real text), otherwise random directions (the worst case for HNSW)."""
    rng = np.random.default_rng(seed)
    if base is not None and len(base):
        dim = base.shape[1]
        vectors = base[rng.integers(0, len(base), size)] + 0.08 * rng.standard_normal((size, dim)).astype(np.float32)
    else:
        vectors = rng.standard_normal((size, dim)).astype(np.float32)
    vectors = vectors.astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rss_before = _rss_mb()
    t = time.perf_counter()
    index = make_faiss_index(vectors)
    build_s = time.perf_counter() - t
    probes = vectors[rng.integers(0, size, queries)] + 0.05 * rng.standard_normal((queries, dim)).astype(np.float32)
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    times = []
    for q in probes:
        t = time.perf_counter()
        index.search(q[None, :], 256)
        times.append((time.perf_counter() - t) * 1000)
    exact = faiss.IndexFlatIP(dim)
    exact.add(vectors)
    _, truth = exact.search(probes[:50], 10)
    _, got = index.search(probes[:50], 10)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got)]))
    return {"passages": size, "index": type(index).__name__, "build_s": round(build_s, 2), **_pcts(times),
            "recall@10_vs_exact": round(recall, 3), "vectors_mb": round(vectors.nbytes / 2**20, 1),
            "peak_rss_growth_mb": round(_rss_mb() - rss_before, 1)}


def run_benchmark(search: KnowledgeSearch, build_seconds: float | None, sizes=(10_000, 100_000)) -> dict:
    faiss.omp_set_num_threads(1)
    queries = [row["q"] for row in load_dev_set(DEFAULT_DEV_SET)][:200]
    report = {"real_index": bench_real(search, queries), "real_index_build_s": build_seconds}
    report["synthetic"] = [bench_synthetic(size, base=search.index.vectors) for size in sizes]
    report["process_peak_rss_mb"] = round(_rss_mb(), 1)
    return report


def main(sizes=(10_000, 100_000)) -> dict:
    from connectors.settings import get_settings
    from knowledge.embedders import CachedQueryEmbedder, create_embedder
    from knowledge.entries import load_entries
    from knowledge.index import KnowledgeIndex

    settings = get_settings()
    embedder = CachedQueryEmbedder(create_embedder(settings.embedding_model))
    entries = load_entries(settings.entries_dir)
    t = time.perf_counter()
    index = KnowledgeIndex.build(entries, embedder)
    build_s = round(time.perf_counter() - t, 1)
    report = run_benchmark(KnowledgeSearch(index, embedder), build_s, sizes)
    print(json.dumps(report, indent=2))
    return report
