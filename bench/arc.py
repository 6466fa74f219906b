"""Placing themes on the letter's arc: how well the movement a message "reads as" (letterworld.arc)
agrees with a person's label, on demo messages labelled by hand without seeing the code
(bench/data/demo_arc_labels.tsv: a random sample of 240 demo messages; the labeller saw only the
messages and the movements' one-line descriptions).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/arc.py

The labels are split in two halves by a hash of (file, row): "dev" may be looked at while
changing the prototypes or the scoring; "test" is reported and never used to choose anything.
Baseline: always the most common label of the dev half. Messages labelled `none` (spam, hostile,
emoji only) are left out: themes hold approved messages. Themes are placed on solidarity,
admiration, demand or hope (farewell only by a campaigner's move), so a message is read as one of
those four; the labeller never chose farewell as a main label.
Then the demo's themes as the letter places them (run on a fresh demo store)."""

from __future__ import annotations

import csv
import hashlib
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import header  # noqa: E402

from letterworld.arc import PLACED, read_movements  # noqa: E402
from letterworld.embedding import load_embedder  # noqa: E402
from letterworld.pipeline import demo_config, demo_detected  # noqa: E402
from letterworld.store import Store  # noqa: E402

LABELS = ROOT / "bench" / "data" / "demo_arc_labels.tsv"
MOVES = PLACED


def half(file: str, row: str) -> str:
    return "dev" if hashlib.sha256(f"{file}:{row}".encode()).digest()[0] % 2 == 0 else "test"


def main() -> None:
    print(header())
    if not LABELS.exists():
        print(f"skipped: {LABELS} not found")
        return
    by_key = {(Path(m.source_file).name, str(m.source_row)): m.text for m, _ in demo_detected()}
    rows = [r for r in csv.DictReader(LABELS.open(encoding="utf-8"), delimiter="\t") if r["movement"] != "none"]
    missing = [r for r in rows if (r["source_file"], r["source_row"]) not in by_key]
    rows = [r for r in rows if (r["source_file"], r["source_row"]) in by_key]
    cfg = demo_config()
    emb = load_embedder(cfg.embed.model)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "arc.db") as store:
        pred, _ = read_movements(store, cfg, emb, [by_key[(r["source_file"], r["source_row"])] for r in rows])
    print(f"labelled messages: {len(rows)} (not 'none'; {len(missing)} not found in the demo)")
    majority = Counter(r["movement"] for r, h in zip(rows, [half(r["source_file"], r["source_row"]) for r in rows])
                       if h == "dev").most_common(1)[0][0]
    print(f"baseline: always {majority!r} (the dev half's most common label)\n")
    print("| half | messages | agree with main label | main or second label | baseline (main) |")
    print("|---|---:|---:|---:|---:|")
    for name in ("dev", "test"):
        idx = [i for i, r in enumerate(rows) if half(r["source_file"], r["source_row"]) == name]
        main_ok = sum(pred[i] == rows[i]["movement"] for i in idx)
        either = sum(pred[i] in (rows[i]["movement"], rows[i]["second"]) for i in idx)
        base = sum(rows[i]["movement"] == majority for i in idx)
        print(f"| {name} | {len(idx)} | {main_ok / len(idx):.2f} | {either / len(idx):.2f} | {base / len(idx):.2f} |")
    test = [i for i, r in enumerate(rows) if half(r["source_file"], r["source_row"]) == "test"]
    print("\ntest half, label (rows) x read as (columns):")
    print("| label | " + " | ".join(MOVES) + " |")
    print("|---|" + "---:|" * len(MOVES))
    for lab in MOVES:
        c = Counter(pred[i] for i in test if rows[i]["movement"] == lab)
        if sum(c.values()):
            print(f"| {lab} | " + " | ".join(str(c.get(m, 0)) for m in MOVES) + " |")


if __name__ == "__main__":
    main()
