"""Readers: CSV/TSV (any delimiter and common encodings), JSONL, XLSX and folders of
.txt files -> Message records. Bad rows become Rejected records with file and line;
the rest goes on.

Input is untrusted: a message longer than `max_chars` ([ingest] max_chars), one made only of
invisible characters, or one holding NUL bytes is a rejected row; in a UTF-8 file with a few
rows in another encoding only those rows are rejected; a binary file is one clear error;
links out of an input folder are never followed."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fields import (map_columns, normalise_channel, normalise_consent, normalise_country,
                     normalise_date)
from .records import Message, Rejected
from .textsafe import is_blank

TEXT_SUFFIXES = {".csv", ".tsv", ".tab", ".txt"}
DATA_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".xlsx", ".xlsm")
SUPPORTED = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".xlsx", ".xlsm", "a folder of .txt files")
DEFAULT_MAX_CHARS = 20_000  # [ingest] max_chars
RAW_KEPT = 2_000  # characters of an over-long row kept aside as its raw text

# the csv module stops at 128 KiB a field with an exception that loses the whole file; the
# per-message limit is checked on each row instead
csv.field_size_limit(2**31 - 1)
_NEWLINE = re.compile(rb"(\r\n|\r|\n)")
_TEXT_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 27)) | frozenset(range(28, 32))


class IngestError(ValueError):
    """A whole file could not be read (unknown format, no text column...)."""


BATCH = 5_000  # messages handed to a sink at a time

Sink = Callable[[list[Message]], None]


@dataclass
class FileResult:
    """What one input gave. With a `sink`, messages are handed to it in batches of BATCH as
    they are read and not kept (`messages` stays empty; `count` says how many), so ingesting a
    file holds its text but not all its messages at once."""

    path: str
    messages: list[Message] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    sink: Sink | None = field(default=None, repr=False, compare=False)
    count: int = 0  # messages read (kept in `messages`, or handed to the sink)

    def add(self, item: Message | Rejected) -> None:
        if isinstance(item, Rejected):
            self.rejected.append(item)
            return
        self.messages.append(item)
        self.count += 1
        if self.sink is not None and len(self.messages) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Hand what is buffered to the sink (nothing without one)."""
        if self.sink is not None and self.messages:
            batch, self.messages = self.messages, []
            self.sink(batch)


@dataclass
class Decoded:
    """A file's text; `bad_lines` are lines (1-based) that are not in the file's encoding,
    decoded with replacement characters so the rows around them still parse."""

    text: str
    encoding: str
    bad_lines: dict[int, str] = field(default_factory=dict)


def _utf16_without_bom(head: bytes) -> str | None:
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) > 0.6 * len(odd):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    """Control bytes that no text export holds (NUL, BEL, backspace...) in more than 5% of
    the first 64 KiB of a file that is not UTF-8 (an image, an archive, a spreadsheet saved as
    .csv), or in more than 30% of a UTF-8 one; a few such bytes are rejected rows instead."""
    if not head:
        return False
    share = sum(1 for b in head if b in _CONTROL_BYTES) / len(head)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at 64 KiB
            return share > 0.05
    return len(head) >= 512 and share > 0.3


def _mixed_utf8(body: bytes) -> Decoded | None:
    """A UTF-8 file with some lines in another encoding (rows pasted from a cp1252 export):
    the UTF-8 lines as they are, the others marked bad. None when the file is not UTF-8 at
    all (no line with non-ASCII bytes decodes as UTF-8)."""
    parts = _NEWLINE.split(body)
    out: list[str] = []
    bad: dict[int, str] = {}
    utf8_lines = legacy = 0
    for i in range(0, len(parts), 2):
        line = parts[i]
        try:
            text = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError as exc:
            try:  # a row pasted from a Windows export: cp1252 is what Excel writes in most of the world
                text = line.decode("cp1252")
                legacy += 1
                if any("\x80" <= ch <= "\x9f" for ch in text):
                    raise UnicodeDecodeError("cp1252", line, 0, 1, "control characters")
            except UnicodeDecodeError:
                bad[i // 2 + 1] = (f"not valid UTF-8 (the rest of the file is) nor cp1252: byte "
                                   f"0x{line[exc.start]:02x} at column {exc.start + 1}")
                text = line.decode("utf-8", errors="replace")
        out.append(text)
        if i + 1 < len(parts):
            out.append(parts[i + 1].decode("ascii"))
    if not utf8_lines:
        return None
    return Decoded("".join(out), f"utf-8 (mixed: {legacy} line(s) read as cp1252)" if legacy else "utf-8 (mixed)",
                   bad)


