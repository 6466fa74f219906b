"""Whole-pipeline timing on the demo corpus: a cold run (empty store, nothing cached)
and a warm re-run on the same store (embedding cache, idempotent ingest), per stage.

    .venv/bin/python bench/pipeline.py [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time

os.environ.setdefault("LETTERWORLD_NO_PROGRESS", "1")

from machine import header  # noqa: E402  (bench/machine.py)
from letterworld.embedding import load_embedder  # noqa: E402
from letterworld.pipeline import demo_config, demo_inputs, run  # noqa: E402
from letterworld.progress import set_quiet  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2, help="cold runs to take the median of")
    args = ap.parse_args()
    print(header(), flush=True)
    set_quiet(True)
    embedder = load_embedder()
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            r = run(demo_inputs(), tmp, demo_config(), embedder=embedder)
            cold.append((time.perf_counter() - t, r.summary["seconds"], r.summary["ingest"]["added"]))
            t = time.perf_counter()
            r2 = run(demo_inputs(), tmp, demo_config(), embedder=embedder)
            warm.append((time.perf_counter() - t, r2.summary["seconds"]))
    n = cold[0][2]
    print(f"demo corpus: {n} messages")
    print(f"{'stage':<18}{'cold s (median)':>16}{'warm s (median)':>16}")
    for stage in cold[0][1]:
        c = statistics.median(x[1][stage] for x in cold)
        w = statistics.median(x[1][stage] for x in warm)
        print(f"{stage:<18}{c:>16.2f}{w:>16.2f}")
    c = statistics.median(x[0] for x in cold)
    w = statistics.median(x[0] for x in warm)
    print(f"{'total':<18}{c:>16.2f}{w:>16.2f}")
    print(f"throughput: cold {n / c:.1f} messages/s, warm {n / w:.1f} messages/s, warm/cold speed-up {c / w:.1f}x")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
