"""Abuse and hostility in every language (issue 16): recall of hateful messages and the share of
non-hateful look-alikes flagged, per language, on a held-out file written for letterworld by
someone who read no file of the project (models/abuse/heldout_multilingual.tsv: 22 languages
beyond the six HateCheck ones), and the share of the demo's solidarity messages flagged: all of
them, and apart the half the classifier trains on (models/abuse/train_abuse.py `demo_negatives`) and
the half it never sees.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/abuse_languages.py [--weights PATH ...]

A message counts as flagged when `letterworld.moderation.screen` (rules and classifiers, as the
screen stage runs them) gives it an `abuse` or `hostility` flag. With several --weights files
(e.g. the previous and the retrained classifier) each is measured in the same run. 95% intervals:
bootstrap over the messages of each language (1,000 resamples, seed 0)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import header  # noqa: E402

HELDOUT = ROOT / "models" / "abuse" / "heldout_multilingual.tsv"
FLAG_KINDS = {"abuse", "hostility"}


def interval(hits: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    if len(hits) == 0:
        return float("nan"), float("nan")
    boots = rng.choice(hits, size=(1000, len(hits)), replace=True).mean(axis=1)
    return float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))


def measure(weights: Path | None, rows: list[dict], demo: list[tuple[str, str]]) -> None:
    from letterworld import moderation
    from letterworld.moderation import classifier, screen_many

    if weights is not None:
        moderation._MODELS.clear()
        moderation._MODELS["clf"] = classifier.read_classifier(weights)
    name = weights.name if weights is not None else "shipped"
    got = screen_many([r["text"] for r in rows], langs=[r["lang"] for r in rows], ner=False)
    flagged = np.array([any(f.kind in FLAG_KINDS for f in s.flags) for s in got])
    hateful = np.array([r["label"] == "hateful" for r in rows])
    langs = np.array([r["lang"] for r in rows])
    rng = np.random.default_rng(0)
    print(f"\n{name}: held-out file ({len(rows)} messages)")
    print("| lang | hateful | recall | 95% interval | non-hateful | flagged | 95% interval | goal met |")
    print("|---|---:|---:|---|---:|---:|---|---|")
    met = 0
    order = sorted(set(langs))
    for lang in order + ["all"]:
        m = np.ones(len(rows), bool) if lang == "all" else langs == lang
        h, n = flagged[m & hateful].astype(float), flagged[m & ~hateful].astype(float)
        (rl, rh), (fl, fh) = interval(h, rng), interval(n, rng)
        ok = h.mean() >= 0.85 and n.mean() <= 0.15
        met += ok and lang != "all"
        print(f"| {lang} | {len(h)} | {h.mean():.2f} | {rl:.2f}-{rh:.2f} | {len(n)} | {n.mean():.2f} | {fl:.2f}-{fh:.2f} | "
              f"{'yes' if ok else 'no'} |")
    print(f"languages meeting recall >= 0.85 with <= 0.15 flagged: {met} of {len(order)}")
    dg = screen_many([t for t, _, _ in demo], langs=[lang for _, lang, _ in demo], ner=False)
    df = np.array([any(f.kind in FLAG_KINDS for f in s.flags) for s in dg], dtype=float)
    halves = np.array([half for _, _, half in demo])
    for label, m in (("all", np.ones(len(df), bool)), ("training half", halves == "train"),
                     ("never-trained half", halves == "test")):
        lo, hi = interval(df[m], rng)
        print(f"demo solidarity messages flagged abuse/hostility, {label}: {int(df[m].sum())} of {int(m.sum())} "
              f"({df[m].mean():.1%}; 95% {lo:.1%}-{hi:.1%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weights", type=Path, action="append", default=[])
    args = ap.parse_args()
    print(header())
    if not HELDOUT.exists():
        print(f"skipped: {HELDOUT} not found")
        return
    rows = list(csv.DictReader(HELDOUT.open(encoding="utf-8"), delimiter="\t"))
    sys.path.insert(0, str(ROOT / "models" / "safety"))
    from train_safety import demo_half, demo_rows

    demo = [(d["text"], d["lang"], demo_half(d["text"])) for d in demo_rows()
            if not d["planted"]]  # the planted hostile and safety rows are not solidarity
    for w in args.weights or [None]:
        measure(w, rows, demo)


if __name__ == "__main__":
    main()
