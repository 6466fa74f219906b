"""What every command-line module shares: the `--db` and `--config` options, opening the
store, reading the config, and one way to fail (a message on stderr, exit code 2)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn, Optional

import typer

from .config import Config, load_config
from .store import Store

DB = typer.Option(Path("campaign.db"), "--db", help="campaign store (SQLite file)")
CONFIG = typer.Option(None, "--config", "-c", help="campaign settings (TOML)")


def fail(message: str) -> NoReturn:
    """Stop the command: the message on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def open_store(db: Path, must_exist: bool = True) -> Store:
    if must_exist and not db.exists():
        fail(f"no campaign store at {db}; create one with `letterworld ingest FILE --db {db}`")
    return Store(db)


def read_config(path: Optional[Path]) -> Config:
    """The campaign's settings; a missing file or a wrong setting names file and key."""
    try:
        return load_config(path)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
