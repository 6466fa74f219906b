"""Unicode bidirectional algorithm (UAX #9), implicit levels only.

Enough for solidarity messages: paragraph direction (P2/P3), weak types
(W1-W7), neutrals (N1/N2), implicit levels (I1/I2), per-line trailing
whitespace reset (L1) and visual reordering (L2). Explicit embeddings,
overrides and isolates (rare in typed messages) are treated as neutrals; glyph
mirroring (L4) is done by HarfBuzz when a run is shaped right-to-left.
"""

from __future__ import annotations

import unicodedata

_STRONG_R = ("R", "AL")
_NEUTRAL = ("B", "S", "WS", "ON", "BN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")


def classes(text: str) -> list[str]:
    return [unicodedata.bidirectional(c) or "L" for c in text]


def base_level(text: str, default: int = 0) -> int:
    """Paragraph embedding level: 1 if the first strong character is R/AL."""
    for c in text:
        t = unicodedata.bidirectional(c)
        if t == "L":
            return 0
        if t in _STRONG_R:
            return 1
    return default


def levels(text: str, para_level: int | None = None) -> list[int]:
    """Resolved embedding level of each character (before line-level L1)."""
    n = len(text)
    if n == 0:
        return []
    if para_level is None:
        para_level = base_level(text)
    sos = "R" if para_level % 2 else "L"
    t = classes(text)

    # W1: NSM takes the type of the previous character (sos at start).
    prev = sos
    for i in range(n):
        if t[i] == "NSM":
            t[i] = "ON" if prev in _NEUTRAL else prev
        else:
            prev = t[i]
    # W2: EN after AL becomes AN. W3: AL -> R.
    last = sos
    for i in range(n):
        if t[i] in ("L", "R", "AL"):
            last = t[i]
        elif t[i] == "EN" and last == "AL":
            t[i] = "AN"
    t = ["R" if x == "AL" else x for x in t]
    # W4: single ES between ENs, single CS between same-type numbers.
    for i in range(1, n - 1):
        if t[i] == "ES" and t[i - 1] == "EN" and t[i + 1] == "EN":
            t[i] = "EN"
        elif t[i] == "CS" and t[i - 1] == t[i + 1] and t[i - 1] in ("EN", "AN"):
            t[i] = t[i - 1]
    # W5: ET sequences adjacent to EN become EN.
    i = 0
    while i < n:
        if t[i] == "ET":
            j = i
            while j < n and t[j] == "ET":
                j += 1
            if (i > 0 and t[i - 1] == "EN") or (j < n and t[j] == "EN"):
                for k in range(i, j):
                    t[k] = "EN"
            i = j
        else:
            i += 1
    # W6: remaining separators/terminators -> ON.
    t = ["ON" if x in ("ES", "ET", "CS") else x for x in t]
    # W7: EN after L (or L sos) becomes L.
    last = sos
    for i in range(n):
        if t[i] in ("L", "R"):
            last = t[i]
        elif t[i] == "EN" and last == "L":
            t[i] = "L"
    # N1/N2: neutral sequences between same-direction strongs take it, else the
    # embedding direction. Numbers count as R.
    e = "R" if para_level % 2 else "L"
    i = 0
    while i < n:
        if t[i] in _NEUTRAL:
            j = i
            while j < n and t[j] in _NEUTRAL:
                j += 1
            before = sos if i == 0 else ("R" if t[i - 1] in ("R", "EN", "AN") else "L")
            after = sos if j == n else ("R" if t[j] in ("R", "EN", "AN") else "L")
            d = before if before == after else e
            for k in range(i, j):
                t[k] = d
            i = j
        else:
            i += 1
    # I1/I2.
    out = []
    for x in t:
        if para_level % 2 == 0:
            out.append(para_level + (1 if x == "R" else 2 if x in ("AN", "EN") else 0))
        else:
            out.append(para_level + (1 if x in ("L", "EN", "AN") else 0))
    return out


def line_levels(text: str, lvls: list[int], start: int, end: int, para_level: int) -> list[int]:
    """L1: levels of text[start:end] as one line; trailing whitespace and
    segment/paragraph separators reset to the paragraph level."""
    seg = list(lvls[start:end])
    k = len(seg) - 1
    while k >= 0 and unicodedata.bidirectional(text[start + k]) in ("WS", "B", "S", "BN", "FSI", "LRI", "RLI", "PDI"):
        seg[k] = para_level
        k -= 1
    for k in range(len(seg)):
        if unicodedata.bidirectional(text[start + k]) in ("S", "B"):
            seg[k] = para_level
            j = k - 1
            while j >= 0 and unicodedata.bidirectional(text[start + j]) in ("WS", "BN"):
                seg[j] = para_level
                j -= 1
    return seg


def visual_order(run_levels: list[int]) -> list[int]:
    """L2: indexes of items (runs) in visual left-to-right order."""
    order = list(range(len(run_levels)))
    if not run_levels:
        return order
    hi = max(run_levels)
    lo_odd = min(lv for lv in run_levels) | 1
    for level in range(hi, lo_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order
