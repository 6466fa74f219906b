"""Themes: cluster the meaning of approved messages, across languages, and label them.

Multilingual embeddings carry a language signal besides meaning, so clusters can
form by language. Before clustering, each language's mean vector is removed (and
the global mean added back): what remains is closer to pure meaning, so translations
of the same message land together; then the corpus mean is removed, so cosine measures
what differs between messages rather than what all solidarity messages share.
Duplicate groups enter once with their weight."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .segment import words
from .space import (  # noqa: F401  (the meaning space lives in space.py; re-exported)
    NEIGHBOUR_REFERENCE,
    SENTENCE_MATCH,
    SHORT_SEGMENT,
    ThemeSpace,
    centre_groups,
    centre_language_and_recipient,
    reference_rows,
    remove_common_direction,
    sample_coverage,
)

UNASSIGNED = -1


@dataclass
class Clustering:
    labels: np.ndarray  # theme per row, UNASSIGNED for outliers
    scores: np.ndarray  # cosine similarity to the theme centroid
    centroids: np.ndarray  # (k, dim), L2-normalised, in the centred space
    k: int
    silhouette: float
    stability: float = float("nan")  # mean pairwise ARI across seeds at the chosen k
    curve: dict = field(default_factory=dict)  # k -> stability, smallest theme share, silhouette


STABLE_ARI = 0.8  # agreement between seeds above which a partition counts as stable
MIN_THEME_SHARE = 0.02  # a theme holding fewer messages than this is noise, not a theme
STABILITY_SEEDS = 3
STABILITY_SAMPLE = 4000


NEIGHBOURS = 5  # chosen on half of Tatoeba (pairs 1-500 per language); reported on the other half
EXACT_NEIGHBOURS = 50_000  # up to this many rows, nearest neighbours by exact blocked search; above, an index
PROBES = 8  # lists of the inverted-file index a query searches (bench/topics.py --scale: recall, time)
BLOCK_BYTES = 16 * 2**20  # similarity block size: bounds the memory of every neighbour step (~8x this at peak)


def _unit_rows(x: np.ndarray, step: int = 4096) -> np.ndarray:
    """Rows of x scaled to unit length in place, a block at a time."""
    for s in range(0, len(x), step):
        x[s:s + step] /= np.maximum(np.linalg.norm(x[s:s + step], axis=1, keepdims=True), 1e-12)
    return x


def _block_rows(n_cols: int) -> int:
    return int(max(16, min(4096, BLOCK_BYTES // (4 * max(1, n_cols)))))


def _merge_top(best_i: np.ndarray, best_s: np.ndarray, cand_i: np.ndarray, cand_s: np.ndarray,
               k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the k best of two candidate lists (highest similarity first; ties by lower index)."""
    idx = np.concatenate([best_i, cand_i], axis=1)
    sim = np.concatenate([best_s, cand_s], axis=1)
    if idx.shape[1] > k:
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        idx, sim = np.take_along_axis(idx, part, 1), np.take_along_axis(sim, part, 1)
    order = np.lexsort((idx, -sim), axis=1) if idx.size else np.zeros(idx.shape, int)
    return np.take_along_axis(idx, order, 1), np.take_along_axis(sim, order, 1)


