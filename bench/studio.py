"""Request latency of the studio under 20 moderators at once.

    .venv/bin/python bench/studio.py [--messages 2000] [--moderators 20] [--attempts 3]

The studio is served by uvicorn on loopback (one process, as `letterworld serve` runs it);
20 threads, each signed in as its own moderator, decide the same 2,000 synthetic messages,
each message by `attempts` of them at once on purpose (approve or reject at random), and every
50 decisions each also loads a queue page. Prints median and p95 latency of the decisions and
of the pages, throughput, and the check that every message got exactly one decision (the
others were refused and told who decided).

Baseline (the issue names none): the same decisions made directly through
`moderation.queue.decide` in one thread, without HTTP, so the figure shows what the web layer
and the contention cost."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from machine import header  # bench/machine.py
from letterworld.moderation import queue as q
from letterworld.store import Store
from letterworld.studio import create_app
from letterworld.studio.load import moderate_concurrently, serve, synthetic_store


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--moderators", type=int, default=20)
    ap.add_argument("--attempts", type=int, default=3)
    args = ap.parse_args()
    print(header())
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "load.db"
    names = synthetic_store(db, args.messages, args.moderators)
    with Store(db) as s:
        ids = [r[0] for r in s.db.execute("SELECT id FROM messages")]
    with serve(create_app(db)) as url:
        r = moderate_concurrently(url, names, ids, attempts=args.attempts, seed=1, page_every=50)
    with Store(db) as s:
        decided = sum(1 for row in s.moderation_rows().values() if row.manual)
    ok = not r.errors and len(r.won) == len(ids) == decided and len(r.told) == len(ids) * (args.attempts - 1)

    base = tmp / "direct.db"
    synthetic_store(base, args.messages, 1)
    with Store(base) as s:
        direct = []
        for mid in ids:
            t = time.perf_counter()
            q.decide(s, [mid], "approve", actor="mod00", first_wins=True)
            direct.append(time.perf_counter() - t)

    ms = lambda x: f"{x * 1000:.1f} ms"  # noqa: E731
    print(f"\n{args.moderators} moderators over loopback HTTP, {args.messages} messages, each decided by "
          f"{args.attempts} of them at once; {len(r.latencies)} decision requests and {len(r.page_latencies)} "
          f"queue pages in {r.seconds:.1f} s\n")
    print("| request | n | median | p95 |")
    print("|---|---|---|---|")
    print(f"| decision (POST, JSON outcome) | {len(r.latencies)} | {ms(statistics.median(r.latencies))} | "
          f"{ms(pct(r.latencies, .95))} |")
    if r.page_latencies:
        print(f"| queue page, unclaimed filter (GET, {args.messages} messages) | {len(r.page_latencies)} | "
              f"{ms(statistics.median(r.page_latencies))} | {ms(pct(r.page_latencies, .95))} |")
    print(f"| baseline: `queue.decide` directly, one thread, no HTTP | {len(direct)} | "
          f"{ms(statistics.median(direct))} | {ms(pct(direct, .95))} |")
    print(f"\nthroughput {len(r.latencies) / r.seconds:.0f} decisions/s; median ratio HTTP under load / direct "
          f"{statistics.median(r.latencies) / statistics.median(direct):.1f}x")
    print(f"exactly one decision per message, every loser told: {'yes' if ok else 'NO'} "
          f"({len(r.won)} won, {len(r.told)} refused, {len(r.errors)} errors)")


if __name__ == "__main__":
    main()
