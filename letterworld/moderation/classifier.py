"""Abuse and hostility classifier: for HateCheck's six languages, logistic regression on the
multilingual embeddings and hashed character n-grams, averaged with an RBF support-vector machine
on the embeddings; for every other language, that support-vector machine alone.

No offline toxicity model exists for the languages people write in, so letterworld ships small
classifiers over the multilingual-e5 embeddings it already computes for themes (centred on each
language's mean), plus hashed character n-grams of the text for the six languages (no vocabulary
to ship: scikit-learn's HashingVectorizer). Weights and per-language thresholds live in
`letterworld/data/abuse_classifier.npz`; `models/abuse/train_abuse.py` rebuilds them from
`models/abuse/abuse_train.tsv` and `abuse_train_languages.tsv` (hand-written, 34 languages), the
demo's real solidarity messages of its training half (benign rows: what a campaign's flags must leave
alone) and, where present, the training half of the HateCheck dev file's templates. See `models/abuse/MODEL_CARD.md` for how it was made and its limits.

It complements the word lists: the lists give exact spans for slurs and known phrases; the
classifier catches hostility worded in ways no list has ("she should never see daylight
again") and flags the whole message for a person to read. It also decides what a listed
insult or slur means in its message: at or above the language's list bar (`list_bars`, lower
than the threshold) the term becomes an `abuse` flag on its span; below it, it stays the
`listed_term` flag that `rules.find_abuse` gave it (counter-speech and quotes: "they call her a
terrorist", "calling refugees 'vermin' is hate speech"), which a person still reads."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from ..records import Flag
from ..scripts import char_class
from .rules import find_listed_terms

WEIGHTS = ("data", "abuse_classifier.npz")
REASON = "classifier: hostile or abusive"
LIST_REASON = "insult or slur"


# hashed character n-grams: the same settings at training and at run time
CHAR_PARAMS = {"analyzer": "char_wb", "ngram_range": (2, 5), "n_features": 2 ** 18}


def centre_by_language(vectors: np.ndarray, langs, means: dict[str, np.ndarray],
                       default: np.ndarray | None = None) -> np.ndarray:
    """Each vector minus its language's mean embedding, back on the unit sphere.

    Multilingual embeddings keep a strong "which language" direction: an Arabic insult sits
    nearer to Arabic solidarity than to the same insult in English, so a model trained on six
    languages learns little across them. Removing each language's mean (as the theme space does
    with the campaign's own means) lets the SVM's neighbours come from every language; in
    template-grouped CV it raised Arabic recall from 0.80 to 0.84 (MODEL_CARD.md). A language
    without a mean of its own takes `default` (the pooled mean; at run time only languages
    with one reach the full model)."""
    out = np.array(vectors, dtype=np.float32, copy=True)
    langs = np.asarray(langs)
    for lang in set(langs.tolist()):
        mean = means.get(lang, default)
        if mean is not None:
            out[langs == lang] -= mean
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def char_features(texts: list[str]):
    """Sparse l2-normalised counts of hashed 2-5 letter n-grams (inside words), lower case."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(alternate_sign=False, norm="l2", lowercase=True, **CHAR_PARAMS).transform(texts)


