"""Safety classifier: threats and safety risks aimed at the recipient, on the multilingual embeddings.

The safety word list (`rules.find_safety`) only catches the phrasings it was written from; this
RBF support-vector machine over the multilingual-e5 embeddings (centred on the language's mean, as
`classifier.centre_by_language` does) scores the whole message for threats, whereabouts, family,
children, school, home, workplace, routines, contact attempts, surveillance and wishes of harm.
Weights: `letterworld/data/safety_classifier.npz`, built by `models/safety/train_safety.py`
(data and figures: `models/safety/README.md`). A flag of kind "safety" puts the message on hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ..config import SAFETY_BARS as BARS  # `[screen] safety_bar`
from ..records import Flag
from .classifier import centre_by_language

WEIGHTS = ("data", "safety_classifier.npz")
REASON = "classifier: threat or safety risk"


@dataclass
class SafetyClassifier:
    support_vectors: np.ndarray  # (n, dim) centred training embeddings the SVM kept
    dual_coef: np.ndarray  # (n,) their signed weights
    intercept: float
    gamma: float
    threshold: float  # on the decision value: the "standard" bar
    embedder: str
    lang_means: dict[str, np.ndarray]
    pooled_mean: np.ndarray
    threshold_high: float | None = None  # the "high" bar (lower: more held); None in older weights

    def bar(self, name: str = "standard") -> float:
        """The decision threshold of a named bar (`[screen] safety_bar`)."""
        if name not in BARS:
            raise ValueError(f"unknown safety bar {name!r}: use one of {', '.join(BARS)}")
        if name == "high":
            if self.threshold_high is None:  # never a silent fall back to the lower bar
                raise ValueError("these safety weights have no 'high' bar: retrain them with "
                                 "models/safety/train_safety.py or set [screen] safety_bar = \"standard\"")
            return self.threshold_high
        return self.threshold

    def score(self, vectors: np.ndarray, langs) -> np.ndarray:
        """The SVM decision value for each vector (threat when >= threshold); `langs` (ISO codes
        or None) choose the mean it is centred on."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(vectors) == 0:
            return np.zeros(0)
        langs = ["" if lang is None else str(lang) for lang in langs]
        x = centre_by_language(vectors, langs, self.lang_means, self.pooled_mean)
        sq = (x * x).sum(1)[:, None] + (self.support_vectors ** 2).sum(1)[None, :] - 2 * x @ self.support_vectors.T
        return np.exp(-self.gamma * np.maximum(sq, 0)) @ self.dual_coef + self.intercept

    def flags(self, texts: list[str], vectors: np.ndarray, langs, bar: str = "standard") -> list[list[Flag]]:
        """A whole-message `safety` flag for each text scoring at or over the named bar."""
        s, t_ = self.score(vectors, langs), self.bar(bar)
        return [[Flag("safety", f"{REASON} (score {sc:+.2f}, bar {t_:+.2f})", 0, len(t))]
                if sc >= t_ and t.strip() else [] for t, sc in zip(texts, s)]


def read_safety_classifier(path) -> SafetyClassifier:
    with np.load(path, allow_pickle=False) as z:
        langs = json.loads(str(z["lang_means_langs"]))
        return SafetyClassifier(support_vectors=z["support_vectors"].astype(np.float32),
                                dual_coef=z["dual_coef"].astype(np.float32), intercept=float(z["intercept"]),
                                gamma=float(z["gamma"]), threshold=float(z["threshold"]), embedder=str(z["embedder"]),
                                lang_means={lang: z["lang_means"][i] for i, lang in enumerate(langs)},
                                pooled_mean=z["pooled_mean"].astype(np.float32),
                                threshold_high=float(z["threshold_high"]) if "threshold_high" in z.files else None)


@lru_cache(maxsize=1)
def load_safety_classifier() -> SafetyClassifier | None:
    """The bundled classifier (loaded once), or None when the weights are not installed."""
    ref = resources.files("letterworld").joinpath(*WEIGHTS)
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path:
        return read_safety_classifier(path)


def safety_flags(texts: list[str], vectors: np.ndarray, langs, embedder: str | None = None,
                 bar: str = "standard") -> list[list[Flag]]:
    """Safety-classifier flags for a batch (none when the weights are missing, or when `embedder`,
    the name of the embedder that made `vectors`, is not the one the classifier was trained on)."""
    clf = load_safety_classifier()
    if clf is None or (embedder is not None and embedder != clf.embedder):
        return [[] for _ in texts]
    return clf.flags(texts, vectors, langs, bar)
