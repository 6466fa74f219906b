"""The campaigner's workflow on the demo (issue 14): a Spanish letter of about four minutes with
translations, pins and bans that are validated, swaps, moved themes, versions with diffs and
restore, translation sheets with bad rows, final letters, exports and the reading script."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letterworld.cli import app
from letterworld.letter import quotes
from letterworld.pipeline import DEMO_DIR, demo_translations
from letterworld.store import Store

CONFIG = str(DEMO_DIR / "campaign.toml")
runner = CliRunner()


@pytest.fixture
def db(demo_run, tmp_path):
    path = tmp_path / "campaign.db"
    shutil.copy(demo_run.db, path)
    return path


def cli(*args: str, code: int = 0):
    res = runner.invoke(app, ["-q", *args])
    assert res.exit_code == code, (args, res.output)
    return res


def latest(db: Path) -> dict:
    with Store(db) as store:
        return store.latest_letter()


def test_demo_letter_is_spanish_about_four_minutes_final_and_translated(demo_run):
    letter = demo_run.letter
    assert letter["schema"] == 2 and letter["lang"] == "es" and letter["recipient"] == "Jani Mendoza"
    assert abs(letter["seconds"] - 240) <= 24, letter["seconds"]  # within ±10% of four minutes
    assert abs(sum(b["seconds"] for b in letter["blocks"]) - letter["seconds"]) < 0.5
    assert letter["final"] and letter["missing_translations"] == []
    qs = quotes(letter)
    assert len(qs) >= 10 and len({q["lang"] for q in qs}) >= 8
    for q in qs:
        assert q["source_text"][q["start"]:q["end"]] == q["text"]  # provenance
        if q["lang"] != "es":
            tr = q["translation"]
            assert tr["status"] == "accepted" and tr["lang"] == "es" and tr["by"] and tr["text"] != q["text"]
    assert letter["blocks"][0]["text"] == "Querida Jani:"  # the campaign's own Spanish template
    assert {b["written_by"] for b in letter["blocks"] if b["kind"] != "quote"} == {"campaign"}
    readers = letter["readers"]
    assert len(readers) == 4 and sorted(i for r in readers for i in r["blocks"]) == list(range(len(letter["blocks"])))
    loads = [r["seconds"] for r in readers]
    assert max(loads) - min(loads) <= max(b["seconds"] for b in letter["blocks"])


def test_demo_translation_sheet_covers_every_quote_the_demo_letter_can_pick(demo_run):
    with demo_translations()[0].open(encoding="utf-8-sig", newline="") as fh:
        sheet = {r["id"]: r for r in csv.DictReader(fh)}
    letter = demo_run.letter
    for q in quotes(letter) + letter["alternates"]:
        if q["lang"] != "es":
            assert q["id"] in sheet, q["id"]
            assert sheet[q["id"]]["quote"] == q["text"] and sheet[q["id"]]["translation"].strip()


def test_a_translation_is_never_shown_as_a_quote_in_any_export(demo_run, tmp_path):
    cli("letter", "export", "--out", str(tmp_path / "x"), "--db", str(demo_run.db), "--formats", "html,md,txt,json,script")
    page = (tmp_path / "x" / "letter.html").read_text(encoding="utf-8")
    letter = json.loads((tmp_path / "x" / "letter.json").read_text(encoding="utf-8"))
    import html as h

    for q in quotes(letter):
        if q.get("translation"):
            t = h.escape(q["translation"]["text"])
            assert t in page
            before = page[:page.index(t)]
            # the translation sits in its own element, after its quote's blockquote has closed
            assert before.rfind("</blockquote>") > before.rfind("<blockquote")
            assert before.rfind('class="translation') > before.rfind("</blockquote>") or \
                before.rfind("class='translation") > before.rfind("</blockquote>")
    script = (tmp_path / "x" / "letter-script.txt").read_text(encoding="utf-8")
    for r in letter["readers"]:
        assert r["name"].upper() in script


def test_pins_and_bans_are_validated_and_a_ban_excludes_overlapping_spans(db):
    letter = latest(db)
    q = quotes(letter)[0]
    mid = q["message_id"]
    with Store(db) as store:
        text = store.redacted_texts([mid])[mid]
        pending = next(m for m, s in store.statuses().items() if s == "pending")
    res = cli("letter", "pin", f"{mid}:0-{len(text) + 30}", "--db", str(db), "--config", CONFIG, code=2)
    assert "inside the message" in res.output
    res = cli("letter", "pin", str(pending), "--db", str(db), "--config", CONFIG, code=2)
    assert "cannot be quoted" in res.output and "pending" in res.output
    cli("letter", "pin", "abc", "--db", str(db), "--config", CONFIG, code=2)
    # a ban of a sub-span of a quoted span removes the quote (every overlapping candidate)
    cli("letter", "ban", f"{mid}:{q['start']}-{q['start'] + 3}", "--db", str(db), "--config", CONFIG)
    after = latest(db)
    assert all(not (x["message_id"] == mid and x["start"] < q["start"] + 3 and q["start"] < x["end"])
               for x in quotes(after))
    listed = cli("letter", "pins", "--db", str(db)).output
    assert f"ban  {mid}:{q['start']}-{q['start'] + 3}" in listed
    cli("letter", "pins", "--db", str(db), "--config", CONFIG, "--remove", f"{mid}:{q['start']}-{q['start'] + 3}")
    assert "no pins or bans" in cli("letter", "pins", "--db", str(db)).output
    assert q["id"] in {x["id"] for x in quotes(latest(db))}


def test_a_pin_on_any_span_of_an_eligible_message_enters_the_letter(db):
    letter = latest(db)
    used = {q["message_id"] for q in quotes(letter)}
    with Store(db) as store:
        row = next(r for r in store.eligible("Jani Mendoza") if r.message_id not in used and not r.is_template
                   and len(r.text) > 60 and r.lang == "es" and store.message(r.message_id).recipient == "Jani Mendoza")
    span = f"{row.message_id}:0-25"
    cli("letter", "pin", span, "--db", str(db), "--config", CONFIG)
    pinned = latest(db)
    assert span in {q["id"] for q in quotes(pinned)}
    assert pinned["version"] == letter["version"] + 1 and quotes(pinned)


def test_swap_move_versions_diff_and_restore(db):
    v1 = latest(db)
    first = quotes(v1)[0]
    res = cli("letter", "swap", first["id"], "--db", str(db), "--config", CONFIG)
    v2 = latest(db)
    assert first["id"] not in {q["id"] for q in quotes(v2)} and "swapped" in res.output
    nxt = next(a for a in v1["alternates"] if a["theme_id"] == first["theme_id"])  # the next-best of its theme
    assert nxt["id"] in {q["id"] for q in quotes(v2)} and nxt["id"] in res.output
    diff = cli("letter", "diff", str(v1["version"]), str(v2["version"]), "--db", str(db)).output
    assert f"-quote {first['id']}" in diff and "+quote" in diff
    theme = next(t for t in v2["themes"] if t["movement"] != "hope" and not t["dropped"])
    cli("letter", "move", str(theme["theme_id"]), "--to", "hope", "--db", str(db), "--config", CONFIG)
    v3 = latest(db)
    assert {t["theme_id"]: t["movement"] for t in v3["themes"]}[theme["theme_id"]] == "hope"
    assert {t["theme_id"]: t["placed_by"] for t in v3["themes"]}[theme["theme_id"]] == "campaigner"
    assert f"~ theme {theme['theme_id']} moved: {theme['movement']} -> hope" in cli(
        "letter", "diff", str(v2["version"]), str(v3["version"]), "--db", str(db)).output
    cli("letter", "move", str(theme["theme_id"]), "--to", "nowhere", "--db", str(db), "--config", CONFIG, code=2)
    listing = cli("letter", "list", "--db", str(db)).output
    assert f"swap {first['id']}" in listing and "move theme" in listing
    cli("letter", "restore", str(v1["version"]), "--db", str(db))
    v4 = latest(db)
    assert [q["id"] for q in quotes(v4)] == [q["id"] for q in quotes(v1)]
    with Store(db) as store:
        assert store.plan("Jani Mendoza") == v1["plan"]  # the choices went back too
        assert store.audit_log(target=f"letter:{v4['version']}")


def test_edit_connective_and_drop_theme(db):
    v1 = latest(db)
    conn = next(b for b in v1["blocks"] if b["kind"] == "connective")
    cli("letter", "edit", str(conn["theme_id"]), "--text", "Muchos escribieron sobre el río.", "--db", str(db),
        "--config", CONFIG)
    v2 = latest(db)
    assert any(b["kind"] == "connective" and b["text"] == "Muchos escribieron sobre el río." for b in v2["blocks"])
    cli("letter", "drop", str(conn["theme_id"]), "--db", str(db), "--config", CONFIG)
    v3 = latest(db)
    assert conn["theme_id"] not in {q["theme_id"] for q in quotes(v3)}
    cli("letter", "edit", "postscript", "--text", "x", "--db", str(db), "--config", CONFIG, code=2)


def test_translation_sheet_round_trip_reports_bad_rows_and_final_needs_every_translation(db, tmp_path):
    sheet = tmp_path / "fr.csv"
    cli("letter", "sheet", "export", "--lang", "fr", str(sheet), "--db", str(db))
    with sheet.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["whole_message"] and r["source_checksum"] for r in rows)
    res = cli("compose", "--db", str(db), "--config", CONFIG, "--out", str(tmp_path / "o"), "--lang", "fr",
              "--final", code=2)
    assert "no accepted translation" in res.output
    rows[0]["translation"] = "Tu n'es pas seule."
    rows[1]["translation"] = "Traduction."
    rows[1]["source_checksum"] = "0" * 64  # the source changed since export
    rows.append({**rows[0], "translation": "Encore."})  # a duplicate id
    rows.append({**rows[2], "id": "999999:0-4", "translation": "Inconnu."})
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = runner.invoke(app, ["letter", "sheet", "import", "--lang", "fr", str(sheet), "--db", str(db)]).output
    with sheet.open(encoding="utf-8", newline="") as fh:  # the line each record starts on (cells hold newlines)
        reader, starts = csv.reader(fh), []
        while True:
            at = reader.line_num + 1
            try:
                next(reader)
            except StopIteration:
                break
            starts.append(at)
    assert f"row {starts[2]}: {rows[1]['id']}: source changed" in out  # each problem with its line in the sheet
    assert f"row {starts[-1]}: 999999:0-4: unknown message" in out
    assert f"row {starts[1]}: {rows[0]['id']}: duplicate id (also on row {starts[-2]})" in out
    assert "0 imported" in out  # the only good row was duplicated: which one is right is for a person to say
    with Store(db) as store:
        entries = [e for e in store.audit_log() if e.action.startswith("import") or "sheet" in e.action]
        assert entries


def test_consent_exclude_leaves_out_unconsented_writers(db, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(Path(CONFIG).read_text(encoding="utf-8").replace("[letter]\n", '[letter]\nunconsented = "exclude"\n'),
                   encoding="utf-8")
    cli("compose", "--db", str(db), "--config", str(cfg), "--out", str(tmp_path / "o"))
    letter = latest(db)
    assert quotes(letter) and all(q["consent"] is True for q in quotes(letter))
    assert letter["consent_policy"] == "exclude"
    default = cli("compose", "--db", str(db), "--config", CONFIG, "--out", str(tmp_path / "p"))
    assert default.exit_code == 0
    anon = [q for q in quotes(latest(db)) if q["consent"] is not True]
    assert all(q["anonymous"] and q["attribution"] == "" for q in anon)


def test_slides_show_original_and_accepted_translation_together(demo_run):
    from letterworld.render import iter_slides

    kinds = []
    for slide in iter_slides(demo_run.letter, "1920x1080"):
        kinds.append(slide.kind)
        if slide.kind == "pair":
            break
    assert kinds[0] == "title" and "pair" in kinds
