import json

import pytest

from letterworld import stages
from letterworld.ingest import IngestError, read_path


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_quoted_newlines_and_mapped_headers(tmp_path):
    f = write(tmp_path / "form.csv",
              'Message,Country,First name,Date,Channel,Recipient,Consent to quote\n'
              '"Fuerza Jani!\nEstamos contigo, siempre.",Colombia,Ana,2026-10-03,online,Jani Mendoza,yes\n'
              'Stay strong,United States,Bob,03/10/2026,web,Jani Mendoza,no\n', "utf-8-sig")
    r = read_path(f)
    assert r.encoding == "utf-8-sig"
    assert r.columns["text"] == "Message" and r.columns["author"] == "First name"
    a, b = r.messages
    assert a.text == "Fuerza Jani!\nEstamos contigo, siempre."
    assert (a.country, a.author, a.date, a.channel, a.consent) == ("CO", "Ana", "2026-10-03", "online", True)
    assert (b.country, b.date, b.channel, b.consent) == ("US", "2026-10-03", "online", False)
    assert a.source_row == 3  # the physical line where the quoted row ends


def test_semicolon_cp1252_spanish_headers(tmp_path):
    f = write(tmp_path / "postales.csv",
              "mensaje;país;nombre;fecha;canal;destinataria\n"
              "¡Ánimo, querida! Estamos contigo;España;José;15/10/2026;tarjeta postal;Jani Mendoza\n"
              "Courage à toi;Francia;Élodie;01/11/2026;carte postale;Aylin Demir\n", "cp1252")
    r = read_path(f)
    assert r.encoding.replace("-", "_").lower() in ("cp1252", "windows_1252", "latin_1", "iso8859_15")
    assert [m.text for m in r.messages] == ["¡Ánimo, querida! Estamos contigo", "Courage à toi"]
    assert [m.country for m in r.messages] == ["ES", "FR"]
    assert [m.channel for m in r.messages] == ["postcard", "postcard"]
    assert r.messages[0].date == "2026-10-15"
    assert r.messages[1].recipient == "Aylin Demir"


def test_utf16_tsv(tmp_path):
    f = write(tmp_path / "msgs.tsv", "text\tcountry\nقلوبنا معك\tEG\n加油！\tCN\n", "utf-16")
    r = read_path(f)
    assert [m.text for m in r.messages] == ["قلوبنا معك", "加油！"]
    assert [m.country for m in r.messages] == ["EG", "CN"]


def test_jsonl_malformed_lines_are_rejected_with_line_numbers(tmp_path):
    lines = [json.dumps({"body": "Stay strong", "country_code": "KE"}), '{"body": "Stay str',
             json.dumps({"body": "", "country_code": "KE"}), json.dumps(["not", "an", "object"]),
             json.dumps({"body": "Nguvu!", "country_code": "TZ", "sender": "Asha"})]
    f = write(tmp_path / "sms.jsonl", "\n".join(lines) + "\n")
    r = read_path(f)
    assert [m.text for m in r.messages] == ["Stay strong", "Nguvu!"]
    assert [m.source_row for m in r.messages] == [1, 5]
    rejected = {x.source_row: x.reason for x in r.rejected}
    assert set(rejected) == {2, 3, 4}
    assert "invalid JSON" in rejected[2] and "empty" in rejected[3] and "object" in rejected[4]
    assert all(x.source_file == str(f) for x in r.rejected)