def _local_top(sims: np.ndarray, cols: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    kk = min(k, sims.shape[1])
    if kk == 0:
        return np.zeros((len(sims), 0), np.int64), np.zeros((len(sims), 0), np.float32)
    part = np.argpartition(-sims, kk - 1, axis=1)[:, :kk] if kk < sims.shape[1] else \
        np.broadcast_to(np.arange(sims.shape[1]), sims.shape).copy()
    return cols[part], np.take_along_axis(sims, part, 1)


def nearest_neighbours(vectors: np.ndarray, k: int, *, groups: np.ndarray | None = None, seed: int = 0,
                       exact_below: int = EXACT_NEIGHBOURS, probes: int = PROBES,
                       lists: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every row's k nearest other rows by dot product (cosine for unit vectors): indices
    (n, k) and similarities, best first; -1 / -inf where fewer exist. With `groups`, only
    rows of another group count (self is always excluded).

    Up to `exact_below` rows: exact search in row blocks (memory BLOCK_BYTES whatever n).
    Above: an inverted-file index (the standard IVF of FAISS, in numpy): rows are filed
    under the nearest of ~sqrt(probes * n) directions (a few Lloyd steps from a seeded
    sample), and each row is compared only with the rows filed under its `probes` nearest
    directions; cost ~ n * 2 sqrt(probes * n) dot products instead of n^2, memory bounded
    by the blocks. Recall against exact search is measured in bench/topics.py --scale.
    Deterministic for a seed."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(x)
    g = None if groups is None else np.asarray(groups)
    best_i = np.full((n, k), -1, np.int64)
    best_s = np.full((n, k), -np.inf, np.float32)
    if n < 2 or k <= 0:
        return best_i, best_s
    if n <= exact_below:
        cols = np.arange(n)
        step = _block_rows(n)
        for s in range(0, n, step):
            e = min(n, s + step)
            sims = x[s:e] @ x.T
            sims[np.arange(e - s), np.arange(s, e)] = -np.inf
            if g is not None:
                sims[g[s:e, None] == g[None, :]] = -np.inf
            ci, cs = _local_top(sims, cols, k)
            best_i[s:e], best_s[s:e] = _merge_top(best_i[s:e], best_s[s:e], ci, cs, k)
        best_i[~np.isfinite(best_s)] = -1
        return best_i, best_s
    rng = np.random.default_rng(seed)
    nlist = int(lists or max(16, min(n // 8, round(np.sqrt(probes * n)))))
    probes = min(probes, nlist)
    train = x[np.sort(rng.choice(n, min(n, 16 * nlist), replace=False))]
    cents = train[rng.choice(len(train), nlist, replace=False)].copy()
    for _ in range(4):  # Lloyd steps (spherical) on the sample
        home = _top_columns(train, cents, 1)[:, 0]
        sums = np.zeros_like(cents)
        np.add.at(sums, home, train)
        filled = np.bincount(home, minlength=nlist) > 0
        cents[filled] = sums[filled] / np.maximum(np.linalg.norm(sums[filled], axis=1, keepdims=True), 1e-12)
    probe = _top_columns(x, cents, probes)  # (n, probes): the lists each row searches; the first is its home
    home = probe[:, 0]
    members = np.argsort(home, kind="stable")
    m_bounds = np.searchsorted(home[members], np.arange(nlist + 1))
    q_rows = np.repeat(np.arange(n), probes)
    q_list = probe.ravel()
    order = np.argsort(q_list, kind="stable")
    q_rows, q_list = q_rows[order], q_list[order]
    q_bounds = np.searchsorted(q_list, np.arange(nlist + 1))
    del probe, order, q_list
    for li in range(nlist):
        mem = members[m_bounds[li]:m_bounds[li + 1]]
        qs_all = q_rows[q_bounds[li]:q_bounds[li + 1]]
        if not len(mem) or not len(qs_all):
            continue
        step = _block_rows(len(mem))
        for s in range(0, len(qs_all), step):
            qs = qs_all[s:s + step]
            sims = x[qs] @ x[mem].T
            sims[qs[:, None] == mem[None, :]] = -np.inf
            if g is not None:
                sims[g[qs][:, None] == g[mem][None, :]] = -np.inf
            ci, cs = _local_top(sims, mem, k)
            best_i[qs], best_s[qs] = _merge_top(best_i[qs], best_s[qs], ci, cs, k)
    best_i[~np.isfinite(best_s)] = -1
    return best_i, best_s


def _top_columns(x: np.ndarray, c: np.ndarray, t: int) -> np.ndarray:
    """For each row of x, the t columns (rows of c) of highest dot product, best first (blocked)."""
    out = np.empty((len(x), t), np.int64)
    step = _block_rows(len(c))
    for s in range(0, len(x), step):
        sims = x[s:s + step] @ c.T
        part = np.argpartition(-sims, t - 1, axis=1)[:, :t] if t < sims.shape[1] else \
            np.broadcast_to(np.arange(sims.shape[1]), sims.shape).copy()
        o = np.argsort(-np.take_along_axis(sims, part, 1), axis=1, kind="stable")
        out[s:s + step] = np.take_along_axis(part, o, 1)
    return out


def smooth_neighbours(vectors: np.ndarray, k: int = NEIGHBOURS, *, seed: int = 0, chunk: int = 2048) -> np.ndarray:
    """Each vector replaced by the mean of itself and its k nearest neighbours (cosine), then
    the corpus mean removed again (`remove_common_direction`).

    Clustering a continuum of meanings cuts pairs that sit on either side of a boundary; a
    message and its translation share most of their neighbours (in every language: the
    input is the language-centred meaning space), so after this step they sit much closer
    together than before, and fewer translations are split between themes. Nothing here
    uses languages or labels. Neighbours by `nearest_neighbours` (exact up to
    EXACT_NEIGHBOURS rows, an index above). Measured in bench/RESULTS.md (Themes and
    excerpts). `chunk` rows are averaged at a time."""
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    if n <= k + 1 or k <= 0:
        return remove_common_direction(x) if n else x
    nn, sims = nearest_neighbours(x, k, seed=seed)
    out = np.empty_like(x)
    for s in range(0, n, chunk):
        idx, ok = nn[s:s + chunk], np.isfinite(sims[s:s + chunk])
        acc = x[s:s + chunk].copy()
        for j in range(k):
            acc[ok[:, j]] += x[idx[ok[:, j], j]]
        out[s:s + chunk] = acc / (1 + ok.sum(axis=1, keepdims=True))
    _unit_rows(out)
    return remove_common_direction(out, out=out)


def cross_lingual_partners(vectors: np.ndarray, langs: list[str], *, floor: float = SENTENCE_MATCH,
                           seed: int = 0, chunk: int = 2048) -> np.ndarray:
    """For each row, the row it is a mutual nearest neighbour with across languages, or -1.

    Two messages in different languages, each the other's closest message in any other
    language and at least `floor` apart in cosine, are the bitext-mining criterion for a
    translation pair (mutual nearest neighbours, Artetxe & Schwenk 2019): in a campaign
    they are a translated sample text, or two people saying the same thing in two
    languages. Expects the meaning space (`remove_common_direction` of language-centred
    vectors), where `floor` (SENTENCE_MATCH) was calibrated on Tatoeba half A. Nearest
    other-language rows by `nearest_neighbours` (exact up to EXACT_NEIGHBOURS rows)."""
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    partner = np.full(n, -1)
    lang_ids = np.unique(np.asarray(langs, dtype=object).astype(str), return_inverse=True)[1]
    if n < 2 or len(set(lang_ids.tolist())) < 2:
        return partner
    nn, sims = nearest_neighbours(x, 1, groups=lang_ids, seed=seed)
    nearest, best = nn[:, 0], sims[:, 0]
    ok = (nearest >= 0) & np.isfinite(best) & (best >= floor)
    rows = np.where(ok)[0]
    mutual = rows[nearest[nearest[rows]] == rows]
    partner[mutual] = nearest[mutual]
    return partner


def join_translations(vectors: np.ndarray, langs: list[str], *, seed: int = 0, in_place: bool = False) -> np.ndarray:
    """Each message of a cross-lingual mutual-nearest pair (`cross_lingual_partners`)
    replaced by the pair's mean, then the corpus mean removed again.

    Neighbour smoothing alone leaves a message and its translation apart wherever a theme
    boundary runs between them; a pair that is one voice in two languages is given one
    position, so it can only be cut if both move. Measured in bench/RESULTS.md.
    `in_place`: write into `vectors` (a float32 array the caller no longer needs) instead
    of a copy, which saves one corpus-sized array on very large campaigns."""
    x = np.asarray(vectors, dtype=np.float32)
    partner = cross_lingual_partners(x, langs, seed=seed)
    out = x if in_place and x is vectors and x.flags.writeable else x.copy()
    first = np.flatnonzero((partner >= 0) & (np.arange(len(x)) < partner))  # each mutual pair once
    for s in range(0, len(first), 4096):  # a block at a time: no pair-sized temporaries
        rows = first[s:s + 4096]
        mean = (out[rows] + out[partner[rows]]) / 2
        out[rows] = mean
        out[partner[rows]] = mean
    _unit_rows(out)
    return remove_common_direction(out, out=out) if len(out) else out


def _fit(x: np.ndarray, w: np.ndarray, k: int, seed: int, n_init: int = 10):
    from sklearn.cluster import KMeans  # here, not at import: scikit-learn costs every CLI start seconds

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x, sample_weight=w)


def choose_k(x: np.ndarray, w: np.ndarray, candidates: list[int], seed: int = 0) -> tuple[int, dict[int, dict]]:
    """The number of themes: among the k whose partition is stable across seeds (mean
    pairwise adjusted Rand index >= STABLE_ARI) and whose smallest theme holds at least
    MIN_THEME_SHARE of the messages, the one with the best silhouette; when none
    qualifies, the most stable k.

    Silhouette alone is arbitrary on real campaigns (low, ~0.05, and nearly flat in k);
    stability answers the campaigner's question ("would I get the same themes again?")
    and keeps silhouette from choosing between partitions that are noise."""
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    n = len(x)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, STABILITY_SAMPLE, replace=False)) if n > STABILITY_SAMPLE else np.arange(n)
    xs, ws = x[sample], w[sample]
    curve: dict[int, dict] = {}
    for k in candidates:
        runs = [_fit(xs, ws, k, seed + r, n_init=4).labels_ for r in range(STABILITY_SEEDS)]
        pairs = [adjusted_rand_score(runs[i], runs[j]) for i in range(len(runs)) for j in range(i + 1, len(runs))]
        stability = float(np.mean(pairs)) if pairs else 1.0
        min_share = float(np.bincount(runs[0], minlength=k).min() / len(xs))
        sil = float(silhouette_score(xs, runs[0], metric="cosine", sample_size=min(len(xs), 3000),
                                     random_state=seed)) if k >= 2 and len(set(runs[0])) >= 2 else 0.0
        curve[k] = {"stability": round(stability, 4), "min_share": round(min_share, 4), "silhouette": round(sil, 4)}
    ok = [k for k in candidates if curve[k]["stability"] >= STABLE_ARI and curve[k]["min_share"] >= MIN_THEME_SHARE]
    if ok:
        return max(ok, key=lambda k: (curve[k]["silhouette"], -k)), curve
    return max(candidates, key=lambda k: (curve[k]["stability"], -k)), curve


METHOD = "diffusion"  # how themes are cut: chosen on the dev half of SIB-200 (bench/topics.py --explore)
GRAPH_NEIGHBOURS = 100  # "diffusion": neighbours per message in the graph (fewer on small sets, `_graph_neighbours`)
DIFFUSION_DIMS = 20  # "diffusion": eigenvectors of the graph kept
DIFFUSION_TIME = 16  # "diffusion": random-walk steps (eigenvector i weighted by eigenvalue_i ** time)
FIT_SAMPLE = 20_000  # above this many messages, themes are fitted on a seeded sample of this many, the rest assigned


def theme_vectors(meaning: np.ndarray, langs: list[str], *, seed: int = 0, neighbours: int = NEIGHBOURS,
                  in_place: bool = False) -> np.ndarray:
    """The space themes are clustered and assigned in, from the meaning space: translation
    pairs joined (`join_translations`), then neighbour smoothing (`smooth_neighbours`);
    the same as `smooth_neighbours(join_translations(meaning, langs))`. `in_place`: the
    joining overwrites `meaning` (pass it when nothing else holds that array: peak memory
    two corpus-sized float32 arrays instead of three)."""
    return smooth_neighbours(join_translations(meaning, langs, seed=seed, in_place=in_place), neighbours, seed=seed)


def _graph_neighbours(n: int, neighbours: int) -> int:
    """Neighbours per row of the diffusion graph: `neighbours`, fewer on small sets (a fiftieth
    of the rows, at least 10), never all of them."""
    return int(max(1, min(neighbours, max(10, n // 50), n - 1)))


def diffusion_coordinates(x: np.ndarray, *, neighbours: int = GRAPH_NEIGHBOURS, dims: int = DIFFUSION_DIMS,
                          time: int = DIFFUSION_TIME, seed: int = 0) -> np.ndarray:
    """Diffusion-map coordinates (Coifman & Lafon 2006) of the symmetric kNN graph (cosine,
    `nearest_neighbours`, unweighted edges): the top `dims` non-trivial eigenvectors of the
    normalised adjacency D^-1/2 A D^-1/2, as random-walk eigenvectors (divided by sqrt of
    degree), each weighted by its eigenvalue ** `time`.

    A k-means cell in the meaning space is an equal-radius cut; after `time` steps of a
    random walk on the neighbour graph, messages that many short paths connect sit
    together, so themes follow the dense regions of meaning rather than its geometry. On
    SIB-200 (dev half) this lifted agreement with human topic labels (NMI) from ~0.37-0.41
    to ~0.47 with translations kept together (bench/topics.py). Deterministic for a seed
    (the eigensolver's start vector)."""
    from scipy import sparse
    from scipy.sparse.linalg import eigsh

    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    g = _graph_neighbours(n, neighbours)
    nn, _ = nearest_neighbours(x, g, seed=seed)
    rows = np.repeat(np.arange(n), g)
    cols = nn.ravel()
    keep = cols >= 0
    a = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    a = a.maximum(a.T).tocsr()
    deg = np.asarray(a.sum(axis=1)).ravel()
    inv = sparse.diags(1 / np.sqrt(np.maximum(deg, 1e-12)))
    d = int(min(dims, n - 2))
    v0 = np.random.default_rng(seed).uniform(-1, 1, n)
    lam, u = eigsh(inv @ a @ inv, k=d + 1, which="LA", v0=v0)
    order = np.argsort(-lam, kind="stable")
    lam, u = lam[order], u[:, order]
    u = u * np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])  # a fixed sign per eigenvector
    return (u[:, 1:] / np.sqrt(np.maximum(deg, 1e-12))[:, None]) * np.maximum(lam[1:], 0) ** time


def _fit_labels(x: np.ndarray, w: np.ndarray, k: int, seed: int, method: str, n_init: int,
                graph_neighbours: int, diffusion_dims: int, diffusion_time: int, merge_from: int) -> np.ndarray:
    if method not in ("kmeans", "diffusion", "merge"):
        raise ValueError(f"unknown clustering method {method!r}")
    if method == "kmeans" or k < 2 or len(x) <= max(k, 3) * 3 + 2:
        return _fit(x, w, k, seed, n_init).labels_
    if method == "diffusion":
        y = diffusion_coordinates(x, neighbours=graph_neighbours, dims=max(diffusion_dims, k), time=diffusion_time,
                                  seed=seed)
        return _fit(y, w, k, seed, n_init).labels_
    if method == "merge":
        from sklearn.cluster import AgglomerativeClustering

        m = min(merge_from, len(x) // 3)
        fine = _fit(x, w, m, seed, max(1, n_init // 3))
        c = fine.cluster_centers_ / np.maximum(np.linalg.norm(fine.cluster_centers_, axis=1, keepdims=True), 1e-12)
        return AgglomerativeClustering(k, linkage="ward").fit(c).labels_[fine.labels_]


def _centroids(x: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    sums = np.zeros((k, x.shape[1]), np.float64)
    np.add.at(sums, labels, x * w[:, None])
    c = sums.astype(np.float32)
    return c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def cluster(vectors: np.ndarray, weights: np.ndarray | None = None, *, n_themes: int = 0,
            min_themes: int = 4, max_themes: int = 12, seed: int = 0,
            max_unassigned: float = 0.10, method: str | None = None, n_init: int = 10,
            graph_neighbours: int = GRAPH_NEIGHBOURS, diffusion_dims: int = DIFFUSION_DIMS,
            diffusion_time: int = DIFFUSION_TIME, merge_from: int = 50,
            fit_sample: int = FIT_SAMPLE) -> Clustering:
    """Themes: k chosen by stability across seeds (or given), the partition cut by `method`
    (METHOD: "diffusion" k-means on the neighbour graph's diffusion map, `diffusion_coordinates`;
    "kmeans" spherical k-means, the method before issue 18;
    "merge" many small k-means cells merged by Ward), every message then assigned to the
    nearest theme centroid (the weighted mean of its members, cosine), outliers capped at
    max_unassigned. Above `fit_sample` messages the partition is fitted on a seeded random
    sample of that many and the rest assigned to its centroids (memory and time bounded).
    Expects vectors from `remove_common_direction` (or any space where cosine separates
    meanings)."""
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    method = method or METHOD
    if n == 0:
        return Clustering(np.zeros(0, int), np.zeros(0), np.zeros((0, x.shape[1] if x.ndim == 2 else 0)), 0, 0.0)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    fit_rows = (np.sort(np.random.default_rng(seed).choice(n, fit_sample, replace=False))
                if fit_sample and n > fit_sample else np.arange(n))
    xf, wf = x[fit_rows], w[fit_rows]
    curve: dict[int, dict] = {}
    if n_themes > 0:
        k = min(n_themes, n)
    else:
        upper = max(1, min(max_themes, n // 8))
        candidates = list(range(min(min_themes, upper), upper + 1))
        k, curve = choose_k(xf, wf, candidates, seed) if len(candidates) > 1 else (candidates[0], {})
    fitted = _fit_labels(xf, wf, k, seed, method, n_init, graph_neighbours, diffusion_dims, diffusion_time,
                         merge_from)
    centroids = _centroids(xf, wf, fitted, k)
    labels, scores = assign(x, centroids)
    if k >= 2 and len(set(labels.tolist())) >= 2:
        from sklearn.metrics import silhouette_score

        sil = float(silhouette_score(x, labels, metric="cosine", sample_size=min(n, 3000), random_state=seed))
    else:
        sil = 0.0
    labels = mark_outliers(labels, scores, max_unassigned)
    return Clustering(labels, scores, centroids, k, sil, curve.get(k, {}).get("stability", float("nan")), curve)


def assign(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid by cosine; used for new messages so existing themes stay put."""
    x = np.asarray(x, dtype=np.float32)
    labels = np.zeros(len(x), int)
    scores = np.zeros(len(x), float)
    step = _block_rows(max(1, len(centroids)))
    for s in range(0, len(x), step):
        sims = x[s:s + step] @ centroids.T
        lab = sims.argmax(axis=1)
        labels[s:s + step] = lab
        scores[s:s + step] = sims[np.arange(len(lab)), lab]
    return labels, scores


def mark_outliers(labels: np.ndarray, scores: np.ndarray, max_unassigned: float) -> np.ndarray:
    """Unassign points far below their theme's typical similarity, never more than max_unassigned."""
    labels = labels.copy()
    if len(scores) < 10:
        return labels
    median = np.median(scores)
    mad = np.median(np.abs(scores - median)) or 1e-6
    cutoff = min(median - 3 * mad, float(np.quantile(scores, max_unassigned)))
    labels[scores < cutoff] = UNASSIGNED
    return labels


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop-word list for a language, where spaCy has one. The list's own file is run,
    not `spacy.lang.<lang>.stop_words`: importing that imports spaCy and its language classes
    first (3 s of every themes stage, for sets of words)."""
    import importlib.util
    from pathlib import Path

    spacy = importlib.util.find_spec("spacy")
    path = Path(spacy.origin).parent / "lang" / lang / "stop_words.py" if spacy and spacy.origin else None
    if path is None or not lang.isalpha() or not path.is_file():
        return frozenset()
    spec = importlib.util.spec_from_file_location(f"_letterworld_stop_words_{lang}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return frozenset(w.lower() for w in module.STOP_WORDS)
    except (ImportError, AttributeError, SyntaxError):
        return frozenset()


def keywords(texts: list[str], langs: list[str], labels: np.ndarray, *, top: int = 6,
             weights: np.ndarray | None = None, exclude: set[str] | None = None) -> dict[int, dict[str, list[str]]]:
    """c-TF-IDF keywords per theme and per language (a theme's Thai words are ranked
    against other themes' Thai words, so one big language cannot drown the others).
    `exclude` drops words such as the recipients' names, which say nothing about a theme."""
    w = np.ones(len(texts)) if weights is None else weights
    exclude = {e.lower() for e in exclude or ()}
    counts: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for text, lang, label, weight in zip(texts, langs, labels, w):
        if label == UNASSIGNED:
            continue
        stops = stop_words(lang)
        tokens = {t.lower() for t in words(text, lang)}
        for token in tokens:
            if token in stops or token in exclude or token.isdigit() or (len(token) < 2 and ord(token[0]) < 0x2E80):
                continue
            counts[lang][int(label)][token] += weight
    out: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for lang, per_theme in counts.items():
        totals = Counter()
        for c in per_theme.values():
            totals.update(c)
        avg = sum(sum(c.values()) for c in per_theme.values()) / max(1, len(per_theme))
        for theme, c in per_theme.items():
            size = sum(c.values()) or 1
            scored = sorted(((count / size) * math.log(1 + avg / totals[t]), t) for t, count in c.items()
                            if count >= 2 or len(per_theme) == 1)
            best = [t for _s, t in sorted(scored, key=lambda p: (-p[0], p[1]))[:top]]
            if best:
                out[theme][lang] = best
    return dict(out)


CLAUSE_BREAK = re.compile(r"[,;:.!?¡¿()\[\]{}\"“”«»—–…\n]|\s-\s")
HANDLE = re.compile(r"[#@]\w+")  # hashtags and handles: slogans and names, not a phrase of the text
NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "my", "km"}


def phrases(text: str, lang: str, *, exclude: set[str] | None = None, min_words: int = 2,
            max_words: int = 5) -> list[str]:
    """Candidate theme titles from one message: runs of `min_words` to `max_words` words
    inside one clause (never across punctuation), neither first nor last word a stop word,
    no word from `exclude` (recipients' names, greetings), no number, no redaction
    placeholder. Distinct, in order of appearance."""
    exclude = {e.lower() for e in exclude or ()}
    stops = stop_words(lang)
    joiner = "" if lang in NO_SPACE_LANGS else " "
    script = _in_script(lang)
    out: list[str] = []
    seen: set[str] = set()
    for clause in CLAUSE_BREAK.split(HANDLE.sub(" , ", text)):
        tokens = words(clause, lang)
        if not tokens:
            continue
        bad = [t.lower() in exclude or any(ch.isdigit() for ch in t) or (script is not None and not script(t))
               for t in tokens]
        for n in range(min_words, max_words + 1):
            for s in range(len(tokens) - n + 1):
                gram = tokens[s:s + n]
                if any(bad[s:s + n]) or _stop(gram[0], stops) or _stop(gram[-1], stops):
                    continue
                phrase = joiner.join(gram)
                key = phrase.lower()
                if key not in seen:
                    seen.add(key)
                    out.append(phrase)
    return out


LATIN_LANGS = {"en", "es", "pt", "fr", "de", "it", "nl", "sv", "da", "no", "nb", "fi", "pl", "cs", "sk", "sl", "hr",
               "ro", "hu", "tr", "id", "ms", "tl", "sw", "vi", "ca", "eu", "gl", "et", "lv", "lt", "sq", "af"}


def _in_script(lang: str):
    """For a campaign language written in Latin letters, a test that a word is: an English
    campaign's titles carry no Urdu or Burmese words a mixed message holds."""
    if lang not in LATIN_LANGS:
        return None
    return lambda w: all(not ch.isalpha() or ord(ch) < 0x250 or 0x1E00 <= ord(ch) < 0x1F00 for ch in w)


CHAT_STOPS = {"u", "ur", "r", "ya", "yr", "im", "pls", "plz", "n", "b"}  # text-message spellings of stop words


def _stop(word: str, stops: frozenset[str]) -> bool:
    """A stop word, also with its clitic ("I'm", "we'll", "l'eau" count by their first part)."""
    w = word.lower().replace("’", "'")
    return (w in stops or w.split("'")[0] in stops or w in CHAT_STOPS or (len(w) < 2 and ord(w[0]) < 0x2E80))


def title_case(phrase: str) -> str:
    """The first letter capitalised, the rest as written ("protecting the river" ->
    "Protecting the river")."""
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


def rank_titles(candidates: dict[int, list[tuple[str, float]]], vectors: dict[str, np.ndarray],
                centres: dict[int, np.ndarray], order: list[int], *, mmr_lambda: float = 0.7) -> dict[int, str]:
    """One title per theme by maximal marginal relevance (KeyBERTInspired + MMR in
    BERTopic): a candidate's relevance is its cosine with the theme's centre (plus its
    small `bonus`, e.g. for being written by several people); it is penalised by its
    greatest similarity to the titles already given to other themes, and a title already
    given is never given again. Themes are titled in `order` (strongest first)."""
    given: list[np.ndarray] = []
    used: set[str] = set()
    out: dict[int, str] = {}
    for theme in order:
        centre = centres.get(theme)
        if centre is None or not candidates.get(theme):
            continue
        c = centre / max(float(np.linalg.norm(centre)), 1e-12)
        best, best_score = None, -np.inf
        for phrase, bonus in candidates[theme]:
            if phrase.lower() in used or phrase not in vectors:
                continue
            v = vectors[phrase]
            rel = float(v @ c) + bonus
            red = max((float(v @ g) for g in given), default=0.0)
            score = mmr_lambda * rel - (1 - mmr_lambda) * red
            if score > best_score:
                best, best_score = phrase, score
        if best is not None:
            out[theme] = best
            used.add(best.lower())
            given.append(vectors[best])
    return out
