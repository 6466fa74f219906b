"""Progress bars for long stages (rich), silent when not on a terminal or when asked."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(stderr=True)
_quiet = False


def set_quiet(value: bool) -> None:
    global _quiet
    _quiet = value


@contextmanager
def task(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yield an `advance(n)` callable that moves a progress bar."""
    if _quiet or total <= 0 or os.environ.get("LETTERWORLD_NO_PROGRESS") or not sys.stderr.isatty() and not os.environ.get("LETTERWORLD_PROGRESS"):
        yield lambda n=1: None
        if not _quiet and total > 0:
            console.print(f"[dim]{description}: {total} done[/dim]")
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as bar:
        handle = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(handle, n)


def say(message: str) -> None:
    if not _quiet:
        console.print(message)
