"""Lay out a paragraph at a given size and width: runs -> lines -> positions.

The result (TextLayout) is inspectable: every line's runs in visual order,
with the font face that draws them, their logical character range, bidi level
and x position, plus line boxes and the ink box. Tests and designers read it;
``TextLayout.draw`` paints it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from PIL import Image

from ..scripts import RTL_LANGS
from ..textsafe import drawable
from . import bidi, linebreak, shape
from .fonts import FontFace
from .runs import Run, itemize
from .scripts import RTL_SCRIPTS
from .segment import breaks_for, graphemes


_HSPACE = re.compile(r"[^\S\n]+")  # whitespace other than a newline


def normalize(text: str, hard_breaks: bool = True) -> str:
    """Clean whitespace. With ``hard_breaks`` (the default) explicit line breaks
    (\\n, \\r\\n, U+2028, U+2029) survive as "\\n" -- letters and poems keep their
    lines -- with at most one blank line in a row and none at either end;
    every other whitespace run becomes one space. Without, everything is one
    paragraph. Characters a slide must not draw (bidi overrides and embeddings, control
    characters, zero-width spaces, soft hyphens) go; the joiners that shape emoji sequences and
    Persian or Indic words stay (`textsafe.drawable`)."""
    t = text or ""
    if not hard_breaks:
        return re.sub(r"\s+", " ", drawable(t)).strip()
    t = t.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    t = drawable(t.replace("\x0b", "\n").replace("\x0c", "\n").replace("\x85", "\n"))
    out: list[str] = []
    for ln in t.split("\n"):
        ln = _HSPACE.sub(" ", ln).strip()
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def is_rtl_lang(lang: str | None) -> bool:
    return (lang or "").replace("_", "-").split("-")[0].lower() in RTL_LANGS


@dataclass
class PlacedRun:
    text: str
    start: int  # logical range in TextLayout.text
    end: int
    face: FontFace
    size: int
    level: int
    script: str
    x: float  # left end of the advance box, relative to the layout origin
    width: float
    ink: tuple[float, float, float, float] | None  # relative to (x, line baseline)
    lang: str | None = None

    @property
    def direction(self) -> str:
        return "rtl" if self.level % 2 else "ltr"


@dataclass
class Line:
    start: int
    end: int  # logical end, trailing spaces excluded
    runs: list[PlacedRun]  # visual order, left to right
    x: float  # left end of the line's advance box
    baseline: float
    width: float
    ascent: float
    descent: float

    @property
    def text(self) -> str:
        return "".join(r.text for r in sorted(self.runs, key=lambda r: r.start))

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x, self.baseline - self.ascent, self.x + self.width, self.baseline + self.descent)


@dataclass
class TextLayout:
    text: str
    lang: str | None
    size: int
    direction: str  # paragraph direction, "ltr" or "rtl"
    align: str
    width: float  # the box width the lines were set in
    height: float  # sum of line pitches
    lines: list[Line]
    ink_box: tuple[float, float, float, float] | None  # union of run ink, relative to origin
    origin: tuple[float, float] = (0.0, 0.0)  # where the layout's top-left is drawn
    forced_breaks: bool = False  # some word was broken at grapheme boundaries
    runs: tuple[Run, ...] = field(default_factory=tuple)
    tight: bool = False  # extent = ink only (single-line labels: tall line metrics, e.g. Nastaliq, don't shrink them)

    # -- geometry -------------------------------------------------------
    @property
    def extent(self) -> tuple[float, float]:
        """(top, bottom) of lines and ink together, relative to origin."""
        if self.tight and self.ink_box:
            return self.ink_box[1], self.ink_box[3]
        top, bot = 0.0, self.height
        if self.ink_box:
            top, bot = min(top, self.ink_box[1]), max(bot, self.ink_box[3])
        return top, bot

    @property
    def extent_height(self) -> float:
        t, b = self.extent
        return b - t

    def abs_ink_box(self) -> tuple[float, float, float, float] | None:
        if not self.ink_box:
            return None
        ox, oy = self.origin
        x0, y0, x1, y1 = self.ink_box
        return (x0 + ox, y0 + oy, x1 + ox, y1 + oy)

    def abs_line_boxes(self) -> list[tuple[float, float, float, float]]:
        ox, oy = self.origin
        return [(b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy) for b in (ln.box for ln in self.lines)]

    # -- inspection -----------------------------------------------------
    def assignments(self) -> list[tuple[int, str, FontFace]]:
        """(logical index, character, face) for every character drawn."""
        out = []
        for ln in self.lines:
            for r in ln.runs:
                for k, ch in enumerate(r.text):
                    out.append((r.start + k, ch, r.face))
        return sorted(out, key=lambda t: t[0])

    def faces(self) -> dict[str, str]:
        """Face name -> characters it draws (in logical order)."""
        d: dict[str, list[str]] = {}
        for _i, ch, f in self.assignments():
            d.setdefault(f.name, []).append(ch)
        return {k: "".join(v) for k, v in d.items()}

    def caret_x(self, index: int) -> float | None:
        """Absolute x of the leading edge of logical character ``index``
        (left edge for left-to-right runs, right edge for right-to-left)."""
        for ln in self.lines:
            for r in ln.runs:
                if r.start <= index < r.end:
                    pre = shape.width(r.text[: index - r.start], r.face, r.size, r.direction, r.lang)
                    x = r.x + (pre if r.direction == "ltr" else r.width - pre)
                    return x + self.origin[0]
        return None

    def line_of(self, index: int) -> int | None:
        for k, ln in enumerate(self.lines):
            if ln.start <= index < ln.end:
                return k
        return None

    # -- drawing --------------------------------------------------------
    def draw(self, img: Image.Image, fill) -> None:
        ox, oy = self.origin
        for ln in self.lines:
            for r in ln.runs:
                shape.draw(img, ox + r.x, oy + ln.baseline, r.text, r.face, r.size, r.direction, r.lang, fill)


class _Measurer:
    def __init__(self, text: str, runs: tuple[Run, ...], size: int, lang: str | None, exact: bool = True):
        self.text, self.runs, self.size, self.lang = text, runs, size, lang
        self.starts = [r.start for r in runs]
        self.w = shape.width if exact else shape.approx_width
        self.ink = shape.ink if exact else shape.approx_ink
        self.metrics = shape.metrics if exact else shape.approx_metrics

    def pieces(self, a: int, b: int):
        """(run, start, end) for the parts of runs inside [a, b)."""
        i = max(0, bisect.bisect_right(self.starts, a) - 1)
        while i < len(self.runs) and self.runs[i].start < b:
            r = self.runs[i]
            s, e = max(a, r.start), min(b, r.end)
            if s < e:
                yield r, s, e
            i += 1

    def width(self, a: int, b: int) -> float:
        # A hard line break ends its line: it has no width.
        return sum(
            self.w(self.text[s:e].replace("\n", ""), r.face, self.size, r.direction, self.lang)
            for r, s, e in self.pieces(a, b)
        )


def _split_wide(segs, text, m: _Measurer, max_width: float):
    """Break segments wider than the line at grapheme boundaries (last resort)."""
    g = graphemes(text)
    out = []
    for s in segs:
        if s.trim_width <= max_width:
            out.append(s)
            continue
        cuts = [c for c in g if s.start <= c <= s.end]
        a = s.start
        while a < s.end:
            j = a
            for c in cuts:
                if c > a and (m.width(a, c) <= max_width or j == a):
                    j = c
                elif c > a:
                    break
            out.extend(linebreak.segments(text, [a, j], m.width))
            a = j
    return out


def _plan(text: str, segs, max_width: float, balance: bool):
    """Line plan (segment index pairs); a segment ending in a hard break ends
    its line, and each hard line is broken (and balanced) on its own."""
    choose = linebreak.balanced if balance else linebreak.greedy
    plan, a = [], 0
    for k, sg in enumerate(segs):
        if k == len(segs) - 1 or "\n" in text[sg.trim_end:sg.end]:
            sub = choose(segs[a:k + 1], max_width)
            if sub is None:
                return None
            plan.extend((i + a, j + a) for i, j in sub)
            a = k + 1
    return plan


def layout_text(text: str, size: int, max_width: float, lang: str | None = None, country: str | None = None,
                align: str = "center", line_spacing: float = 1.0, balance: bool = True,
                force: bool = False, exact: bool = True, hard_breaks: bool = True) -> TextLayout | None:
    """Lay out ``text`` at ``size`` px in lines at most ``max_width`` wide.

    Returns None when a word (an unbreakable segment) is wider than the line,
    unless ``force`` is set, in which case it is broken between graphemes.
    ``exact=False`` scales measurements taken at one reference size (fast, for
    searching sizes); only exact layouts should be drawn.
    ``align``: "center", "start" (right for right-to-left paragraphs),
    "end", "left" or "right".
    ``hard_breaks``: explicit line breaks in ``text`` end lines (each line is
    then broken and balanced on its own); otherwise they are spaces.
    """
    text = normalize(text, hard_breaks)
    size = int(size)
    para = bidi.base_level(text, default=1 if is_rtl_lang(lang) else 0)
    runs = itemize(text, lang, country, para)
    m = _Measurer(text, runs, size, lang, exact)
    segs = linebreak.segments(text, breaks_for(text, lang, country), m.width)
    forced = False
    plan = _plan(text, segs, max_width, balance)
    if plan is None:
        if not force:
            return None
        segs = _split_wide(segs, text, m, max_width)
        forced = True
        plan = _plan(text, segs, max_width, balance) or [(i, i + 1) for i in range(len(segs))]

    faces = {r.face for r in runs} or set()
    asc = max((m.metrics(f, size)[0] for f in faces), default=size * 0.8)
    desc = max((m.metrics(f, size)[1] for f in faces), default=size * 0.2)
    pitch = (asc + desc) * line_spacing

    lines: list[Line] = []
    ink_box = None
    for n, (i, j) in enumerate(plan):
        a, t = segs[i].start, segs[j - 1].trim_end
        pieces = list(m.pieces(a, t))
        order = bidi.visual_order([r.level for r, _s, _e in pieces])
        placed, x = [], 0.0
        for k in order:
            r, s, e = pieces[k]
            w = m.w(text[s:e], r.face, size, r.direction, lang)
            placed.append(PlacedRun(text[s:e], s, e, r.face, size, r.level, r.script, x, w,
                                    m.ink(text[s:e], r.face, size, r.direction, lang), lang))
            x += w
        lw = x
        baseline = n * pitch + asc + (pitch - asc - desc) / 2
        # Horizontal position: align, then keep the ink inside [0, max_width].
        rtl = para % 2 == 1
        mode = {"start": "right" if rtl else "left", "end": "left" if rtl else "right"}.get(align, align)
        lx = {"left": 0.0, "right": max_width - lw}.get(mode, (max_width - lw) / 2)
        inks = [(r.x + r.ink[0], r.ink[1], r.x + r.ink[2], r.ink[3]) for r in placed if r.ink]
        if inks:
            ix0, ix1 = min(b[0] for b in inks), max(b[2] for b in inks)
            if ix1 - ix0 > max_width + 0.5 and not force:
                return None
            if lx + ix1 > max_width:
                lx = max_width - ix1
            if lx + ix0 < 0:
                lx = -ix0
        for r in placed:
            r.x += lx
        for b in inks:
            box = (b[0] + lx, b[1] + baseline, b[2] + lx, b[3] + baseline)
            ink_box = box if ink_box is None else (
                min(ink_box[0], box[0]), min(ink_box[1], box[1]), max(ink_box[2], box[2]), max(ink_box[3], box[3]))
        lines.append(Line(a, t, placed, lx, baseline, lw, asc, desc))

    return TextLayout(text, lang, size, "rtl" if para % 2 else "ltr", align, float(max_width),
                      pitch * len(lines), lines, ink_box, (0.0, 0.0), forced, runs)


def paragraph_direction(text: str, lang: str | None = None) -> str:
    return "rtl" if bidi.base_level(normalize(text), 1 if is_rtl_lang(lang) else 0) else "ltr"


__all__ = ["TextLayout", "Line", "PlacedRun", "layout_text", "normalize", "paragraph_direction", "RTL_SCRIPTS"]
