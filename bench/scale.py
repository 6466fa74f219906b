"""The pipeline at campaign scale (issue 18): time and peak memory per stage, end to end, and
the embedder alone, on corpora from bench/make_corpus.py.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 500000] [--keep DIR]

For each size: a corpus (bench/make_corpus.py, seed 0), then every stage as its own
`letterworld <stage>` process on a fresh store (ingest, detect, embed, screen --auto-approve,
themes, excerpts, compose), each timed with its peak memory (its own ru_maxrss, or the summed
PSS of it and the workers it forks, whichever is higher); in the same run, the embedder alone on the corpus's distinct texts (plus the
campaign's sample texts, as `embed` does), in its own process, without the store: the limit
of this machine. Then a re-run of every stage with nothing new, and (`--add`: a share of the
size, or above 1 a count, as `--add 10000`) new messages added to the store beside the same
messages alone on a fresh store (run once per count, whatever size they are added to). Goals (issue 18): whole
pipeline within 1.2x the embedder alone, peak under 2 GiB at 100,000 messages and under 4 GiB
at 500,000, re-run with nothing new under 5% of the first run, adding messages about as
costly as those messages alone."""

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


def _tree_pss_kib(root: int) -> int:
    """The summed proportional set size (PSS, KiB) of a process and its descendants: a page
    shared by a forked worker and its parent counts once, split between them."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str]) -> tuple[float, float, str, float]:
    """(seconds, peak memory in MiB, output, CPU seconds: user + system) of one process and the
    workers it forks; CPU seconds over wall seconds are the cores it kept busy. Peak memory is
    the larger of the process's own peak (`wait4`'s ru_maxrss: exact, but for one process) and
    the highest summed PSS of the process and its workers, sampled every 0.2 s."""
    import threading

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LETTERWORLD_NO_PROGRESS": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            tree[0] = max(tree[0], _tree_pss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    out = proc.stdout.read()
    done.set()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return seconds, max(usage.ru_maxrss, tree[0]) / 1024, out, usage.ru_utime + usage.ru_stime


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


def add_messages(db: Path, n: int, total: float, count: int, root: Path,
                 alone_runs: dict[int, tuple[list, float]]) -> None:
    """Add `count` new messages (bench/make_corpus.py, seed 1) to the store of `n` and run every
    stage again, beside the same messages alone on a fresh store (timed once per count)."""
    extra = root / f"add-{count}.csv"
    if count not in alone_runs:
        make_corpus(count, extra, seed=1)
    added = stages(db, extra, root / f"letter-{n}")
    t_add = sum(r[1] for r in added)
    if count not in alone_runs:  # the same corpus alone: once, whatever the size it is added to
        alone_db = root / f"add-{count}-alone.db"
        for old in root.glob(alone_db.name + "*"):  # fresh: not a store a former run left here
            old.unlink()
        fresh = stages(alone_db, extra, root / f"letter-add-{count}-alone")
        alone_runs[count] = (fresh, sum(r[1] for r in fresh))
    fresh, t_fresh = alone_runs[count]
    print(f"\nadding {count:,} new messages (bench/make_corpus.py --seed 1) to the {n:,}: "
          + ", ".join(f"{r[0]} {r[1]:.1f} s" for r in added)
          + f"; {t_add:.1f} s in all, {t_add / total:.1%} of the first run "
          f"(the new messages are {count / n:.0%} of the first run's), "
          f"peak {max(r[2] for r in added):.0f} MiB")
    print(f"the same {count:,} messages alone on a fresh store: "
          + ", ".join(f"{r[0]} {r[1]:.1f} s" for r in fresh)
          + f"; {t_fresh:.1f} s in all; adding them to the {n:,} costs {t_add / t_fresh:.2f}x that "
          "(goal: about 1x, not a full re-run)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--keep", type=Path, help="keep corpora and stores here")
    ap.add_argument("--alone-sample", type=int, default=0,
                    help="time the embedder alone on a seeded random sample of this many distinct texts and "
                         "scale to all of them (0: all; the embedder's time is linear in the number of texts)")
    ap.add_argument("--add", type=float, default=0.1,
                    help="then add new messages (another corpus, seed 1) and run every stage again: what adding "
                         "costs next to the first run; a share of the size (0.1) or, above 1, a count (10000); "
                         "0: skip")
    ap.add_argument("--rerun", type=Path, metavar="DB",
                    help="only re-run every stage with nothing new on a store a run kept (with --keep), e.g. "
                         "--rerun /tmp/scale/scale-500000.db: the re-run column for that store with this code; "
                         "with --add COUNT (above 1) then add that many messages to it, as a full run does")
    ap.add_argument("--rerun-times", type=int, default=1,
                    help="with --rerun: re-run this many times (a store kept by older code is brought up to "
                         "date by the first re-run; the second is the nothing-new figure)")
    ap.add_argument("--first-run", type=float, default=0,
                    help="with --rerun and --add: the kept store's first-run seconds, for the share printed")
    args = ap.parse_args()
    print(header(), flush=True)
    if args.rerun:
        n = int(args.rerun.stem.rsplit("-", 1)[-1])
        runs = [stages(args.rerun, args.rerun.with_suffix(".csv"), args.rerun.parent / f"letter-{n}")
                for _ in range(args.rerun_times)]
        for i, rows in enumerate(runs, 1):
            print(f"\nre-run {i} with nothing new on {args.rerun}\n\n| stage | s | peak MiB |\n|---|---|---|")
            for name, sec, mem, _ in rows:
                print(f"| {name} | {sec:.1f} | {mem:.0f} |")
            print(f"| **whole pipeline** | **{sum(r[1] for r in rows):.1f}** | **{max(r[2] for r in rows):.0f}** |",
                  flush=True)
        if args.add > 1:  # a count; the kept store's first run is not timed here: --first-run gives it
            add_messages(args.rerun, n, args.first_run or float("nan"), int(args.add), args.rerun.parent, {})
        return
    root = args.keep or Path(tempfile.mkdtemp())
    root.mkdir(parents=True, exist_ok=True)
    growth: list[tuple[int, float, float]] = []  # (messages, whole pipeline s, embedder alone s)
    alone_runs: dict[int, tuple[list, float]] = {}  # added count -> its stages on a fresh store (same corpus)
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
        growth.append((n, total, alone))
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
            add_messages(db, n, total, int(args.add) if args.add > 1 else int(n * args.add), root, alone_runs)
    if len(growth) > 1:
        print("\n| messages | whole pipeline s | s per 1,000 messages | embedder alone s | s per 1,000 |")
        print("|---|---|---|---|---|")
        for n, total, alone in growth:
            print(f"| {n:,} | {total:.1f} | {1000 * total / n:.2f} | {alone:.1f} | {1000 * alone / n:.2f} |")
        (n0, t0, a0), (n1, t1, a1) = growth[0], growth[-1]
        print(f"growth from {n0:,} to {n1:,} messages: time per message x{(t1 / n1) / (t0 / n0):.2f} for the "
              f"pipeline, x{(a1 / n1) / (a0 / n0):.2f} for the embedder alone (linear: x1.00)", flush=True)

if __name__ == "__main__":
    main()
