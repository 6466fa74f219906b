"""CPU-bound work spread over the machine's cores in forked worker processes.

The rules and spaCy's NER hold Python's GIL, so threads would not use a second core. Forked
workers inherit what the parent loaded (pipelines, word lists, gazetteers) page by page,
copy-on-write, instead of loading them again: the parent warms its caches on the first
chunk, then forks. Where fork is not available, or the work is small, everything runs
in this process, with the same results in the same order.

`LETTERWORLD_WORKERS` sets how many workers (1: none, in this process)."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 2000  # below this, forking costs more than it saves
CHUNK = 200  # items per task a worker takes
_WORK: Callable[[Sequence[Any]], list[Any]] | None = None  # what a forked worker calls: set before forking


def workers() -> int:
    """How many workers CPU-bound stages use: `LETTERWORLD_WORKERS`, else the cores this
    process may run on."""
    env = os.environ.get("LETTERWORLD_WORKERS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"LETTERWORLD_WORKERS must be a whole number, not {env!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _call(chunk: Sequence[Any]) -> list[Any]:
    assert _WORK is not None
    return _WORK(chunk)


def map_chunks(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, chunk: int | None = None,
               min_items: int | None = None, progress: Callable[[Sequence[T]], None] | None = None,
               n_workers: int | None = None) -> list[R]:
    """`work` applied to consecutive chunks of `items`, results concatenated in order.

    `work(chunk)` returns one result per item. The first chunk always runs here (it warms
    the caches the workers will share); the rest go to `n_workers` forked processes when
    there are at least `min_items` items (default `MIN_ITEMS`). `progress` is called with each chunk done."""
    global _WORK
    items = list(items)
    chunk = CHUNK if chunk is None else chunk
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    n = workers() if n_workers is None else n_workers
    out: list[R] = []

    def take(part: Sequence[T], got: list[R]) -> None:
        if len(got) != len(part):
            raise RuntimeError(f"a worker returned {len(got)} results for {len(part)} items")
        out.extend(got)
        if progress:
            progress(part)

    if not chunks:
        return out
    take(chunks[0], work(chunks[0]))
    rest = chunks[1:]
    if n < 2 or len(items) < (MIN_ITEMS if min_items is None else min_items) or "fork" not in mp.get_all_start_methods():
        for part in rest:
            take(part, work(part))
        return out
    _WORK = work
    try:
        with mp.get_context("fork").Pool(n) as pool:
            for part, got in zip(rest, pool.imap(_call, rest)):
                take(part, got)
    finally:
        _WORK = None
    return out
