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
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

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


def smooth_neighbours(vectors: np.ndarray, k: int = NEIGHBOURS, *, seed: int = 0, chunk: int = 2048) -> np.ndarray:
    """Each vector replaced by the mean of itself and its k nearest neighbours (cosine), then
    the corpus mean removed again (`remove_common_direction`).

    Clustering a continuum of meanings cuts pairs that sit on either side of a boundary; a
    message and its translation share most of their neighbours (in every language: the
    input is the language-centred meaning space), so after this step they sit much closer
    together than before, and fewer translations are split between themes. Nothing here
    uses languages or labels. Measured in bench/RESULTS.md (Themes and excerpts)."""
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    if n <= k + 1 or k <= 0:
        return remove_common_direction(x) if n else x
    ref = reference_rows(n, seed)
    xr = x[ref]
    out = np.empty_like(x)
    for s in range(0, n, chunk):
        sims = x[s:s + chunk] @ xr.T
        rows = np.arange(sims.shape[0])
        if len(ref) == n:
            sims[rows, s + rows] = -np.inf  # self is added below, once
        nn = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out[s:s + chunk] = (x[s:s + chunk] + xr[nn].sum(axis=1)) / (k + 1)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return remove_common_direction(out)


def cross_lingual_partners(vectors: np.ndarray, langs: list[str], *, floor: float = SENTENCE_MATCH,
                           seed: int = 0, chunk: int = 2048) -> np.ndarray:
    """For each row, the row it is a mutual nearest neighbour with across languages, or -1.

    Two messages in different languages, each the other's closest message in any other
    language and at least `floor` apart in cosine, are the bitext-mining criterion for a
    translation pair (mutual nearest neighbours, Artetxe & Schwenk 2019): in a campaign
    they are a translated sample text, or two people saying the same thing in two
    languages. Expects the meaning space (`remove_common_direction` of language-centred
    vectors), where `floor` (SENTENCE_MATCH) was calibrated on Tatoeba half A."""
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    partner = np.full(n, -1)
    lang_ids = np.unique(np.asarray(langs, dtype=object).astype(str), return_inverse=True)[1]
    if n < 2 or len(set(lang_ids.tolist())) < 2:
        return partner
    ref = reference_rows(n, seed)
    nearest = np.full(n, -1)
    best = np.full(n, -np.inf)
    for s in range(0, n, chunk):
        sims = x[s:s + chunk] @ x[ref].T
        sims[lang_ids[s:s + chunk, None] == lang_ids[ref][None, :]] = -np.inf  # self included
        col = sims.argmax(axis=1)
        nearest[s:s + chunk] = ref[col]
        best[s:s + chunk] = sims[np.arange(len(col)), col]
    ok = (nearest >= 0) & np.isfinite(best) & (best >= floor)
    rows = np.where(ok)[0]
    mutual = rows[nearest[nearest[rows]] == rows]
    partner[mutual] = nearest[mutual]
    return partner


def join_translations(vectors: np.ndarray, langs: list[str], *, seed: int = 0) -> np.ndarray:
    """Each message of a cross-lingual mutual-nearest pair (`cross_lingual_partners`)
    replaced by the pair's mean, then the corpus mean removed again.

    Neighbour smoothing alone leaves a message and its translation apart wherever a theme
    boundary runs between them; a pair that is one voice in two languages is given one
    position, so it can only be cut if both move. Measured in bench/RESULTS.md."""
    x = np.asarray(vectors, dtype=np.float32)
    partner = cross_lingual_partners(x, langs, seed=seed)
    out = x.copy()
    joined = partner >= 0
    out[joined] = (x[joined] + x[partner[joined]]) / 2
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return remove_common_direction(out) if len(out) else out


def _fit(x: np.ndarray, w: np.ndarray, k: int, seed: int, n_init: int = 10) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x, sample_weight=w)


def choose_k(x: np.ndarray, w: np.ndarray, candidates: list[int], seed: int = 0) -> tuple[int, dict[int, dict]]:
    """The number of themes: among the k whose partition is stable across seeds (mean
    pairwise adjusted Rand index >= STABLE_ARI) and whose smallest theme holds at least
    MIN_THEME_SHARE of the messages, the one with the best silhouette; when none
    qualifies, the most stable k.

    Silhouette alone is arbitrary on real campaigns (low, ~0.05, and nearly flat in k);
    stability answers the campaigner's question ("would I get the same themes again?")
    and keeps silhouette from choosing between partitions that are noise."""
    from sklearn.metrics import adjusted_rand_score

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


def cluster(vectors: np.ndarray, weights: np.ndarray | None = None, *, n_themes: int = 0,
            min_themes: int = 4, max_themes: int = 12, seed: int = 0,
            max_unassigned: float = 0.10) -> Clustering:
    """Spherical k-means with k chosen by stability across seeds (or given); outliers
    capped at max_unassigned. Expects vectors from `remove_common_direction` (or any
    space where cosine separates meanings)."""
    x = np.asarray(vectors, dtype=np.float32)
    n = x.shape[0]
    if n == 0:
        return Clustering(np.zeros(0, int), np.zeros(0), np.zeros((0, x.shape[1] if x.ndim == 2 else 0)), 0, 0.0)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    curve: dict[int, dict] = {}
    if n_themes > 0:
        k = min(n_themes, n)
    else:
        upper = max(1, min(max_themes, n // 8))
        candidates = list(range(min(min_themes, upper), upper + 1))
        k, curve = choose_k(x, w, candidates, seed) if len(candidates) > 1 else (candidates[0], {})
    model = _fit(x, w, k, seed)
    if k >= 2 and len(set(model.labels_)) >= 2:
        sil = float(silhouette_score(x, model.labels_, metric="cosine", sample_size=min(n, 3000), random_state=seed))
    else:
        sil = 0.0
    centroids = model.cluster_centers_.astype(np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    labels, scores = assign(x, centroids)
    labels = mark_outliers(labels, scores, max_unassigned)
    return Clustering(labels, scores, centroids, k, sil, curve.get(k, {}).get("stability", float("nan")), curve)


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
