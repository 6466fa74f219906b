"""The studio's composer (issue 17) over HTTP: pins, bans, swaps, moves, edits, the length,
versions, diffs and restore through letter_ops, audited with the signed-in user; permissions
and CSRF; the translators' sheet upload (type, name, problems by row); downloads; escaping."""

import csv
import html
import io
import re

import pytest
from markupsafe import escape

from letterworld.letter import quotes
from letterworld.store import Store

from studio_helpers import WHO, latest, post  # noqa: E402  (tests/studio_helpers.py)


def test_the_composer_shows_themes_quotes_candidates_why_and_the_preview(studio_login, studio_db):
    client, _ = studio_login("campaigner")
    letter = latest(studio_db)
    r = client.get("/compose")
    assert r.status_code == 200
    page = r.text
    for t in letter["themes"]:
        assert str(escape(t["title"])) in page
    for q in quotes(letter) + letter["alternates"][:3]:
        assert f'data-quote-id="{q["id"]}"' in page
    assert "why it was chosen" in page and "Candidates" in page
    tr = next(q["translation"] for q in quotes(letter) if q.get("translation"))
    assert str(escape(tr["text"])) in page  # original + translation in the preview
    assert 'href="/static/compose.css"' in page and "<script>" not in page.replace(
        '<script src="/static/htmx.min.js"></script>', "").replace('<script src="/static/studio.js"></script>', "")


def test_campaigner_swaps_and_pins_a_quote_and_new_versions_name_them(studio_login, studio_db):
    client, csrf = studio_login("campaigner")
    v1 = latest(studio_db)
    first = quotes(v1)[0]
    nxt = next(a for a in v1["alternates"] if a["theme_id"] == first["theme_id"])
    r = post(client, "/compose/swap", csrf, quote=first["id"])
    assert r.status_code == 303, r.text[:300]
    v2 = latest(studio_db)
    assert v2["version"] == v1["version"] + 1
    ids = {q["id"] for q in quotes(v2)}
    assert first["id"] not in ids and nxt["id"] in ids
    page = client.get(r.headers["location"]).text
    assert f"swapped {first['id']} for {nxt['id']}" in page  # the flash
    # pin a candidate of another theme: it enters the letter
    cand = next(a for a in v2["alternates"] if a["theme_id"] != first["theme_id"])
    r = post(client, "/compose/pin", csrf, ref=cand["id"])
    assert r.status_code == 303
    v3 = latest(studio_db)
    assert v3["version"] == v2["version"] + 1 and cand["id"] in {q["id"] for q in quotes(v3)}
    with Store(studio_db) as s:
        versions = s.letter_versions(WHO)
        assert [v["actor"] for v in versions[-2:]] == ["campaigner", "campaigner"]
        assert versions[-2]["note"].startswith(f"swap {first['id']}") and versions[-1]["note"] == f"pin {cand['id']}"
        plan_audit = [e for e in s.audit_log(actor="campaigner") if e.action == "plan"]
        assert any(e.target == f"letter-plan:swap:{first['id']}" for e in plan_audit)
        row = s.db.execute("SELECT decided_by FROM excerpt_choices WHERE message_id = ?",
                           (cand["message_id"],)).fetchone()
        assert row["decided_by"] == "campaigner"
    # the pin is listed and can be removed
    page = client.get("/compose").text
    assert f"<code>{cand['id']}</code>" in page
    assert post(client, "/compose/unpin", csrf, ref=cand["id"]).status_code == 303
    with Store(studio_db) as s:
        assert s.db.execute("SELECT count(*) FROM excerpt_choices").fetchone()[0] == 0


def test_refused_operations_are_flashed_and_change_nothing(studio_login, studio_db):
    client, csrf = studio_login("campaigner")
    v1 = latest(studio_db)
    r = post(client, "/compose/pin", csrf, ref="not-a-ref")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "expected a message id" in page and 'class="flash error"' in page
    r = post(client, "/compose/move", csrf, theme=str(v1["themes"][0]["theme_id"]), to="nowhere")
    assert "the arc is" in client.get(r.headers["location"]).text
    assert latest(studio_db)["version"] == v1["version"]


def test_move_edit_drop_length_diff_and_restore(studio_login, studio_db):
    client, csrf = studio_login("campaigner")
    v1 = latest(studio_db)
    theme = next(t for t in v1["themes"] if t["movement"] != "hope" and not t["dropped"])
    assert post(client, "/compose/move", csrf, theme=str(theme["theme_id"]), to="hope", position="1").status_code == 303
    v2 = latest(studio_db)
    assert {t["theme_id"]: t["movement"] for t in v2["themes"]}[theme["theme_id"]] == "hope"
    assert post(client, "/compose/edit", csrf, target="greeting", text="¡Hola, Jani!").status_code == 303
    v3 = latest(studio_db)
    assert v3["blocks"][0]["text"] == "¡Hola, Jani!"
    assert v3["lang"] == "es" and v3["target"]["seconds"] == v1["target"]["seconds"]  # kept from before
    assert post(client, "/compose/length", csrf, minutes="2").status_code == 303
    v4 = latest(studio_db)
    assert v4["target"]["seconds"] == 120 and v4["seconds"] < v3["seconds"]
    page = client.get("/compose", params={"recipient": WHO, "a": v1["version"], "b": v2["version"]}).text
    assert str(escape(f"~ theme {theme['theme_id']} moved: {theme['movement']} -> hope")) in page
    assert post(client, "/compose/edit", csrf, target="greeting", reset="1").status_code == 303
    assert latest(studio_db)["blocks"][0]["text"] == v1["blocks"][0]["text"]
    assert post(client, "/compose/restore", csrf, version=str(v1["version"])).status_code == 303
    v6 = latest(studio_db)
    assert [q["id"] for q in quotes(v6)] == [q["id"] for q in quotes(v1)]
    with Store(studio_db) as s:
        assert s.audit_log(target=f"letter:{v6['version']}")[0].actor == "campaigner"
        assert s.plan(WHO) == v1["plan"]


