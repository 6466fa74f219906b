"""The studio's moderation queue over HTTP: decisions, conflicts between moderators, undo,
claims, bulk actions with their preview, redactions, dismissals, the audit trail."""

import re

from letterworld.moderation import queue as q
from letterworld.records import Message
from letterworld.store import Store

HX = {"HX-Request": "true"}


def _first_pending(db):
    with Store(db) as s:
        items = q.items(s, q.Selection(statuses=["pending"]))
        return items[0].id, q.stamp(s.moderation_rows([items[0].id])[items[0].id])


def _note(html):
    return re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', html)


def test_a_decision_is_audited_with_the_user_and_a_second_moderator_is_refused(studio_login, studio_db):
    mid, stamp = _first_pending(studio_db)
    a, csrf_a = studio_login("moderator")
    b, csrf_b = studio_login("mod2")
    r = a.post(f"/queue/{mid}/decide", data={"csrf": csrf_a, "action": "reject", "reason": "abuse", "stamp": stamp},
               headers=HX)
    assert r.status_code == 200 and _note(r.text) == ["decided"]
    r = b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "approve", "stamp": stamp}, headers=HX)
    assert "already decided by moderator" in _note(r.text)[0]
    with Store(studio_db) as s:
        row = s.moderation_rows([mid])[mid]
        trail = [(e.actor, e.action) for e in s.audit_log(target=f"message:{mid}")]
    assert (row.status, row.reason_code, row.decided_by) == ("rejected", "abuse", "moderator")
    assert ("moderator", "status") in trail and not any(who == "mod2" for who, _ in trail)
    page = a.get(f"/queue/message/{mid}").text  # the audit trail names who decided
    assert re.search(r"<td>moderator</td><td>status</td>", page)


def test_a_stale_stamp_is_refused_even_for_an_override(studio_login, studio_db):
    mid, stamp = _first_pending(studio_db)
    a, csrf_a = studio_login("moderator")
    b, csrf_b = studio_login("mod2")
    a.post(f"/queue/{mid}/decide", data={"csrf": csrf_a, "action": "approve", "stamp": stamp})
    r = b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "reject", "reason": "spam", "stamp": stamp,
                                             "override": "1"}, headers=HX)
    assert "since it was shown to you" in _note(r.text)[0]
    with Store(studio_db) as s:
        fresh = q.stamp(s.moderation_rows([mid])[mid])
    r = b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "reject", "reason": "spam", "stamp": fresh,
                                             "override": "1"}, headers=HX)
    assert _note(r.text) == ["decided"]  # a deliberate change, made on what the moderator saw


def test_undo_takes_back_a_whole_bulk_action_and_only_ones_own(studio_login, studio_db):
    a, csrf = studio_login("moderator")
    with Store(studio_db) as s:
        before = s.moderation_rows()
    r = a.post("/queue/bulk", data={"csrf": csrf, "action": "approve", "status": "undecided", "lang": "es"})
    ids = [int(x) for x in re.findall(r'name="id" value="(\d+)"', r.text)]
    stamps = re.findall(r'name="stamp" value="([^"]*)"', r.text)
    assert ids and f"{len(ids)} message(s) will change" in r.text
    a.post("/queue/bulk", data={"csrf": csrf, "action": "approve", "status": "undecided", "lang": "es",
                                "confirm": "1", "id": [str(i) for i in ids], "stamp": stamps})
    with Store(studio_db) as s:
        after = s.moderation_rows(ids)
    assert all(after[i].status.startswith("approved") and after[i].decided_by == "moderator" for i in ids)
    a.post("/queue/undo", data={"csrf": csrf})
    with Store(studio_db) as s:
        undone = s.moderation_rows()
    assert {i: (undone[i].status, undone[i].decided_by) for i in ids} == \
        {i: (before[i].status, before[i].decided_by) for i in ids}
    r = a.post("/queue/undo", data={"csrf": csrf}, follow_redirects=True)
    assert "no decision left to undo" in r.text


def test_a_claimed_batch_cannot_be_decided_by_another_moderator(studio_login, studio_db):
    a, csrf_a = studio_login("moderator")
    b, csrf_b = studio_login("mod2")
    a.post("/queue/claim", data={"csrf": csrf_a, "size": "5"})
    with Store(studio_db) as s:
        claimed = s.claims()
    assert len(claimed) == 5 and {u for u, _ in claimed.values()} == {"moderator"}
    mid = next(iter(claimed))
    r = b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "approve"}, headers={"Accept": "application/json"})
    assert r.status_code == 409 and "claimed by moderator" in r.json()["conflict"]
    mine = a.get("/queue?claimed=mine").text
    assert sorted(int(x) for x in re.findall(r'id="item-(\d+)"', mine)) == sorted(claimed)
    a.post("/queue/claim", data={"csrf": csrf_a, "release": "1"})
    r = b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "approve"}, headers={"Accept": "application/json"})
    assert r.json()["decided"] is True


