"""Hostile and messy input, tried as an attacker and a careless exporter would: how many
cases were tried, how many were handled as specified, how many crashed.

    .venv/bin/python bench/robustness.py [-v]

Each case builds its input in a temporary folder, runs the real thing (the library or the
command line through Typer's runner) and checks the specified outcome: flagged, rejected
with its reason and line, or a clear error (exit code 2, a sentence, no traceback) with
everything else kept. A case "crashed" when an exception escaped (a traceback), and was
"not handled" when it ran but the outcome differs from the specification."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("LETTERWORLD_NO_PROGRESS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from machine import header  # noqa: E402  (bench/machine.py)
from typer.testing import CliRunner  # noqa: E402

from letterworld.cli import app  # noqa: E402
from letterworld.store import Store  # noqa: E402

CASES: list[tuple[str, Callable[[Path], bool]]] = []
RUNNER = CliRunner()


def case(name: str):
    def add(fn):
        CASES.append((name, fn))
        return fn
    return add


def cli(*args: str):
    return RUNNER.invoke(app, ["--quiet", *(str(a) for a in args)])


def clear_error(res, *words: str) -> bool:
    """Exit code 2, no traceback, and the message names what it is about."""
    out = res.output
    return (res.exit_code == 2 and "Traceback" not in out and (res.exception is None or isinstance(res.exception,
            SystemExit)) and all(w in out for w in words))


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    for r in rows:
        w.writerow(r)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def ingest_store(d: Path, *files: Path) -> Store:
    res = cli("ingest", *files, "--db", d / "c.db")
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Store(d / "c.db")


def flag_kinds(text: str) -> set[str]:
    from letterworld.moderation import screen_rules

    return {f.kind for f in screen_rules(text).flags}


# -- safety bypasses --------------------------------------------------------------------
THREAT_ES = "Jani, sabemos donde vive tu familia y a qué escuela van tus niños"
HOSTILE_EN = "She deserves to rot in prison"


@case("a threat is held without tricks (baseline)")
def _(d):
    return "safety" in flag_kinds(THREAT_ES)


@case("zero-width space inside a safety phrase")
def _(d):
    return "safety" in flag_kinds(THREAT_ES.replace("donde", "d\u200bonde"))


@case("soft hyphen inside a safety phrase")
def _(d):
    return "safety" in flag_kinds(THREAT_ES.replace("donde", "don\u00adde"))


@case("zero-width spaces inside a hostility phrase")
def _(d):
    return "hostility" in flag_kinds("She de\u200bserves to r\u200bot in pri\u200bson")


@case("Cyrillic look-alike letters inside a safety phrase")
def _(d):
    return "safety" in flag_kinds(THREAT_ES.replace("donde", "dоnde").replace("familia", "fаmilia"))


@case("fullwidth letters inside a hostility phrase")
def _(d):
    return "hostility" in flag_kinds(HOSTILE_EN.replace("rot", "ｒｏｔ"))


@case("right-to-left override with reversed text is flagged")
def _(d):
    return bool(flag_kinds("Stay strong \u202e" + HOSTILE_EN[::-1] + "\u202c") - {"duplicate", "template"})


@case("a message of invisible characters only is rejected at ingest")
def _(d):
    f = write_csv(d / "m.csv", [["message"], ["\u200b\u200b\u2060"], ["Fuerza Jani"]])
    with ingest_store(d, f) as store:
        return store.count_messages() == 1 and len(store.rejected()) == 1 and store.rejected()[0].source_row == 2


@case("terminal escape sequences are not printed by queue show")
def _(d):
    f = write_csv(d / "m.csv", [["message"], ["Hola \x1b]0;pwned\x07 Jani \x1b[31mred"]])
    with ingest_store(d, f) as store:
        mid = store.messages()[0].id
    res = cli("queue", "show", mid, "--db", d / "c.db")
    return res.exit_code == 0 and "\x1b" not in res.output and "\x07" not in res.output


@case("letter.md, .html and .txt escape Markdown and HTML from messages")
def _(d):
    from letterworld.exports import to_html, to_markdown, to_text

    evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\n| a | b |\n|---|---|\u202e'
    q = {"kind": "quote", "id": "1:0-9", "message_id": 1, "lang": "en", "country": "GB", "text": evil,
         "source_text": evil, "start": 0, "end": len(evil), "attribution": "<b>Eve</b>", "consent": True,
         "theme_id": 0, "written_by": "message", "translation": None}
    letter = {"schema": 2, "campaign": "c", "recipient": "Ana", "lang": "en", "final": True,
              "missing_translations": [], "themes": [], "counts": {},
              "blocks": [{"kind": "greeting", "text": "Dear Ana,", "lang": "en", "written_by": "campaign"}, q]}
    md, page, text = to_markdown(letter), to_html(letter), to_text(letter)
    quoted = [line for line in md.splitlines() if "a \\| b" in line or "\\|---\\|" in line]
    return ("<script" not in md and "<img" not in md and "<script" not in page and "<img" not in page
            and quoted and all(line.startswith(">") for line in quoted) and "\u202e" not in md + page + text)


# -- nothing lost -------------------------------------------------------------------------
@case("a 5 MB message in a CSV is a rejected row; the rest of the file goes on")
def _(d):
    f = write_csv(d / "m.csv", [["message"], ["ok one"], ["x" * 5_000_000], ["ok two"]])
    with ingest_store(d, f) as store:
        return store.count_messages() == 2 and [r.source_row for r in store.rejected()] == [3]


@case("a 5 MB message in JSONL is a rejected row")
def _(d):
    f = d / "m.jsonl"
    f.write_text(json.dumps({"text": "ok"}) + "\n" + json.dumps({"text": "y" * 5_000_000}) + "\n", encoding="utf-8")
    with ingest_store(d, f) as store:
        return store.count_messages() == 1 and [r.source_row for r in store.rejected()] == [2]


@case("one cp1252 row in a UTF-8 CSV costs at most that row")
def _(d):
    f = d / "m.csv"
    f.write_bytes("message\nFuerza Jani ¡ánimo!\n".encode() + "Café para ti Jani\n".encode("cp1252") + b"Hello\n")
    with ingest_store(d, f) as store:
        texts = [m.text for m in store.messages()]
        return texts == ["Fuerza Jani ¡ánimo!", "Café para ti Jani", "Hello"] and not store.rejected()


@case("XLSX: every sheet is read and merged cells are filled")
def _(d):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["message", "country"])
    ws.append(["Fuerza Jani", "Colombia"])
    ws.append(["Ánimo", None])
    ws.merge_cells("B2:B3")
    ws2 = wb.create_sheet("more")
    ws2.append(["message", "country"])
    ws2.append(["Stay strong", "GB"])
    wb.save(d / "m.xlsx")
    with ingest_store(d, d / "m.xlsx") as store:
        ms = store.messages()
        return len(ms) == 3 and sorted(m.country for m in ms) == ["CO", "CO", "GB"]


@case("NUL bytes, a BOM in the middle and mixed newlines in a CSV")
def _(d):
    f = d / "m.csv"
    f.write_bytes(b"message\r\nFuerza\x00 Jani\r\nHola \xef\xbb\xbfJani\nAdios\rJani\n")
    with ingest_store(d, f) as store:
        return store.count_messages() + len(store.rejected()) >= 2 and all("\x00" not in m.text
                                                                           for m in store.messages())


@case("lone surrogates in JSON are a rejected row, not a crash")
def _(d):
    f = d / "m.jsonl"
    f.write_text('{"text": "ok"}\n{"text": "bad \\ud800 half"}\n', encoding="utf-8")
    with ingest_store(d, f) as store:
        return store.count_messages() >= 1 and store.count_messages() + len(store.rejected()) == 2


@case("a binary file renamed .csv: a short error naming the file, other inputs go on")
def _(d):
    (d / "bin.csv").write_bytes(bytes(range(256)) * 40)
    good = write_csv(d / "good.csv", [["message"], ["Fuerza Jani"]])
    res = cli("ingest", d / "bin.csv", good, "--db", d / "c.db")
    with Store(d / "c.db") as store:
        return "bin.csv" in res.output and len(res.output) < 2000 and store.count_messages() == 1


@case("a failed ingest leaves no empty store")
def _(d):
    (d / "bin.csv").write_bytes(b"\x00\xff" * 3000)
    cli("ingest", d / "bin.csv", "--db", d / "c.db")
    return not (d / "c.db").exists()


@case("a subfolder of a text folder is reported, a symlink out of the folder is not followed")
def _(d):
    letters = d / "letters"
    (letters / "sub").mkdir(parents=True)
    (letters / "a.txt").write_text("Fuerza Jani", encoding="utf-8")
    (letters / "sub" / "b.txt").write_text("Ánimo Jani", encoding="utf-8")
    outside = d / "secret.txt"
    outside.write_text("host secret", encoding="utf-8")
    (letters / "link.txt").symlink_to(outside)
    res = cli("ingest", letters, "--db", d / "c.db")
    with Store(d / "c.db") as store:
        texts = [m.text for m in store.messages()]
    return "host secret" not in texts and "sub" in res.output and "link.txt" in res.output


# -- clear errors -------------------------------------------------------------------------
def demo_store(d: Path) -> Path:
    f = write_csv(d / "m.csv", [["message", "country"], ["Fuerza Jani", "CO"], ["Stay strong", "GB"]])
    cli("ingest", f, "--db", d / "c.db")
    return d / "c.db"


@case("queue import of a cp1252 semicolon CSV (Excel in many countries)")
def _(d):
    db = demo_store(d)
    with Store(db) as store:
        ids = [m.id for m in store.messages()]
    write_csv(d / "r.csv", [["id", "status", "decision", "why"], [ids[0], "pending", "approve", "café ok"]],
              encoding="cp1252", delimiter=";")
    res = cli("queue", "import", d / "r.csv", "--db", db, "--as", "ana")
    with Store(db) as store:
        return res.exit_code == 0 and store.statuses()[ids[0]] == "approved"


@case("queue import of a UTF-8 semicolon CSV")
def _(d):
    db = demo_store(d)
    with Store(db) as store:
        ids = [m.id for m in store.messages()]
    write_csv(d / "r.csv", [["id", "status", "decision"], [ids[1], "pending", "approve"]], delimiter=";")
    res = cli("queue", "import", d / "r.csv", "--db", db, "--as", "ana")
    with Store(db) as store:
        return res.exit_code == 0 and store.statuses()[ids[1]] == "approved"


@case("queue export into a missing folder")
def _(d):
    return clear_error(cli("queue", "export", d / "nope" / "q.csv", "--db", demo_store(d)), "nope")


@case("queue export onto a directory")
def _(d):
    (d / "adir").mkdir()
    return clear_error(cli("queue", "export", d / "adir", "--db", demo_store(d)), "adir")


@case("queue export says rows, not lines")
def _(d):
    db = demo_store(d)
    res = cli("queue", "export", d / "q.csv", "--db", db)
    return res.exit_code == 0 and "2 rows" in res.output


@case("a read-only store")
def _(d):
    db = demo_store(d)
    os.chmod(db, 0o444)
    os.chmod(d, 0o555)
    try:
        if os.geteuid() == 0:  # root writes anyway: nothing to show
            return True
        return clear_error(cli("screen", "--db", db), str(db.name))
    finally:
        os.chmod(d, 0o755)
        os.chmod(db, 0o644)


@case("render --out onto a file")
def _(d):
    (d / "letter.json").write_text(json.dumps(minimal_letter()), encoding="utf-8")
    (d / "file").write_text("x")
    return clear_error(cli("render", d / "letter.json", "--out", d / "file", "--no-pdf", "--no-video"), "file")


@case("a gigantic façade preset")
def _(d):
    (d / "letter.json").write_text(json.dumps(minimal_letter()), encoding="utf-8")
    return clear_error(cli("render", d / "letter.json", "--out", d / "o", "--preset", "facade:30000x30000"))


@case("render refuses JSON that is not a letter")
def _(d):
    (d / "x.json").write_text('{"foo": 1}', encoding="utf-8")
    return clear_error(cli("render", d / "x.json", "--out", d / "o"))


@case("render never deletes a designer's files in --out")
def _(d):
    (d / "letter.json").write_text(json.dumps(minimal_letter()), encoding="utf-8")
    out = d / "o"
    out.mkdir()
    (out / "001-logo.png").write_bytes(b"mine")
    cli("render", d / "letter.json", "--out", out, "--no-pdf", "--no-video", "--no-contact-sheet")
    return (out / "001-logo.png").exists() and (out / "001-logo.png").read_bytes() == b"mine"


@case("square brackets in a --column value")
def _(d):
    f = write_csv(d / "m.csv", [["Your words [required]"], ["Fuerza Jani"]])
    res = cli("ingest", f, "--db", d / "c.db", "--column", "text=Your words [required]")
    with Store(d / "c.db") as store:
        return res.exit_code == 0 and store.count_messages() == 1


@case("an unknown setting keeps its [section] in the error")
def _(d):
    (d / "c.toml").write_text('[campaign]\nrecipent = "Ana"\n', encoding="utf-8")
    return clear_error(cli("screen", "--db", demo_store(d), "--config", d / "c.toml"), "[campaign]", "recipent")


for _name, _args, _word in (
        ("queue list --flag sefety", ("queue", "list", "--flag", "sefety"), "safety"),
        ("queue list --status aproved", ("queue", "list", "--status", "aproved"), "approved"),
        ("queue decide reject --flag nonsense", ("queue", "decide", "reject", "--flag", "nonsense", "--reason",
                                                 "spam"), "safety"),
        ("queue list --lang zz", ("queue", "list", "--lang", "zz"), "zz"),
        ("detect --set 412 (no language)", ("detect", "--set", "1"), "1"),
        ("audit --target bogus", ("audit", "--target", "bogus"), "bogus")):
    def _typo(d, args=_args, word=_word):
        return clear_error(cli(*args, "--db", demo_store(d)), word)
    case(f"a typo is an error listing the valid values: {_name}")(_typo)


@case("a second run on the same inputs changes nothing")
def _(d):
    from letterworld.pipeline import demo_config, run

    words = ["río", "agua", "tierra", "montaña", "escuela", "familia", "justicia", "libertad", "selva", "mar"]
    f = write_csv(d / "m.csv", [["message", "country", "recipient"]]
                  + [[f"Jani, {words[i % 10]} y {words[(i * 3 + 1) % 10]}: te escribo desde {i * 7 + 3} km.",
                      "CO", "Jani"] for i in range(40)])
    cfg = demo_config()
    cfg.campaign.recipient = ""
    cfg.campaign.sample_texts = []
    a = run([f], d / "out", cfg, auto_approve=True, render=False)
    with Store(a.db) as store:
        before = (store.theme_assignments(), store.excerpts())
    b = run([f], d / "out", cfg, auto_approve=True, render=False)
    with Store(b.db) as store:
        after = (store.theme_assignments(), store.excerpts())
    return before == after and [(x["kind"], x.get("id")) for x in a.letter["blocks"]] == [
        (x["kind"], x.get("id")) for x in b.letter["blocks"]]


def minimal_letter() -> dict:
    return {"campaign": "c", "recipient": "Ana", "lang": "en", "greeting": "Dear Ana,", "intro": "Hello.",
            "sections": [], "closing": "Written by 1 person.", "counts": {"messages": 1}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", "--verbose", action="store_true", help="print each case")
    args = ap.parse_args()
    print(header(), flush=True)
    from letterworld.progress import set_quiet

    set_quiet(True)
    handled, failed, crashed = 0, [], []
    for name, fn in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                ok = bool(fn(Path(tmp)))
            except Exception:  # noqa: BLE001 - a crash is what this counts
                crashed.append((name, traceback.format_exc(limit=3).strip().splitlines()[-1]))
                if args.verbose:
                    print(f"CRASH {name}: {crashed[-1][1]}")
                continue
        if ok:
            handled += 1
        else:
            failed.append(name)
        if args.verbose:
            print(f"{'ok   ' if ok else 'NOT  '} {name}")
    print(f"\nhostile inputs tried: {len(CASES)}; handled as specified: {handled}; "
          f"not handled: {len(failed)}; crashed: {len(crashed)}")
    for name in failed:
        print(f"  not handled: {name}")
    for name, err in crashed:
        print(f"  crashed: {name}: {err}")
    sys.exit(0)


if __name__ == "__main__":
    main()
