"""Abuse and hostility classifier: logistic regression on the multilingual embeddings.

No offline toxicity model exists for the languages people write in, so letterworld ships a
small linear classifier over the multilingual-e5 embeddings it already computes for themes.
Weights live in `letterworld/data/abuse_classifier.npz`; `models/abuse/train_abuse.py` rebuilds
them from `models/abuse/abuse_train.tsv` (hand-written, many languages) and, where present, part
of the HateCheck dev file. See `models/abuse/MODEL_CARD.md` for how it was made and its limits.

It complements the word lists: the lists give exact spans for slurs and known phrases; the
classifier catches hostility worded in ways no list has ("she should never see daylight
again") and flags the whole message for a person to read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ..records import Flag

WEIGHTS = ("data", "abuse_classifier.npz")
REASON = "classifier: hostile or abusive"


@dataclass(frozen=True)
class AbuseClassifier:
    coef: np.ndarray  # (dim,)
    intercept: float
    threshold: float
    embedder: str  # the embedder whose space the weights live in

    def proba(self, vectors: np.ndarray) -> np.ndarray:
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if vectors.shape[0] == 0:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef + self.intercept)))

    def flags(self, texts: list[str], vectors: np.ndarray) -> list[list[Flag]]:
        """One whole-message flag for each text the classifier finds hostile or abusive."""
        p = self.proba(vectors)
        return [[Flag("hostility", f"{REASON} (p={pi:.2f})", 0, len(t))] if pi >= self.threshold else []
                for t, pi in zip(texts, p)]


@lru_cache(maxsize=1)
def load_classifier() -> AbuseClassifier | None:
    """The shipped classifier, or None when the weights are not installed."""
    path = resources.files("letterworld").joinpath(*WEIGHTS)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        return AbuseClassifier(coef=data["coef"].astype(np.float32), intercept=float(data["intercept"]),
                               threshold=float(data["threshold"]), embedder=str(data["embedder"]))
