"""Curated guidance: entries, validation, embeddings, index and search."""
