"""The moderation queue (Coral Talk's and Discourse's review queues are the model): riskiest
first, filters, each flag highlighted in place, decisions by keyboard, bulk actions with a
preview of what will change, undo, claims, the audit trail and a moderator's own history.

Every decision goes through `moderation.queue.decide` with `first_wins` and the stamp the
moderator was shown, in one immediate transaction: of several moderators deciding the same
message, one wins and the others are told who did."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from starlette.responses import JSONResponse

from ...moderation import queue as q
from ...records import Flag, placeholder
from ...textsafe import terminal_safe
from ..web import Req, page

PAGE_SIZE = 50
CLAIM_MINUTES = 30
# which reason a rejection suggests for a message's riskiest flag (the moderator can change it)
SUGGESTED_REASON = {"safety": "safety", "abuse": "abuse", "hostility": "hostile", "listed_term": "abuse",
                    "hidden_text": "other", "personal_data": "personal_data", "spam": "spam", "link": "spam",
                    "off_topic": "off_topic", "duplicate": "duplicate", "template": "duplicate"}
FILTERS = ("status", "flag", "lang", "country", "recipient", "theme", "group", "claimed", "awaiting")


@dataclass
class Segment:
    """A run of a message's text under the same flags, as the queue draws it."""

    text: str
    kinds: tuple[str, ...]
    reasons: tuple[str, ...]
    redacted: str  # the placeholder a redaction shows in the letter ("" when not redacted)

    @property
    def risky(self) -> bool:
        return any(k in q.RISKY_KINDS for k in self.kinds)