@pytest.mark.parametrize("role", ["moderator", "designer", "translator"])
def test_roles_without_compose_may_not_write_the_letter(studio_login, studio_db, role):
    client, csrf = studio_login(role)
    v1 = latest(studio_db)
    q = quotes(v1)[0]
    assert client.get("/compose").status_code == 403
    for url, data in [("/compose/pin", {"ref": q["id"]}), ("/compose/swap", {"quote": q["id"]}),
                      ("/compose/restore", {"version": "1"}), ("/compose/length", {"minutes": "2"})]:
        assert post(client, url, csrf, **data).status_code == 403, (role, url)
    assert latest(studio_db)["version"] == v1["version"]


def test_a_write_without_the_csrf_token_is_refused(studio_login, studio_db):
    client, csrf = studio_login("campaigner")
    v1 = latest(studio_db)
    q = quotes(v1)[0]
    r = client.post("/compose/swap", data={"quote": q["id"], "recipient": WHO}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/compose/swap", data={"quote": q["id"], "csrf": csrf[:-2] + "xx"}, follow_redirects=False)
    assert r.status_code == 403
    assert latest(studio_db)["version"] == v1["version"]


def test_sheet_download_is_an_xlsx_and_the_reading_script_downloads(studio_login):
    client, _ = studio_login("campaigner")
    r = client.get("/compose/sheet.xlsx", params={"recipient": WHO})
    assert r.status_code == 200 and r.content.startswith(b"PK\x03\x04")
    assert ".xlsx" in r.headers["content-disposition"]
    r = client.get("/compose/script.txt")
    assert r.status_code == 200 and "JANI" in r.text.upper()
    r = client.get("/compose/script.html")
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert client.get("/compose/script.pdf").status_code == 404


@pytest.mark.parametrize("name,content,why", [
    ("sheet.exe", b"id,translation\n", ".xlsx or .csv"),
    ("../../outside.csv", b"id,source_checksum,existing_translation,translation\n", "plain file name"),
    ("..\\outside.csv", b"id,source_checksum,existing_translation,translation\n", "plain file name"),
    ("fake.xlsx", b"this is not a workbook", "not an XLSX"),
])
def test_a_sheet_upload_of_a_wrong_type_or_name_is_refused(studio_login, tmp_path, name, content, why):
    client, csrf = studio_login("campaigner")
    r = client.post("/compose/sheet", data={"csrf": csrf, "recipient": WHO},
                    files={"sheet": (name, content, "application/octet-stream")})
    assert r.status_code == 400
    assert why in html.unescape(r.text)
    assert not (tmp_path.parent / "outside.csv").exists() and not (tmp_path / "outside.csv").exists()
    assert not list(tmp_path.glob("uploads/*"))


def test_a_sheet_upload_lists_problem_rows_and_imports_the_good_ones(studio_login, studio_db, tmp_path):
    from letterworld import translations as tr

    client, csrf = studio_login("campaigner")
    letter = latest(studio_db)
    q = next(x for x in quotes(letter) if x["lang"] != "es")
    with Store(studio_db) as s:
        t = tr.current(s, q["message_id"], q["start"], q["end"], "es")
        sha = tr.text_hash(s.redacted_texts([q["message_id"]])[q["message_id"]][q["start"]:q["end"]])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "source_checksum", "existing_translation", "existing_status", "translation", "translator"])
    w.writerow([q["id"], sha, t.text, t.status, "Una traducción nueva y revisada.", "Ana Ruiz"])
    w.writerow(["999999:0-5", "abc", "", "", "Hola", ""])
    data = buf.getvalue()
    r = client.post("/compose/sheet", data={"csrf": csrf, "recipient": WHO},
                    files={"sheet": ("filled.csv", data.encode("utf-8"), "text/csv")})
    assert r.status_code == 200, r.text[:500]
    page = html.unescape(r.text)
    assert "1 imported" in page and "1 with problems" in page
    assert re.search(r"<td>3</td><td><code>999999:0-5</code></td>", r.text)
    assert (tmp_path / "uploads" / "filled.csv").exists()
    with Store(studio_db) as s:
        now = tr.current(s, q["message_id"], q["start"], q["end"], "es")
        assert now.text == "Una traducción nueva y revisada." and now.translator == "Ana Ruiz"
        assert any(e.action == "import-translations" for e in s.audit_log(actor="campaigner"))


def test_message_text_with_markup_is_shown_escaped(studio_login, studio_db):
    client, _ = studio_login("campaigner")
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    with Store(studio_db) as s:
        letter = s.latest_letter(WHO)
        b = next(b for b in letter["blocks"] if b["kind"] == "quote" and b["lang"] != "es")
        b["text"] = evil
        b["translation"] = {"lang": "es", "text": evil, "by": "<b>x</b>", "status": "accepted"}
        next(a for a in letter["alternates"] if a["lang"] != "es")["text"] = evil
        with s.transaction():
            s.add_letter(letter, note="hostile")
    page = client.get("/compose").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    desk = client.get("/translate").text
    assert "<script>alert" not in desk and "&lt;script&gt;alert(" in desk
