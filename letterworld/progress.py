"""Progress bars for long stages (rich), silent when not on a terminal or when asked."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .textsafe import terminal_safe

# no emoji codes (":flag_..." in a message stays as written), no wrapping (a log line stays one line)
console = Console(stderr=True, emoji=False, soft_wrap=True)
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


def safe(text: object) -> str:
    """Text that is not ours (a message, a file name, a header, an error about them) for
    `say`: control characters shown as escapes and square brackets kept as written, not
    read as rich markup."""
    return escape(terminal_safe(str(text)))


def say(message: str) -> None:
    """Print our own rich-markup line; put text that is not ours through `safe` first."""
    if not _quiet:
        console.print(message)


def warn(message: str) -> None:
    """Like `say`, but also under --quiet: what was not taken in (a skipped file, a rejected
    row, an input that could not be read) is never silent."""
    console.print(message)
