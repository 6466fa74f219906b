"""The studio's dashboard (HTTP level) and its SVG charts: the counts are the store's, every label
from a message is escaped, the charts are well-formed XML with one bar per category."""

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta

from letterworld.studio import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE_COUNTRY = "<script>alert(1)</script>"
HOSTILE_CHANNEL = '"><img src=x onerror=alert(1)>'


def _svgs(html: str) -> dict[str, ET.Element]:
    """Every chart of the page, parsed (a parse error fails the test), by its card's id."""
    out = {}
    for m in re.finditer(r'<div class="[^"]*chart-box[^"]*"(?: id="chart-(\w+)")?>(<svg.*?</svg>)</div>', html, re.S):
        out[m.group(1) or "timeline"] = ET.fromstring(m.group(2))
    return out


def _bars(svg: ET.Element) -> dict[str, int]:
    bars = [r for r in svg.iter(f"{SVG}rect") if "bar" in r.get("class", "").split()]
    cats = [b.get("data-category") for b in bars]
    assert len(cats) == len(set(cats)), "one bar per category"
    return {b.get("data-category"): int(b.get("data-value")) for b in bars}


def _check_chart(bars: dict[str, int], expected: dict[str, int]) -> None:
    """Each bar's count is the store's; the 'other' bar holds exactly the rest."""
    assert sum(bars.values()) == sum(expected.values())
    for cat, n in bars.items():
        if cat != charts.OTHER_KEY:
            assert n == expected[cat], cat
    shown = set(bars) - {charts.OTHER_KEY}
    if charts.OTHER_KEY in bars:
        assert bars[charts.OTHER_KEY] == sum(n for c, n in expected.items() if c not in shown)
        # the bars shown are the largest categories
        assert min(bars[c] for c in shown) >= max(n for c, n in expected.items() if c not in shown)
    else:
        assert shown == set(expected)


def _expected(db: sqlite3.Connection) -> dict[str, dict[str, int]]:
    q = lambda sql: {str(k): n for k, n in db.execute(sql)}  # noqa: E731
    return {
        "language": q("SELECT coalesce(l.lang, 'und'), count(*) FROM messages m LEFT JOIN languages l"
                      " ON l.message_id = m.id GROUP BY 1"),
        "country": q("SELECT country, count(*) FROM messages GROUP BY 1"),
        "channel": q("SELECT channel, count(*) FROM messages GROUP BY 1"),
        "status": q("SELECT coalesce(s.status, 'pending'), count(*) FROM messages m LEFT JOIN moderation s"
                    " ON s.message_id = m.id GROUP BY 1"),
        "theme": q("SELECT tm.theme_id, count(*) FROM theme_members tm JOIN messages m ON m.id = tm.message_id"
                   " GROUP BY 1"),
    }


def _expected_days(db: sqlite3.Connection) -> Counter:
    days = Counter()
    for d, n in db.execute("SELECT CASE WHEN date != '' THEN substr(date, 1, 10) ELSE substr(ingested_at, 1, 10) END,"
                           " count(*) FROM messages GROUP BY 1"):
        days[date.fromisoformat(d)] += n
    return days


def _check_timeline(svg: ET.Element, db: sqlite3.Connection) -> None:
    gran = svg.get("data-granularity")
    days = _expected_days(db)
    per = Counter()
    for d, n in days.items():
        per[(d - timedelta(days=d.weekday())) if gran == "week" else d.replace(day=1) if gran == "month" else d] += n
    bars = _bars(svg)
    assert sum(bars.values()) == sum(days.values())
    assert {k: v for k, v in bars.items() if v} == {k.isoformat(): v for k, v in per.items()}


