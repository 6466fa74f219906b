"""Auto-fit text into a box: the largest font size whose balanced layout
(lines, line pitch and every glyph's ink) fits inside the box."""

from __future__ import annotations

from .layout import TextLayout, layout_text

FLOOR_SIZE = 6  # below this nothing is legible; we still never overflow


class DoesNotFit(ValueError):
    """``fit_text(..., strict=True)``: not even ``min_size`` fits the box."""

    def __init__(self, text: str, min_size: int, box):
        self.text, self.min_size, self.box = text, min_size, tuple(round(v) for v in box)
        w, h = self.box[2] - self.box[0], self.box[3] - self.box[1]
        short = text if len(text) <= 40 else text[:39] + "…"
        super().__init__(f"{short!r} does not fit a {w}x{h} px box at {min_size} px or more")


def _fits(lay: TextLayout | None, h: float, max_lines: int | None) -> bool:
    if lay is None:
        return False
    if max_lines is not None and len(lay.lines) > max_lines:
        return False
    return lay.extent_height <= h


def fit_text(text: str, box: tuple[float, float, float, float], lang: str | None = None,
             country: str | None = None, max_size: int = 200, min_size: int = FLOOR_SIZE,
             align: str = "center", valign: str = "center", max_lines: int | None = None,
             line_spacing: float = 1.0, balance: bool = True, strict: bool = False,
             tight: bool = False, hard_breaks: bool = True) -> TextLayout:
    """Layout of ``text`` at the largest size in [min_size, max_size] that fits
    ``box`` = (x0, y0, x1, y1), placed in it (``valign``: top/center/bottom).

    If even ``min_size`` does not fit, smaller sizes down to FLOOR_SIZE are
    tried, words are broken between graphemes, and as a last resort lines
    that do not fit are dropped: the layout never leaves the box.
    With ``strict`` nothing smaller than ``min_size`` is tried: DoesNotFit is
    raised instead (a minimum glyph height for a viewing distance).
    ``tight``: only the ink must fit (for single-line labels, so that a
    script with tall line metrics such as Nastaliq is not set smaller).
    """
    x0, y0, x1, y1 = box = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)  # 1 px guard for anti-aliasing
    w, h = x1 - x0, y1 - y0
    max_size = max(int(max_size), 1)
    if strict:
        max_size = max(max_size, int(min_size))

    def attempt(size: int, force: bool = False, exact: bool = True) -> TextLayout | None:
        lay = layout_text(text, size, w, lang, country, align, line_spacing, balance, force, exact, hard_breaks)
        if lay is not None:
            lay.tight = tight
        return lay

    # Binary search on approximate (scaled) measurements ...
    lo, hi = max(1, min(int(min_size), max_size)), max_size
    found = None
    if _fits(attempt(hi, exact=False), h, max_lines):
        found = hi
    else:
        while lo <= hi:
            mid = (lo + hi) // 2
            if _fits(attempt(mid, exact=False), h, max_lines):
                found, lo = mid, mid + 1
            else:
                hi = mid - 1
    # ... then exact layouts from there down until one fits.
    best = None
    start = found if found is not None else min(int(min_size), max_size) - 1
    floor = int(min_size) if strict else FLOOR_SIZE
    if found is None and strict:
        start = floor  # approximate measures are a pixel or so off: try min_size exactly
    for size in range(start, floor - 1, -1):
        lay = attempt(size)
        if _fits(lay, h, max_lines):
            best = lay
            break
    if best is None and strict:
        raise DoesNotFit(text, int(min_size), box)
    if best is None:
        best = attempt(FLOOR_SIZE, force=True)
        _drop_overflow(best, h, max_lines)
    place(best, box, valign)
    return best


def _drop_overflow(lay: TextLayout, h: float, max_lines: int | None) -> None:
    while lay.lines and (lay.extent_height > h or (max_lines is not None and len(lay.lines) > max_lines)):
        lay.lines.pop()
        pitch = lay.height / (len(lay.lines) + 1)
        lay.height -= pitch
        _recompute_ink(lay)


def _recompute_ink(lay: TextLayout) -> None:
    box = None
    for ln in lay.lines:
        for r in ln.runs:
            if not r.ink:
                continue
            b = (r.x + r.ink[0], ln.baseline + r.ink[1], r.x + r.ink[2], ln.baseline + r.ink[3])
            box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3]))
    lay.ink_box = box


def place(lay: TextLayout, box: tuple[float, float, float, float], valign: str = "center") -> TextLayout:
    """Set the layout's origin so its lines and ink sit inside ``box``."""
    x0, y0, x1, y1 = box
    top, bot = lay.extent
    free = (y1 - y0) - (bot - top)
    dy = {"top": 0.0, "bottom": free}.get(valign, free / 2)
    lay.origin = (float(round(x0)), float(round(y0 + max(0.0, dy) - top)))
    return lay
