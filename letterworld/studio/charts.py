"""Small server-side SVG charts for the studio: a horizontal bar chart and a time series.

Pure functions from data to an SVG string, built with xml.etree so every label (country,
channel, theme names come from messages: untrusted) is escaped as XML text or attribute;
characters XML 1.0 cannot carry (control characters, lone surrogates) are dropped. No
`style=""` attributes (the studio's CSP forbids inline style): the look comes from classes
(`chart`, `bar`, `label`, `value`, `axis`) that the studio's CSS files style.

    svg = hbar([("Spain", 23, "ES"), ("France", 26, "FR")], title="Messages by country")
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

SVG_NS = "http://www.w3.org/2000/svg"
OTHER_KEY = "__other__"
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")


def clean(text: object, limit: int | None = None) -> str:
    """`text` as one line that XML can carry, cut to `limit` characters (with an ellipsis)."""
    s = _SPACE.sub(" ", _NOT_XML.sub("", str(text))).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(1, limit - 1)].rstrip() + "…"
    return s


def _fmt(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) and not v.is_integer() else f"{int(v)}"


def _rows(items: Sequence[tuple]) -> list[tuple[str, float, str]]:
    """(label, value[, key]) -> (label, value, key); the key defaults to the label."""
    out = []
    for it in items:
        label, value = it[0], it[1]
        key = it[2] if len(it) > 2 and it[2] is not None else label
        out.append((clean(label), float(value), clean(key)))
    return out


def _svg(width: int, height: int, title: str, kind: str) -> ET.Element:
    root = ET.Element("svg", {"xmlns": SVG_NS, "class": f"chart {kind}", "width": str(width), "height": str(height),
                              "viewBox": f"0 0 {width} {height}", "role": "img", "aria-label": clean(title)})
    if title:
        ET.SubElement(root, "title").text = clean(title)
    return root


def _text(parent: ET.Element, x: float, y: float, text: str, cls: str, anchor: str = "start") -> ET.Element:
    t = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "class": cls, "text-anchor": anchor})
    t.text = text
    return t


def _tostring(root: ET.Element) -> str:
    ET.register_namespace("", SVG_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def top(items: Sequence[tuple], limit: int, other: str = "other") -> list[tuple[str, float, str]]:
    """The `limit` largest rows (ties: by label), the rest summed into one `other` row."""
    rows = sorted(_rows(items), key=lambda r: (-r[1], r[0]))
    if limit <= 0 or len(rows) <= limit:
        return rows
    head, rest = rows[: limit - 1], rows[limit - 1:]
    return head + [(f"{other} ({len(rest)})", sum(r[1] for r in rest), OTHER_KEY)]


def hbar(items: Sequence[tuple], *, title: str = "", width: int = 520, bar: int = 18, gap: int = 5,
         label_chars: int = 28, limit: int = 0) -> str:
    """A horizontal bar chart, one `<rect class="bar">` per (label, value[, key]) in the order
    given (with `limit`: the largest, the rest as one "other" bar). Each bar carries
    `data-category` and `data-value` and a `<title>` tooltip with the full label."""
    rows = top(items, limit) if limit else _rows(items)
    label_w = min(260, 8 + 7 * max([len(clean(r[0], label_chars)) for r in rows] or [4]))
    value_w = 8 + 7 * max([len(_fmt(r[1])) for r in rows] or [1])
    plot_w = max(40, width - label_w - value_w)
    top_pad = 22 if title else 6
    height = top_pad + max(1, len(rows)) * (bar + gap) + 6
    root = _svg(width, height, title, "hbar")
    if title:
        _text(root, 4, 15, clean(title), "chart-title")
    if not rows:
        _text(root, 4, top_pad + bar - 4, "no data yet", "empty")
        return _tostring(root)
    peak = max(r[1] for r in rows) or 1.0
    for i, (label, value, key) in enumerate(rows):
        y = top_pad + i * (bar + gap)
        g = ET.SubElement(root, "g", {"class": "row other" if key == OTHER_KEY else "row"})
        ET.SubElement(g, "title").text = f"{label}: {_fmt(value)}"
        _text(g, label_w - 6, y + bar - 5, clean(label, label_chars), "label", "end")
        w = max(1.0 if value > 0 else 0.0, plot_w * value / peak)
        ET.SubElement(g, "rect", {"class": "bar", "x": str(label_w), "y": str(y), "width": f"{w:.1f}",
                                  "height": str(bar), "data-category": key, "data-value": _fmt(value)})
        _text(g, label_w + w + 4, y + bar - 5, _fmt(value), "value")
    return _tostring(root)


def timeseries(points: Sequence[tuple], *, title: str = "", width: int = 760, height: int = 220,
               line: bool = True, granularity: str = "") -> str:
    """Bars over time, one `<rect class="bar">` per (label, value[, key]) point in the order
    given (oldest first), with a line through the tops when `line`; the first, last and
    every few labels under the axis."""
    rows = _rows(points)
    root = _svg(width, height, title, "timeseries")
    if granularity:
        root.set("data-granularity", clean(granularity))
    if title:
        _text(root, 4, 15, clean(title), "chart-title")
    left, right, top_pad, bottom = 40, 10, 24 if title else 8, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    if not rows:
        _text(root, left, top_pad + 20, "no data yet", "empty")
        return _tostring(root)
    peak = max(r[1] for r in rows) or 1.0
    ET.SubElement(root, "line", {"class": "axis", "x1": str(left), "y1": str(top_pad + plot_h),
                                 "x2": str(left + plot_w), "y2": str(top_pad + plot_h)})
    _text(root, left - 4, top_pad + 9, _fmt(peak), "value", "end")
    _text(root, left - 4, top_pad + plot_h, "0", "value", "end")
    step = plot_w / len(rows)
    bw = max(1.0, step * 0.8)
    every = max(1, len(rows) // 8)
    tops = []
    for i, (label, value, key) in enumerate(rows):
        x = left + i * step + (step - bw) / 2
        h = plot_h * value / peak
        g = ET.SubElement(root, "g", {"class": "row"})
        ET.SubElement(g, "title").text = f"{label}: {_fmt(value)}"
        ET.SubElement(g, "rect", {"class": "bar", "x": f"{x:.1f}", "y": f"{top_pad + plot_h - h:.1f}",
                                  "width": f"{bw:.1f}", "height": f"{h:.1f}", "data-category": key,
                                  "data-value": _fmt(value)})
        tops.append((x + bw / 2, top_pad + plot_h - h))
        if i % every == 0 or i == len(rows) - 1:
            _text(root, x + bw / 2, top_pad + plot_h + 14, clean(label, 12), "label", "middle")
    if line and len(tops) > 1:
        ET.SubElement(root, "polyline", {"class": "trend", "fill": "none",
                                         "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in tops)})
    return _tostring(root)
