"""The dashboard: what the campaign holds (counts by language, country, channel, status and
theme, messages over time, as server-side SVG charts) and what waits for whom."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

from markupsafe import Markup

from ...exports import country_name
from ...fields import language_name
from ...moderation.queue import UNDECIDED, awaits_second, two_person_rule
from ...records import APPROVED_STATUSES
from ...themes import UNASSIGNED
from .. import charts
from ..web import Req, page

UNKNOWN = "unknown"
CHART_LIMIT = 20  # bars per chart; the rest is one "other" bar (the country table has them all)


def _date_of(d: str, ingested_at: str) -> date | None:
    """The message's date (messages.date; the day it was ingested when that is empty)."""
    for v in (d, ingested_at):
        try:
            return date.fromisoformat((v or "")[:10])
        except ValueError:
            continue
    return None


def bucket(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next(d: date, granularity: str) -> date:
    if granularity == "week":
        return d + timedelta(days=7)
    if granularity == "month":
        return (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return d + timedelta(days=1)


def over_time(db: sqlite3.Connection) -> tuple[str, list[tuple[str, int, str]], int]:
    """(granularity, [(label, count, key)] oldest first with empty periods as 0, undated count):
    by day over up to three months, by week up to two years, else by month."""
    days: Counter[date] = Counter()
    undated = 0
    for d, ing, n in db.execute("SELECT date, ingested_at, count(*) FROM messages GROUP BY date, substr(ingested_at, 1, 10)"):
        day = _date_of(d, ing)
        if day is None:
            undated += n
        else:
            days[day] += n
    if not days:
        return "day", [], undated
    first, last = min(days), max(days)
    span = (last - first).days
    gran = "day" if span <= 92 else "week" if span <= 730 else "month"
    per: Counter[date] = Counter()
    for day, n in days.items():
        per[bucket(day, gran)] += n
    out, d = [], bucket(first, gran)
    while d <= last:
        label = d.strftime("%Y-%m") if gran == "month" else d.isoformat()
        out.append((label, per.get(d, 0), d.isoformat()))
        d = _next(d, gran)
    return gran, out, undated


def breakdowns(store) -> dict[str, list[tuple[str, int, str]]]:
    """(label, count, key) per category, largest first, for each dimension."""
    db = store.db
    langs = [(f"{language_name(k)} ({k})" if k not in ("", "und") else UNKNOWN, n, k) for k, n in db.execute(
        "SELECT coalesce(l.lang, 'und'), count(*) FROM messages m LEFT JOIN languages l ON l.message_id = m.id"
        " GROUP BY 1")]
    countries = [(f"{country_name(k)} ({k})" if k else UNKNOWN, n, k) for k, n in db.execute(
        "SELECT country, count(*) FROM messages GROUP BY 1")]
    channels = [(k or UNKNOWN, n, k) for k, n in db.execute("SELECT channel, count(*) FROM messages GROUP BY 1")]
    statuses = [(k, n, k) for k, n in db.execute(
        "SELECT coalesce(s.status, 'pending'), count(*) FROM messages m LEFT JOIN moderation s"
        " ON s.message_id = m.id GROUP BY 1")]
    names = store.theme_names()
    labels = {t: lab for t, lab in db.execute("SELECT theme_id, label FROM themes")}
    themes = []
    for t, n in db.execute("SELECT tm.theme_id, count(*) FROM theme_members tm JOIN messages m ON m.id = tm.message_id"
                           " GROUP BY 1"):
        label = "no theme" if t == UNASSIGNED else names.get(t) or labels.get(t) or f"theme {t}"
        themes.append((label, n, str(t)))
    order = lambda rows: sorted(rows, key=lambda r: (-r[1], r[0]))  # noqa: E731
    return {"language": order(langs), "country": order(countries), "channel": order(channels),
            "status": order(statuses), "theme": order(themes)}


def country_table(db: sqlite3.Connection) -> list[dict]:
    approved = ",".join(f"'{s}'" for s in APPROVED_STATUSES)
    rows = db.execute(
        "SELECT m.country, count(*), sum(CASE WHEN s.status IN (" + approved + ") THEN 1 ELSE 0 END),"
        " count(DISTINCT l.lang) FROM messages m LEFT JOIN moderation s ON s.message_id = m.id"
        " LEFT JOIN languages l ON l.message_id = m.id GROUP BY m.country ORDER BY 2 DESC, 1")
    return [{"code": c, "name": country_name(c) if c else UNKNOWN, "messages": n, "approved": a or 0,
             "languages": k} for c, n, a, k in rows]


def waiting(req: Req, status_counts: dict[str, int]) -> dict:
    """What waits for each role: moderators (undecided, second approvals), translators (quotes of
    the latest letter without an accepted translation), campaigners (the letter), designers
    (slides of the latest letter not exported yet)."""
    from .design import exports_of  # the designer page knows where exports go

    store = req.store
    two = two_person_rule(store)
    second = 0
    if two:
        approvals = store.approvals()
        for mid, status in store.db.execute("SELECT m.id, coalesce(s.status, 'pending') FROM messages m"
                                            " LEFT JOIN moderation s ON s.message_id = m.id"):
            second += awaits_second(SimpleNamespace(status=status, approvals=approvals.get(mid, [])), two)
    letter = store.latest_letter()
    missing = []
    if letter:
        blocks = {b.get("id"): b for b in letter.get("blocks") or []}
        for qid in letter.get("missing_translations") or []:
            b = blocks.get(qid, {})
            missing.append({"id": qid, "lang": b.get("lang", ""), "lang_name": language_name(b.get("lang", "")),
                            "text": charts.clean(b.get("text", ""), 90)})
    version = None
    if letter:
        version = {k: letter.get(k) for k in ("version", "recipient", "final", "created", "lang")}
        row = store.db.execute("SELECT actor, note, created_at FROM letters WHERE version = ?",
                               (letter["version"],)).fetchone()
        version.update(actor=row["actor"], note=row["note"], created_at=row["created_at"])
        version["lang_name"] = language_name(letter.get("lang") or "")
    exported = exports_of(req.studio.folder, letter["version"]) if letter else []
    return {"undecided": {s: status_counts.get(s, 0) for s in UNDECIDED}, "two_person": two, "second": second,
            "missing": missing, "letter": version, "versions": store.db.execute("SELECT count(*) FROM letters").fetchone()[0],
            "exported": exported}


@page("/")
def dashboard(req: Req):
    db = req.store.db
    total = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    parts = breakdowns(req.store)
    titles = {"language": "Messages by language", "country": "Messages by country", "channel": "Messages by channel",
              "status": "Messages by moderation status", "theme": "Approved messages by theme"}
    svgs = {k: Markup(charts.hbar(rows, title=titles[k], limit=CHART_LIMIT)) for k, rows in parts.items()}
    gran, series, undated = over_time(db)
    timeline = Markup(charts.timeseries(series, title=f"Messages per {gran}", granularity=gran))
    status_counts = {k: n for _, n, k in parts["status"]}
    return req.render("dashboard.html", total=total, charts=svgs, timeline=timeline, granularity=gran,
                      undated=undated, countries=country_table(db), waits=waiting(req, status_counts),
                      parts=parts)