def test_bulk_approval_preview_lists_risky_messages_as_skipped(studio_login, studio_db):
    a, csrf = studio_login("moderator")
    r = a.post("/queue/bulk", data={"csrf": csrf, "action": "approve", "status": "undecided"})
    change = {int(x) for x in re.findall(r'name="id" value="(\d+)"', r.text)}
    with Store(studio_db) as s:
        risky = {i.id for i in q.items(s, q.Selection(statuses=list(q.UNDECIDED)))
                 if any(f.kind in q.RISKY_KINDS for f in i.flags)}
    assert risky and not (risky & change)
    assert f"{len(risky)} will be skipped" in r.text


def test_two_person_rule_shows_what_waits_for_a_second_approval(studio_login, studio_db):
    with Store(studio_db) as s:
        q.set_two_person_rule(s, True, actor="admin")
    mid, stamp = _first_pending(studio_db)
    a, csrf_a = studio_login("moderator")
    r = a.post(f"/queue/{mid}/decide", data={"csrf": csrf_a, "action": "approve", "stamp": stamp}, headers=HX)
    assert "waits for a second moderator" in _note(r.text)[0]
    waiting = a.get("/queue?awaiting=1&status=").text
    assert f'id="item-{mid}"' in waiting and "first: moderator" in waiting
    b, csrf_b = studio_login("mod2")
    with Store(studio_db) as s:
        stamp = q.stamp(s.moderation_rows([mid])[mid])
    b.post(f"/queue/{mid}/decide", data={"csrf": csrf_b, "action": "approve", "stamp": stamp})
    with Store(studio_db) as s:
        assert s.moderation_rows([mid])[mid].status.startswith("approved")
        assert sorted(s.approvals([mid])[mid]) == ["mod2", "moderator"]


def test_redact_and_dismiss_from_the_message_page(studio_login, studio_db):
    with Store(studio_db) as s:
        item = next(i for i in q.items(s) if any(f.kind == "listed_term" for f in i.flags))
        word = item.text.split()[0]
    a, csrf = studio_login("moderator")
    r = a.post(f"/queue/{item.id}/redact", data={"csrf": csrf, "match": word, "label": "name", "why": "a name"},
               follow_redirects=True)
    assert "hidden: characters" in r.text
    r = a.post(f"/queue/{item.id}/dismiss", data={"csrf": csrf, "kind": "listed_term", "why": "counter-speech"},
               follow_redirects=True)
    assert "dismissed" in r.text
    with Store(studio_db) as s:
        kinds = {f.kind for f in q.effective_flags(s, [item.id])[item.id]}
        reds = s.redactions([item.id])[item.id]
        actors = {e.actor for e in s.audit_log(target=f"message:{item.id}") if e.action in ("redact", "dismiss-flag")}
    assert "listed_term" not in kinds and reds[0].decided_by == "moderator" and actors == {"moderator"}


def test_flags_are_highlighted_in_place_and_hostile_markup_stays_text(studio_login, studio_db):
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> write to me at ana@example.org'
    with Store(studio_db) as s:
        s.add_messages([Message(text=evil, source_file="evil.csv", source_row=2, recipient="Jani Mendoza")])
        mid = s.db.execute("SELECT max(id) FROM messages").fetchone()[0]
        from letterworld.moderation import screen_rules

        s.replace_flags(mid, screen_rules(evil).flags)
        with s.transaction():
            s.set_status(mid, "pending", actor="rule:screen", manual=False)
    a, _ = studio_login("moderator")
    page = a.get(f"/queue/message/{mid}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onerror="alert(2)"' not in page
    assert re.search(r'<mark class="redacted" title="hidden in the letter as \[email\][^"]*">ana@example.org</mark>', page)


def test_keyboard_shortcuts_and_roles(studio_login):
    a, _ = studio_login("moderator")
    page = a.get("/queue").text
    for key in ("a", "r", "h", "t", "u", "f", "b"):
        assert f'data-key="{key}"' in page
    t, _ = studio_login("translator")
    assert t.get("/queue").status_code == 403
    assert t.post("/queue/1/decide", data={"action": "approve"}).status_code == 403