# -- the charts module -------------------------------------------------------------------
def test_hbar_is_well_formed_with_one_bar_per_category():
    items = [(HOSTILE_COUNTRY, 3, HOSTILE_COUNTRY), (HOSTILE_CHANNEL, 5), ("ctrl\x00\x07 & ‮rtl", 2),
             ("España", 7, "ES")]
    svg = charts.hbar(items, title='Counts <by> "label" & more')
    root = ET.fromstring(svg)  # well-formed, or this raises
    assert root.tag == f"{SVG}svg"
    bars = _bars(root)
    assert bars == {HOSTILE_COUNTRY: 3, HOSTILE_CHANNEL: 5, "ctrl & ‮rtl": 2, "ES": 7}
    assert "<script>" not in svg and "<img" not in svg and "style=" not in svg
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert HOSTILE_COUNTRY in labels  # shown as text, escaped in the markup
    assert '"><img src=x onerror=alert(…' in labels  # long labels are cut; the tooltip has all of it
    tips = [t.text for g in root.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")]
    assert f"{HOSTILE_CHANNEL}: 5" in tips and f"{HOSTILE_COUNTRY}: 3" in tips


def test_hbar_limit_sums_the_rest_into_one_bar():
    items = [(f"c{i}", i, f"k{i}") for i in range(1, 31)]
    bars = _bars(ET.fromstring(charts.hbar(items, limit=10)))
    assert len(bars) == 10
    assert bars[charts.OTHER_KEY] == sum(range(1, 22))
    assert bars["k30"] == 30 and "k21" not in bars


def test_timeseries_is_well_formed_with_one_bar_per_point():
    points = [(f"2026-09-{d:02d}", d % 4, f"2026-09-{d:02d}") for d in range(1, 31)]
    root = ET.fromstring(charts.timeseries(points, title="per day <&>", granularity="day"))
    bars = _bars(root)
    assert len(bars) == 30 and bars["2026-09-07"] == 3 and bars["2026-09-08"] == 0
    assert root.get("data-granularity") == "day"
    assert root.find(f"{SVG}polyline") is not None
    assert ET.fromstring(charts.timeseries([])).find(f"{SVG}rect") is None  # empty: a note, no bars


# -- the dashboard over HTTP ----------------------------------------------------------------
def test_dashboard_counts_match_the_store(studio_login, studio_db):
    client, _ = studio_login("translator")  # any role may view the dashboard
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "style=" not in html
    svgs = _svgs(html)
    assert set(svgs) == {"timeline", "language", "country", "channel", "status", "theme"}
    with sqlite3.connect(studio_db) as db:
        total = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        for key, expected in _expected(db).items():
            _check_chart(_bars(svgs[key]), expected)
        _check_timeline(svgs["timeline"], db)
        table = {c: int(n) for c, n in re.findall(
            r'<tr data-country="([^"]*)"><td>.*?</td><td>.*?</td><td class="num">(\d+)</td>', html)}
        assert table == {k: n for k, n in db.execute("SELECT country, count(*) FROM messages GROUP BY 1")}
        waits = dict(re.findall(r'data-wait="(\w+)">(\d+)<', html))
        status = dict(db.execute("SELECT s.status, count(*) FROM moderation s GROUP BY 1").fetchall())
        unmoderated = db.execute("SELECT count(*) FROM messages WHERE id NOT IN (SELECT message_id FROM moderation)"
                                 ).fetchone()[0]
        assert int(waits["pending"]) == status.get("pending", 0) + unmoderated
        assert int(waits["held"]) == status.get("held", 0)
        latest = json.loads(db.execute("SELECT data FROM letters ORDER BY version DESC LIMIT 1").fetchone()[0])
        assert int(waits["translations"]) == len(latest["missing_translations"])
    assert f"<strong class=\"total\">{total}</strong>" in html
    for qid in latest["missing_translations"]:
        assert f"<code>{qid}</code>" in html
    assert "not rendered yet" in html  # no slide export of the letter so far


def test_dashboard_says_what_waits_for_whom(studio_login, studio_db):
    from letterworld.moderation.queue import TWO_PERSON_SETTING
    from letterworld.store import Store

    client, _ = studio_login("moderator")
    assert 'data-wait="second"' not in client.get("/").text  # the rule is off: nothing waits for a second person
    with Store(studio_db) as s:
        s.set_setting(TWO_PERSON_SETTING, True)
        approved = s.db.execute("SELECT count(*) FROM moderation WHERE status IN ('approved', 'approved_redacted')"
                                ).fetchone()[0]
        letter = s.latest_letter()
        quotes = [b for b in letter["blocks"] if b["kind"] == "quote"]
        # a newer draft with two quotes that wait for a translator
        draft = {k: v for k, v in letter.items() if k != "version"}
        draft.update(final=False, missing_translations=[quotes[0]["id"], quotes[1]["id"]])
        version = s.add_letter(draft, actor="campaigner", note="test draft")
        s.db.commit()
    html = client.get("/").text
    # the demo's messages were approved by the rules alone: every one waits for a person
    assert re.search(r'data-wait="second">(\d+)<', html).group(1) == str(approved)
    assert re.search(r'data-wait="translations">(\d+)<', html).group(1) == "2"
    assert f"<code>{quotes[0]['id']}</code>" in html and f"<code>{quotes[1]['id']}</code>" in html
    assert f"Letter v{version} to" in html and ">draft<" in html and "by campaigner" in html
    assert f"The slides of letter v{version} are not rendered yet." in html


def test_hostile_labels_are_escaped(studio_login, studio_db):
    with sqlite3.connect(studio_db) as db:
        for i, (country, channel) in enumerate([(HOSTILE_COUNTRY, HOSTILE_CHANNEL), (HOSTILE_CHANNEL, HOSTILE_COUNTRY)]):
            db.execute("INSERT INTO messages (source_key, text, text_hash, source_file, source_row, country, channel,"
                       " date, ingested_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (f"hostile-{i}", "Estamos contigo", f"h{i}", "hostile.csv", i, country, channel, "",
                        "2026-12-01T10:00:00+00:00"))
    client, _ = studio_login("designer")
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "<script>alert" not in html.lower() and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html or "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    svgs = _svgs(html)  # still well-formed
    channel_bars = _bars(svgs["channel"])
    assert channel_bars[HOSTILE_CHANNEL] == 1 and channel_bars[HOSTILE_COUNTRY] == 1  # the exact text, as data
    with sqlite3.connect(studio_db) as db:
        _check_chart(channel_bars, _expected(db)["channel"])
        _check_timeline(svgs["timeline"], db)  # no date: counted on the day it was ingested
    assert f'data-country="{HOSTILE_COUNTRY}"' not in html
    assert 'data-country="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
