"""Hostile and messy input (issue 13): nothing slips past the screen, nothing is lost, every
error is a sentence naming the file or option (exit code 2), never a traceback."""

import csv
import io
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letterworld.cli import app
from letterworld.config import ConfigError, from_dict
from letterworld.ingest import IngestError, read_path
from letterworld.pipeline import DEMO_DIR, demo_config, run
from letterworld.render import RenderError, read_letter
from letterworld.render.sample import sample_letter
from letterworld.store import Store

runner = CliRunner()
ESC_TITLE = "\x1b]0;owned\x07"


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def clean_error(result, *words):
    """Exit code 2, one sentence on stderr naming what is wrong, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "error:" in result.output
    for w in words:
        assert w in result.output, (w, result.output)


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def texts(db):
    with Store(db) as s:
        return [m.text for m in s.messages()]


def rejected(db):
    with Store(db) as s:
        return {(Path(r.source_file).name, r.source_row): r.reason for r in s.rejected()}


# -- rows ----------------------------------------------------------------------------------
def test_only_invisible_characters_is_a_rejected_row(tmp_path):
    f = write(tmp_path / "m.csv", "text,country\n\u200b\u200d\u2060 \u00ad,ES\nFuerza Jani,CO\n")
    r = read_path(f)
    assert [m.text for m in r.messages] == ["Fuerza Jani"]
    assert [(x.source_row, x.reason) for x in r.rejected] == [(2, "message text is only invisible characters")]


def test_nul_bytes_in_a_row(tmp_path):
    f = write(tmp_path / "m.csv", "text\nbad\x00row\nStay strong\n")
    r = read_path(f)
    assert [m.text for m in r.messages] == ["Stay strong"]
    assert [(x.source_row, x.reason) for x in r.rejected] == [(2, "message text contains NUL bytes (binary data?)")]


def test_five_megabyte_row_is_rejected_and_the_file_goes_on(tmp_path):
    big = "a" * 5_000_000
    f = write(tmp_path / "m.csv", f"text,country\nfirst message,ES\n\"{big}\",FR\nlast message,PT\n")
    r = read_path(f)
    assert [m.text for m in r.messages] == ["first message", "last message"]
    (bad,) = r.rejected
    assert bad.source_row == 3
    assert bad.reason == "message is 5,000,000 characters long, over the limit of 20,000 ([ingest] max_chars)"
    assert len(bad.raw) < 3000  # the 5 MB are not kept aside
    j = write(tmp_path / "m.jsonl", "\n".join(json.dumps({"text": t}) for t in ("one", big, "three")) + "\n")
    r = read_path(j)
    assert [m.text for m in r.messages] == ["one", "three"]
    assert [x.source_row for x in r.rejected] == [2]


def test_max_chars_is_a_setting(tmp_path):
    f = write(tmp_path / "m.csv", "text\nshort one\nthis message is longer than twenty\n")
    cfg = write(tmp_path / "c.toml", "[ingest]\nmax_chars = 20\n")
    res = cli("ingest", f, "--db", tmp_path / "c.db", "--config", cfg)
    assert res.exit_code == 0, res.output
    assert texts(tmp_path / "c.db") == ["short one"]
    assert rejected(tmp_path / "c.db") == {
        ("m.csv", 3): "message is 34 characters long, over the limit of 20 ([ingest] max_chars)"}
    assert "m.csv:3: message is 34 characters long" in res.output
    with pytest.raises(ConfigError, match=r"\[ingest\] max_chars must be between 1 and 10000000, not 0"):
        from_dict({"ingest": {"max_chars": 0}})


def test_mixed_encoding_reads_a_cp1252_row_and_rejects_only_an_undecodable_one(tmp_path):
    data = ("text,country\nÁnimo querida,ES\n".encode("utf-8") + "Courage à toi,FR\n".encode("cp1252")
            + b"Zwei \x81 Bytes,DE\n" + '"Força, estamos contigo",BR\n'.encode("utf-8"))
    r = read_path(write(tmp_path / "m.csv", data))
    assert [m.text for m in r.messages] == ["Ánimo querida", "Courage à toi", "Força, estamos contigo"]
    assert "cp1252" in r.encoding
    (bad,) = r.rejected
    assert (bad.source_row, bad.reason) == (4, "not valid UTF-8 (the rest of the file is) nor cp1252: byte 0x81 "
                                               "at column 6")


def test_bom_in_the_middle_mixed_newlines_and_a_repeated_header(tmp_path):
    # two exports joined: the second starts with its own BOM and header
    data = ("\ufefftext,country\r\nuno,ES\rdos\ufeff bis,ES\n".encode("utf-8")
            + "\ufefftext,country\r\ntres,ES\r\n".encode("utf-8"))
    r = read_path(write(tmp_path / "m.csv", data))
    assert [(m.text, m.source_row) for m in r.messages] == [("uno", 2), ("dos\ufeff bis", 3), ("tres", 5)]
    assert [(x.source_row, x.reason) for x in r.rejected] == [(4, "a repeated header row (files joined together?)")]
    j = write(tmp_path / "m.jsonl", json.dumps({"text": "line\u2028separator inside"}, ensure_ascii=False)
              + "\r\n" + json.dumps({"text": "next"}) + "\r" + json.dumps({"text": "last"}) + "\n")
    assert [(m.text, m.source_row) for m in read_path(j).messages] == [
        ("line\u2028separator inside", 1), ("next", 2), ("last", 3)]


def test_formula_cells_are_text_never_run(tmp_path):
    formula = '=HYPERLINK("http://evil.example","click me")'
    f = write(tmp_path / "m.csv", f'text\n"{formula.replace(chr(34), chr(34) * 2)}"\nStay strong\n')
    assert [m.text for m in read_path(f).messages] == [formula, "Stay strong"]
    db = tmp_path / "c.db"
    assert cli("ingest", f, "--db", db).exit_code == 0
    out = tmp_path / "q.csv"
    assert cli("queue", "export", out, "--db", db, "--original").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert sorted(r["text"] for r in rows) == ["'" + formula, "Stay strong"]


# -- files ---------------------------------------------------------------------------------
def _workbook(path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Form"
    ws.append(["Message", "Country"])
    ws.append(["Fuerza Jani", "Colombia"])
    ws.append(["Estamos contigo", None])
    ws.merge_cells("B2:B3")  # one country for two rows
    ws.append(['=HYPERLINK("http://x.example","x")', "Peru"])
    ws2 = wb.create_sheet("Postcards")
    ws2.append(["texto", "país"])
    ws2.append(["Ánimo desde Madrid", "España"])
    ws3 = wb.create_sheet("Totals")
    ws3.append(["count", "country"])
    ws3.append([3, "CO"])
    wb.create_sheet("Empty")
    wb.save(path)
    return path


def test_xlsx_every_sheet_merged_cells_filled_and_skips_said(tmp_path):
    f = _workbook(tmp_path / "w.xlsx")
    r = read_path(f)
    got = [(m.text, m.country, Path(m.source_file).name, m.source_row) for m in r.messages]
    assert got == [("Fuerza Jani", "CO", "w.xlsx#Form", 2), ("Estamos contigo", "CO", "w.xlsx#Form", 3),
                   ('=HYPERLINK("http://x.example","x")', "PE", "w.xlsx#Form", 4),
                   ("Ánimo desde Madrid", "ES", "w.xlsx#Postcards", 2)]
    assert any(n.startswith("sheet 'Totals' skipped: no message column found among ['count', 'country']")
               for n in r.notes)
    assert "sheet 'Empty' skipped: it is empty" in r.notes
    only = read_path(f, sheets=["Postcards"])
    assert [m.text for m in only.messages] == ["Ánimo desde Madrid"]
    with pytest.raises(IngestError, match="no sheet named 'Nope'; sheets: Form, Postcards, Totals, Empty"):
        read_path(f, sheets=["Nope"])
    res = cli("ingest", f, "--db", tmp_path / "c.db", "--sheet", "Form")
    assert res.exit_code == 0, res.output
    assert len(texts(tmp_path / "c.db")) == 3


def test_binary_file_renamed_csv(tmp_path):
    png = write(tmp_path / "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 24)
    with pytest.raises(IngestError) as e:
        read_path(png)
    assert str(e.value) == (f"{png}: not a text file (it holds binary data); save it as CSV (UTF-8), "
                            "JSONL or XLSX, or give the right file")
    good = write(tmp_path / "good.csv", "text\nStay strong\n")
    db = tmp_path / "c.db"
    res = cli("ingest", png, good, "--db", db)
    clean_error(res, "1 of 2 input(s) could not be read", "photo.csv: not a text file")
    assert "PNG" not in res.output and "\x1a" not in res.output and len(res.output) < 1500
    assert texts(db) == ["Stay strong"]  # the other input was read


def test_failed_ingest_leaves_no_store(tmp_path):
    db = tmp_path / "c.db"
    res = cli("ingest", write(tmp_path / "x.csv", b"\x00\x01\x02\x03" * 200), "--db", db)
    clean_error(res, "x.csv: not a text file")
    assert not db.exists() and not Path(f"{db}-wal").exists()


def test_folder_subfolder_and_links_out_are_skipped_and_said(tmp_path):
    letters = tmp_path / "letters"
    (letters / "more").mkdir(parents=True)
    write(letters / "a.txt", "Querida Jani, estamos contigo.")
    write(letters / "more" / "b.txt", "inside a subfolder")
    write(letters / "notes.md", "not a message")
    secret = write(tmp_path / "secret.txt", "host secret")
    os.symlink(secret, letters / "host.txt")
    r = read_path(letters)
    assert [m.text for m in r.messages] == ["Querida Jani, estamos contigo."]
    assert r.notes == ["skipped host.txt: a link out of the folder (not followed)",
                       "skipped more: a subfolder (give it as an input of its own)",
                       "skipped notes.md: not a .txt file"]
    res = cli("ingest", letters, "--db", tmp_path / "c.db")
    assert res.exit_code == 0
    assert "skipped host.txt: a link out of the folder (not followed)" in res.output
    assert "host secret" not in texts(tmp_path / "c.db")


def test_links_out_of_a_searched_folder_are_not_followed(tmp_path):
    d = tmp_path / "inputs"
    d.mkdir()
    write(d / "ok.csv", "text\nStay strong\n")
    outside = write(tmp_path / "outside.csv", "text\nfrom outside\n")
    os.symlink(outside, d / "link.csv")
    res = cli("ingest", d, "--db", tmp_path / "c.db")
    assert res.exit_code == 0, res.output
    assert texts(tmp_path / "c.db") == ["Stay strong"]
    assert "link.csv: skipped, a link out of the folder (not followed)" in res.output


def test_square_brackets_in_a_column_value(tmp_path):
    f = write(tmp_path / "m.csv", "[Your words],country\nStay strong,KE\n")
    res = cli("ingest", f, "--db", tmp_path / "c.db", "--column", "text=[Your words]")
    assert res.exit_code == 0, res.output
    assert "'text': '[Your words]'" in res.output
    res = cli("ingest", f, "--db", tmp_path / "d.db", "--column", "text=[nope]")
    clean_error(res, "column '[nope]' (given for text) not in the file")


def test_brackets_survive_in_help_and_config_errors(tmp_path):
    assert "letterworld[video]" in cli("render", "--help").output
    cfg = write(tmp_path / "c.toml", '[campaign]\nrecipent = "x"\n')
    clean_error(cli("detect", "--db", tmp_path / "c.db", "--config", cfg),
                "unknown setting(s) in [campaign]: recipent")


# -- the moderators' terminal ---------------------------------------------------------------
@pytest.fixture
def store_with_escape(tmp_path):
    db = tmp_path / "c.db"
    f = write(tmp_path / "m.csv", f"text,country\n\"{ESC_TITLE}Stay strong \u202eereh\",KE\nFuerza,CO\n")
    assert cli("ingest", f, "--db", db).exit_code == 0
    return db


def test_terminal_escapes_are_shown_not_run(store_with_escape):
    db = store_with_escape
    for args in (("queue", "show", "1"), ("queue", "list"), ("audit",), ("queue", "list", "--json")):
        out = cli(*args, "--db", db).output
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, args
    show = cli("queue", "show", "1", "--db", db).output
    assert "original: \\x1b]0;owned\\x07Stay strong \\u202eereh" in show


def test_typos_in_enumerated_options(store_with_escape):
    db = store_with_escape
    clean_error(cli("queue", "list", "--flag", "sefety", "--db", db), "unknown flag kind(s) 'sefety'; kinds: safety")
    clean_error(cli("queue", "list", "--status", "aproved", "--db", db),
                "unknown status(es) 'aproved'; statuses: pending, approved")
    clean_error(cli("queue", "decide", "reject", "--flag", "nonsense", "--reason", "spam", "--db", db),
                "unknown flag kind(s) 'nonsense'")
    clean_error(cli("queue", "list", "--lang", "zz", "--db", db), "unknown language code(s) 'zz'")
    clean_error(cli("queue", "redact", "1", "--flag", "nonsense", "--db", db), "--flag 'nonsense' is not a flag kind")
    clean_error(cli("detect", "--set", "1", "--db", db), "--set takes ID=LANG")
    clean_error(cli("detect", "--set", "1=zz", "--db", db), "'zz' is not a known language code")
    clean_error(cli("audit", "--target", "bogus", "--db", db), "--target 'bogus': expected message:ID")
    clean_error(cli("audit", "--target", "message:99", "--db", db), "no audit entries for 'message:99'")
    assert cli("queue", "list", "--flag", "none", "--lang", "und", "--status", "pending", "--db", db).exit_code == 0
    assert cli("detect", "--set", "1=pt-BR", "--db", db).exit_code == 0


# -- the spreadsheet round trip ----------------------------------------------------------------
@pytest.fixture
def exported(tmp_path):
    db = tmp_path / "c.db"
    f = write(tmp_path / "m.csv", 'text,country\n"Ánimo, querida\nsegunda línea",ES\nCourage à toi,FR\nFuerza,CO\n')
    assert cli("ingest", f, "--db", db).exit_code == 0
    out = tmp_path / "q.csv"
    res = cli("queue", "export", out, "--db", db)
    assert res.exit_code == 0
    assert f"wrote {out}: 3 rows" in res.output  # rows, not lines (one text spans two)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    for r in rows:
        r["decision"] = "approve" if r["id"] == "2" else ""
    return db, rows


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_queue_import_of_what_excel_writes(tmp_path, exported, encoding):
    db, rows = exported
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    f = write(tmp_path / "reviewed.csv", buf.getvalue().encode(encoding))
    res = cli("queue", "import", f, "--db", db, "--as", "ana")
    assert res.exit_code == 0, res.output
    assert "applied 1 decisions" in res.output
    with Store(db) as s:
        assert s.moderation_rows()[2].status == "approved"


def test_queue_import_bad_rows_and_files(tmp_path, exported):
    db, _ = exported
    clean_error(cli("queue", "import", write(tmp_path / "x.csv", b"\x00\x01\x02" * 200), "--db", db),
                "x.csv: not a text file")
    clean_error(cli("queue", "import", write(tmp_path / "y.csv", "a;b\n1;2\n"), "--db", db),
                "missing column(s) decision, id, status; columns found: a, b")
    clean_error(cli("queue", "import", tmp_path, "--db", db), "is not a file")


def test_queue_export_into_a_missing_folder_or_onto_a_folder(tmp_path, exported):
    db, _ = exported
    clean_error(cli("queue", "export", tmp_path / "nope" / "q.csv", "--db", db), "the folder", "does not exist")
    clean_error(cli("queue", "export", tmp_path, "--db", db), "is a folder")


def test_unwritable_store(tmp_path):
    f = write(tmp_path / "m.csv", "text\nStay strong\n")
    clean_error(cli("ingest", f, "--db", f / "c.db"), "cannot open the campaign store for writing")
    clean_error(cli("queue", "list", "--db", write(tmp_path / "not.db", "not sqlite at all" * 10)),
                "not.db: cannot open the campaign store", "file is not a database")
    clean_error(cli("queue", "list", "--db", tmp_path), "is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_read_only_store(tmp_path):
    f = write(tmp_path / "m.csv", "text\nStay strong\n")
    ro = tmp_path / "ro"
    ro.mkdir()
    assert cli("ingest", f, "--db", ro / "c.db").exit_code == 0
    for p in ro.iterdir():
        p.chmod(0o444)
    ro.chmod(0o555)
    try:
        clean_error(cli("queue", "decide", "approve", "1", "--db", ro / "c.db"), "c.db")
    finally:
        ro.chmod(0o755)


# -- render ---------------------------------------------------------------------------------
def test_render_checks_the_letter_and_its_folder(tmp_path):
    bad = write(tmp_path / "foo.json", '{"foo": 1}')
    clean_error(cli("render", bad, "--out", tmp_path / "s"), "foo.json: recipient is missing (a string)")
    letter = sample_letter(1)
    letter["sections"][0]["excerpts"][0].pop("text")
    with pytest.raises(RenderError, match=r"sections\[0\]\.excerpts\[0\]\.text is missing"):
        read_letter(write(tmp_path / "l.json", json.dumps(letter)))
    clean_error(cli("render", write(tmp_path / "t.json", "{not json"), "--out", tmp_path / "s"),
                "t.json: not valid JSON")
    good = write(tmp_path / "letter.json", json.dumps(sample_letter(1)))
    clean_error(cli("render", good, "--out", good), "is a file; --out takes a folder")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    logo = write(foreign / "001-logo.png", b"keep me")
    clean_error(cli("render", good, "--out", foreign, "--no-pdf", "--no-video", "--no-contact-sheet"),
                "is not empty and was not written by letterworld")
    assert logo.read_bytes() == b"keep me"
    clean_error(cli("render", good, "--out", tmp_path / "wall", "--preset", "facade:40000x20000"),
                "800,000,000 pixels")


# -- re-running ------------------------------------------------------------------------------
def test_a_second_run_on_the_same_inputs_changes_nothing(tmp_path, embedder):
    lines = (DEMO_DIR / "sms_social.jsonl").read_text(encoding="utf-8").splitlines()
    sms = write(tmp_path / "sms.jsonl", "\n".join(lines[:60]) + "\n")
    cfg = demo_config()
    cfg.campaign.recipient = ""
    cfg.excerpts.min_lang_messages = 3
    out = tmp_path / "out"

    def state():
        with Store(out / "campaign.db") as s:
            letter = s.latest_letter()
            return (s.theme_members(), [(e["message_id"], e["start"], e["end"], e["theme_id"]) for e in s.excerpts()],
                    [(b["kind"], b.get("id"), b["text"]) for b in letter["blocks"]])

    run([sms, DEMO_DIR / "letters"], out, cfg, auto_approve=True, embedder=embedder, render=False)
    first = state()
    run([sms, DEMO_DIR / "letters"], out, cfg, auto_approve=True, embedder=embedder, render=False)
    assert state() == first


def test_lone_surrogates_in_json_are_a_rejected_row_with_its_line(tmp_path):
    f = write(tmp_path / "m.jsonl", '{"text": "ok"}\n{"text": "bad \\ud800 half"}\n{"text": "fine", "name": "\\udfff"}\n')
    r = read_path(f)
    assert [m.text for m in r.messages] == ["ok"]
    assert [(x.source_row, x.reason) for x in r.rejected] == [
        (2, "the row holds lone UTF-16 surrogates (broken text)"), (3, "the row holds lone UTF-16 surrogates (broken text)")]
    assert all(x.raw.encode("utf-8") for x in r.rejected)  # kept aside in a form the store can hold


def test_run_goes_on_past_an_unreadable_input_and_says_so(tmp_path):
    from typer.testing import CliRunner

    from letterworld.cli import app

    good = write(tmp_path / "good.jsonl", "".join(json.dumps({"text": f"Fuerza Jani, mensaje {i} desde Quito."}) + "\n"
                                                  for i in range(10)))
    bad = write(tmp_path / "broken.csv", bytes(range(256)) * 20)
    cfg = write(tmp_path / "c.toml", "[screen]\nclassifier = false\nofftopic = false\nner = false\n")
    res = CliRunner().invoke(app, ["run", str(good), str(bad), "--out", str(tmp_path / "out"), "--no-render",
                                   "--auto-approve", "--config", str(cfg)])
    assert res.exit_code == 2 and "broken.csv" in res.output and "1 input(s) could not be read" in res.output
    assert (tmp_path / "out" / "letter.json").exists()  # the letter was made from what could be read
    with Store(tmp_path / "out" / "campaign.db") as store:
        assert store.count_messages() == 10
