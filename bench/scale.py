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
import sys, csv, random, time
from letterworld.embedding import load_embedder
from letterworld.pipeline import demo_config
cfg = demo_config()
texts = list(dict.fromkeys([r["text"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
                           + list(cfg.campaign.sample_texts)))
total = len(texts)
if int(sys.argv[2]) and int(sys.argv[2]) < total:  # a seeded random sample, timed and scaled to all
    texts = random.Random(0).sample(texts, int(sys.argv[2]))
e = load_embedder(cfg.embed.model)
e.encode(texts[:8])  # loading, as the stage's process also pays it
t = time.perf_counter()
for i in range(0, len(texts), cfg.embed.batch_size):
    e.encode(texts[i:i + cfg.embed.batch_size])
print(total, len(texts), time.perf_counter() - t)
"""
COUNT_EMBEDDED = ("import sys; from letterworld.store import Store; "
                  "print(Store(sys.argv[1]).db.execute('SELECT count(*) FROM embeddings').fetchone()[0])")


def timed(cmd: list[str]) -> tuple[float, float, str, float]:
    """(seconds, peak RSS in MiB, output, CPU seconds: user + system) of one process; CPU seconds
    over wall seconds are the cores it kept busy."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LETTERWORLD_NO_PROGRESS": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def make_corpus(n: int, out: Path, seed: int = 0) -> str:
    """bench/make_corpus.py in a process of its own (a child's peak memory, wait4, counts the
    parent's pages it was forked with, so this process must stay small); its printed mix."""
    return timed([sys.executable, str(Path(__file__).with_name("make_corpus.py")), "--n", str(n),
                  "--out", str(out), "--seed", str(seed)])[2]


def stages(db: Path, csv: Path, out: Path) -> list[tuple[str, float, float]]:
    rows = []
    for name, extra in STAGES:
        args = [a.format(csv=csv, out=out) for a in extra]
        cmd = [sys.executable, "-m", "letterworld.cli", name, *args, "--db", str(db)]
        if name != "ingest":
            cmd += ["--config", str(CONFIG)]
        s, mem, _, cpu = timed(cmd)
        rows.append((name, s, mem, cpu / max(s, 1e-9)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--keep", type=Path, help="keep corpora and stores here")
    ap.add_argument("--alone-sample", type=int, default=0,
                    help="time the embedder alone on a seeded random sample of this many distinct texts and "
                         "scale to all of them (0: all; the embedder's time is linear in the number of texts)")
    ap.add_argument("--add", type=float, default=0.1,
                    help="then add this share of new messages (another corpus, seed 1) and run every stage "
                         "again: what adding costs next to the first run (0: skip)")
    args = ap.parse_args()
    print(header(), flush=True)
    root = args.keep or Path(tempfile.mkdtemp())
    root.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        csv_path = root / f"scale-{n}.csv"
        made = make_corpus(n, csv_path)
        print("\n### " + made.splitlines()[1] + "\n\n" + "\n".join(made.splitlines()[2:]) + "\n", flush=True)
        s, mem, out, _ = timed([sys.executable, "-c", EMBED_ALONE, str(csv_path), str(args.alone_sample)])
        texts, timed_texts, alone = out.split()[-3:]
        texts, timed_texts = int(texts), int(timed_texts)
        rate = timed_texts / float(alone)
        alone = texts / rate
        db = root / f"scale-{n}.db"
        first = stages(db, csv_path, root / f"letter-{n}")
        again = stages(db, csv_path, root / f"letter-{n}")
        total, total2 = sum(r[1] for r in first), sum(r[1] for r in again)
        embedded = int(timed([sys.executable, "-c", COUNT_EMBEDDED, str(db)])[2].split()[-1])
        print("| stage | first run s | peak MiB | cores busy | re-run, nothing new, s | peak MiB |")
        print("|---|---|---|---|---|---|")
        for (name, a, ma, ca), (_, b, mb, _) in zip(first, again):
            print(f"| {name} | {a:.1f} | {ma:.0f} | {ca:.2f} | {b:.1f} | {mb:.0f} |")
        peak = max(r[2] for r in first)
        busy = sum(r[1] * r[3] for r in first) / total
        print(f"| **whole pipeline** | **{total:.1f}** | **{peak:.0f}** | {busy:.2f} | **{total2:.1f}** | "
              f"{max(r[2] for r in again):.0f} |")
        how = (f"timed on a random {timed_texts:,} of them and scaled" if timed_texts < texts else "timed on all")
        print(f"\nembedder alone: {texts:,} distinct texts in {alone:.1f} s ({rate:.0f} texts/s, {how}; "
              f"its process: {s:.1f} s with loading, peak {mem:.0f} MiB)")
        print(f"distinct texts the run embedded (messages, sample texts, the sentences screening and excerpts "
              f"score): {embedded:,}; at the embedder's rate alone {embedded / rate:.1f} s; whole pipeline / that: "
              f"{total / (embedded / rate):.2f}x")
        print(f"whole pipeline / embedder alone: {total / alone:.2f}x (goal <= 1.2x); "
              f"re-run with nothing new: {total2 / total:.1%} of the first run (goal < 5%); "
              f"peak memory {peak / 1024:.2f} GiB (goal < 2 GiB at 100,000, < 4 GiB at 500,000); "
              f"load average at the end {os.getloadavg()[0]:.1f} (1 min)", flush=True)
        if args.add > 0:
            extra = root / f"scale-{n}-add.csv"
            make_corpus(int(n * args.add), extra, seed=1)
            added = stages(db, extra, root / f"letter-{n}")
            t_add = sum(r[1] for r in added)
            print(f"\nadding {int(n * args.add):,} new messages (bench/make_corpus.py --seed 1) to the {n:,}: "
                  + ", ".join(f"{r[0]} {r[1]:.1f} s" for r in added)
                  + f"; {t_add:.1f} s in all, {t_add / total:.1%} of the first run "
                  f"(the new messages are {args.add:.0%} of the first run's; goal: about that share), "
                  f"peak {max(r[2] for r in added):.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