@dataclass(frozen=True)
class AbuseClassifier:
    """Two models sharing one decision: for the languages with a threshold of their own
    (`lang_thresholds`: those with HateCheck training data), a logistic regression on embedding +
    character n-grams averaged (in logit space) with an RBF support-vector machine on the
    embedding, both on the embedding centred on the language's mean (`lang_means`); for every
    other language (or an unknown one), the same RBF SVM alone, centred on the language's mean
    when training had rows in it (`embed_means`) and on the pooled mean (`embed_pooled`) otherwise, at `threshold` (`embed_thresholds` for languages with hand-written rows). Weights
    from before that SVM carry a logistic regression on the raw embedding (`embed_coef`)."""

    coef: np.ndarray  # (dim,) embedding part of the full model
    intercept: float
    threshold: float  # the embedding-only model's threshold, for languages without their own
    embedder: str  # the embedder whose space the weights live in
    char_coef: np.ndarray | None = None  # (2**18,) character n-gram part of the full model
    lang_thresholds: dict[str, float] = field(default_factory=dict)
    embed_coef: np.ndarray | None = None  # embedding-only model
    embed_intercept: float = 0.0
    # listed insults and slurs count as abuse at or above these scores (per language; `list_bar`
    # for the others). 0.0 (weights from before the list bar): every listed term is abuse.
    list_bars: dict[str, float] = field(default_factory=dict)
    list_bar: float = 0.0
    # RBF support-vector machine on the embedding, averaged with the full model's logit (weight
    # `svm_weight`, its decision value scaled by `svm_scale`); None in weights without it
    support_vectors: np.ndarray | None = None  # (n, dim)
    dual_coef: np.ndarray | None = None  # (n,)
    svm_intercept: float = 0.0
    svm_gamma: float = 1.0
    svm_weight: float = 0.0
    svm_scale: float = 1.0
    # per-language mean embeddings the full model's inputs are centred on (`centre_by_language`);
    # empty in weights from before the centring
    lang_means: dict[str, np.ndarray] = field(default_factory=dict)
    # languages without HateCheck data but with hand-written training rows: the embedding-only
    # model at a threshold from their out-of-fold scores (train_abuse.trained_threshold)
    embed_thresholds: dict[str, float] = field(default_factory=dict)
    # the embedding-only model: the SVM above alone, on the embedding centred on these means (train_abuse.EmbedSvm),
    # its decision scaled by `svm_scale`; empty in weights from before it (the logistic regression `embed_coef` then)
    embed_means: dict[str, np.ndarray] = field(default_factory=dict)
    embed_pooled: np.ndarray | None = None

    def uses_full_model(self, lang: str | None) -> bool:
        return self.char_coef is not None and _base(lang) in self.lang_thresholds

    def threshold_for(self, lang: str | None) -> float:
        if self.uses_full_model(lang):
            return self.lang_thresholds[_base(lang)]
        return self.embed_thresholds.get(_base(lang), self.threshold)

    def list_bar_for(self, lang: str | None) -> float:
        """The score at or above which a listed insult or slur in a message is an abuse flag."""
        bar = self.list_bars.get(_base(lang), self.list_bar) if self.uses_full_model(lang) else self.list_bar
        return min(bar, self.threshold_for(lang))

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
        langs = self.route(langs, texts)
        # the full model reads the text (character n-grams): without texts, the embedding-only model
        full = np.array([texts is not None and self.uses_full_model(lang) for lang in langs], dtype=bool)
        if self.embed_means and self.support_vectors is not None:
            z = np.zeros(n)
            idx = np.flatnonzero(~full)
            if len(idx):
                v = centre_by_language(vectors[idx], [_base(langs[i]) for i in idx], self.embed_means, self.embed_pooled)
                z[idx] = self.svm_scale * self.svm_decision(v)
        elif self.embed_coef is not None:
            z = vectors @ self.embed_coef + self.embed_intercept
        else:  # weights from before the two-model split
            z = vectors @ self.coef + self.intercept
        if full.any():
            idx = np.flatnonzero(full)
            v = vectors[idx]
            if self.lang_means:
                v = centre_by_language(v, [_base(langs[i]) for i in idx], self.lang_means)
            z_full = v @ self.coef + self.intercept + char_features([texts[i] for i in idx]) @ self.char_coef
            if self.support_vectors is not None and self.svm_weight:
                z_full = (1 - self.svm_weight) * z_full + self.svm_weight * self.svm_scale * self.svm_decision(v)
            z[idx] = z_full
        return 1.0 / (1.0 + np.exp(-z))

    def route(self, langs: list[str | None], texts: list[str] | None) -> list[str | None]:
        """The language whose model and thresholds score each message: the given one, except that
        Arabic written in Latin letters (Arabizi: "3" for ain, "7" for ha, "2" for hamza), which
        language detection calls Tagalog, Malay, Swahili or the like, goes to Arabic's model. Only
        messages whose language has no model of its own are re-routed."""
        if texts is None or "ar" not in self.lang_thresholds or self.char_coef is None:
            return list(langs)
        return ["ar" if not self.uses_full_model(lang) and looks_arabizi(t) else lang for lang, t in zip(langs, texts)]

    def svm_decision(self, vectors: np.ndarray) -> np.ndarray:
        """The RBF SVM's decision value: sum_i dual_coef_i * exp(-gamma * |x - sv_i|^2) + b, in blocks of
        2,048 vectors so that memory stays small (every language outside the six goes through it)."""
        sv = self.support_vectors
        sv_sq = (sv ** 2).sum(1)[None, :]
        out = np.empty(len(vectors))
        for start in range(0, len(vectors), 2048):
            v = vectors[start:start + 2048]
            sq = (v ** 2).sum(1)[:, None] + sv_sq - 2.0 * v @ sv.T
            out[start:start + 2048] = np.exp(-self.svm_gamma * np.maximum(sq, 0.0)) @ self.dual_coef + self.svm_intercept
        return out

    def flags(self, texts: list[str], vectors: np.ndarray, langs: list[str | None] | None = None) -> list[list[Flag]]:
        """For each text: a whole-message `hostility` flag when the classifier finds it hostile or
        abusive (score at or above its language's threshold), and an `abuse` flag on each listed
        insult or slur when the score is at or above the language's list bar.

        `langs` picks each message's model and thresholds; without it the language is detected here."""
        if langs is None:
            langs = _detect(texts) if self.lang_thresholds else [None] * len(texts)
        langs = self.route(langs, texts)
        p = self.proba(vectors, texts, langs)
        out = []
        for t, pi, lang in zip(texts, p, langs):
            found = []
            if pi >= self.threshold_for(lang):
                found.append(Flag("hostility", f"{REASON} (p={pi:.2f})", 0, len(t)))
            if pi >= self.list_bar_for(lang):
                found += [Flag("abuse", f"{LIST_REASON}: {t[f.start:f.end]!r} (classifier p={pi:.2f})", f.start, f.end)
                          for f in find_listed_terms(t)]
            out.append(found)
        return out


