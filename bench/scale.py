"""The pipeline at campaign scale (issue 18): time and peak memory per stage, end to end, and
the embedder alone, on corpora from bench/make_corpus.py.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 500000] [--keep DIR]

For each size: a corpus (bench/make_corpus.py, seed 0), then every stage as its own
`letterworld <stage>` process on a fresh store (ingest, detect, embed, screen --auto-approve,
themes, excerpts, compose), each timed with its peak resident memory (`wait4`'s ru_maxrss of
that process); in the same run, the embedder alone on the corpus's distinct texts (plus the
campaign's sample texts, as `embed` does), in its own process, without the store: the limit
of this machine. Then a re-run of every stage with nothing new. Goals (issue 18): whole
pipeline within 1.2x the embedder alone, peak under 2 GiB at 100,000 messages and under 4 GiB
at 500,000, re-run with nothing new under 5% of the first run."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import REPO, header  # bench/machine.py

CONFIG = REPO / "corpora" / "demo" / "campaign.toml"
STAGES = [("ingest", ["{csv}"]), ("detect", []), ("embed", []), ("screen", ["--auto-approve"]), ("themes", []),
          ("excerpts", []), ("compose", ["--out", "{out}"])]
EMBED_ALONE = r"""
import sys, csv, time
from letterworld.embedding import load_embedder
from letterworld.pipeline import demo_config
cfg = demo_config()
texts = list(dict.fromkeys([r["text"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
                           + list(cfg.campaign.sample_texts)))
e = load_embedder(cfg.embed.model)
e.encode(texts[:8])  # loading, as the stage's process also pays it
t = time.perf_counter()
for i in range(0, len(texts), cfg.embed.batch_size):
    e.encode(texts[i:i + cfg.embed.batch_size])
print(len(texts), time.perf_counter() - t)
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, output) of one process."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LETTERWORLD_NO_PROGRESS": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def stages(db: Path, csv: Path, out: Path) -> list[tuple[str, float, float]]:
    rows = []
    for name, extra in STAGES:
        args = [a.format(csv=csv, out=out) for a in extra]
        cmd = [sys.executable, "-m", "letterworld.cli", name, *args, "--db", str(db)]
        if name != "ingest":
            cmd += ["--config", str(CONFIG)]
        s, mem, _ = timed(cmd)
        rows.append((name, s, mem))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--keep", type=Path, help="keep corpora and stores here")
    args = ap.parse_args()
    print(header(), flush=True)
    root = args.keep or Path(tempfile.mkdtemp())
    root.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        csv_path = root / f"scale-{n}.csv"
        # the corpus is made in a process of its own: a child's peak memory (wait4) counts the
        # parent's pages it was forked with, so this process must stay small
        _, _, made = timed([sys.executable, str(Path(__file__).with_name("make_corpus.py")), "--n", str(n),
                            "--out", str(csv_path)])
        print("\n### " + made.splitlines()[1] + "\n\n" + "\n".join(made.splitlines()[2:]) + "\n", flush=True)
        s, mem, out = timed([sys.executable, "-c", EMBED_ALONE, str(csv_path)])
        texts, alone = out.split()[-2:]
        alone = float(alone)
        db = root / f"scale-{n}.db"
        first = stages(db, csv_path, root / f"letter-{n}")
        again = stages(db, csv_path, root / f"letter-{n}")
        total, total2 = sum(r[1] for r in first), sum(r[1] for r in again)
        print("| stage | first run s | peak MiB | re-run, nothing new, s | peak MiB |")
        print("|---|---|---|---|---|")
        for (name, a, ma), (_, b, mb) in zip(first, again):
            print(f"| {name} | {a:.1f} | {ma:.0f} | {b:.1f} | {mb:.0f} |")
        peak = max(r[2] for r in first)
        print(f"| **whole pipeline** | **{total:.1f}** | **{peak:.0f}** | **{total2:.1f}** | "
              f"{max(r[2] for r in again):.0f} |")
        print(f"\nembedder alone: {int(texts):,} distinct texts in {alone:.1f} s ({int(texts) / alone:.0f} texts/s; "
              f"its process: {s:.1f} s with loading, peak {mem:.0f} MiB)")
        print(f"whole pipeline / embedder alone: {total / alone:.2f}x (goal <= 1.2x); "
              f"re-run with nothing new: {total2 / total:.1%} of the first run (goal < 5%); "
              f"peak memory {peak / 1024:.2f} GiB (goal < 2 GiB at 100,000, < 4 GiB at 500,000)", flush=True)


if __name__ == "__main__":
    main()