def segments(text: str, flags: list[Flag]) -> list[Segment]:
    """The text cut at every flag boundary, each piece with the flags over it (whole-message flags
    such as duplicates are left out: they are shown as chips, not highlights). Control and bidi
    characters are shown as visible escapes (a right-to-left override would reverse the text)."""
    spans = [f for f in flags if f.end > f.start and not (f.start == 0 and f.end == len(text) and not f.redact
                                                            and f.kind in ("duplicate", "template", "off_topic"))]
    cuts = sorted({0, len(text), *(f.start for f in spans), *(f.end for f in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        over = [f for f in spans if f.start <= a and f.end >= b]
        red = next((placeholder(f) for f in over if f.redact), "")
        out.append(Segment(terminal_safe(text[a:b]), tuple(sorted({f.kind for f in over})),
                           tuple(dict.fromkeys(f.reason for f in over)), red))
    return out


def _selection(get) -> tuple[q.Selection, dict[str, str]]:
    """The queue's filters from a request (`get`: the query string's or the form's fields)."""
    f = {k: get(k) or "" for k in FILTERS}
    statuses = [f["status"]] if f["status"] and f["status"] != "undecided" else (
        list(q.UNDECIDED) if f["status"] == "undecided" or not f["status"] and not f["group"] else [])
    sel = q.Selection(statuses=statuses, flags=[f["flag"]] if f["flag"] else [], langs=[f["lang"]] if f["lang"] else [],
                      themes=[int(f["theme"])] if f["theme"].isdigit() else [],
                      groups=[int(f["group"])] if f["group"].isdigit() else [], recipient=f["recipient"])
    return sel, f


def _items(req: Req, sel: q.Selection, f: dict[str, str]) -> list[q.Item]:
    items = q.items(req.store, sel, risk_order=req.studio.config().screen.risk)
    if f["country"]:
        items = [i for i in items if i.country == f["country"]]
    claims = req.store.claims()
    if f["claimed"] == "mine":
        items = [i for i in items if claims.get(i.id, ("",))[0] == req.user.name]
    elif f["claimed"] == "unclaimed":
        items = [i for i in items if i.id not in claims]
    if f["awaiting"]:
        two = q.two_person_rule(req.store)
        items = [i for i in items if q.awaits_second(i, two)]
    return items


def _view(req: Req, items: list[q.Item]) -> list[dict]:
    """What a template needs per item: segments, stamp, claim, suggested reason."""
    if not items:
        return []
    ids = [i.id for i in items]
    rows = req.store.moderation_rows(ids)
    claims = req.store.claims(ids)
    two = q.two_person_rule(req.store)
    out = []
    for i in items:
        kinds = sorted({f.kind for f in i.flags}, key=lambda k: -q.RISK.get(k, 20))
        dismissible = [k for k in kinds if k in q.DISMISSIBLE_KINDS]
        out.append({"item": i, "segments": segments(i.text, i.flags), "stamp": q.stamp(rows.get(i.id)),
                    "claim": claims.get(i.id), "kinds": kinds, "dismissible": dismissible[0] if dismissible else "",
                    "reason": SUGGESTED_REASON.get(kinds[0], "other") if kinds else "other",
                    "awaiting": q.awaits_second(i, two), "decided": i.status not in q.UNDECIDED})
    return out


def _common(req: Req) -> dict:
    return {"reasons": q.REASON_CODES, "statuses": ["undecided", *q.STATUSES],
            "kinds": q.flag_kinds(), "two_person": q.two_person_rule(req.store)}


@page("/queue", "moderate")
def queue_page(req: Req):
    sel, f = _selection(req.query.get)
    try:
        items = _items(req, sel, f)
    except q.QueueError as exc:
        req.flash(str(exc), "error")
        items = []
    n = len(items)
    pageno = max(1, int(req.query.get("page", "1") or 1) if req.query.get("page", "1").isdigit() else 1)
    shown = items[(pageno - 1) * PAGE_SIZE: pageno * PAGE_SIZE]
    langs = sorted({r[0] for r in req.store.db.execute("SELECT DISTINCT lang FROM languages")})
    countries = sorted({r[0] for r in req.store.db.execute("SELECT DISTINCT country FROM messages") if r[0]})
    recipients = sorted(req.store.recipients())
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return req.render("queue.html", views=_view(req, shown), total=n, page=pageno,
                      pages=max(1, -(-n // PAGE_SIZE)), filters=f, langs=langs, countries=countries,
                      recipients=recipients, query=query, **_common(req))


@page("/queue/focus", "moderate")
def focus(req: Req):
    """One message at a time: the riskiest undecided one the moderator may decide."""
    sel, f = _selection(req.query.get)
    items = [i for i in _items(req, sel, f) if i.status in q.UNDECIDED]
    claims = req.store.claims([i.id for i in items])
    items = [i for i in items if claims.get(i.id, (req.user.name,))[0] == req.user.name]
    left = len(items)
    view = _view(req, items[:1])
    return req.render("queue_focus.html", v=view[0] if view else None, left=left, filters=f, **_common(req))


def _item_response(req: Req, mid: int, message: str = "", kind: str = "ok"):
    items = q.items(req.store, q.Selection(ids=[mid]), risk_order=req.studio.config().screen.risk)
    if not items:
        return req.render("queue_gone.html", mid=mid, status=404)
    return req.render("queue_item.html", v=_view(req, items)[0], note=message, note_kind=kind, **_common(req))


def _back(req: Req, mid: int, message: str, kind: str = "ok"):
    if req.htmx:
        return _item_response(req, mid, message, kind)
    req.flash(message, kind)
    return req.redirect(req.field("next") or f"/queue/message/{mid}")


def _outcome_text(o: q.Outcome, mid: int) -> tuple[str, str]:
    if mid in o.conflicts:
        return f"not changed: {o.conflicts[mid]}", "error"
    if mid in o.skipped:
        return f"not changed: {o.skipped[mid]}", "warn"
    if mid in o.awaiting_second:
        return "first approval recorded: waits for a second moderator", "ok"
    return "decided", "ok"


@page("/queue/{mid:int}/decide", "moderate", methods=("POST",))
def decide_one(req: Req):
    mid = req.request.path_params["mid"]
    action = req.field("action")
    reason = req.field("reason") if action in ("reject", "hold", "translate") else ""
    if action == "hold" and not reason:
        reason = "safety"
    override = req.field("override") == "1"
    # a form sends the stamp it showed; a script may leave it out (then only "first wins" guards)
    seen = {mid: req.field("stamp")} if req.form is not None and "stamp" in req.form else None
    try:
        o = q.decide(req.store, [mid], action, reason_code=reason, why=req.field("why"), actor=req.user.name,
                     seen=seen, first_wins=not override)
    except q.QueueError as exc:
        if req.wants_json:
            return JSONResponse({"id": mid, "decided": False, "error": str(exc)}, status_code=400)
        return _back(req, mid, str(exc), "error")
    if req.wants_json:  # scripts and the concurrency test: the outcome, not a page
        return JSONResponse({"id": mid, "decided": mid in o.decided, "awaiting_second": mid in o.awaiting_second,
                             "conflict": o.conflicts.get(mid, ""), "skipped": o.skipped.get(mid, "")},
                            status_code=409 if mid in o.conflicts else 200)
    return _back(req, mid, *_outcome_text(o, mid))


@page("/queue/{mid:int}/dismiss", "moderate", methods=("POST",))
def dismiss(req: Req):
    mid = req.request.path_params["mid"]
    kind = req.field("kind")
    try:
        n = q.dismiss_flag(req.store, mid, kind, actor=req.user.name,
                           why=req.field("why") or "the moderator judged this finding wrong (studio)")
    except q.QueueError as exc:
        return _back(req, mid, str(exc), "error")
    return _back(req, mid, f"dismissed {n} {kind} flag(s)")


@page("/queue/{mid:int}/redact", "moderate", methods=("POST",))
def redact(req: Req):
    """Hide a span the patterns missed (`match`: its text, as in `queue redact --match`), or show
    one again (`undo` with start/end)."""
    mid = req.request.path_params["mid"]
    text = req.store.message(mid).text
    try:
        if req.field("undo"):
            q.unredact_span(req.store, mid, int(req.field("start")), int(req.field("end")), actor=req.user.name,
                            why=req.field("why"))
            return _back(req, mid, "redaction removed")
        a, b = q.find_span(text, req.field("match"))
        q.redact_span(req.store, mid, a, b, label=req.field("label"), actor=req.user.name, why=req.field("why"))
    except (q.QueueError, ValueError) as exc:
        return _back(req, mid, str(exc), "error")
    return _back(req, mid, f"hidden: characters {a}-{b}")


@page("/queue/undo", "moderate", methods=("POST",))
def undo(req: Req):
    try:
        o = q.undo_last(req.store, req.user.name)
    except q.QueueError as exc:
        req.flash(str(exc), "error")
        return req.redirect(req.field("next") or "/queue")
    msg = f"undone: {len(o.decided)} message(s) back to their earlier decision"
    if o.conflicts:
        msg += f"; {len(o.conflicts)} left alone (decided by someone else since)"
    req.flash(msg, "ok" if not o.conflicts else "warn")
    return req.redirect(req.field("next") or "/queue")


@page("/queue/claim", "moderate", methods=("POST",))
def claim(req: Req):
    """Claim the next batch of undecided, unclaimed messages (riskiest first) for CLAIM_MINUTES;
    others cannot decide them meanwhile. `release` gives one's claims back."""
    if req.field("release"):
        with req.store.transaction():
            n = req.store.release_claims(req.user.name)
            req.store.audit("release-claims", "queue", detail={"released": n}, actor=req.user.name)
        req.flash(f"released {n} claimed message(s)")
        return req.redirect("/queue")
    size = max(1, min(200, int(req.field("size") or 25) if (req.field("size") or "25").isdigit() else 25))
    until = (datetime.now(timezone.utc) + timedelta(minutes=CLAIM_MINUTES)).replace(microsecond=0).isoformat()
    with req.store.transaction(immediate=True):
        taken = req.store.claims()
        free = [i.id for i in q.items(req.store, q.Selection(statuses=list(q.UNDECIDED))) if i.id not in taken][:size]
        req.store.claim(free, req.user.name, until)
        req.store.audit("claim", "queue", detail={"ids": free, "until": until}, actor=req.user.name)
    req.flash(f"claimed {len(free)} message(s) until {until}")
    return req.redirect("/queue?claimed=mine")


@page("/queue/bulk", "moderate", methods=("POST",))
def bulk(req: Req):
    """Step 1 (no `confirm`): show how many and which messages the action would change, and which
    it would skip. Step 2 (`confirm`): decide exactly those, refusing any changed since shown."""
    action, reason = req.field("action"), req.field("reason")
    include_risky = req.field("include_risky") == "1"
    if req.field("confirm"):
        ids = [int(x) for x in req.fields("id") if x.isdigit()]
        stamps = dict(zip(ids, req.fields("stamp")))
        sel, f = _selection(req.field)
        try:
            o = q.decide(req.store, ids, action, reason_code=reason, why=req.field("why"), actor=req.user.name,
                         include_risky=include_risky, bulk=sel.describe(), seen=stamps, first_wins=True)
        except q.QueueError as exc:
            req.flash(str(exc), "error")
            return req.redirect("/queue")
        req.flash(f"{action}: {o.summary()}", "ok" if not (o.conflicts or o.skipped) else "warn")
        return req.redirect("/queue")
    sel, f = _selection(req.field)
    try:
        items = _items(req, sel, f)
    except q.QueueError as exc:
        req.flash(str(exc), "error")
        return req.redirect("/queue")
    rows = req.store.moderation_rows([i.id for i in items])
    change, skip = [], []
    for i in items:
        risky = action == "approve" and not include_risky and any(fl.kind in q.RISKY_KINDS for fl in i.flags)
        (skip if risky else change).append((i, q.stamp(rows.get(i.id))))
    return req.render("queue_bulk.html", action=action, reason=reason, why=req.field("why"), change=change, skip=skip,
                      filters=f, include_risky=include_risky, **_common(req))


@page("/queue/groups", "moderate")
def groups(req: Req):
    return req.render("queue_groups.html", groups=[g for g in q.groups(req.store) if g.size > 1], **_common(req))


@page("/queue/message/{mid:int}", "moderate")
def message(req: Req):
    """One message: its flags, redactions, decision, and its whole audit trail."""
    mid = req.request.path_params["mid"]
    items = q.items(req.store, q.Selection(ids=[mid]), risk_order=req.studio.config().screen.risk)
    if not items:
        return req.render("queue_gone.html", mid=mid, status=404)
    trail = [_entry(e) for e in req.store.audit_log(target=f"message:{mid}")]
    reds = req.store.redactions([mid]).get(mid, [])
    return req.render("queue_message.html", v=_view(req, items)[0], trail=trail, redactions=reds, **_common(req))


def _entry(e) -> dict:
    try:
        detail = json.loads(e.detail or "{}")
    except ValueError:
        detail = {}
    detail.pop("prev", None)
    detail.pop("batch", None)
    return {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "why": e.why,
            "detail": ", ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, "", [], {}))}


@page("/queue/history", "moderate")
def history(req: Req):
    """The signed-in moderator's own decisions, latest first (or another's, for an admin)."""
    who = req.query.get("user", "") if req.user.role == "admin" else ""
    who = who or req.user.name
    rows = req.store.db.execute(
        "SELECT id, at, actor, action, target, detail, why FROM audit WHERE actor = ? AND action IN "
        "('status', 'confirm', 'first-approval', 'undo', 'dismiss-flag', 'undo-dismiss-flag', 'redact', 'unredact', "
        "'undo-redact', 'undo-keep', 'claim', 'release-claims') "
        "OR (actor = ? AND action LIKE 'bulk-%') ORDER BY id DESC LIMIT 500", (who, who)).fetchall()
    from ...records import AuditEntry

    return req.render("queue_history.html", who=who, entries=[_entry(AuditEntry(*r)) for r in rows], **_common(req))
