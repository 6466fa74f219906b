"""Themes at scale: neighbour search with bounded memory (exact in blocks, an inverted-file
index above EXACT_NEIGHBOURS rows), and clustering fitted on a sample with the rest assigned."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from letterworld import themes as T
from letterworld.themes import UNASSIGNED, cluster, nearest_neighbours


def unit(x):
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute(x, k, groups=None):
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    if groups is not None:
        s[groups[:, None] == groups[None, :]] = -np.inf
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(s, order, 1)


def clustered(n=2000, dim=24, centres=20, noise=0.35, seed=0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dim))
    pick = rng.integers(0, centres, n)
    return unit(c[pick] + noise * rng.normal(size=(n, dim))), pick


def test_blocked_exact_search_equals_brute_force(monkeypatch):
    rng = np.random.default_rng(0)
    x = unit(rng.normal(size=(700, 16)))
    monkeypatch.setattr(T, "BLOCK_BYTES", 4 * 700 * 50)  # 50 rows a block: many blocks
    assert T._block_rows(700) == 50
    idx, sims = nearest_neighbours(x, 6)
    want_i, want_s = brute(x, 6)
    assert np.array_equal(idx, want_i)
    assert np.allclose(sims, want_s, atol=1e-5)
    groups = rng.integers(0, 3, 700)
    gi, _ = nearest_neighbours(x, 2, groups=groups)
    assert np.array_equal(gi, brute(x, 2, groups)[0])
    assert (groups[gi] != groups[:, None]).all()  # never the same group, never itself


def test_index_probing_every_list_is_exact_and_default_probes_find_most_neighbours():
    x, _ = clustered()
    want, _ = brute(x, 5)
    full, _ = nearest_neighbours(x, 5, exact_below=0, lists=16, probes=16)
    assert np.array_equal(full, want)  # all lists searched: the same answer as exact search
    got, _ = nearest_neighbours(x, 5, exact_below=0)
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(got, want)])
    assert recall > 0.9
    again, _ = nearest_neighbours(x, 5, exact_below=0)
    assert np.array_equal(got, again)  # deterministic for a seed
    assert (got != np.arange(len(x))[:, None]).all()


def test_smoothing_and_partners_through_the_index_match_exact_search(monkeypatch):
    x, _ = clustered(n=1500, seed=1)
    langs = np.array(["a", "b", "c"])[np.arange(1500) % 3].tolist()
    exact_s = T.smooth_neighbours(x, 5)
    exact_p = T.cross_lingual_partners(x, langs, floor=0.5)
    monkeypatch.setattr(T, "EXACT_NEIGHBOURS", 100)
    approx_s = T.smooth_neighbours(x, 5)
    approx_p = T.cross_lingual_partners(x, langs, floor=0.5)
    assert np.median(np.sum(exact_s * approx_s, axis=1)) > 0.999
    assert (exact_p == approx_p).mean() > 0.95


def test_fitting_on_a_sample_gives_the_same_themes_as_the_full_fit():
    x, truth = clustered(n=3000, dim=16, centres=5, noise=0.3, seed=2)
    full = cluster(x, n_themes=5, seed=0, fit_sample=0)
    sampled = cluster(x, n_themes=5, seed=0, fit_sample=400)
    both = (full.labels != UNASSIGNED) & (sampled.labels != UNASSIGNED)
    assert both.mean() > 0.85  # (outliers are cut at slightly different scores)
    assert adjusted_rand_score(full.labels[both], sampled.labels[both]) > 0.99
    assert adjusted_rand_score(truth[both], sampled.labels[both]) > 0.99
    assert (sampled.labels == UNASSIGNED).mean() <= 0.10
    assert np.allclose(np.linalg.norm(sampled.centroids, axis=1), 1, atol=1e-5)
    # a different sample seed still finds the same themes
    other = cluster(x, n_themes=5, seed=1, fit_sample=400)
    both = (other.labels != UNASSIGNED) & (sampled.labels != UNASSIGNED)
    assert adjusted_rand_score(sampled.labels[both], other.labels[both]) > 0.99


@pytest.mark.parametrize("method", ["diffusion", "kmeans", "merge"])
def test_every_method_is_deterministic_and_finds_clear_themes(method):
    x, truth = clustered(n=800, dim=16, centres=4, noise=0.3, seed=3)
    a = cluster(x, n_themes=4, seed=5, method=method)
    b = cluster(x, n_themes=4, seed=5, method=method)
    assert np.array_equal(a.labels, b.labels) and np.array_equal(a.centroids, b.centroids)
    assert adjusted_rand_score(truth, a.labels) > 0.9


def test_diffusion_coordinates_are_deterministic_and_separate_the_graph():
    x, truth = clustered(n=600, dim=16, centres=3, noise=0.3, seed=4)
    e1 = T.diffusion_coordinates(x, neighbours=20, dims=6, time=4, seed=0)
    e2 = T.diffusion_coordinates(x, neighbours=20, dims=6, time=4, seed=0)
    assert e1.shape == (600, 6)
    assert np.array_equal(e1, e2)
    # the first two coordinates already tell the three groups apart
    from sklearn.cluster import KMeans

    lab = KMeans(3, n_init=4, random_state=0).fit_predict(e1[:, :2])
    assert adjusted_rand_score(truth, lab) > 0.95


def test_default_is_diffusion_and_the_graph_shrinks_on_small_sets():
    assert T.METHOD == "diffusion"
    assert T._graph_neighbours(100_000, 100) == 100
    assert T._graph_neighbours(1000, 100) == 20
    assert T._graph_neighbours(12, 100) == 10 and T._graph_neighbours(5, 100) == 4


def test_unknown_method_is_refused():
    x, _ = clustered(n=200, dim=8, centres=3)
    with pytest.raises(ValueError):
        cluster(x, n_themes=3, method="nonsense")


def test_joining_in_place_gives_the_same_vectors_and_otherwise_leaves_the_input_alone():
    rng = np.random.default_rng(6)
    meaning = rng.normal(size=(60, 16))
    x = T.remove_common_direction(np.concatenate([meaning + rng.normal(0, 0.2, meaning.shape),
                                                  meaning + rng.normal(0, 0.2, meaning.shape)]))
    langs = ["a"] * 60 + ["b"] * 60
    before = x.copy()
    y = T.join_translations(x, langs)
    assert np.array_equal(x, before)  # not in place: input untouched
    z = x.copy()
    w = T.join_translations(z, langs, in_place=True)
    assert w is z and np.allclose(w, y, atol=1e-6)
    assert np.allclose(T.theme_vectors(before, langs), T.smooth_neighbours(y), atol=1e-6)
