"""Done when (issue 17): a team takes the demo from nothing to an exported Spanish letter and
slides in the browser alone. Only the first admin account comes from the command line
(`letterworld user add`); then, in Debian's chromium: sign in, upload the demo campaign as a
ZIP (ingest, detect, embed, screen run in the background), run themes, excerpts and compose
from the pipeline page, import the translators' sheet on the composer, compose again, export
the slides and download them."""

from __future__ import annotations

import io
import zipfile

import pytest
from typer.testing import CliRunner

from letterworld.cli import app as cli
from letterworld.letter import quotes
from letterworld.pipeline import DEMO_DIR, demo_translations
from letterworld.store import Store
from letterworld.studio import create_app
from letterworld.studio.load import serve
from test_studio_browser import CHROMIUM_ARGS, RECORD_CSP, SLOW, VIEWPORT, browser, csp_violations  # noqa: F401

PASSWORD = "the first admin's passphrase"


@pytest.fixture
def fresh(tmp_path, embedder):
    db = tmp_path / "campaign" / "campaign.db"
    r = CliRunner().invoke(cli, ["user", "add", "ana", "--role", "admin", "--db", str(db), "--password-stdin"],
                           input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    with serve(create_app(db, config=DEMO_DIR / "campaign.toml", embedder=embedder)) as url:
        yield db, url


def _demo_zip(tmp_path):
    path = tmp_path / "demo.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(DEMO_DIR.rglob("*")):
            if f.is_file():
                z.write(f, f"demo/{f.relative_to(DEMO_DIR)}")
    path.write_bytes(buf.getvalue())
    return path


def _wait_done(page):
    page.wait_for_function("() => { const s = document.querySelector('.job-state'); "
                           "return s && (s.textContent === 'done' || s.textContent === 'failed'); }", timeout=SLOW)
    assert page.locator(".job-state").inner_text() == "done", page.locator("#job").inner_text()[-2000:]


def test_from_nothing_to_a_spanish_letter_and_slides_in_the_browser(browser, fresh, tmp_path):  # noqa: F811
    db, url = fresh
    context = browser.new_context(viewport=VIEWPORT, base_url=url, accept_downloads=True)
    context.add_init_script(RECORD_CSP)
    context.set_default_timeout(SLOW)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/")
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")

    # upload the campaign's files: ingest and screening run in the background
    page.goto("/pipeline")
    page.set_input_files("input[name=file]", str(_demo_zip(tmp_path)))
    with page.expect_navigation():
        page.click("button:has-text('Upload, ingest and screen')")
    _wait_done(page)
    with Store(db) as s:
        assert s.count_messages() == 740
        statuses = set(s.statuses().values())
    assert "approved" in statuses and "pending" in statuses  # the campaign auto-approves unflagged ones only

    # themes, excerpts and the letter, from the pipeline page
    page.goto("/pipeline")
    for stage in ("themes", "excerpts", "compose"):
        page.check(f"#st-{stage}")
    with page.expect_navigation():
        page.click("button:has-text('Run the chosen stages')")
    _wait_done(page)
    with Store(db) as s:
        draft = s.latest_letter()
    assert draft["lang"] == "es" and not draft["final"] and draft["missing_translations"]

    # the translators' sheet, then compose again: a final Spanish letter
    page.goto("/compose")
    page.set_input_files("input[name=sheet]", str(demo_translations()[0]))
    with page.expect_navigation():
        page.click("button:has-text('Import sheet')")
    assert "imported" in page.locator(".flash").first.inner_text()
    page.goto("/compose")
    with page.expect_navigation():
        page.click("button:has-text('Re-compose')")
    with Store(db) as s:
        letter = s.latest_letter()
        actors = {r[0] for r in s.db.execute("SELECT actor FROM letters")}
    assert letter["version"] > draft["version"] and letter["final"] and letter["lang"] == "es"
    assert len(quotes(letter)) >= 12 and all(q["translation"]["text"] for q in quotes(letter) if q["lang"] != "es")
    assert actors == {"ana"}

    # slides, exported and downloaded
    page.goto("/design")
    video = page.locator("input[name=video]")
    if video.is_enabled() and video.is_checked():
        video.uncheck()
    with page.expect_navigation():
        page.click("section.export button.primary")
    link = page.locator("a.download")
    link.wait_for(timeout=SLOW)
    with page.expect_download() as dl:
        link.click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert any(n.endswith("manifest.json") for n in names) and any(n.endswith(".pdf") for n in names)
    assert sum(n.endswith(".png") for n in names) >= len(quotes(letter))
    assert errors == [] and csp_violations(page) == []
    with Store(db) as s:
        done_by = {e.action: e.actor for e in s.audit_log()}
    assert done_by["upload"] == done_by["export-slides"] == "ana"
    context.close()
