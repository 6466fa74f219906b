"""The studio at the HTTP level (starlette's TestClient): who may do what on every route, CSRF on
every write, the login rate limit, disabled accounts, cookies, the Content-Security-Policy,
safe redirects after login, static files, and untrusted message text shown escaped."""

from __future__ import annotations

import re

import pytest
from conftest import STUDIO_ROLES, studio_password
from starlette.testclient import TestClient

from letterworld.records import Message
from letterworld.store import Store

# What each kind of work allows, written out here on purpose (not read from auth.PERMISSIONS):
# a change to who may do what must be a change to this test too.
ALLOWED = {
    "view": {"admin", "moderator", "translator", "campaigner", "designer"},
    "moderate": {"admin", "moderator"},
    "translate": {"admin", "translator", "campaigner"},
    "compose": {"admin", "campaigner"},
    "design": {"admin", "designer", "campaigner"},
    "pipeline": {"admin", "campaigner"},
    "users": {"admin"},
}

# (method, route as registered, a concrete path for it, the permission it needs): every studio page.
ROUTES = [
    ("GET", "/", "/", "view"),
    # the moderation queue
    ("GET", "/queue", "/queue", "moderate"),
    ("GET", "/queue/focus", "/queue/focus", "moderate"),
    ("GET", "/queue/groups", "/queue/groups", "moderate"),
    ("GET", "/queue/message/{mid:int}", "/queue/message/1", "moderate"),
    ("GET", "/queue/history", "/queue/history", "moderate"),
    ("POST", "/queue/{mid:int}/decide", "/queue/1/decide", "moderate"),
    ("POST", "/queue/{mid:int}/dismiss", "/queue/1/dismiss", "moderate"),
    ("POST", "/queue/{mid:int}/redact", "/queue/1/redact", "moderate"),
    ("POST", "/queue/undo", "/queue/undo", "moderate"),
    ("POST", "/queue/claim", "/queue/claim", "moderate"),
    ("POST", "/queue/bulk", "/queue/bulk", "moderate"),
    # the translation desk
    ("GET", "/translate", "/translate", "translate"),
    ("POST", "/translate/save", "/translate/save", "translate"),
    ("POST", "/translate/accept", "/translate/accept", "translate"),
    ("POST", "/translate/draft", "/translate/draft", "translate"),
    # the composer
    ("GET", "/compose", "/compose", "compose"),
    ("POST", "/compose/pin", "/compose/pin", "compose"),
    ("POST", "/compose/ban", "/compose/ban", "compose"),
    ("POST", "/compose/unpin", "/compose/unpin", "compose"),
    ("POST", "/compose/swap", "/compose/swap", "compose"),
    ("POST", "/compose/move", "/compose/move", "compose"),
    ("POST", "/compose/drop", "/compose/drop", "compose"),
    ("POST", "/compose/arc", "/compose/arc", "compose"),
    ("POST", "/compose/edit", "/compose/edit", "compose"),
    ("POST", "/compose/length", "/compose/length", "compose"),
    ("POST", "/compose/restore", "/compose/restore", "compose"),
    ("GET", "/compose/sheet.xlsx", "/compose/sheet.xlsx", "translate"),
    ("POST", "/compose/sheet", "/compose/sheet", "translate"),
    ("GET", "/compose/script.{fmt}", "/compose/script.txt", "compose"),
    # the designer
    ("GET", "/design", "/design", "design"),
    ("GET", "/design/slide/{n:int}.png", "/design/slide/1.png", "design"),
    ("GET", "/design/contact.png", "/design/contact.png", "design"),
    ("POST", "/design/choice", "/design/choice", "design"),
    ("POST", "/design/export", "/design/export", "design"),
    ("GET", "/design/export/{jid:int}", "/design/export/999", "design"),
    ("GET", "/design/download", "/design/download?file=exports/none.zip", "design"),
    # the pipeline and the accounts
    ("GET", "/pipeline", "/pipeline", "pipeline"),
    ("POST", "/pipeline/upload", "/pipeline/upload", "pipeline"),
    ("POST", "/pipeline/run", "/pipeline/run", "pipeline"),
    ("GET", "/pipeline/job/{jid:int}", "/pipeline/job/999", "pipeline"),
    ("GET", "/users", "/users", "users"),
    ("POST", "/users", "/users", "users"),
]
POSTS = [r for r in ROUTES if r[0] == "POST"]
REFUSED = "accounts may not do this"
CSRF_REFUSED = "CSRF token"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_the_route_table_lists_every_studio_page(studio_app):
    from letterworld.studio.web import PAGES

    registered = {(m, r.path) for r in PAGES for m in r.methods if m != "HEAD"}
    listed = {(m, p) for m, p, _, _ in ROUTES}
    assert registered == listed, (f"routes not in this test's table: {sorted(registered - listed)}; "
                                  f"listed but gone: {sorted(listed - registered)}")


