import numpy as np

from knowledge.embedders import E5Embedder, create_embedder


def test_sentence_transformers_path_loads_the_shipped_minilm():
    embedder = create_embedder("minilm")
    docs = embedder.encode_documents(["How to renew a residence card", "Pizza recipe with tomatoes"])
    query = embedder.encode_queries(["renewing my residence card"])[0]
    assert docs.shape == (2, 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert docs[0] @ query > docs[1] @ query


def test_bundled_e5_is_multilingual():
    embedder = E5Embedder()
    docs = embedder.encode_documents(["Opłata za kartę pobytu", "Prognoza pogody"])
    query = embedder.encode_queries(["скільки коштує карта побиту"])[0]
    assert docs.shape == (2, embedder.dim)
    assert docs[0] @ query > docs[1] @ query
    assert embedder.encode_queries([]).shape == (0, embedder.dim)
