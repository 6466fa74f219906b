"""Readers: CSV/TSV (any delimiter and common encodings), JSONL, XLSX and folders of
.txt files -> Message records. Bad rows become Rejected records with file and line;
the rest goes on."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fields import (map_columns, normalise_channel, normalise_consent, normalise_country,
                     normalise_date)
from .records import Message, Rejected

TEXT_SUFFIXES = {".csv", ".tsv", ".tab", ".txt"}
SUPPORTED = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".xlsx", ".xlsm", "a folder of .txt files")


class IngestError(ValueError):
    """A whole file could not be read (unknown format, no text column...)."""


@dataclass
class FileResult:
    path: str
    messages: list[Message] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes: BOMs first, then strict UTF-8, then charset-normalizer's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "utf_16", "cp1251", "cp1256",
                                          "iso8859_15", "mac_roman", "gb18030", "shift_jis", "euc_kr"]).best()
    if best is None:
        raise IngestError("could not determine the text encoding")
    encoding = best.encoding
    return data.decode(encoding), encoding


def _build_message(record: dict[str, Any], columns: dict[str, str], path: str, row: int,
                   defaults: dict[str, str]) -> Message | Rejected:
    raw = json.dumps(record, ensure_ascii=False, default=str)
    text = record.get(columns["text"])
    if text is None or not str(text).strip():
        return Rejected(path, row, "empty message text", raw)
    text = str(text)
    if "\x00" in text:
        return Rejected(path, row, "message text contains NUL bytes (binary data?)", raw)

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
                       defaults: dict[str, str]) -> FileResult:
    columns = map_columns(headers, column_map)
    if "text" not in columns:
        raise IngestError(
            f"{result.path}: no message column found among {headers}; "
            "name it with --column text=HEADER")
    result.columns = columns
    for row, record in records:
        if isinstance(record, Rejected):
            result.rejected.append(record)
            continue
        item = _build_message(record, columns, result.path, row, defaults)
        (result.rejected if isinstance(item, Rejected) else result.messages).append(item)
    return result


def read_delimited(path: Path, column_map: dict[str, str] | None = None,
                   defaults: dict[str, str] | None = None) -> FileResult:
    """CSV/TSV with any delimiter; the dialect is sniffed from the first lines."""
    text, encoding = decode_bytes(path.read_bytes())
    result = FileResult(str(path), encoding=encoding)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        result.notes.append(f"delimiter not detected, using {delimiter!r}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise IngestError(f"{path}: the file is empty") from None

    def rows() -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
        for values in reader:
            line = reader.line_num  # the physical line where this row ends
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(headers):
                yield line, Rejected(str(path), line,
                                     f"expected {len(headers)} fields, found {len(values)}",
                                     delimiter.join(values))
                continue
            yield line, dict(zip(headers, values))

    return _records_to_result(result, rows(), headers, column_map, defaults or {})


def read_jsonl(path: Path, column_map: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None) -> FileResult:
    text, encoding = decode_bytes(path.read_bytes())
    result = FileResult(str(path), encoding=encoding)
    parsed: list[tuple[int, dict[str, Any] | Rejected]] = []
    headers: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.append((number, Rejected(str(path), number, f"invalid JSON: {exc.msg} at column {exc.colno}", line)))
            continue
        if not isinstance(record, dict):
            parsed.append((number, Rejected(str(path), number, "a JSON line must be an object", line)))
            continue
        headers.extend(k for k in record if k not in headers)
        parsed.append((number, record))
    return _records_to_result(result, iter(parsed), headers, column_map, defaults or {})


def read_xlsx(path: Path, column_map: dict[str, str] | None = None,
              defaults: dict[str, str] | None = None) -> FileResult:
    """The first worksheet; the first non-empty row is the header."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise IngestError(f"{path}: not a readable XLSX file ({exc})") from None
    sheet = workbook.worksheets[0]
    result = FileResult(str(path), encoding="xlsx")
    rows_iter = sheet.iter_rows(values_only=True)
    headers: list[str] = []
    header_row = 0
    for header_row, values in enumerate(rows_iter, start=1):
        if any(v not in (None, "") for v in values):
            headers = [str(v).strip() if v is not None else f"column{i + 1}" for i, v in enumerate(values)]
            break
    if not headers:
        raise IngestError(f"{path}: the first worksheet is empty")

    def rows() -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
        for number, values in enumerate(rows_iter, start=header_row + 1):
            if not any(v not in (None, "") for v in values):
                continue
            yield number, dict(zip(headers, values))

    try:
        return _records_to_result(result, rows(), headers, column_map, defaults or {})
    finally:
        workbook.close()


def read_folder(path: Path, column_map: dict[str, str] | None = None,
                defaults: dict[str, str] | None = None) -> FileResult:
    """Each .txt file is one message; an optional metadata.csv (column `file`) adds fields."""
    result = FileResult(str(path), encoding="per file")
    meta: dict[str, dict[str, Any]] = {}
    meta_path = path / "metadata.csv"
    meta_columns: dict[str, str] = {}
    if meta_path.exists():
        text, _ = decode_bytes(meta_path.read_bytes())
        reader = csv.DictReader(io.StringIO(text, newline=""))
        meta_columns = {k: v for k, v in map_columns(list(reader.fieldnames or []), column_map).items()}
        meta = {row.get("file", ""): row for row in reader}
    columns = {**meta_columns, "text": "__text__"}
    result.columns = columns
    for number, file in enumerate(sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt"), start=1):
        try:
            text, encoding = decode_bytes(file.read_bytes())
        except IngestError as exc:
            result.rejected.append(Rejected(str(file), 1, str(exc), ""))
            continue
        record = {**meta.get(file.name, {}), "__text__": text.strip("\ufeff")}
        record.pop("file", None)
        item = _build_message(record, columns, str(file), 1, defaults or {})
        (result.rejected if isinstance(item, Rejected) else result.messages).append(item)
    return result


def read_path(path: str | Path, column_map: dict[str, str] | None = None,
              defaults: dict[str, str] | None = None) -> FileResult:
    """Dispatch on the file type; raises IngestError naming what is supported."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    if path.is_dir():
        return read_folder(path, column_map, defaults)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, column_map, defaults)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, column_map, defaults)
    if suffix in TEXT_SUFFIXES:
        return read_delimited(path, column_map, defaults)
    raise IngestError(f"{path}: unsupported file type {suffix!r}; supported: {', '.join(SUPPORTED)}")


def expand_inputs(inputs: list[str | Path]) -> list[Path]:
    """Files as given; a folder holding .txt files is one input; other folders are searched."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir() and not any(p.suffix.lower() == ".txt" for p in path.iterdir()):
            for child in sorted(path.iterdir()):
                if child.is_dir() or child.suffix.lower() in (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".xlsx"):
                    out.extend(expand_inputs([child]))
        else:
            out.append(path)
    return out