def test_xlsx_with_date_cells(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Text", "Country", "Name", "Date"])
    ws.append(["힘내세요!", "KR", "Minji", datetime(2026, 10, 5, 9, 30)])
    ws.append([None, "TH", "Somchai", datetime(2026, 10, 6)])
    ws.append(["ขอให้เข้มแข็ง", "TH", "Somchai", datetime(2026, 10, 6)])
    wb.save(tmp_path / "asia.xlsx")
    r = read_path(tmp_path / "asia.xlsx")
    assert [m.text for m in r.messages] == ["힘내세요!", "ขอให้เข้มแข็ง"]
    assert r.messages[0].date == "2026-10-05"
    assert [x.source_row for x in r.rejected] == [3]


def test_text_folder_with_metadata_and_encodings(tmp_path):
    d = tmp_path / "letters"
    d.mkdir()
    write(d / "a.txt", "Querida Jani,\nno estás sola.\nLucía", "utf-16")
    write(d / "b.txt", "Chère Aylin, courage à vous.", "cp1252")
    write(d / "metadata.csv", "file,country,name,recipient\na.txt,AR,Lucía,Jani Mendoza\n")
    r = read_path(d)
    texts = {m.text: m for m in r.messages}
    assert texts["Querida Jani,\nno estás sola.\nLucía"].country == "AR"
    assert texts["Querida Jani,\nno estás sola.\nLucía"].recipient == "Jani Mendoza"
    assert "Chère Aylin, courage à vous." in texts


def test_column_override_and_missing_text_column(tmp_path):
    f = write(tmp_path / "x.csv", "Your words,Where\nHello,Kenya\n")
    with pytest.raises(IngestError, match="no message column"):
        read_path(f)
    r = read_path(f, column_map={"text": "Your words", "country": "Where"})
    assert r.messages[0].text == "Hello" and r.messages[0].country == "KE"
    with pytest.raises(ValueError, match="not in the file"):
        read_path(f, column_map={"text": "Nope"})


def test_unsupported_type(tmp_path):
    f = write(tmp_path / "x.pdf", "%PDF")
    with pytest.raises(IngestError, match="unsupported"):
        read_path(f)


def test_reingest_adds_nothing_and_keeps_rejected_once(store, tmp_path):
    f = write(tmp_path / "form.csv", "message,country\nhola,CO\n,CO\nhello,GB\n")
    first = stages.ingest(store, [f])
    assert (first.added, first.rejected) == (2, 1)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    copy = write(moved / "form.csv", "message,country\nhola,CO\n,CO\nhello,GB\n")
    second = stages.ingest(store, [f, copy])
    assert (second.added, second.already) == (0, 4)
    assert store.count_messages() == 2
    assert len(store.rejected()) == 1
    assert store.rejected()[0].source_row == 3


def _big_inputs(tmp_path, n):
    """The same n messages (a quoted two-line one, a U+2028 inside a field, a bad row every
    97th) as CSV, JSONL and XLSX."""
    from openpyxl import Workbook

    texts = [f"Mensaje {i}\u2028para Jani" if i % 5 == 0 else f"Message {i}" for i in range(n)]
    texts[3] = "Fuerza,\nJani"
    lines = ["text,country"] + [f'"{t}",CO' if i % 97 else f'"{t}",CO,extra' for i, t in enumerate(texts)]
    csv_path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    jsonl = write(tmp_path / "big.jsonl", "\n".join(json.dumps({"text": t, "country": "CO"}) if i % 97
                                                    else "{not json" for i, t in enumerate(texts)) + "\n")
    wb = Workbook()
    ws = wb.active
    ws.append(["text", "country"])
    for t in texts:
        ws.append([t, "CO"])
    wb.save(tmp_path / "big.xlsx")
    return csv_path, jsonl, tmp_path / "big.xlsx"


def test_a_sink_takes_the_messages_in_batches_and_they_are_the_same_as_read_whole(tmp_path, monkeypatch):
    import letterworld.ingest as ingest

    monkeypatch.setattr(ingest, "BATCH", 40)
    for path in _big_inputs(tmp_path, 300):
        whole = read_path(path)
        batches = []
        streamed = read_path(path, sink=batches.append)
        assert streamed.messages == []  # nothing kept: the sink has them
        assert [len(b) for b in batches[:-1]] == [40] * (len(batches) - 1) and 0 < len(batches[-1]) <= 40
        got = [m for b in batches for m in b]
        assert streamed.count == len(got) == len(whole.messages) == whole.count
        assert [(m.text, m.source_row, m.country) for m in got] == \
            [(m.text, m.source_row, m.country) for m in whole.messages]
        assert [(r.source_row, r.reason) for r in streamed.rejected] == \
            [(r.source_row, r.reason) for r in whole.rejected]
    assert any("\u2028" in m.text for m in whole.messages) and "Fuerza,\nJani" in [m.text for m in got]


def test_ingest_writes_a_file_in_batches_and_reports_every_message(store, tmp_path, monkeypatch):
    import letterworld.ingest as ingest

    monkeypatch.setattr(ingest, "BATCH", 25)
    csv_path, jsonl, _ = _big_inputs(tmp_path, 200)
    calls = []
    real = store.add_messages
    monkeypatch.setattr(store, "add_messages", lambda ms: calls.append(len(ms)) or real(ms))
    s = stages.ingest(store, [csv_path, jsonl])
    assert max(calls) <= 25 and sum(calls) == 2 * (200 - 3)
    assert (s.added, s.already, s.rejected) == (2 * 197, 0, 2 * 3)
    assert [f.count for f in s.files] == [197, 197] and all(f.messages == [] for f in s.files)
    assert store.count_messages() == 394


def test_a_file_that_fails_halfway_leaves_nothing_of_itself(store, tmp_path, monkeypatch):
    import letterworld.ingest as ingest

    monkeypatch.setattr(ingest, "BATCH", 10)
    csv_path, jsonl, _ = _big_inputs(tmp_path, 100)
    real = ingest._build_message
    seen = []

    def failing(record, *a, **k):  # the 60th row of the CSV cannot be read: an error after 5 batches
        seen.append(1)
        if len(seen) == 60:
            raise IngestError("big.csv: the disk went away")
        return real(record, *a, **k)

    monkeypatch.setattr(ingest, "_build_message", failing)
    s = stages.ingest(store, [csv_path, jsonl])
    assert s.errors == ["big.csv: the disk went away"]
    assert s.added == 98 and store.count_messages() == 98  # only the JSONL: no batch of the CSV is kept
    assert {m.source_file for m in store.messages()} == {str(jsonl)}
