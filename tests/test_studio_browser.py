"""The studio end to end in a real headless browser (Debian's chromium through Playwright; nothing
is downloaded): the studio served by uvicorn on 127.0.0.1 in a background thread, the browser
driven from the test's own thread (Playwright's sync API). Each flow checks what the page shows
and what the store holds afterwards. On the way the tests save a screenshot of each page to
docs/studio/<page>.png (1280x900), which the README shows."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import studio_password

from letterworld.records import Message
from letterworld.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "studio"
VIEWPORT = {"width": 1280, "height": 900}
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
# every Content-Security-Policy violation a page reports (the studio's pages must cause none)
RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""
UNDECIDED = {"pending", "held", "needs_translation"}
SLOW = 300_000  # ms: composing a letter or exporting slides on a busy machine


# -- the server and the browser ----------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's chromium; "
                    "run `bash scripts/setup.sh --test` to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def server(studio_app):
    """The studio served by uvicorn on a free port of 127.0.0.1, in a background thread; its URL."""
    from letterworld.studio.load import serve

    try:
        with serve(studio_app) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT, base_url=server, accept_downloads=True)
    context.add_init_script(RECORD_CSP)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.errors = []  # uncaught page errors
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()


def sign_in(page, name: str, nxt: str = "/") -> None:
    page.goto(f"/login?next={nxt}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", studio_password(name))
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    assert page.locator("header form.who span").inner_text() == f"{name} · {role_of(name)}"


def role_of(name: str) -> str:
    return "moderator" if name == "mod2" else name


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def shot(page, name: str) -> None:
    """docs/studio/<name>.png of what the browser shows now; the page must have loaded cleanly
    under its own Content-Security-Policy (no violation, no script error)."""
    page.wait_for_load_state("load")
    assert csp_violations(page) == [], f"{name}: {csp_violations(page)}"
    assert page.errors == [], f"{name}: {page.errors}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # studio.js scrolls to the first item; show the page's top
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def decision(db, mid: int):
    with Store(db) as s:
        return s.moderation_rows([mid])[mid]


def item_ids(page) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all("[data-item]", "els => els.map(e => e.dataset.id)")]


def current_id(page) -> int:
    return int(page.get_attribute("[data-item].current", "data-id"))


# -- signing in ----------------------------------------------------------------------------
def test_sign_in_through_the_form(page, studio_db):
    page.goto("/queue")
    assert re.search(r"/login\?next=/queue$", page.url), page.url
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", "not-the-password")
    page.click("button:has-text('Sign in')")
    assert page.locator(".flash.error").inner_text() == "wrong name or password"
    assert page.locator("header nav").count() == 0
    shot(page, "login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", studio_password("admin"))
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    assert page.url.endswith("/queue")  # back where the login was asked for
    assert page.locator("header form.who span").inner_text() == "admin · admin"
    nav = page.locator("header nav a").all_inner_texts()
    assert nav == ["Dashboard", "Moderation", "Translation desk", "Composer", "Designer", "Pipeline", "Users"]
    page.goto("/")
    with Store(studio_db) as s:
        total = s.count_messages()
    assert page.locator("h1").first.inner_text().startswith("Dashboard")
    assert str(total) in page.locator("main").inner_text()
    shot(page, "dashboard")
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    assert "/login" in page.url
    page.goto("/queue")
    assert "/login" in page.url
    with Store(studio_db) as s:
        actions = [e.action for e in s.audit_log(target="user:admin")]
    assert "login" in actions


@pytest.mark.parametrize("nxt", ["//evil.example/", "/%5Cevil.example/", "/%09/evil.example/", "https://evil.example/"])
def test_next_after_login_never_leaves_the_site(page, server, nxt):
    page.goto(f"/login?next={nxt}")
    page.fill("input[name=name]", "designer")
    page.fill("input[name=password]", studio_password("designer"))
    from playwright.sync_api import Error as PlaywrightError

    try:
        with page.expect_navigation(timeout=10_000):
            page.click("button:has-text('Sign in')")
    except PlaywrightError as exc:  # a navigation off the site fails here (no network): the URL says where
        print(f"navigation after the login: {exc}")
    assert urlsplit(page.url).netloc == urlsplit(server).netloc, page.url
    assert "evil.example" not in urlsplit(page.url).netloc


def test_a_role_sees_only_its_pages(page):
    sign_in(page, "translator")
    assert page.locator("header nav a").all_inner_texts() == ["Dashboard", "Translation desk"]
    r = page.goto("/queue")
    assert r.status == 403 and "may not do this" in page.content()


# -- the moderation queue --------------------------------------------------------------------
def test_approve_with_the_keyboard_only(page, studio_db):
    sign_in(page, "moderator", "/queue")
    ids = item_ids(page)
    assert len(ids) >= 3
    assert current_id(page) == ids[0]  # the keyboard starts on the riskiest message
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert current_id(page) == ids[2]
    page.keyboard.press("k")
    mid = current_id(page)
    assert mid == ids[1]
    shot(page, "queue")
    undecided = {i: decision(studio_db, i).status for i in ids[:3]}
    assert set(undecided.values()) <= UNDECIDED
    page.keyboard.press("a")
    chip = page.locator(f"#item-{mid} .meta .chip").first
    chip.wait_for()
    page.locator(f"#item-{mid}[data-decided='1']").wait_for()
    assert chip.inner_text().startswith("approved")
    assert "by moderator" in page.locator(f"#item-{mid} .meta").inner_text()
    assert page.locator(f"#item-{mid} .flash").inner_text() == "decided"
    row = decision(studio_db, mid)
    assert row.status in ("approved", "approved_redacted") and row.decided_by == "moderator" and row.manual
    # nothing else was decided
    for other in ids[:3]:
        if other != mid:
            assert decision(studio_db, other).status == undecided[other]
    assert page.errors == [] and csp_violations(page) == []

    # the message's own page: its decision and audit trail
    page.goto(f"/queue/message/{mid}")
    trail = page.locator("table").last.inner_text()
    assert re.search(rf"moderator\s+status\s+from: {undecided[mid]}, to: approved", trail), trail
    shot(page, "message")


def test_after_a_decision_the_keyboard_moves_to_the_next_message(page, studio_db):
    """studio.js: "after htmx swaps an item, keep the keyboard on the next undecided one"."""
    sign_in(page, "moderator", "/queue")
    ids = item_ids(page)
    page.keyboard.press("j")
    mid = current_id(page)
    page.keyboard.press("a")
    page.locator(f"#item-{mid}[data-decided='1']").wait_for()
    current = page.eval_on_selector_all("[data-item].current", "els => els.map(e => +e.dataset.id)")
    assert current == [ids[2]], f"after deciding {mid} the keyboard is on {current or 'no message'}, not {ids[2]}"
    first = decision(studio_db, ids[0]).status
    page.keyboard.press("r")  # must decide the message the keyboard is on, never another
    page.locator(f"#item-{ids[2]}[data-decided='1']").wait_for()
    assert decision(studio_db, ids[2]).status == "rejected"
    assert decision(studio_db, ids[0]).status == first


def test_reject_with_r(page, studio_db):
    sign_in(page, "moderator", "/queue")
    ids = item_ids(page)
    page.keyboard.press("j")
    mid = current_id(page)
    assert mid == ids[1]
    first = decision(studio_db, ids[0]).status
    reason = page.locator(f"#item-{mid} select[name=reason]").input_value()
    page.keyboard.press("r")
    page.locator(f"#item-{mid}[data-decided='1']").wait_for()
    assert page.locator(f"#item-{mid} .meta .chip").first.inner_text() == f"rejected · {reason}"
    row = decision(studio_db, mid)
    assert (row.status, row.reason_code, row.decided_by) == ("rejected", reason, "moderator")
    assert decision(studio_db, ids[0]).status == first


def test_undo_with_u_restores_the_earlier_decision(page, studio_db):
    sign_in(page, "moderator", "/queue")
    ids = item_ids(page)
    mid = next(i for i in ids if decision(studio_db, i).status == "pending")
    for _ in range(ids.index(mid)):
        page.keyboard.press("j")
    assert current_id(page) == mid
    before = decision(studio_db, mid)
    page.keyboard.press("r")
    page.locator(f"#item-{mid}[data-decided='1']").wait_for()
    assert decision(studio_db, mid).status == "rejected"
    page.keyboard.press("u")
    page.wait_for_load_state("load")
    page.locator(".flash.ok").wait_for()
    assert page.locator(".flash.ok").inner_text() == "undone: 1 message(s) back to their earlier decision"
    after = decision(studio_db, mid)
    assert (after.status, after.decided_by, after.decided_at, after.manual) == \
           (before.status, before.decided_by, before.decided_at, before.manual)
    assert page.locator(f"#item-{mid} .meta .chip").first.inner_text() == "pending"
    with Store(studio_db) as s:
        undos = [json.loads(e.detail) for e in s.audit_log(actor="moderator") if e.action == "undo"]
    assert len(undos) == 1 and mid in undos[0]["restored"], undos


def test_focus_mode_and_its_help_overlay(page):
    sign_in(page, "moderator", "/queue")
    page.keyboard.press("f")  # the queue's "Focus mode" button
    page.wait_for_url("**/queue/focus*")
    assert page.locator("[data-item]").count() == 1
    assert page.locator("#help").is_hidden()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    keys = page.locator("#help-keys").inner_text()
    for k, what in (("j / k", "next / previous message"), ("a", "approve"), ("r", "reject"), ("h", "hold"), ("n", "next")):
        assert re.search(rf"(^|\n){re.escape(k)}\n", keys), (k, keys)
        if what:
            assert what in keys
    shot(page, "focus")
    page.keyboard.press("Escape")
    assert page.locator("#help").is_hidden()


def test_bulk_approve_a_duplicate_group(page, studio_db):
    with Store(studio_db) as s:
        sizes = s.group_sizes()
        group = max(sizes, key=lambda g: (sizes[g], -g))
        members = sorted(m for m, d in s.duplicates().items() if d.group_id == group)
        with s.transaction():  # the group back in the queue, as the screening rules leave it
            for m in members:
                assert s.set_status(m, "pending", actor="rule:screen", manual=False)
    sign_in(page, "moderator", "/queue/groups")
    row = page.locator("tr", has=page.locator(f"input[name=group][value='{group}']"))
    assert row.locator("td").nth(1).inner_text() == str(len(members))
    with page.expect_navigation():
        row.locator("button:has-text('Approve group')").click()
    heading = page.locator("h1").inner_text()
    m = re.fullmatch(r"Bulk approve: (\d+) message\(s\) will change", heading)
    assert m, heading
    n = int(m.group(1))
    shown = [int(x) for x in page.eval_on_selector_all("input[name=id]", "els => els.map(e => e.value)")]
    assert n == len(shown) > 0 and set(shown) <= set(members)
    skipped = set(members) - set(shown)  # risky ones are decided one by one
    assert page.locator("button.primary").inner_text() == f"Approve these {n}"
    assert all(decision(studio_db, i).status == "pending" for i in members)  # the preview changed nothing
    page.fill("input[name=why]", "one campaign template, read once")
    with page.expect_navigation():
        page.click("button.primary")
    assert page.url.endswith("/queue")
    assert page.locator(".flash").first.inner_text().startswith("approve:")
    for i in shown:
        row = decision(studio_db, i)
        assert row.status in ("approved", "approved_redacted") and row.decided_by == "moderator", (i, row)
    for i in skipped:
        assert decision(studio_db, i).status == "pending"
    with Store(studio_db) as s:
        assert any(e.action.startswith("bulk") and e.actor == "moderator" for e in s.audit_log(actor="moderator"))


def add_hostile_message(db) -> int:
    with Store(db) as s, s.transaction():
        s.add_messages([Message(text=HOSTILE, source_file="hostile.csv", source_row=1, country="ZZ")])
        mid = s.db.execute("SELECT id FROM messages WHERE source_file = 'hostile.csv'").fetchone()[0]
        s.set_status(mid, "pending", actor="rule:screen", manual=False)
    return mid


def test_injected_script_stays_inert(page, studio_db):
    mid = add_hostile_message(studio_db)
    sign_in(page, "moderator", "/queue")
    for path in ("/queue?country=ZZ", f"/queue/message/{mid}", "/queue/focus?country=ZZ"):
        page.goto(path)
        text = page.locator(f"#item-{mid} .text")
        assert text.inner_text() == HOSTILE, path  # shown as the literal text it is
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("main script").count() == 0
        # not even a refused attempt: the markup never became markup, so the CSP had nothing to stop
        assert csp_violations(page) == [], (path, csp_violations(page))
        assert page.errors == []
    page.goto("/queue?country=ZZ")
    page.keyboard.press("a")
    page.locator(f"#item-{mid}[data-decided='1']").wait_for()
    assert page.locator(f"#item-{mid} .text").inner_text() == HOSTILE  # and after htmx swapped it in
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert csp_violations(page) == []
    assert decision(studio_db, mid).decided_by == "moderator"


# -- the translation desk, the composer, the designer --------------------------------------
def test_translate_a_quote(page, studio_db):
    sign_in(page, "translator", "/translate")
    items = page.locator("article.desk-item")
    assert items.count() > 0, page.locator("main").inner_text()[:500]
    lang = re.search(r"into (\S+)$", page.locator("h1").inner_text()).group(1)
    shot(page, "translate")
    missing = page.locator("article.desk-item.status-missing")
    card = missing.first if missing.count() else items.first
    qid = card.get_attribute("data-quote-id")
    words = f"Una traducción escrita en el estudio ({qid})."
    card.locator("textarea[name=text]").fill(words)
    with page.expect_navigation():
        card.locator("button[type=submit]", has_text="Save").click()
    flash = page.locator(".flash").first.inner_text()
    assert flash == f"{qid}: translation into {lang} saved, by translator", flash
    card = page.locator(f"article.desk-item[data-quote-id='{qid}']")
    assert "accepted · translator" in card.locator(".meta").inner_text()
    assert card.locator("textarea[name=text]").input_value() == words
    with Store(studio_db) as s:
        mid, a, b = re.fullmatch(r"(\d+):(\d+)-(\d+)", qid).groups()
        rows = s.db.execute("SELECT text, status, translator, actor FROM translations WHERE message_id = ? AND "
                            "start = ? AND end = ? AND lang = ? ORDER BY id DESC", (mid, a, b, lang)).fetchall()
    assert rows and tuple(rows[0]) == (words, "accepted", "translator", "translator")


def _letter(db):
    with Store(db) as s:
        return s.latest_letter()


def _quote_ids(letter) -> list[str]:
    return [b["id"] for b in letter["blocks"] if b.get("kind") == "quote"]


def test_pin_and_swap_a_quote_and_compose_a_version(page, studio_db):
    page.set_default_timeout(SLOW)
    first = _letter(studio_db)
    sign_in(page, "campaigner", "/compose")
    assert f"Version {first['version']}" in page.locator("section.summary").inner_text()
    shot(page, "compose")
    cards = page.locator(".quote-card.in-letter")
    assert cards.count() == len(_quote_ids(first))
    pin = cards.nth(0).get_attribute("data-quote-id")
    with page.expect_navigation():
        cards.nth(0).locator("button:has-text('Pin')").click()
    assert page.locator(".flash.error").count() == 0, page.locator(".flash.error").all_inner_texts()
    pinned = _letter(studio_db)
    assert pinned["version"] == first["version"] + 1
    assert pin in _quote_ids(pinned)
    choices = page.locator("section.choices table").first.inner_text()
    assert re.search(rf"pin\s+{re.escape(pin)}.*campaigner", choices, re.DOTALL), choices
    assert f"Version {pinned['version']}" in page.locator("section.summary").inner_text()

    out = next(q for q in _quote_ids(pinned) if q != pin)
    card = page.locator(f".quote-card.in-letter[data-quote-id='{out}']")
    with page.expect_navigation():
        card.locator("button:has-text('Swap')").click()
    flash = page.locator(".flash").first.inner_text()
    m = re.fullmatch(rf"swapped {re.escape(out)} for (\S+); version (\d+)", flash)
    assert m, flash
    swapped = _letter(studio_db)
    assert int(m.group(2)) == swapped["version"] == pinned["version"] + 1
    assert out not in _quote_ids(swapped) and m.group(1) in _quote_ids(swapped) and pin in _quote_ids(swapped)
    assert page.locator(f".preview [data-quote-id='{m.group(1)}']").count() == 1
    assert page.locator(f".preview [data-quote-id='{out}']").count() == 0

    # and a new version for another length, composed from the page
    page.fill("input[name=minutes]", "2")
    with page.expect_navigation():
        page.click("button:has-text('Re-compose')")
    assert page.locator(".flash.error").count() == 0, page.locator(".flash.error").all_inner_texts()
    third = _letter(studio_db)
    assert third["version"] == swapped["version"] + 1 and third["target"]["seconds"] == 120
    assert pin in _quote_ids(third) and out not in _quote_ids(third)
    with Store(studio_db) as s:
        versions = s.letter_versions(third["recipient"])
    assert [v["actor"] for v in versions][-3:] == ["campaigner"] * 3
    assert page.errors == [] and csp_violations(page) == []


def test_download_the_slides_export(page, studio_db, tmp_path):
    page.set_default_timeout(SLOW)
    sign_in(page, "designer", "/design")
    letter = _letter(studio_db)
    assert f"Letter v{letter['version']}" in page.locator("main").inner_text()
    page.wait_for_function("() => { const i = document.querySelector('img.slide'); "
                           "return i && i.complete && i.naturalWidth > 0; }")
    shot(page, "design")
    video = page.locator("input[name=video]")
    if video.is_enabled() and video.is_checked():
        video.uncheck()  # the slides, PDF and contact sheet are what is checked here
    with page.expect_navigation():
        page.click("section.export button.primary")
    assert re.search(r"/design/export/\d+$", page.url), page.url
    link = page.locator("a.download")
    link.wait_for(timeout=SLOW)  # the page polls the job (htmx) until it is done
    assert page.locator(".job-state").inner_text() == "done"
    with page.expect_download() as dl:
        link.click()
    download = dl.value
    assert download.suggested_filename == f"slides-v{letter['version']}-{page_preset(page)}.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert any(n.endswith("/manifest.json") for n in names)
        pngs = [n for n in names if n.endswith(".png")]
        assert len(pngs) >= 2 and z.testzip() is None
    with Store(studio_db) as s:
        entries = [e for e in s.audit_log() if e.action == "export-slides"]
    assert entries and entries[-1].actor == "designer"
    assert page.errors == [] and csp_violations(page) == []


def page_preset(page) -> str:
    return re.search(r"export slides v\d+ (\S+) ", page.locator("#job p").first.inner_text()).group(1)


# -- the pipeline and the accounts ------------------------------------------------------------
def test_pipeline_and_users_pages(page, studio_db):
    sign_in(page, "admin", "/pipeline")
    with Store(studio_db) as s:
        total = s.count_messages()
    assert page.locator("h1").inner_text() == f"Pipeline {total} messages in the store"
    stages = page.locator("form[action='/pipeline/run'] table tr td:nth-child(2)").all_inner_texts()
    assert {"ingest", "screen", "compose"} <= set(stages), stages
    shot(page, "pipeline")
    page.goto("/users")
    page.fill("form.filters input[name=name]", "reader1")
    page.select_option("form.filters select[name=role]", "translator")
    page.fill("form.filters input[name=password]", "a-long-enough-password")
    with page.expect_navigation():
        page.click("form.filters button:has-text('Add')")
    assert page.locator(".flash").first.inner_text() == "user reader1 added as translator"
    row = page.locator("tr", has_text="reader1")
    assert row.locator("td").nth(1).inner_text() == "translator"
    with Store(studio_db) as s:
        assert s.db.execute("SELECT role, created_by FROM users WHERE name = 'reader1'").fetchone()[:] == \
               ("translator", "admin")
    shot(page, "users")
