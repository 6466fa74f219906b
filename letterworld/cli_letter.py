"""`letterworld letter ...`: the campaigner's commands over a composed letter. Each change (pin,
ban, swap, move, drop, edit, arc) is stored in the store's plan for that recipient, audited, and
saved at once as a new letter version that says what changed; `list`, `show`, `diff` and
`restore` walk the history. The operations themselves are in letter_ops.py (the studio calls
them too); these commands parse options, print and fail. Translators' commands (`sheet`, `tmx`,
`draft`, `accept`) are in cli_translations.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import typer

from . import letter_ops as ops
from .cli_common import CONFIG, DB, echo, fail, open_store, read_config
from .progress import safe, say
from .store import Store

letter_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="Shape the letter: pins and bans, swaps, the arc, connective lines, versions.")
RECIPIENT = typer.Option("", "--recipient", help="whose letter (default: the campaign's recipient)")
REF = ops.REF
FORMATS = ("md", "html", "pdf", "txt", "json", "script")


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused operation (letter_ops.LetterOpError) stops the command with its reason."""
    try:
        yield
    except ops.LetterOpError as exc:
        fail(str(exc))


def recipient_or_fail(store: Store, config, recipient: str) -> str:
    """Whose letter (`stages.choose_recipient`), or stop with the reason."""
    with _refusals():
        return ops.recipient(store, config, recipient)


def recompose(store: Store, config, recipient: str, note: str, out: Optional[Path] = None) -> dict[str, Any]:
    """A new letter version after a change (the compose stage, re-deriving what is stale)."""
    with _refusals():
        return ops.recompose(store, config, recipient, note, out)


def parse_ref(ref: str) -> tuple[int, int | None, int | None]:
    """'412' (a whole message) or '412:0-38' (a span of its redacted text)."""
    with _refusals():
        return ops.parse_ref(ref)


def add_choices(store: Store, config, recipient: str, action: str, refs: list[str]) -> list[str]:
    """Store pins or bans after checking each (`stages.check_choice`); the first refused one
    stops the command with its reason. Returns the stored spans."""
    with _refusals():
        return ops.add_choices(store, config, recipient, action, refs)


def _choice(action: str, refs: list[str], db: Path, config: Optional[Path], recipient: str) -> None:
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        result = ops.choose(store, cfg, who, action, refs)
    for line in result.states:
        say(line)


@letter_app.command()
def pin(refs: list[str] = typer.Argument(..., help="ID or ID:START-END (redacted text)"), db: Path = DB,
        config: Optional[Path] = CONFIG, recipient: str = RECIPIENT) -> None:
    """Always quote this span (or the whole message); refused with the reason when it cannot be quoted.

    Example: letterworld letter pin 412:0-38 --db campaign.db"""
    _choice("pin", refs, db, config, recipient)


@letter_app.command()
def ban(refs: list[str] = typer.Argument(..., help="ID or ID:START-END"), db: Path = DB,
        config: Optional[Path] = CONFIG, recipient: str = RECIPIENT) -> None:
    """Never quote this span (every candidate overlapping it) or message.

    Example: letterworld letter ban 595 --db campaign.db"""
    _choice("ban", refs, db, config, recipient)


@letter_app.command()
def pins(db: Path = DB, config: Optional[Path] = CONFIG, recipient: str = RECIPIENT,
         remove: list[str] = typer.Option([], "--remove", help="ID:START-END of a pin or ban to remove")) -> None:
    """List pins and bans (who, when), or remove some (the letter is composed again).

    Example: letterworld letter pins --db campaign.db --remove 412:0-38"""
    cfg = read_config(config)
    with open_store(db) as store:
        if remove:
            with _refusals():
                letter = ops.remove_choices(store, cfg, recipient, remove)
            say(f"removed {len(remove)}; letter version {letter['version']}")
            return
        rows = ops.choices(store)
        if not rows:
            echo("no pins or bans")
        for r in rows:
            echo(f"{r['action']:<4} {r['message_id']}:{r['start']}-{r['end']}  by {r['decided_by']} "
                 f"at {r['decided_at']}  {r['text'][:70]!r}")


@letter_app.command()
def swap(quote: str = typer.Argument(..., help="the quote's id, e.g. 412:0-38"), db: Path = DB,
         config: Optional[Path] = CONFIG, recipient: str = RECIPIENT,
         undo: bool = typer.Option(False, "--undo", help="bring the swapped-out quote back")) -> None:
    """Replace a quote with the next-best candidate of its theme (shown with why it ranks next); the
    replacement stays in the letter like a pin.

    Example: letterworld letter swap 412:0-38 --db campaign.db"""
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        letter, nxt = ops.swap(store, cfg, who, quote, undo=undo)
    if undo:
        echo(f"{quote} may be quoted again; version {letter['version']}")
        return
    echo(f"swapped {quote} for {nxt['id']} [{nxt['lang']}] {nxt['text']!r} (version {letter['version']})")
    echo(f"  why it ranks next in its theme: {nxt.get('why')}")


@letter_app.command()
def move(theme: int = typer.Argument(..., help="theme id"), to: str = typer.Option(..., "--to", help="movement"),
         position: Optional[int] = typer.Option(None, help="place within the movement, 1 = first"), db: Path = DB,
         config: Optional[Path] = CONFIG, recipient: str = RECIPIENT) -> None:
    """Move a theme to another movement of the arc (and to a place within it).

    Example: letterworld letter move 3 --to hope --position 1 --db campaign.db"""
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        out = ops.move(store, cfg, who, theme, to, position)
    say(f"theme {theme} is in {to}; version {out['version']}")