def decode_text(data: bytes, name: str = "") -> Decoded:
    """Decode file bytes: BOMs first, then strict UTF-8, UTF-8 with a few lines in another
    encoding (only those lines are bad), then charset-normalizer's guess. Binary data is an
    IngestError naming the file."""
    where = f"{name}: " if name else ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise IngestError(f"{where}starts with a UTF-16 byte order mark but is not valid UTF-16") from None
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    head = data[:65536]
    wide = _utf16_without_bom(head) if encoding == "utf-8" else None
    if wide:
        try:
            return Decoded(data.decode(wide), wide)
        except UnicodeDecodeError:
            pass
    if _looks_binary(head):
        raise IngestError(f"{where}not a text file (it holds binary data); save it as CSV (UTF-8), "
                          f"JSONL or XLSX, or give the right file")
    try:
        return Decoded(data.decode("utf-8"), encoding)
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16", "cp1251", "cp1256",
                                          "iso8859_15", "mac_roman", "gb18030", "shift_jis", "euc_kr"]).best()
    if best is None:
        raise IngestError(f"{where}could not determine the text encoding; save it as UTF-8")
    return Decoded(data.decode(best.encoding), best.encoding)


def decode_bytes(data: bytes, name: str = "") -> tuple[str, str]:
    """The text and its encoding (lines in another encoding come with replacement characters;
    `decode_text` says which)."""
    d = decode_text(data, name)
    return d.text, d.encoding


def _build_message(record: dict[str, Any], columns: dict[str, str], path: str, row: int,
                   defaults: dict[str, str], max_chars: int = DEFAULT_MAX_CHARS) -> Message | Rejected:
    raw = json.dumps(record, ensure_ascii=False, default=str)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" in JSON: half of a UTF-16 pair, not a character
        return Rejected(path, row, "the row holds lone UTF-16 surrogates (broken text)",
                        json.dumps(record, ensure_ascii=True, default=str))
    text = record.get(columns["text"])
    if text is None or not str(text).strip():
        return Rejected(path, row, "empty message text", raw)
    text = str(text)
    if len(text) > max_chars:
        return Rejected(path, row, f"message is {len(text):,} characters long, over the limit of "
                                   f"{max_chars:,} ([ingest] max_chars)", raw[:RAW_KEPT] + "…")
    if "\x00" in text:
        return Rejected(path, row, "message text contains NUL bytes (binary data?)", raw)
    if is_blank(text):
        return Rejected(path, row, "message text is only invisible characters", raw)

    def get(field_name: str) -> Any:
        header = columns.get(field_name)
        value = record.get(header) if header else None
        return defaults.get(field_name, "") if value in (None, "") else value

    country_raw = str(get("country") or "")
    date_raw = get("date")
    extra = {k: v for k, v in record.items() if k not in columns.values() and v not in (None, "")}
    country = normalise_country(country_raw)
    if country_raw and not country:
        extra["country_raw"] = country_raw
    iso_date = normalise_date(date_raw)
    if date_raw and not iso_date:
        extra["date_raw"] = str(date_raw)
    channel_raw = str(get("channel") or "")
    channel = normalise_channel(channel_raw, defaults.get("channel", ""))
    if channel_raw and not channel:
        extra["channel_raw"] = channel_raw
    return Message(
        text=text, source_file=path, source_row=row,
        recipient=str(get("recipient") or "").strip(), country=country, channel=channel,
        date=iso_date, author=str(get("author") or "").strip(), consent=normalise_consent(get("consent")),
        extra={k: (v if isinstance(v, (str, int, float, bool)) else str(v)) for k, v in extra.items()},
    )