@pytest.mark.parametrize("role", STUDIO_ROLES)
def test_role_boundaries(studio_login, role):
    """Each role gets every page its permission allows and a 403 on every other; a write it may
    do is still refused without the CSRF token (so nothing is run here), one it may not do is
    refused for the role before the token is even looked at."""
    client, _ = studio_login(role)
    wrong = []
    for method, _, path, perm in ROUTES:
        allowed = role in ALLOWED[perm]
        r = client.request(method, path, data={} if method == "POST" else None, follow_redirects=False)
        if not allowed:
            ok = r.status_code == 403 and REFUSED in r.text
        elif method == "GET":
            ok = r.status_code < 500 and REFUSED not in r.text and r.status_code != 401
        else:
            ok = r.status_code == 403 and CSRF_REFUSED in r.text and REFUSED not in r.text
        if not ok:
            wrong.append(f"{role} {method} {path} ({'allowed' if allowed else 'refused'} expected): "
                         f"{r.status_code} {r.text[:120]!r}")
    assert not wrong, "\n".join(wrong)


def test_not_signed_in_is_sent_to_the_login(studio_app):
    client = TestClient(studio_app, base_url="http://127.0.0.1")
    for method, _, path, _ in ROUTES:
        r = client.request(method, path, data={} if method == "POST" else None, follow_redirects=False)
        if method == "GET":
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (path, r.status_code)
        else:
            assert r.status_code == 401, (method, path, r.status_code)
    r = client.get("/queue", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 401


def test_every_write_needs_the_csrf_token(studio_login, studio_db):
    client, csrf = studio_login("admin")  # an admin may do everything: only the token is missing
    with Store(studio_db) as s:
        before = s.last_audit_id()
    for _, _, path, _ in POSTS:
        for data, headers in (({}, {}), ({"csrf": "not-the-token"}, {}), ({}, {"X-CSRF-Token": "not-the-token"}),
                              ({"csrf": ""}, {})):
            r = client.post(path, data=data, headers=headers, follow_redirects=False)
            assert r.status_code == 403 and CSRF_REFUSED in r.text, (path, data, headers, r.status_code, r.text[:200])
    r = client.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/queue", follow_redirects=False).status_code == 200  # still signed in
    with Store(studio_db) as s:
        assert s.last_audit_id() == before, "a refused write changed the store"
    # the same write with the token goes through (the refusals above were about the token)
    r = client.post("/queue/undo", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/queue/undo", headers={"X-CSRF-Token": csrf, "HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 204 and r.headers.get("HX-Redirect") == "/queue"
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/queue", follow_redirects=False).status_code == 303


def _login(client, name, password, nxt="/"):
    return client.post("/login", data={"name": name, "password": password, "next": nxt}, follow_redirects=False)


def test_login_rate_limit(studio_app):
    client = TestClient(studio_app, base_url="http://127.0.0.1")
    for _ in range(5):
        r = _login(client, "moderator", "not-the-password")
        assert r.status_code == 401 and "wrong name or password" in r.text
    r = _login(client, "moderator", studio_password("moderator"))
    assert r.status_code == 429, r.status_code
    assert "too many failed logins" in r.text
    assert "set-cookie" not in r.headers
    # an unknown name is refused in the same words (no telling which names exist)
    other = TestClient(studio_app, base_url="http://127.0.0.1", client=("10.0.0.9", 50000))
    r = _login(other, "nobody-here", "whatever-it-is")
    assert r.status_code == 401 and "wrong name or password" in r.text


def test_a_disabled_users_session_stops_working(studio_login, studio_app):
    mod, mod_csrf = studio_login("moderator")
    assert mod.get("/queue", follow_redirects=False).status_code == 200
    admin, admin_csrf = studio_login("admin")
    r = admin.post("/users", data={"csrf": admin_csrf, "disable": "moderator"}, follow_redirects=False)
    assert r.status_code == 303
    r = mod.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = mod.post("/queue/undo", data={"csrf": mod_csrf}, follow_redirects=False)
    assert r.status_code == 401
    # and it cannot sign in again
    fresh = TestClient(studio_app, base_url="http://127.0.0.1", client=("10.0.0.7", 50000))
    r = _login(fresh, "moderator", studio_password("moderator"))
    assert r.status_code != 303 and "set-cookie" not in r.headers
    assert "disabled" in r.text
    # enabled again, the old session stays ended; a new login works
    admin.post("/users", data={"csrf": admin_csrf, "enable": "moderator"}, follow_redirects=False)
    assert mod.get("/queue", follow_redirects=False).status_code == 303
    fresh2 = TestClient(studio_app, base_url="http://127.0.0.1", client=("10.0.0.8", 50000))
    assert _login(fresh2, "moderator", studio_password("moderator")).status_code == 303


def test_session_cookie_is_httponly_and_samesite_strict(studio_app):
    client = TestClient(studio_app, base_url="http://127.0.0.1")
    r = _login(client, "designer", studio_password("designer"))
    assert r.status_code == 303
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 1, cookies
    parts = [p.strip().lower() for p in cookies[0].split(";")]
    assert parts[0].startswith("letterworld_session=") and len(parts[0]) > len("letterworld_session=") + 20
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert "path=/" in parts
    assert any(p.startswith("max-age=") for p in parts)


def _check_csp(r, what):
    csp = r.headers.get("content-security-policy")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (what, csp)
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("script-src") == ["'self'"], (what, csp)
    assert directives.get("default-src") == ["'self'"], (what, csp)
    assert directives.get("object-src") == ["'none'"], (what, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (what, csp)
    assert r.headers.get("x-content-type-options") == "nosniff", what


def test_csp_header_on_every_response(studio_login, studio_app):
    anon = TestClient(studio_app, base_url="http://127.0.0.1")
    for method, path in (("GET", "/login"), ("GET", "/static/studio.js"), ("GET", "/static/nothing.js"),
                         ("GET", "/no/such/page"), ("GET", "/queue"), ("POST", "/queue/undo")):
        _check_csp(anon.request(method, path, follow_redirects=False), f"anonymous {method} {path}")
    _check_csp(_login(anon, "admin", "wrong-password-here"), "a failed login")
    client, _ = studio_login("translator")
    for method, _, path, _ in ROUTES:
        if path in ("/design/contact.png", "/design/slide/1.png"):
            continue  # drawing slides is slow and a translator is refused them anyway (checked below)
        r = client.request(method, path, data={} if method == "POST" else None, follow_redirects=False)
        _check_csp(r, f"translator {method} {path} ({r.status_code})")
    _check_csp(client.get("/design/contact.png", follow_redirects=False), "a refused image")
    _check_csp(_login(TestClient(studio_app, base_url="http://127.0.0.1"), "admin", studio_password("admin")),
               "the login redirect")


@pytest.mark.parametrize("nxt", ["//evil.example", "//evil.example/queue", "https://evil.example/",
                                 "http:/evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
                                 "javascript:alert(1)", "evil.example"])
def _as_a_browser_goes(location: str) -> str:
    """Where a browser on http://127.0.0.1/ goes for this Location (the URL standard: tabs and
    newlines dropped, a backslash read as a slash)."""
    from urllib.parse import urljoin, urlsplit

    loc = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://127.0.0.1/", loc)).netloc


@pytest.mark.parametrize("nxt", ["//evil.example", "//evil.example/queue", "https://evil.example/",
                                 "http:/evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
                                 "javascript:alert(1)", "evil.example", "///evil.example"])
def test_next_after_login_stays_on_this_site(studio_app, nxt):
    client = TestClient(studio_app, base_url="http://127.0.0.1")
    r = client.get("/login", params={"next": nxt})
    shown = re.search(r'name="next" value="([^"]*)"', r.text).group(1)
    assert shown.startswith("/") and not shown.startswith("//"), shown
    r = _login(client, "admin", studio_password("admin"), nxt)
    assert r.status_code == 303
    loc = r.headers["location"]
    assert _as_a_browser_goes(loc) == "127.0.0.1", loc
    if nxt.startswith(("//", "https:", "javascript:", "evil")):
        assert loc == "/"


def test_next_after_login_keeps_a_local_path(studio_app):
    client = TestClient(studio_app, base_url="http://127.0.0.1")
    r = client.get("/queue/groups", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/queue/groups"
    r = _login(client, "moderator", studio_password("moderator"), "/queue/groups")
    assert r.status_code == 303 and r.headers["location"] == "/queue/groups"


def test_static_files_are_served(studio_app):
    client = TestClient(studio_app, base_url="http://127.0.0.1")  # no login needed
    for name, kind in (("studio.js", "javascript"), ("studio.css", "text/css"), ("htmx.min.js", "javascript")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"] and len(r.content) > 100, name
    assert client.get("/static/nothing-here.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/%2e%2e/app.py").status_code == 404


def add_hostile_message(db) -> int:
    """A pending message whose text is markup that would run if a page put it in unescaped."""
    with Store(db) as s, s.transaction():
        s.add_messages([Message(text=HOSTILE, source_file="hostile.csv", source_row=1, country="ZZ",
                                recipient="")])
        mid = s.db.execute("SELECT id FROM messages WHERE source_file = 'hostile.csv'").fetchone()[0]
        s.set_status(mid, "pending", actor="rule:screen", manual=False)
    return mid


def test_message_markup_is_shown_escaped_on_the_queue(studio_db, studio_login):
    mid = add_hostile_message(studio_db)
    client, _ = studio_login("moderator")
    for path in ("/queue?country=ZZ", f"/queue/message/{mid}"):
        r = client.get(path)
        assert r.status_code == 200
        assert f'id="item-{mid}"' in r.text
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in r.text
        assert "<script>window.__pwned" not in r.text
        assert "<img src=x" not in r.text
        assert re.search(r"&lt;img src=x onerror=(&#34;|&quot;)window.__pwned=2(&#34;|&quot;)&gt;", r.text)
        # the only scripts on the page are the studio's own files
        assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/htmx.min.js">',
                                                        '<script src="/static/studio.js">']