@letter_app.command()
def drop(theme: int = typer.Argument(..., help="theme id"), db: Path = DB, config: Optional[Path] = CONFIG,
         recipient: str = RECIPIENT, undo: bool = typer.Option(False, "--undo", help="bring it back")) -> None:
    """Leave a theme out of the letter (or bring it back with --undo).

    Example: letterworld letter drop 5 --db campaign.db"""
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        out = ops.drop(store, cfg, who, theme, undo=undo)
    say(f"theme {theme} {'back in' if undo else 'left out of'} the letter; version {out['version']}")


@letter_app.command()
def arc(movements: str = typer.Argument(..., help="comma-separated, e.g. solidarity,demand,hope"), db: Path = DB,
        config: Optional[Path] = CONFIG, recipient: str = RECIPIENT) -> None:
    """Choose the arc: which movements, in which order (themes outside it are left out).

    Example: letterworld letter arc solidarity,admiration,hope,demand,farewell --db campaign.db"""
    with _refusals():
        order = ops.parse_arc(movements)
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        out = ops.set_arc(store, cfg, who, order)
    say(f"arc {' > '.join(order)}; version {out['version']}")


@letter_app.command()
def edit(target: str = typer.Argument(..., help="greeting, opening, closing, signoff or a theme id (its "
                                                 "connective line)"),
         text: str = typer.Option("", "--text", help="the new line"), reset: bool = typer.Option(False, "--reset"),
         db: Path = DB, config: Optional[Path] = CONFIG, recipient: str = RECIPIENT) -> None:
    """Write the campaign's own line for a block (quotes are never edited), or --reset to the template.

    Example: letterworld letter edit 3 --text "Many of you wrote about the river." --db campaign.db"""
    if not reset and not text.strip():
        fail("give --text \"...\" or --reset")
    cfg = read_config(config)
    with open_store(db) as store, _refusals():
        who = ops.recipient(store, cfg, recipient)
        out = ops.edit(store, cfg, who, target, text, reset=reset)
    say(f"{target}: {'template' if reset else 'your line'}; version {out['version']}")


@letter_app.command("list")
def list_(db: Path = DB, recipient: str = typer.Option("", "--recipient", help="only this recipient's")) -> None:
    """Every saved version: who, when, what changed.

    Example: letterworld letter list --db campaign.db"""
    with open_store(db) as store:
        rows = store.letter_versions(recipient or None)
        if not rows:
            echo("no letters yet")
        for r in rows:
            echo(f"{r['version']:>4}  {r['created_at']}  {r['actor']:<12} {r['recipient']:<16} {r['note']}")


@letter_app.command()
def show(version: Optional[int] = typer.Argument(None, help="version (default: the latest)"), db: Path = DB,
         fmt: str = typer.Option("txt", "--format", help="txt, md, json, script")) -> None:
    """Print one version of the letter.

    Example: letterworld letter show 3 --db campaign.db --format md"""
    from . import exports, reading

    with open_store(db) as store:
        letter = _version(store, version)
    render = {"txt": exports.to_text, "md": exports.to_markdown, "json": exports.to_json,
              "script": reading.script_text}.get(fmt)
    if render is None:
        fail(f"--format {fmt!r}: use txt, md, json or script")
    echo(render(letter)) if fmt != "json" else typer.echo(render(letter))


def _version(store: Store, version: Optional[int]) -> dict[str, Any]:
    with _refusals():
        return ops.version(store, version)


@letter_app.command("diff")
def diff_(a: int = typer.Argument(..., help="older version"), b: int = typer.Argument(..., help="newer version"),
          db: Path = DB) -> None:
    """What changed between two versions: quotes and lines added and removed, themes moved.

    Example: letterworld letter diff 4 5 --db campaign.db"""
    with open_store(db) as store, _refusals():
        lines = ops.diff(store, a, b)
    for line in lines or ["(no change)"]:
        echo(line)


@letter_app.command()
def restore(version: int = typer.Argument(..., help="the version to go back to"), db: Path = DB) -> None:
    """Go back to an earlier version: its choices (plan) become current and it is saved again as
    the newest version, with every quote re-checked (one that may no longer be shown is left out).

    Example: letterworld letter restore 3 --db campaign.db"""
    with open_store(db) as store, _refusals():
        new, dropped = ops.restore(store, version)
    for qid, why in dropped.items():
        say(f"[yellow]restore: left out {qid}: {safe(why)}[/yellow]")
    say(f"version {version} restored as version {new}")


@letter_app.command()
def export(out: Path = typer.Option(..., "--out", help="folder"), db: Path = DB,
           version: Optional[int] = typer.Option(None, help="default: the latest"),
           formats: str = typer.Option(",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))) -> None:
    """Write the letter in the formats asked for (PDF with selectable text; the reading script).

    Example: letterworld letter export --out letter/ --formats md,pdf,script --db campaign.db"""
    from .exports import write_exports

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        fail(f"--formats {formats!r}: choose from {', '.join(FORMATS)}")
    with open_store(db) as store:
        letter = _version(store, version)
    if out.exists() and not out.is_dir():
        fail(f"{out} is a file; --out takes a folder")
    try:
        paths = write_exports(letter, out, tuple(chosen))
    except (OSError, ValueError) as exc:
        fail(str(exc))
    for p in paths.values():
        say(f"wrote {p}")


def _mount_translations() -> None:
    """The translators' commands: `letter sheet export|import`, `letter tmx export|import`,
    `letter draft`, `letter accept` (cli_translations.py)."""
    from . import cli_translations as ct

    letter_app.add_typer(ct.sheet_app, name="sheet", help="translators' spreadsheets (XLSX or CSV)")
    letter_app.add_typer(ct.tmx_app, name="tmx", help="TMX, the exchange format of translation tools")
    letter_app.command("draft")(ct.draft)
    letter_app.command("accept")(ct.accept)


_mount_translations()
