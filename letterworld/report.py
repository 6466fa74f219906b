"""The campaign report: counts by language, country, channel, status and theme, plus
what needs a person's attention (rejected rows, unknown or uncertain languages)."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .textsafe import terminal_safe


def _esc(text: Any) -> str:
    """A value for the moderators' report: HTML escaped, control and bidi characters shown as
    visible escapes (``\\u202e``) instead of reordering the page."""
    return html.escape(terminal_safe(str(text)))


def _table(title: str, counts: Counter, total: int) -> str:
    rows = "".join(f"<tr><td>{_esc(str(k) or '(none)')}</td><td>{v}</td>"
                   f"<td>{100 * v / max(1, total):.1f}%</td></tr>" for k, v in counts.most_common())
    return (f"<section><h2>{_esc(title)}</h2><table><tr><th></th><th>messages</th><th>share</th></tr>"
            f"{rows}</table></section>")


def _lang_label(code: str) -> str:
    """"da Danish": the code and its name (CLDR, or ISO 639 where CLDR has none)."""
    from .fields import language_name

    return code if code == "und" else f"{code} {language_name(code)}"


def build_report(rows: Iterable[dict[str, Any]], themes: list[dict[str, Any]], rejected: list[dict[str, Any]],
                 *, low_confidence: float = 0.5, campaign: str = "",
                 texts: Callable[[list[int]], dict[int, str]] | None = None) -> str:
    """rows: one dict per message with id, lang, lang_confidence, country, channel, status,
    theme and text, read once (a stream of a whole campaign is never held); `texts` (message
    ids -> their redacted texts) fills in the text of the few rows listed for review when
    the rows carry none."""
    theme_names = {t["theme_id"]: t["label"] for t in themes}
    counts: dict[str, Counter] = {k: Counter() for k in ("Languages", "Countries", "Channels", "Moderation status",
                                                         "Themes (approved messages)")}
    review = []
    total = 0
    for r in rows:
        total += 1
        counts["Languages"][r["lang"]] += 1
        counts["Countries"][r["country"]] += 1
        counts["Channels"][r["channel"]] += 1
        counts["Moderation status"][r["status"]] += 1
        if r["theme"] is not None or r["status"].startswith("approved"):
            counts["Themes (approved messages)"][theme_names.get(r["theme"], "unassigned")] += 1
        if r["lang"] == "und" or r["lang_confidence"] < low_confidence:
            review.append({k: r.get(k) for k in ("id", "lang", "lang_confidence", "text")})
    if texts is not None and (missing := [r["id"] for r in review if r["text"] is None]):
        found = texts(missing)
        for r in review:
            if r["text"] is None:
                r["text"] = found.get(r["id"], "")
    counts["Languages"] = Counter({_lang_label(k): v for k, v in counts["Languages"].items()})
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>letterworld report</title>",
             "<style>body{font-family:'Noto Sans',sans-serif;margin:2rem}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}section{margin-bottom:2rem}</style>",
             f"</head><body><h1>Campaign report {_esc(campaign)}</h1>",
             f"<p>{total} messages, {len(rejected)} rows rejected at ingest.</p>"]
    parts += [_table(title, c, total) for title, c in counts.items()]
    items = "".join(f"<tr><td>{r['id']}</td><td>{_esc(_lang_label(r['lang']))}</td><td>{r['lang_confidence']:.2f}</td>"
                    f"<td dir='auto'>{_esc((r['text'] or '')[:120])}</td></tr>" for r in review)
    parts.append(f"<section><h2>Language to review ({len(review)}: und or confidence &lt; {low_confidence})</h2>"
                 f"<table><tr><th>id</th><th>lang</th><th>confidence</th><th>text</th></tr>{items}</table></section>")
    items = "".join(f"<tr><td>{_esc(r['source_file'])}</td><td>{r['source_row']}</td>"
                    f"<td>{_esc(r['reason'])}</td><td>{_esc(r['raw'][:120])}</td></tr>" for r in rejected)
    parts.append(f"<section><h2>Rejected rows ({len(rejected)})</h2><table><tr><th>file</th><th>line</th>"
                 f"<th>reason</th><th>raw</th></tr>{items}</table></section></body></html>")
    return "\n".join(parts)
