"""Abuse and hostility classifier: logistic regression on the multilingual embeddings and
hashed character n-grams.

No offline toxicity model exists for the languages people write in, so letterworld ships a
small linear classifier over the multilingual-e5 embeddings it already computes for themes,
plus hashed character n-grams of the text (no vocabulary to ship: scikit-learn's
HashingVectorizer). Weights and per-language thresholds live in
`letterworld/data/abuse_classifier.npz`; `models/abuse/train_abuse.py` rebuilds them from
`models/abuse/abuse_train.tsv` (hand-written, many languages) and, where present, the training
half of the HateCheck dev file's templates. See `models/abuse/MODEL_CARD.md` for how it was made and its limits.

It complements the word lists: the lists give exact spans for slurs and known phrases; the
classifier catches hostility worded in ways no list has ("she should never see daylight
again") and flags the whole message for a person to read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from ..records import Flag

WEIGHTS = ("data", "abuse_classifier.npz")
REASON = "classifier: hostile or abusive"


# hashed character n-grams: the same settings at training and at run time
CHAR_PARAMS = {"analyzer": "char_wb", "ngram_range": (2, 5), "n_features": 2 ** 18}


def char_features(texts: list[str]):
    """Sparse l2-normalised counts of hashed 2-5 letter n-grams (inside words), lower case."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(alternate_sign=False, norm="l2", lowercase=True, **CHAR_PARAMS).transform(texts)


@dataclass(frozen=True)
class AbuseClassifier:
    """Two logistic regressions sharing one decision: for the languages with a threshold of
    their own (`lang_thresholds`: those with HateCheck training data), embedding + character
    n-grams; for every other language (or an unknown one), the embedding alone at `threshold`."""

    coef: np.ndarray  # (dim,) embedding part of the full model
    intercept: float
    threshold: float  # the embedding-only model's threshold, for languages without their own
    embedder: str  # the embedder whose space the weights live in
    char_coef: np.ndarray | None = None  # (2**18,) character n-gram part of the full model
    lang_thresholds: dict[str, float] = field(default_factory=dict)
    embed_coef: np.ndarray | None = None  # embedding-only model
    embed_intercept: float = 0.0

    def uses_full_model(self, lang: str | None) -> bool:
        return self.char_coef is not None and _base(lang) in self.lang_thresholds

    def threshold_for(self, lang: str | None) -> float:
        return self.lang_thresholds[_base(lang)] if self.uses_full_model(lang) else self.threshold

    def proba(self, vectors: np.ndarray, texts: list[str] | None = None,
              langs: list[str | None] | None = None) -> np.ndarray:
        """Probability of hostility for each message, from the model for its language (detected
        from `texts` when `langs` is not given; without texts, the embedding-only model)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        n = vectors.shape[0]
        if n == 0:
            return np.zeros(0)
        if texts is not None and len(texts) != n:
            raise ValueError("texts and vectors differ in length")
        if langs is None:
            langs = _detect(texts) if texts is not None and self.lang_thresholds else [None] * n
        full = np.array([self.uses_full_model(lang) for lang in langs], dtype=bool)
        if self.embed_coef is not None:
            z = vectors @ self.embed_coef + self.embed_intercept
        else:  # weights from before the two-model split
            z = vectors @ self.coef + self.intercept
        if full.any():
            idx = np.flatnonzero(full)
            z[idx] = vectors[idx] @ self.coef + self.intercept + char_features([texts[i] for i in idx]) @ self.char_coef
        return 1.0 / (1.0 + np.exp(-z))

    def flags(self, texts: list[str], vectors: np.ndarray, langs: list[str | None] | None = None) -> list[list[Flag]]:
        """One whole-message flag for each text the classifier finds hostile or abusive.

        `langs` picks each message's model and threshold; without it the language is detected here."""
        if langs is None:
            langs = _detect(texts) if self.lang_thresholds else [None] * len(texts)
        p = self.proba(vectors, texts, langs)
        return [[Flag("hostility", f"{REASON} (p={pi:.2f})", 0, len(t))] if pi >= self.threshold_for(lang) else []
                for t, pi, lang in zip(texts, p, langs)]


def _base(lang: str | None) -> str:
    return (lang or "").split("-")[0].lower()


def _detect(texts: list[str]) -> list[str]:
    from ..language import detect_batch

    return [d.lang for d in detect_batch(list(texts))]


@lru_cache(maxsize=1)
def load_classifier() -> AbuseClassifier | None:
    """The shipped classifier, or None when the weights are not installed."""
    path = resources.files("letterworld").joinpath(*WEIGHTS)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        files = set(data.files)
        lang_th = json.loads(str(data["lang_thresholds"])) if "lang_thresholds" in files else {}
        return AbuseClassifier(
            coef=data["coef"].astype(np.float32), intercept=float(data["intercept"]),
            threshold=float(data["threshold"]), embedder=str(data["embedder"]),
            char_coef=data["char_coef"].astype(np.float32) if "char_coef" in files else None,
            lang_thresholds={k: float(v) for k, v in lang_th.items()},
            embed_coef=data["embed_coef"].astype(np.float32) if "embed_coef" in files else None,
            embed_intercept=float(data["embed_intercept"]) if "embed_intercept" in files else 0.0)
