"""Themes: cluster the meaning of approved messages, across languages, and label them.

Multilingual embeddings carry a language signal besides meaning, so clusters can
form by language. Before clustering, each language's mean vector is removed (and
the global mean added back): what remains is closer to pure meaning, so translations
of the same message land together. Duplicate groups enter once with their weight."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from .segment import words

UNASSIGNED = -1


@dataclass
class Clustering:
    labels: np.ndarray  # theme per row, UNASSIGNED for outliers
    scores: np.ndarray  # cosine similarity to the theme centroid
    centroids: np.ndarray  # (k, dim), L2-normalised, in the centred space
    k: int
    silhouette: float


def centre_groups(vectors: np.ndarray, groups: list[str], min_count: int = 5) -> np.ndarray:
    """Remove each group's mean direction (groups with enough members), renormalise.

    Used for languages (so translations meet) and for recipients (so messages group by
    what they say, not by whose name they mention)."""
    x = np.asarray(vectors, dtype=np.float64).copy()
    if len(x) == 0:
        return x.astype(np.float32)
    global_mean = x.mean(axis=0)
    members: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        members[group].append(i)
    for group, idx in members.items():
        if len(idx) >= min_count and group not in ("und", ""):
            x[idx] += global_mean - x[idx].mean(axis=0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x.astype(np.float32)


def centre_languages(vectors: np.ndarray, langs: list[str], min_count: int = 5) -> np.ndarray:
    return centre_groups(vectors, langs, min_count)


def cluster(vectors: np.ndarray, weights: np.ndarray | None = None, *, n_themes: int = 0,
            min_themes: int = 4, max_themes: int = 12, seed: int = 0,
            max_unassigned: float = 0.10) -> Clustering:
    """Spherical k-means with k chosen by silhouette (or given); outliers capped at max_unassigned."""
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    if n == 0:
        return Clustering(np.zeros(0, int), np.zeros(0), np.zeros((0, x.shape[1] if x.ndim == 2 else 0)), 0, 0.0)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if n_themes > 0:
        candidates = [min(n_themes, n)]
    else:
        upper = max(1, min(max_themes, n // 8))
        candidates = list(range(min(min_themes, upper), upper + 1))
    best: tuple[float, int, KMeans] | None = None
    for k in candidates:
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x, sample_weight=w)
        if k < 2 or len(set(model.labels_)) < 2:
            sil = 0.0
        else:
            sil = float(silhouette_score(x, model.labels_, metric="cosine",
                                         sample_size=min(n, 3000), random_state=seed))
        if best is None or sil > best[0] + 1e-9:
            best = (sil, k, model)
    assert best is not None
    sil, k, model = best
    centroids = model.cluster_centers_.astype(np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    labels, scores = assign(x, centroids)
    labels = mark_outliers(labels, scores, max_unassigned)
    return Clustering(labels, scores, centroids, k, sil)


def assign(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid by cosine; used for new messages so existing themes stay put."""
    sims = np.asarray(x, dtype=np.float32) @ centroids.T
    labels = sims.argmax(axis=1)
    return labels.astype(int), sims[np.arange(len(labels)), labels].astype(float)


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
    """spaCy's stop-word list for a language, where spaCy has one."""
    import importlib

    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
        return frozenset(w.lower() for w in module.STOP_WORDS)
    except (ImportError, AttributeError):
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