def _records_to_result(result: FileResult, records: Iterator[tuple[int, dict[str, Any] | Rejected]],
                       headers: list[str], column_map: dict[str, str] | None,
                       defaults: dict[str, str], max_chars: int = DEFAULT_MAX_CHARS) -> FileResult:
    try:
        columns = map_columns(headers, column_map)
    except ValueError as exc:
        raise IngestError(f"{result.path}: {exc}") from None
    if "text" not in columns:
        raise IngestError(
            f"{result.path}: no message column found among {headers}; "
            "name it with --column text=HEADER")
    result.columns = columns
    for row, record in records:
        result.add(record if isinstance(record, Rejected)
                   else _build_message(record, columns, result.path, row, defaults, max_chars))
    result.flush()
    return result


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror or exc})") from None


@dataclass
class Table:
    """A delimited file as rows: what `ingest` and `queue import` both read."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str] | Rejected]]  # (line where the row ends, values)
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, split where a file's line ends (CR, LF, CRLF; not
    U+2028 and friends, which may sit inside a field), without a second copy of the text."""
    start = 0
    for m in _TEXT_NEWLINE.finditer(text):
        yield text[start:m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


def read_table(path: Path) -> Table:
    """CSV/TSV with any delimiter and encoding (the dialect sniffed from the first lines);
    a row with a line in another encoding, or with the wrong number of fields, comes as a
    Rejected with its line."""
    path = Path(path)
    decoded = decode_text(_read(path), str(path))
    text = decoded.text
    notes = []
    try:
        delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        notes.append(f"delimiter not detected, using {delimiter!r}")
    reader = csv.reader(_lines(text), delimiter=delimiter, quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    try:
        headers = [h.replace("\ufeff", "").strip() for h in next(reader)]
    except StopIteration:
        raise IngestError(f"{path}: the file is empty") from None
    bad = decoded.bad_lines

    def rows() -> Iterator[tuple[int, list[str] | Rejected]]:
        first = reader.line_num + 1
        for values in reader:
            line = reader.line_num  # the physical line where this row ends
            spanned = [n for n in range(first, line + 1) if n in bad]
            first = line + 1
            if spanned:
                yield line, Rejected(str(path), spanned[0], bad[spanned[0]], delimiter.join(values))
                continue
            if not any(v.strip() for v in values):
                continue
            if [v.replace("\ufeff", "").strip() for v in values] == headers:
                yield line, Rejected(str(path), line, "a repeated header row (files joined together?)",
                                     delimiter.join(values))
                continue
            if len(values) != len(headers):
                yield line, Rejected(str(path), line, f"expected {len(headers)} fields, found {len(values)}",
                                     delimiter.join(values)[:RAW_KEPT])
                continue
            yield line, values

    return Table(headers, rows(), decoded.encoding, delimiter, notes)


def read_delimited(path: Path, column_map: dict[str, str] | None = None,
                   defaults: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
                   sink: Sink | None = None) -> FileResult:
    """CSV/TSV with any delimiter; the dialect is sniffed from the first lines."""
    table = read_table(path)
    result = FileResult(str(path), encoding=table.encoding, notes=table.notes, sink=sink)
    records = ((line, v if isinstance(v, Rejected) else dict(zip(table.headers, v))) for line, v in table.rows)
    return _records_to_result(result, records, table.headers, column_map, defaults or {}, max_chars)


def read_jsonl(path: Path, column_map: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
               sink: Sink | None = None) -> FileResult:
    """One JSON object per line. Two passes over the text: the first collects every key (the
    columns are mapped before any row is built), the second parses and builds row by row."""
    decoded = decode_text(_read(path), str(path))
    result = FileResult(str(path), encoding=decoded.encoding, sink=sink)

    def parsed() -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
        # only CR and LF end a line: U+2028 and friends may sit inside a JSON string
        for number, line in enumerate(_lines(decoded.text), start=1):
            line = line.rstrip("\r\n")
            if number in decoded.bad_lines:
                yield number, Rejected(str(path), number, decoded.bad_lines[number], line[:RAW_KEPT])
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, Rejected(str(path), number, f"invalid JSON: {exc.msg} at column {exc.colno}",
                                       line[:RAW_KEPT])
                continue
            if not isinstance(record, dict):
                yield number, Rejected(str(path), number, "a JSON line must be an object", line[:RAW_KEPT])
                continue
            yield number, record

    headers: dict[str, None] = {}
    for _, record in parsed():
        if not isinstance(record, Rejected):
            headers.update(dict.fromkeys(record))
    return _records_to_result(result, parsed(), list(headers), column_map, defaults or {}, max_chars)


def _sheet_rows(values_ws, formulas_ws) -> list[list[Any]]:
    """A worksheet's values, with every merged range filled with its top-left value and a
    formula without a stored result (a sheet written by a script) kept as its formula text."""
    grid = [list(r) for r in values_ws.iter_rows(values_only=True)]
    if formulas_ws is not None:
        for r, row in enumerate(formulas_ws.iter_rows(values_only=True)):
            for c, v in enumerate(row):
                if r < len(grid) and c < len(grid[r]) and grid[r][c] is None and isinstance(v, str):
                    grid[r][c] = v
    for rng in values_ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                grid[r][c] = top
    return grid


def read_xlsx(path: Path, column_map: dict[str, str] | None = None,
              defaults: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
              sheets: list[str] | None = None, sink: Sink | None = None) -> FileResult:
    """Every worksheet (or those named in `sheets`); in each, the first non-empty row is the
    header. A sheet without a message column is skipped with a note saying so; merged cells
    hold their value in every row they span."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise IngestError(f"{path}: not a readable XLSX file ({exc})") from None
    names = [ws.title for ws in workbook.worksheets]
    unknown = [s for s in sheets or [] if s not in names]
    if unknown:
        raise IngestError(f"{path}: no sheet named {', '.join(map(repr, unknown))}; sheets: {', '.join(names)}")
    chosen = [n for n in names if not sheets or n in sheets]
    result = FileResult(str(path), encoding="xlsx", sink=sink)
    read_any = False
    for name in chosen:
        grid = _sheet_rows(workbook[name], formulas[name])
        where = str(path) if len(names) == 1 else f"{path}#{name}"
        headers: list[str] = []
        header_row = 0
        for header_row, values in enumerate(grid, start=1):
            if any(v not in (None, "") for v in values):
                headers = [str(v).strip() if v is not None else f"column{i + 1}" for i, v in enumerate(values)]
                break
        if not headers:
            result.notes.append(f"sheet {name!r} skipped: it is empty")
            continue
        rows = ((n, dict(zip(headers, v))) for n, v in enumerate(grid[header_row:], start=header_row + 1)
                if any(x not in (None, "") for x in v))
        part = FileResult(where, sink=sink)
        try:
            _records_to_result(part, rows, headers, column_map, defaults or {}, max_chars)
        except IngestError as exc:
            if sheets:
                raise
            result.notes.append(f"sheet {name!r} skipped: {str(exc).removeprefix(where + ': ')}")
            continue
        read_any = True
        result.messages += part.messages
        result.count += part.count
        result.rejected += part.rejected
        result.columns = result.columns or part.columns
        if len(chosen) > 1:
            result.notes.append(f"sheet {name!r}: {part.count} messages, {len(part.rejected)} rejected")
    if not read_any:
        raise IngestError(f"{path}: no sheet holds messages ({'; '.join(result.notes) or 'no sheets'})")
    return result


def _inside(child: Path, folder: Path) -> bool:
    """Whether a path, links resolved, stays inside the folder."""
    try:
        child.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def _skip_reason(child: Path, folder: Path, wanted: tuple[str, ...]) -> str:
    """Why an entry of an input folder is not read ("" when it is)."""
    if child.is_symlink() and not _inside(child, folder):
        return "a link out of the folder (not followed)"
    if child.is_dir():
        return "a subfolder (give it as an input of its own)"
    if not child.is_file():
        return "not a regular file"
    if child.suffix.lower() not in wanted:
        return f"not a {'/'.join(wanted)} file"
    return ""


def read_folder(path: Path, column_map: dict[str, str] | None = None,
                defaults: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
                sink: Sink | None = None) -> FileResult:
    """Each .txt file is one message; an optional metadata.csv (column `file`) adds fields.
    Subfolders, other files and links out of the folder are skipped with a note."""
    result = FileResult(str(path), encoding="per file", sink=sink)
    meta: dict[str, dict[str, Any]] = {}
    meta_path = path / "metadata.csv"
    meta_columns: dict[str, str] = {}
    if meta_path.exists() and _inside(meta_path, path):
        table = read_table(meta_path)
        try:
            meta_columns = map_columns(table.headers, column_map)
        except ValueError as exc:
            raise IngestError(f"{meta_path}: {exc}") from None
        meta = {(v := dict(zip(table.headers, values))).get("file", ""): v
                for _, values in table.rows if not isinstance(values, Rejected)}
    columns = {**meta_columns, "text": "__text__"}
    result.columns = columns
    files = []
    for child in sorted(path.iterdir()):
        why = "" if child.name == "metadata.csv" else _skip_reason(child, path, (".txt",))
        if why:
            result.notes.append(f"skipped {child.name}: {why}")
        elif child.name != "metadata.csv":
            files.append(child)
    for file in files:
        try:
            text = decode_text(_read(file), str(file)).text
        except IngestError as exc:
            result.rejected.append(Rejected(str(file), 1, str(exc).removeprefix(f"{file}: "), ""))
            continue
        record = {**meta.get(file.name, {}), "__text__": text.strip("\ufeff")}
        record.pop("file", None)
        result.add(_build_message(record, columns, str(file), 1, defaults or {}, max_chars))
    result.flush()
    return result


def read_path(path: str | Path, column_map: dict[str, str] | None = None,
              defaults: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
              sheets: list[str] | None = None, sink: Sink | None = None) -> FileResult:
    """Dispatch on the file type; raises IngestError naming what is supported. `sink`: take
    the messages in batches as they are read (see FileResult)."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    if path.is_dir():
        return read_folder(path, column_map, defaults, max_chars=max_chars, sink=sink)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, column_map, defaults, max_chars=max_chars, sink=sink)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, column_map, defaults, max_chars=max_chars, sheets=sheets, sink=sink)
    if suffix in TEXT_SUFFIXES:
        return read_delimited(path, column_map, defaults, max_chars=max_chars, sink=sink)
    raise IngestError(f"{path}: unsupported file type {suffix!r}; supported: {', '.join(SUPPORTED)}")


def expand_inputs(inputs: list[str | Path], skipped: list[str] | None = None) -> list[Path]:
    """Files as given; a folder holding .txt files is one input; other folders are searched
    (never following a link out of them). What is left out is said in `skipped`."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        try:
            is_text_folder = path.is_dir() and any(p.suffix.lower() == ".txt" for p in path.iterdir())
        except OSError:
            is_text_folder = False
        if path.is_dir() and not is_text_folder:
            for child in sorted(path.iterdir()):
                why = _skip_reason(child, path, DATA_SUFFIXES)
                if child.is_dir() and not why.startswith("a link"):
                    out.extend(expand_inputs([child], skipped))
                elif why:
                    if skipped is not None:
                        skipped.append(f"{child}: skipped, {why}")
                else:
                    out.append(child)
        else:
            out.append(path)
    return out
