"""What every command-line module shares: the `--db` and `--config` options, opening the
store, reading the config, and one way to fail (a message on stderr, exit code 2)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn, Optional

import typer

from .config import Config, load_config
from .store import Store, StoreError
from .textsafe import terminal_safe

DB = typer.Option(Path("campaign.db"), "--db", help="campaign store (SQLite file)")
CONFIG = typer.Option(None, "--config", "-c", help="campaign settings (TOML)")


def fail(message: str) -> NoReturn:
    """Stop the command: the message on stderr (control characters shown as escapes: it may
    quote a message or a file name), exit code 2."""
    typer.echo(f"error: {terminal_safe(message)}", err=True)
    raise typer.Exit(2)


def echo(text: str, err: bool = False) -> None:
    """Print a line that holds text from messages or files, control characters neutralised."""
    typer.echo(terminal_safe(text), err=err)


def open_store(db: Path, must_exist: bool = True) -> Store:
    if db.is_dir():
        fail(f"{db} is a folder; --db takes the campaign store file, e.g. {db / 'campaign.db'}")
    if must_exist and not db.exists():
        fail(f"no campaign store at {db}; create one with `letterworld ingest FILE --db {db}`")
    try:
        return Store(db)
    except StoreError as exc:
        fail(str(exc))


def read_config(path: Optional[Path]) -> Config:
    """The campaign's settings; a missing file or a wrong setting names file and key."""
    try:
        return load_config(path)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
