"""Safety holds: the patterns (safety word list), the safety classifier, and both, on sentences
written apart from the training data (models/safety/heldout.tsv), and the share of the demo
corpus's solidarity messages they would hold.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/safety.py

A message is held when it gets a `safety` flag: the word list (rules.find_safety, with the demo
campaign's dangerous terms) or the classifier (moderation/safety.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "models" / "safety"))

from machine import header  # noqa: E402
from train_safety import demo_half, demo_rows, embed, read_tsv  # noqa: E402

from letterworld.moderation.rules import find_safety  # noqa: E402
from letterworld.moderation.safety import BARS, load_safety_classifier  # noqa: E402

HELDOUT = ROOT / "models" / "safety" / "heldout.tsv"
# written later by someone who read none of the project's files (no training row, rule or model):
# 8 threats and 8 hard negatives in each of the 25 demo languages
BATCH3 = ROOT / "models" / "safety" / "heldout_batch3.tsv"


def held_out_table(path: Path, clf, dangerous: tuple[str, ...], bar: str = "standard") -> None:
    """Recall on threats and the share of hard negatives flagged, per language, for one file."""
    rows = read_tsv(path)
    texts = [r["text"] for r in rows]
    langs = [r["lang"] for r in rows]
    y = np.array([r["label"] == "threat" for r in rows])
    pat = np.array([bool(find_safety(t, dangerous)) for t in texts])
    cls = clf.score(embed(texts), langs) >= clf.bar(bar)
    both = pat | cls
    print(f"\nHeld-out sentences (models/safety/{path.name}, {len(rows)}; safety_bar {bar!r}: RBF SVM decision "
          f"threshold {clf.bar(bar):+.3f})")
    print("| lang | threats | recall patterns | recall classifier | recall both | hard negatives | "
          "flagged patterns | flagged classifier | flagged both |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = sorted(set(langs), key=lambda lang: (-langs.count(lang), lang))
    for lang in order + ["all"]:
        m = np.ones(len(rows), bool) if lang == "all" else np.array([x == lang for x in langs])
        t, n = m & y, m & ~y
        print(f"| {lang} | {t.sum()} | {pat[t].mean():.2f} | {cls[t].mean():.2f} | {both[t].mean():.2f} | {n.sum()} | "
              f"{pat[n].mean():.2f} | {cls[n].mean():.2f} | {both[n].mean():.2f} |")


def main() -> None:
    print(header())
    from letterworld.pipeline import demo_config

    dangerous = tuple(demo_config().campaign.dangerous_terms)
    clf = load_safety_classifier()
    bars = [b for b in BARS if b == "standard" or clf.threshold_high is not None]
    for bar in bars:
        for path in (HELDOUT, BATCH3):
            if path.exists():
                held_out_table(path, clf, dangerous, bar)
    demo = demo_rows()
    dt = [d["text"] for d in demo]
    scores = clf.score(embed(dt), [None if d["lang"] == "und" else d["lang"] for d in demo])
    dp = np.array([bool(find_safety(t, dangerous)) for t in dt])  # the patterns: the same at every bar
    for bar in bars:
        demo_table(demo, dp, scores >= clf.bar(bar), bar)


def demo_table(demo: list[dict], dp: np.ndarray, dc: np.ndarray, bar: str) -> None:
    """The share of the demo's solidarity messages held (each half), and the planted rows;
    `dp`, `dc`: each message held by the patterns, by the classifier at `bar`."""
    dt = [d["text"] for d in demo]
    held = dp | dc
    planted = np.array([bool(d["planted"]) for d in demo])
    half = np.array([demo_half(t) for t in dt])
    print(f"\nDemo corpus ({len(demo)} messages; {planted.sum()} planted hostile/safety rows excluded from the "
          f"solidarity denominator). Held = safety flag (patterns or classifier), safety_bar {bar!r}.")
    for name, m in (("solidarity, all", ~planted), ("solidarity, training half (its negatives were trained on)",
                    ~planted & (half == "train")), ("solidarity, test half (never trained on)", ~planted & (half == "test"))):
        print(f"- {name}: held {held[m].sum()} of {m.sum()} ({held[m].mean():.1%}); patterns {dp[m].sum()}, "
              f"classifier {dc[m].sum()}")
    print("- planted rows:")
    for d, p_, c_ in zip(np.array(demo, dtype=object)[planted], dp[planted], dc[planted]):
        print(f"  - {d['file']}:{d['row']} {d['planted']}: {'HELD' if p_ or c_ else 'not held'} "
              f"(patterns {'yes' if p_ else 'no'}, classifier {'yes' if c_ else 'no'})")


if __name__ == "__main__":
    main()