# Arabizi: a word with one or two of the digits Arabic chat writes for letters (3laya, y2rb, w7ad, nsa2),
# and frequent Egyptian/Levantine words in Latin letters
_ARABIZI_TOKEN = re.compile(r"[a-z]*[235789]{1,2}[a-z]*")
_NOT_ARABIZI = re.compile(r"\d+(st|nd|rd|th)|mp3|co2|[a-z]\d")
_ARABIZI_WORDS = frozenset("""el wala kol kolohom kollohom ely elly illi enta ento enti inta inti intu e7na ehna fe fee mn
mesh msh mish bas dee deh lazm lazem lazim 3la 3ala 3alaya ya3ni ezay izay leh keda kda ma3 m3 zay zayak hena howa heya
homa hya hwa wallah walla inshallah mashallah habibi habibti yalla yallah""".split())
_ARABIC_SCRIPT = re.compile(f"[{char_class('Arabic')}]")


def looks_arabizi(text: str) -> bool:
    """Whether a text looks like Arabic written in Latin letters and digits ("ana ma3akom w ba7eb kol el
    nas"): two distinct words with Arabizi digits, one with a frequent Arabizi word, or two such words
    making a quarter of the words. On the lingua language-id dev set (37,457 texts in 75 languages)
    it fires on 3, all with numbers in them ("72mila", "2KJ")."""
    if _ARABIC_SCRIPT.search(text):
        return False
    words = [w for w in re.findall(r"[^\W_]+", text.lower()) if re.search("[a-z]", w)]
    if len(words) < 2:
        return False
    digits = len({w for w in words if _ARABIZI_TOKEN.fullmatch(w) and sum(c.isalpha() for c in w) >= 2
                  and not _NOT_ARABIZI.fullmatch(w)})
    cues = len({w for w in words if w in _ARABIZI_WORDS})
    return digits >= 2 or (digits >= 1 and cues >= 1) or (cues >= 2 and cues / len(words) >= 0.25)


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
    return read_classifier(path)


def read_classifier(path) -> AbuseClassifier:
    """A classifier from a weights file (`abuse_classifier.npz` as train_abuse.py writes it)."""
    with path.open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        files = set(data.files)
        lang_th = json.loads(str(data["lang_thresholds"])) if "lang_thresholds" in files else {}
        bars = json.loads(str(data["list_bars"])) if "list_bars" in files else {}
        optional = {}
        if "lang_means" in files:
            optional["lang_means"] = dict(zip(json.loads(str(data["lang_means_langs"])), data["lang_means"].astype(np.float32)))
        if "embed_thresholds" in files:
            optional["embed_thresholds"] = {k: float(v) for k, v in json.loads(str(data["embed_thresholds"])).items()}
        if "embed_means" in files:
            optional |= {"embed_means": dict(zip(json.loads(str(data["embed_means_langs"])),
                                                 data["embed_means"].astype(np.float32))),
                         "embed_pooled": data["embed_pooled"].astype(np.float32)}
        if "support_vectors" in files:
            optional |= {"support_vectors": data["support_vectors"].astype(np.float32),
                         "dual_coef": data["dual_coef"].astype(np.float32), "svm_intercept": float(data["svm_intercept"]),
                         "svm_gamma": float(data["svm_gamma"]), "svm_weight": float(data["svm_weight"]),
                         "svm_scale": float(data["svm_scale"])}
        return AbuseClassifier(
            **optional,
            coef=data["coef"].astype(np.float32), intercept=float(data["intercept"]),
            threshold=float(data["threshold"]), embedder=str(data["embedder"]),
            char_coef=data["char_coef"].astype(np.float32) if "char_coef" in files else None,
            lang_thresholds={k: float(v) for k, v in lang_th.items()},
            embed_coef=data["embed_coef"].astype(np.float32) if "embed_coef" in files else None,
            embed_intercept=float(data["embed_intercept"]) if "embed_intercept" in files else 0.0,
            list_bars={k: float(v) for k, v in bars.items()},
            list_bar=float(data["list_bar"]) if "list_bar" in files else 0.0)
