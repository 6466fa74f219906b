"""The studio's pipeline page: uploads stay inside the campaign folder, a ZIP of a campaign's
files is unpacked safely and ingested through the stage registry, accounts are managed by admins."""

import io
import time
import zipfile

import pytest

from letterworld.store import Store
from letterworld.studio.pages.admin import safe_filename, unzip_safely


def _wait(client, url, seconds=600):
    deadline = time.time() + seconds
    while time.time() < deadline:
        page = client.get(url).text
        if 'class="job-state">done' in page or 'class="job-state">failed' in page:
            return page
        time.sleep(0.5)
    raise AssertionError("the job did not finish")


def test_upload_ingests_and_screens_into_the_store_with_the_user_in_the_audit(studio_login, studio_db):
    c, csrf = studio_login("campaigner")
    with Store(studio_db) as s:
        before = s.count_messages()
    csv = 'text,country,recipient\n"Fuerza Jani, estamos contigo desde Quito.",EC,Jani Mendoza\n' \
          '"We are with you from Leeds, Jani.",GB,Jani Mendoza\n'
    r = c.post("/pipeline/upload", data={"csrf": csrf}, files={"file": ("../../escape.csv", csv, "text/csv")})
    page = _wait(c, r.url.path)
    assert 'job-state">done' in page and "ingest: 2 new messages" in page
    folder = studio_db.parent
    assert (folder / "uploads" / "escape.csv").read_text() == csv  # the name's folders were dropped
    assert not (folder.parent.parent / "escape.csv").exists()
    with Store(studio_db) as s:
        assert s.count_messages() == before + 2
        new = s.db.execute("SELECT id FROM messages ORDER BY id DESC LIMIT 2").fetchall()
        assert all(s.moderation_rows([r[0]]).get(r[0]) for r in new)  # screened: a first status
        assert any(e.actor == "campaigner" for e in s.audit_log(target="file:escape.csv"))


def test_a_zip_that_reaches_outside_is_refused_whole(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ok/messages.csv", "text\nhello\n")
        z.writestr("../../evil.csv", "text\nx\n")
    with pytest.raises(ValueError, match="outside"):
        unzip_safely(buf.getvalue(), tmp_path / "up")
    assert not (tmp_path / "up").exists() and not (tmp_path.parent / "evil.csv").exists()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.txt", b"0" * (201 * 1024 * 1024))
    with pytest.raises(ValueError, match="more than"):
        unzip_safely(bomb.getvalue(), tmp_path / "bomb")


def test_a_zip_of_a_campaign_folder_is_unpacked(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("demo/letters/letter-1.txt", "Querida Jani")
        z.writestr("demo/form.csv", "text\nhola\n")
    assert unzip_safely(buf.getvalue(), tmp_path / "up") == 2
    assert (tmp_path / "up" / "demo" / "letters" / "letter-1.txt").read_text() == "Querida Jani"


def test_upload_names_and_types():
    assert safe_filename("C:\\Users\\x\\msgs.csv", (".csv",)) == "msgs.csv"
    assert safe_filename("../../etc/pass wd.csv", (".csv",)) == "pass_wd.csv"
    with pytest.raises(ValueError):
        safe_filename("payload.exe", (".csv", ".xlsx"))
    with pytest.raises(ValueError):
        safe_filename("..csv", (".csv",))


def test_admin_adds_and_disables_accounts_and_others_cannot(studio_login, studio_db):
    admin, csrf = studio_login("admin")
    r = admin.post("/users", data={"csrf": csrf, "name": "lucia", "role": "translator", "password": "a long passphrase"},
                   follow_redirects=True)
    assert "user lucia added as translator" in r.text
    r = admin.post("/users", data={"csrf": csrf, "name": "x", "role": "translator", "password": "short"},
                   follow_redirects=True)
    assert "at least 10 characters" in r.text
    admin.post("/users", data={"csrf": csrf, "disable": "lucia"})
    with Store(studio_db) as s:
        row = s.db.execute("SELECT role, disabled, created_by FROM users WHERE name = 'lucia'").fetchone()
        hashed = s.db.execute("SELECT password_hash FROM users WHERE name = 'lucia'").fetchone()[0]
    assert tuple(row) == ("translator", 1, "admin") and hashed.startswith("$argon2id$") and "passphrase" not in hashed
    mod, csrf_m = studio_login("moderator")
    assert mod.post("/users", data={"csrf": csrf_m, "name": "y", "role": "admin", "password": "0123456789a"}).status_code == 403
    assert mod.get("/pipeline").status_code == 403
