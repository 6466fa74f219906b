"""The meaning space: multilingual embeddings with what is not meaning taken out.

e5 vectors carry which language a text is in and whose name it mentions besides what it
says. Each language's and each recipient's mean direction is removed, then the corpus
mean: what is left compares meanings across languages. Themes cluster in this space, the
off-topic and sample-text checks of screening compare in it, and excerpts are scored in it;
so it lives here, below all of them (no stage imports another stage's helpers).

`ThemeSpace` is the fitted form (scikit-learn style): `fit` learns the means from the
messages themes were clustered on, `transform` applies those same means to new messages,
so a re-run of `themes` places new messages in the space the centroids were fitted in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

NEIGHBOUR_REFERENCE = 50_000  # above this, neighbours are looked up in a random sample of this many
SENTENCE_MATCH = 0.40  # meaning-space cosine at which two sentences count as translations (bench/themes.py)


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


def centre_language_and_recipient(vectors: np.ndarray, langs: list[str], recipients: list[str],
                                  min_count: int = 5) -> np.ndarray:
    """Each language's, then each recipient's mean direction removed (`centre_groups`): what a
    message says, compared across languages and whoever it names. The meaning space adds
    `remove_common_direction`; the off-topic check compares raw similarities and does not."""
    return centre_groups(centre_groups(vectors, langs, min_count), recipients, min_count)


def remove_common_direction(vectors: np.ndarray) -> np.ndarray:
    """Subtract the corpus mean and renormalise.

    e5 puts every solidarity message in a narrow cone (unrelated messages ~0.85-0.9 cosine);
    what they share says nothing about which theme they belong to. Removing the mean spreads
    similarities around 0, so k-means and silhouette see the differences between messages."""
    x = np.asarray(vectors, dtype=np.float64)
    if len(x) == 0:
        return x.astype(np.float32)
    x = x - x.mean(axis=0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x.astype(np.float32)


def reference_rows(n: int, seed: int = 0) -> np.ndarray:
    """Rows neighbours are looked up among: all, or a fixed random sample on very large corpora."""
    if n > NEIGHBOUR_REFERENCE:
        return np.sort(np.random.default_rng(seed).choice(n, NEIGHBOUR_REFERENCE, replace=False))
    return np.arange(n)



def _group_shifts(x: np.ndarray, groups: list[str], min_count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The global mean and, per group with enough members, its mean (what `centre_groups` removes)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    means = {g: x[idx].mean(axis=0) for g, idx in members.items() if len(idx) >= min_count and g not in ("und", "")}
    return x.mean(axis=0), means


def _apply_shifts(x: np.ndarray, groups: list[str], global_mean: np.ndarray, means: dict[str, np.ndarray]) -> np.ndarray:
    x = x.copy()
    for i, g in enumerate(groups):
        if g in means:
            x[i] += global_mean - means[g]
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x


@dataclass
class ThemeSpace:
    """Fitted meaning space: language means, recipient means (after language centring),
    the corpus mean. `fit_transform(v, ...)` equals `remove_common_direction(
    centre_language_and_recipient(v, ...))`; `transform` reuses the fitted means."""

    min_count: int = 5
    lang_global: np.ndarray | None = None
    lang_means: dict[str, np.ndarray] = field(default_factory=dict)
    recipient_global: np.ndarray | None = None
    recipient_means: dict[str, np.ndarray] = field(default_factory=dict)
    corpus_mean: np.ndarray | None = None

    def fit(self, vectors: np.ndarray, langs: list[str], recipients: list[str]) -> ThemeSpace:
        self.fit_transform(vectors, langs, recipients)
        return self

    def fit_transform(self, vectors: np.ndarray, langs: list[str], recipients: list[str]) -> np.ndarray:
        x = np.asarray(vectors, dtype=np.float64)
        if len(x) == 0:
            raise ValueError("cannot fit the meaning space on no messages")
        self.lang_global, self.lang_means = _group_shifts(x, langs, self.min_count)
        x = _apply_shifts(x, langs, self.lang_global, self.lang_means).astype(np.float32).astype(np.float64)
        self.recipient_global, self.recipient_means = _group_shifts(x, recipients, self.min_count)
        x = _apply_shifts(x, recipients, self.recipient_global, self.recipient_means).astype(np.float32)
        self.corpus_mean = x.astype(np.float64).mean(axis=0)
        return self._centre(x)

    def transform(self, vectors: np.ndarray, langs: list[str], recipients: list[str]) -> np.ndarray:
        if self.corpus_mean is None:
            raise ValueError("ThemeSpace is not fitted; call fit first")
        x = np.asarray(vectors, dtype=np.float64)
        if len(x) == 0:
            return x.astype(np.float32)
        x = _apply_shifts(x, langs, self.lang_global, self.lang_means).astype(np.float32).astype(np.float64)
        x = _apply_shifts(x, recipients, self.recipient_global, self.recipient_means).astype(np.float32)
        return self._centre(x)

    def _centre(self, x: np.ndarray) -> np.ndarray:
        y = x.astype(np.float64) - self.corpus_mean
        y /= np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
        return y.astype(np.float32)

    # stored in the campaign store's `fitted` table (Store.put_fitted / Store.fitted)
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        langs, recips = sorted(self.lang_means), sorted(self.recipient_means)
        dim = len(self.corpus_mean)
        arrays = {"lang_global": self.lang_global, "recipient_global": self.recipient_global,
                  "corpus_mean": self.corpus_mean,
                  "lang_means": np.stack([self.lang_means[k] for k in langs]) if langs else np.zeros((0, dim)),
                  "recipient_means": (np.stack([self.recipient_means[k] for k in recips]) if recips
                                      else np.zeros((0, dim)))}
        return arrays, {"min_count": self.min_count, "langs": langs, "recipients": recips}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> ThemeSpace:
        return cls(meta["min_count"], arrays["lang_global"], dict(zip(meta["langs"], arrays["lang_means"])),
                   arrays["recipient_global"], dict(zip(meta["recipients"], arrays["recipient_means"])),
                   arrays["corpus_mean"])


SHORT_SEGMENT = 20  # reading characters: shorter segments ("Dear Aylin,", "香港加油", "Love,") are not weighed


def sample_coverage(sims: np.ndarray) -> float:
    """How completely a message says a sample text and nothing else, from `sims`: the cosine
    (meaning space) between the message's substantive sentences (rows) and the sample's
    sentences (columns). The lowest of every sample sentence's best match and every message
    sentence's best match: a translation of the sample, or one with a greeting or a short
    line added, scores as high as its weakest sentence; a message that repeats one of the
    sample's slogans, or adds a sentence of its own, scores as low as what it adds."""
    sims = np.asarray(sims)
    if sims.ndim != 2 or sims.size == 0:
        return -1.0
    return float(min(sims.max(axis=0).min(), sims.max(axis=1).min()))
