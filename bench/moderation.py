"""Moderation benchmark: personal data (Presidio synthetic set) and abuse (HateCheck).

    .venv/bin/python bench/moderation.py [--pii] [--abuse] [--out bench/RESULTS_moderation.md]

Reads ../shared/eval/ (skips a part whose file is absent). Personal data: a gold span is
found when a predicted span of the matching kind overlaps it (recall); a predicted span is
right when it overlaps a gold span of that kind (precision). Abuse: recall on hateful cases
and flag rate on non-hateful ones, per language and per functionality, for the word lists,
the classifier and both together; HateCheck cases used to train the classifier (the
training half of en/es/fr) are left out of the figures."""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "abuse"))

from machine import cpu_model  # noqa: E402  (bench/machine.py)
from letterworld.moderation.pii import find_personal_data  # noqa: E402
from letterworld.moderation.rules import find_abuse  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
# presidio entity type -> letterworld flag reason(s)
PII_KINDS = {
    "PERSON": ("person name",),
    "STREET_ADDRESS": ("street address",),
    "PHONE_NUMBER": ("phone number",),
    "EMAIL_ADDRESS": ("email address",),
    "CREDIT_CARD": ("payment card number",),
    "IBAN_CODE": ("IBAN",),
    "US_SSN": ("national ID number",),
    "IP_ADDRESS": ("IP address",),
}


def bench_pii(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    tp_gold = defaultdict(int)
    n_gold = defaultdict(int)
    tp_pred = defaultdict(int)
    n_pred = defaultdict(int)
    t0 = time.perf_counter()
    preds_all = [find_personal_data(r["full_text"], lang="en") for r in data]
    secs = time.perf_counter() - t0
    misses = defaultdict(list)
    for r, preds in zip(data, preds_all):
        for etype, reasons in PII_KINDS.items():
            gold = [(s["start_position"], s["end_position"]) for s in r["spans"] if s["entity_type"] == etype]
            pred = [(f.start, f.end) for f in preds if f.reason in reasons]
            n_gold[etype] += len(gold)
            n_pred[etype] += len(pred)
            for g in gold:
                if any(p[0] < g[1] and p[1] > g[0] for p in pred):
                    tp_gold[etype] += 1
                else:
                    misses[etype].append(r["full_text"][g[0]:g[1]])
            for p in pred:
                if any(p[0] < g[1] and p[1] > g[0] for g in gold):
                    tp_pred[etype] += 1
    lines = [f"Presidio synthetic set (`{path.name}`, {len(data)} English sentences), {secs / len(data) * 1000:.2f} ms "
             "a sentence. Overlap match.", "",
             "| entity | gold spans | recall | predicted | precision | goal (recall) |", "|---|---|---|---|---|---|"]
    goals = {"EMAIL_ADDRESS": 0.95, "PHONE_NUMBER": 0.95, "CREDIT_CARD": 0.95, "PERSON": 0.85, "STREET_ADDRESS": 0.85}
    for etype in PII_KINDS:
        rec = tp_gold[etype] / n_gold[etype] if n_gold[etype] else float("nan")
        prec = tp_pred[etype] / n_pred[etype] if n_pred[etype] else float("nan")
        goal = goals.get(etype)
        mark = "" if goal is None else (f">= {goal} {'met' if rec >= goal else 'NOT met'}")
        lines.append(f"| {etype} | {n_gold[etype]} | {rec:.3f} | {n_pred[etype]} | {prec:.3f} | {mark} |")
    if os.environ.get("BENCH_VERBOSE"):
        for etype, ms in misses.items():
            print(etype, ms[:25], file=sys.stderr)
    return lines


def bench_abuse(path: Path) -> list[str]:
    from train_abuse import HELD_OUT_LANGS, TRAIN_LANGS, embed, in_train_half

    from letterworld.moderation.classifier import load_classifier

    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if not (r["lang"] in TRAIN_LANGS and in_train_half(r["case_id"]))]
    clf = load_classifier()
    texts = [r["test_case"] for r in rows]
    t0 = time.perf_counter()
    vectors = embed(texts)
    secs = time.perf_counter() - t0
    p = clf.proba(vectors)
    by_clf = p >= clf.threshold
    by_list = np.array([bool(find_abuse(t)) for t in texts])
    systems = {"word lists": by_list, "classifier": by_clf, "lists + classifier": by_list | by_clf}
    hateful = np.array([r["label_gold"] == "hateful" for r in rows])
    langs = [r["lang"] for r in rows]
    lines = [f"HateCheck dev (`{path.name}`): {len(rows)} cases after leaving out the classifier's training half "
             f"of {', '.join(TRAIN_LANGS)}; {', '.join(HELD_OUT_LANGS)} were never used in training "
             f"(held-out languages). Classifier threshold {clf.threshold:.3f}. Embedding took {secs:.0f} s "
             "(cached after the first run).", "",
             "Recall on hateful cases / flag rate on non-hateful cases (goal: recall >= 0.85 with flag rate <= 0.15):",
             "", "| language | trained on | cases | " + " | ".join(f"{s} recall / flag rate" for s in systems) + " |",
             "|---|---|---|" + "---|" * len(systems)]
    for lang in sorted(set(langs), key=lambda x: (x in HELD_OUT_LANGS, x)):
        m = np.array([x == lang for x in langs])
        cells = []
        for pred in systems.values():
            cells.append(f"{pred[m & hateful].mean():.3f} / {pred[m & ~hateful].mean():.3f}")
        lines.append(f"| {lang} | {'yes (other half)' if lang in TRAIN_LANGS else 'no (held out)'} | {int(m.sum())} | "
                     + " | ".join(cells) + " |")
    for name, group in (("trained languages", TRAIN_LANGS), ("held-out languages", HELD_OUT_LANGS)):
        m = np.array([x in group for x in langs])
        cells = [f"{pred[m & hateful].mean():.3f} / {pred[m & ~hateful].mean():.3f}" for pred in systems.values()]
        lines.append(f"| **{name}** | | {int(m.sum())} | " + " | ".join(cells) + " |")
    lines += ["", "Per functionality (lists + classifier; share flagged; `_h` hateful: higher is better, "
              "`_nh` non-hateful: lower is better), trained languages vs held-out languages:", "",
              "| functionality | trained langs | held-out langs |", "|---|---|---|"]
    funcs = [r["functionality"] for r in rows]
    both = systems["lists + classifier"]
    for func in sorted(set(funcs), key=lambda f: (f.endswith("_nh"), f)):
        cells = []
        for group in (TRAIN_LANGS, HELD_OUT_LANGS):
            m = np.array([f == func and x in group for f, x in zip(funcs, langs)])
            cells.append(f"{both[m].mean():.3f} (n={int(m.sum())})" if m.any() else "-")
        lines.append(f"| {func} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pii", action="store_true")
    ap.add_argument("--abuse", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    both = not (args.pii or args.abuse)
    out = ["## Moderation (bench/moderation.py)", "",
           f"Machine: {os.cpu_count()} CPU cores ({cpu_model()}), Python {platform.python_version()}; "
           f"date 2026-11-23.", ""]
    if args.pii or both:
        path = EVAL / "pii" / "presidio_synth_dev.json"
        out += ["### Personal data", ""] + (bench_pii(path) if path.exists() else [f"skipped: {path} absent"]) + [""]
    if args.abuse or both:
        path = EVAL / "abuse" / "hatecheck_dev.csv"
        out += ["### Abuse and hostility", ""] + (bench_abuse(path) if path.exists() else [f"skipped: {path} absent"])
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
