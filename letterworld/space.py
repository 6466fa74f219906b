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

from dataclasses import dataclass, field

import numpy as np

NEIGHBOUR_REFERENCE = 50_000  # above this, neighbours are looked up in a random sample of this many
SENTENCE_MATCH = 0.40  # meaning-space cosine at which two sentences count as translations (bench/themes.py)


ROWS_AT_ONCE = 4096  # rows converted to float64 at a time: memory bounded whatever the corpus size


def _row_sum(x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Sum of (the given) rows in float64, a block at a time."""
    total = np.zeros(x.shape[1], np.float64)
    n = len(x) if rows is None else len(rows)
    for s in range(0, n, ROWS_AT_ONCE):
        block = x[s:s + ROWS_AT_ONCE] if rows is None else x[rows[s:s + ROWS_AT_ONCE]]
        total += block.astype(np.float64).sum(axis=0)
    return total


def _members(groups: list[str]) -> dict[str, np.ndarray]:
    names, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
    return {str(g): order[bounds[i]:bounds[i + 1]] for i, g in enumerate(names)}


def _shift_rows(x: np.ndarray, groups: list[str], shifts: dict[str, np.ndarray],
                out: np.ndarray | None = None) -> np.ndarray:
    """float32 rows of x plus their group's shift (float64 arithmetic), renormalised, a block
    at a time (into `out`, which may be x itself)."""
    n, dim = x.shape
    out = np.empty((n, dim), np.float32) if out is None else out
    names = sorted(shifts)
    table = np.vstack([np.zeros((1, dim))] + [shifts[g][None, :] for g in names]) if names else np.zeros((1, dim))
    index = {g: i + 1 for i, g in enumerate(names)}
    gid = np.fromiter((index.get(str(g), 0) for g in groups), dtype=np.int64, count=n)
    for s in range(0, n, ROWS_AT_ONCE):
        block = x[s:s + ROWS_AT_ONCE].astype(np.float64)
        block += table[gid[s:s + ROWS_AT_ONCE]]
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        out[s:s + ROWS_AT_ONCE] = block
    return out


def centre_groups(vectors: np.ndarray, groups: list[str], min_count: int = 5) -> np.ndarray:
    """Remove each group's mean direction (groups with enough members), renormalise.

    Used for languages (so translations meet) and for recipients (so messages group by
    what they say, not by whose name they mention). float64 arithmetic a block of rows at a
    time (ROWS_AT_ONCE), float32 out."""
    x = np.asarray(vectors)
    if len(x) == 0:
        return x.astype(np.float32)
    return _apply_shifts(x, groups, *_group_shifts(x, groups, min_count))


def centre_language_and_recipient(vectors: np.ndarray, langs: list[str], recipients: list[str],
                                  min_count: int = 5) -> np.ndarray:
    """Each language's, then each recipient's mean direction removed (`centre_groups`): what a
    message says, compared across languages and whoever it names. The meaning space adds
    `remove_common_direction`; the off-topic check compares raw similarities and does not."""
    return centre_groups(centre_groups(vectors, langs, min_count), recipients, min_count)


def remove_common_direction(vectors: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Subtract the corpus mean and renormalise.

    e5 puts every solidarity message in a narrow cone (unrelated messages ~0.85-0.9 cosine);
    what they share says nothing about which theme they belong to. Removing the mean spreads
    similarities around 0, so k-means and silhouette see the differences between messages.
    float64 arithmetic a block of rows at a time, float32 out (into `out`, which may be the
    input itself: no copy of a large corpus)."""
    x = np.asarray(vectors)
    if len(x) == 0:
        return x.astype(np.float32)
    return _subtract_mean(x, _row_sum(x) / len(x), out)


def _subtract_mean(x: np.ndarray, mean: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.empty(x.shape, np.float32) if out is None else out
    for s in range(0, len(x), ROWS_AT_ONCE):
        block = x[s:s + ROWS_AT_ONCE].astype(np.float64) - mean
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        out[s:s + ROWS_AT_ONCE] = block
    return out


def reference_rows(n: int, seed: int = 0) -> np.ndarray:
    """Rows neighbours are looked up among: all, or a fixed random sample on very large corpora."""
    if n > NEIGHBOUR_REFERENCE:
        return np.sort(np.random.default_rng(seed).choice(n, NEIGHBOUR_REFERENCE, replace=False))
    return np.arange(n)



def _group_shifts(x: np.ndarray, groups: list[str], min_count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The global mean and, per group with enough members, its mean (what `centre_groups` removes)."""
    means = {g: _row_sum(x, idx) / len(idx) for g, idx in _members(groups).items()
             if len(idx) >= min_count and g not in ("und", "")}
    return _row_sum(x) / len(x), means


def _apply_shifts(x: np.ndarray, groups: list[str], global_mean: np.ndarray, means: dict[str, np.ndarray],
                  out: np.ndarray | None = None) -> np.ndarray:
    """float32 rows with (global mean - their group's mean) added, renormalised (into `out`)."""
    return _shift_rows(x, groups, {g: global_mean - m for g, m in means.items()}, out)


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

    def fit_transform(self, vectors: np.ndarray, langs: list[str], recipients: list[str], *,
                      common: bool = True) -> np.ndarray:
        x = np.asarray(vectors)
        if len(x) == 0:
            raise ValueError("cannot fit the meaning space on no messages")
        self.lang_global, self.lang_means = _group_shifts(x, langs, self.min_count)
        x = _apply_shifts(x, langs, self.lang_global, self.lang_means)
        self.recipient_global, self.recipient_means = _group_shifts(x, recipients, self.min_count)
        x = _apply_shifts(x, recipients, self.recipient_global, self.recipient_means, out=x)  # this call's own array
        self.corpus_mean = _row_sum(x) / len(x)
        return self._centre(x, out=x) if common else x

    def transform(self, vectors: np.ndarray, langs: list[str], recipients: list[str], *,
                  common: bool = True) -> np.ndarray:
        """The fitted shifts applied to new rows; `common=False` stops before the corpus mean
        is removed (`centre_language_and_recipient`, the off-topic check's space)."""
        if self.corpus_mean is None:
            raise ValueError("ThemeSpace is not fitted; call fit first")
        x = np.asarray(vectors)
        if len(x) == 0:
            return x.astype(np.float32)
        x = _apply_shifts(x, langs, self.lang_global, self.lang_means)
        x = _apply_shifts(x, recipients, self.recipient_global, self.recipient_means, out=x)
        return self._centre(x, out=x) if common else x

    def _centre(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return _subtract_mean(x, self.corpus_mean, out)

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
