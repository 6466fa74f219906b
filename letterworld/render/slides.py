"""Compose slide images: title, excerpt, original + translation pair, closing.

Every text block is auto-fitted into a band of the preset's safe area, so no
ink can fall outside it. A Slide keeps its TextLayouts for inspection.

When the preset has a minimum glyph height (a façade seen from far away),
every text is set at least that large: a quote that does not fit is split
over several slides (at sentence ends, else at line-break opportunities),
a pair whose translation does not fit becomes two slides, a decorative line
(kicker, section label) that does not fit is left out with a warning, and
anything else raises LegibilityError saying what to change.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from .fit import DoesNotFit, fit_text
from .langnames import language_label
from .layout import TextLayout, layout_text, normalize
from .presets import Preset
from .segment import breaks_for, sentence_ends
from .themes import background_image, rule_colours
from .timing import seconds_for


class LegibilityError(ValueError):
    """Text cannot be set at the preset's minimum glyph height."""


@dataclass
class Slide:
    kind: str  # "title" | "excerpt" | "pair" | "translation" | "closing"
    image: Image.Image
    excerpt_ids: list[str]
    seconds: float
    layouts: dict[str, TextLayout] = field(default_factory=dict)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)
    part: tuple[int, int] | None = None  # (k, n) when one text is split over n slides
    warnings: list[str] = field(default_factory=list)
    lang: str | None = None


class _Ctx:
    def __init__(self, preset: Preset, theme: dict):
        self.p, self.th = preset, theme
        self.safe = preset.safe_area
        self.u = preset.unit
        self.short = min(preset.width, preset.height)
        self.min_font = preset.min_font_px
        self.strict = self.min_font > 0
        self.hard = theme.get("line_breaks", "keep") == "keep"

    def max_size(self, key: str) -> int:
        return max(1, round(self.th["sizes"][key] * self.short), self.min_font)

    def fit(self, text: str, box, key: str, lang=None, country=None, max_size: int | None = None, **kw) -> TextLayout:
        kw.setdefault("hard_breaks", self.hard)
        if self.strict:
            kw["min_size"], kw["strict"] = self.min_font, True
        return fit_text(text, box, lang=lang, country=country,
                        max_size=max_size if max_size is not None else self.max_size(key), **kw)

    def fits_at_min(self, text: str, box, lang, country) -> bool:
        """Does ``text`` fit ``box`` at the minimum size (the loosest test)?"""
        w, h = box[2] - box[0] - 2, box[3] - box[1] - 2
        lay = layout_text(text, self.min_font, w, lang, country, hard_breaks=self.hard)
        return lay is not None and lay.extent_height <= h

    def canvas(self) -> Image.Image:
        bg = background_image(self.th, self.p.size)
        return bg[0] if bg else Image.new("RGB", self.p.size, self.th["background"])


def _band(safe, top: float, bottom: float, inset: float = 0.0):
    """Horizontal band of the safe area between fractions top..bottom of its height."""
    x0, y0, x1, y1 = safe
    h = y1 - y0
    dx = (x1 - x0) * inset
    return (x0 + dx, y0 + h * top, x1 - dx, y0 + h * bottom)


def _rule(img: Image.Image, c: _Ctx, y: float, width: float) -> tuple[int, int, int, int]:
    """Short centred rule at height y (inside the safe area by construction),
    in the campaign colours (equal segments) or the accent colour."""
    x0, y0, x1, y1 = c.safe
    cx = (x0 + x1) / 2
    t = max(2, round(4 * c.u))
    box = (round(cx - width / 2), round(y - t / 2), round(cx + width / 2), round(y + t / 2))
    box = (max(box[0], x0), max(box[1], y0), min(box[2], x1 - 1), min(box[3], y1 - 1))
    colours = rule_colours(c.th)
    d = ImageDraw.Draw(img)
    n = len(colours)
    for k, col in enumerate(colours):
        a = box[0] + round((box[2] - box[0]) * k / n)
        b = box[0] + round((box[2] - box[0]) * (k + 1) / n)
        d.rectangle((a, box[1], max(a, b - 1) if k < n - 1 else box[2], box[3]), fill=col)
    return box


def _optional(c: _Ctx, warnings: list[str], what: str, text: str, box, key: str, lang=None, country=None, **kw):
    """Fit a decorative line; at a minimum glyph height it may be left out."""
    try:
        return c.fit(text, box, key, lang, country, **kw)
    except DoesNotFit:
        warnings.append(f"{what} {text!r} left out: it does not fit at {c.min_font} px")
        return None


def _required(c: _Ctx, what: str, text: str, box, key: str, lang=None, country=None, **kw) -> TextLayout:
    try:
        return c.fit(text, box, key, lang, country, **kw)
    except DoesNotFit as e:
        raise LegibilityError(_advice(c, what, e)) from None


def _advice(c: _Ctx, what: str, e: DoesNotFit) -> str:
    return (f"{what}: {e}. The preset {c.p.name} asks for an x-height of at least {c.p.min_glyph} px "
            f"({c.min_font} px type) for its viewing distance; use a larger surface or a shorter viewing "
            f"distance, smaller safe-area margins, or a shorter text")


def title_slide(letter: dict, preset: Preset, theme: dict) -> Slide:
    c = _Ctx(preset, theme)
    img = c.canvas()
    lang = letter.get("lang") or "en"
    recipient = (letter.get("recipient") or "").strip()
    greeting = (letter.get("greeting") or "").strip()
    kicker = (theme.get("kicker") or "").strip()
    layouts, rules, warnings = {}, [], []
    if kicker:
        kb = _band(c.safe, 0.06, 0.16)
        kb = (kb[0], kb[1], kb[2], max(kb[3], kb[1] + _line_h(c, kicker, "kicker", "en") + 4))
        lay = _optional(c, warnings, "kicker", kicker, kb, "kicker", "en", tight=True)
        if lay:
            lay.draw(img, theme["accent"])
            layouts["kicker"] = lay
    if recipient:
        top, bottom = (0.22, 0.58) if greeting else (0.25, 0.75)
        lay = _required(c, "recipient", recipient, _band(c.safe, top, bottom), "recipient", lang, max_lines=2)
        lay.draw(img, theme["text"])
        layouts["recipient"] = lay
    if greeting:
        if theme.get("rule", True) and recipient:
            rules.append(_rule(img, c, _band(c.safe, 0.64, 0.64)[1], 160 * c.u))
        top = 0.70 if recipient else 0.25
        lay = _required(c, "greeting", greeting, _band(c.safe, top, 0.94, 0.05), "greeting", lang)
        lay.draw(img, theme["muted"] if recipient else theme["text"])
        layouts["greeting"] = lay
    return Slide("title", img, [], seconds_for(greeting or recipient), layouts, rules, warnings=warnings, lang=lang)


# ------------------------------------------------------------- excerpts

def split_points(text: str, lang: str | None, country: str | None, fine: bool) -> list[int]:
    """Where a quote may be split between slides: after line breaks and
    sentence ends, or (``fine``) at any line-break opportunity."""
    cuts = {i + 1 for i, ch in enumerate(text) if ch == "\n"} | set(sentence_ends(text, lang))
    if fine:
        cuts |= set(breaks_for(text, lang, country))
    return sorted(x for x in cuts if 0 < x < len(text))


def split_text(text: str, fits, lang: str | None = None, country: str | None = None) -> list[str] | None:
    """Split ``text`` into as few parts as fit (``fits(part) -> bool``), as even
    as possible; parts are exact substrings (whitespace at the cut trimmed).
    None when some unbreakable piece does not fit on its own."""
    for fine in (False, True):
        cuts = split_points(text, lang, country, fine)
        parts = _greedy(text, cuts, fits)
        if parts is not None:
            return _even(text, cuts, fits, parts) or [text[a:b].strip() for a, b in parts]
    return None


def _greedy(text, cuts, fits):
    ends = cuts + [len(text)]
    parts, a = [], 0
    while a < len(text):
        cand = [e for e in ends if e > a]
        # Binary search on the prefix length (a longer prefix never fits better).
        lo, hi, best = 0, len(cand) - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            if fits(text[a:cand[mid]].strip()):
                best, lo = cand[mid], mid + 1
            else:
                hi = mid - 1
        if best is None:
            return None
        parts.append((a, best))
        a = best
        while a < len(text) and text[a].isspace():
            a += 1
    return parts


def _even(text, cuts, fits, parts):
    """Same number of parts, cut nearest to equal lengths, if those fit."""
    n = len(parts)
    if n < 2:
        return None
    chosen, prev = [], 0
    for k in range(1, n):
        target = len(text) * k / n
        i = bisect.bisect_left(cuts, target)
        near = sorted((x for x in cuts[max(0, i - 1):i + 1] if x > prev), key=lambda x: abs(x - target))
        if not near:
            return None
        chosen.append(near[0])
        prev = near[0]
    bounds = [0] + chosen + [len(text)]
    out = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return out if all(out) and all(fits(p) for p in out) else None


def _line_h(c: _Ctx, text: str, key: str, lang=None, country=None) -> float:
    """Ink height of ``text`` on one line at its largest size (Nastaliq and
    Burmese reach far above and below Latin: their bands grow to fit)."""
    lay = layout_text(text, c.max_size(key), 10 ** 7, lang, country, hard_breaks=False)
    if lay is None or not lay.ink_box:
        return 0.0
    return lay.ink_box[3] - lay.ink_box[1]


def _foot(c: _Ctx, excerpt: dict, lang, country, label: str, bottom: float | None = None):
    """Attribution and language name stacked up from ``bottom`` (default: the
    foot of the safe area): [(what, text, key, colour, box)], and the top y."""
    x0, y0, x1, y1 = c.safe
    H = y1 - y0
    items = []
    attribution = (excerpt.get("attribution") or "").strip()
    if attribution:
        items.append(("attribution", "— " + attribution, "attribution", "text"))
    if label:
        items.append(("language name", label, "language", "muted"))
    y = (y1 - 0.01 * H) if bottom is None else bottom
    out = []
    for what, text, key, col in reversed(items):
        h = min(max(0.10 * H, _line_h(c, text, key, lang, country) + 4), 0.3 * H)
        out.append((what, text, key, col, (x0, y - h, x1, y)))
        y -= h + 0.01 * H
    return out[::-1], y + 0.01 * H


def _draw_foot(c: _Ctx, img, layouts, foot, lang, country, label: str | None = None) -> None:
    for what, text, key, col, box in foot:
        if what == "language name" and label is not None:
            text = label
        lay = _required(c, what, text, box, key, lang, country, max_lines=1, tight=True)
        lay.draw(img, c.th[col])
        layouts["attribution" if what == "attribution" else "language"] = lay


def _section(c: _Ctx, img, layouts, warnings, section_label: str, letter_lang: str) -> float:
    """Draw the section label at the top; return the y where content may start."""
    x0, y0, x1, y1 = c.safe
    H = y1 - y0
    top = y0 + 0.12 * H
    if section_label and c.th.get("show_section", True):
        h = max(0.08 * H, _line_h(c, section_label, "section", letter_lang) + 4)
        lay = _optional(c, warnings, "section label", section_label, (x0, y0, x1, y0 + h), "section",
                        letter_lang, max_lines=1, tight=True)
        if lay:
            lay.draw(img, c.th["accent"])
            layouts["section"] = lay
            top = max(top, y0 + h + 0.04 * H)
    return top


def _part_label(label: str, k: int, n: int) -> str:
    return f"{label} · {k}/{n}" if label else f"{k}/{n}"


def _quote_slides(c: _Ctx, kind: str, text: str, lang, country, excerpt: dict, label: str,
                  section_label: str, letter_lang: str, eid: list[str]) -> list[Slide]:
    """One quote on its own slide(s), split when it cannot be set large enough."""
    x0, y0, x1, y1 = c.safe
    H, dx = y1 - y0, (x1 - x0) * 0.04
    foot, foot_top = _foot(c, excerpt, lang, country, label)
    has_sec = bool(section_label and c.th.get("show_section", True))
    top_guess = y0 + max(0.12 * H, (max(0.08 * H, _line_h(c, section_label, "section", letter_lang) + 4)
                                    + 0.04 * H) if has_sec else 0.12 * H)
    bottom = foot_top - 0.04 * H if foot else y0 + 0.92 * H
    box = (x0 + dx, top_guess, x1 - dx, bottom)
    parts = [text]
    if c.strict and not c.fits_at_min(normalize(text, c.hard), box, lang, country):
        parts = split_text(normalize(text, c.hard), lambda t: c.fits_at_min(t, box, lang, country), lang, country)
        if parts is None:
            raise LegibilityError(_advice(c, f"excerpt {eid[0] if eid else ''} ({lang})",
                                          DoesNotFit(text, c.min_font, box)) + " (it cannot be split finely enough)")
    out = []
    for k, part in enumerate(parts, start=1):
        img = c.canvas()
        layouts, warnings = {}, []
        top = _section(c, img, layouts, warnings, section_label, letter_lang)
        lay = _required(c, "excerpt", part, (box[0], top, box[2], box[3]), "quote", lang, country)
        lay.draw(img, c.th["text"])
        layouts["text"] = lay
        lab = _part_label(label, k, len(parts)) if len(parts) > 1 else None
        _draw_foot(c, img, layouts, foot, lang, country, lab)
        out.append(Slide(kind, img, eid, seconds_for(part), layouts, [],
                         (k, len(parts)) if len(parts) > 1 else None, warnings, lang))
    return out


def translation_of(excerpt: dict) -> dict | None:
    """The excerpt's human translation {"lang", "text", "by"}, if it has one."""
    tr = excerpt.get("translation")
    if not isinstance(tr, dict) or not (tr.get("text") or "").strip():
        return None
    return tr


def translation_label(tr: dict, theme: dict) -> str:
    label = language_label(tr.get("lang") or None, None)
    by = (tr.get("by") or "").strip()
    credit = (theme.get("translated_by") or "").format(by=by) if by and theme.get("translated_by") else ""
    return " · ".join(x for x in (label, credit) if x)


def excerpt_slides(excerpt: dict, preset: Preset, theme: dict, section_label: str = "",
                   letter_lang: str = "en") -> list[Slide]:
    """The slide(s) for one excerpt: one slide, a pair slide when it carries a
    translation, or several when a minimum glyph height forces a split."""
    c = _Ctx(preset, theme)
    lang, country = excerpt.get("lang") or None, excerpt.get("country") or None
    text = excerpt.get("text") or ""
    label = language_label(lang, country)
    eid = [str(excerpt["id"])] if excerpt.get("id") is not None else []
    tr = translation_of(excerpt)
    if tr is not None:
        try:
            return [_pair_slide(c, excerpt, tr, label, section_label, letter_lang, eid)]
        except (DoesNotFit, LegibilityError):
            if not c.strict:
                raise
        # Too big for one slide at the minimum size: the original, then the translation.
        tlang = tr.get("lang") or None
        out = _quote_slides(c, "excerpt", text, lang, country, excerpt, label, section_label, letter_lang, eid)
        out += _quote_slides(c, "translation", tr["text"], tlang, None, {}, translation_label(tr, theme),
                             section_label, letter_lang, eid)
        return out
    return _quote_slides(c, "excerpt", text, lang, country, excerpt, label, section_label, letter_lang, eid)


def _pair_slide(c: _Ctx, excerpt: dict, tr: dict, label: str, section_label: str, letter_lang: str,
                eid: list[str]) -> Slide:
    """Original large, translation smaller below, each in its own script and
    direction; the translation's language and translator under it; attribution
    and language name at the foot."""
    img = c.canvas()
    layouts, warnings = {}, []
    lang, country = excerpt.get("lang") or None, excerpt.get("country") or None
    tlang = tr.get("lang") or None
    x0, y0, x1, y1 = c.safe
    H, W = y1 - y0, x1 - x0
    top = _section(c, img, layouts, warnings, section_label, letter_lang) - 0.02 * H
    foot, foot_top = _foot(c, excerpt, lang, country, label)
    tl = translation_label(tr, c.th)
    credit_h = max(0.06 * H, _line_h(c, tl, "language", tlang) + 4) if tl else 0.0
    bottom = (foot_top - 0.03 * H if foot else y0 + 0.95 * H) - credit_h
    split = top + (bottom - top) * 0.62
    o = c.fit(excerpt.get("text") or "", (x0 + 0.04 * W, top, x1 - 0.04 * W, split - 0.015 * H), "quote",
              lang, country)
    # The translation is visibly smaller than the original.
    tmax = max(min(c.max_size("translation"), round(o.size * 0.75)), c.min_font)
    t = c.fit(tr["text"], (x0 + 0.06 * W, split + 0.015 * H, x1 - 0.06 * W, bottom - 0.01 * H), "translation", tlang, None,
              max_size=tmax)
    o.draw(img, c.th["text"])
    t.draw(img, c.th["muted"])
    layouts["text"], layouts["translation"] = o, t
    if tl:
        lay = _optional(c, warnings, "translation credit", tl, (x0 + 0.06 * W, bottom, x1 - 0.06 * W, bottom + credit_h),
                        "language", tlang, None, max_lines=1, tight=True)
        if lay:
            lay.draw(img, c.th["muted"])
            layouts["translation_label"] = lay
    _draw_foot(c, img, layouts, foot, lang, country)
    return Slide("pair", img, eid, seconds_for(excerpt.get("text") or "", tr["text"]), layouts, [], None, warnings,
                 lang)


# -------------------------------------------------------------- closing

def closing_text(letter: dict) -> str:
    closing = (letter.get("closing") or "").strip()
    if closing:
        return closing
    c = letter.get("counts") or {}
    if c:
        return (f"Written by {c.get('messages', 0)} people in {c.get('languages', 0)} languages "
                f"from {c.get('countries', 0)} countries.")
    return ""


def closing_slide(letter: dict, preset: Preset, theme: dict) -> Slide:
    c = _Ctx(preset, theme)
    img = c.canvas()
    lang = letter.get("lang") or "en"
    text = closing_text(letter)
    layouts, rules, warnings = {}, [], []
    if theme.get("rule", True):
        rules.append(_rule(img, c, _band(c.safe, 0.18, 0.18)[1], 160 * c.u))
    if text:
        lay = _required(c, "closing", text, _band(c.safe, 0.25, 0.80, 0.06), "closing", lang)
        lay.draw(img, theme["text"])
        layouts["closing"] = lay
    recipient = (letter.get("recipient") or "").strip()
    if recipient:
        rb = _band(c.safe, 0.84, 0.94)
        rb = (rb[0], min(rb[1], rb[3] - _line_h(c, recipient, "closing_recipient", lang) - 4), rb[2], rb[3])
        lay = _optional(c, warnings, "recipient", recipient, rb, "closing_recipient", lang, max_lines=1, tight=True)
        if lay:
            lay.draw(img, theme["accent"])
            layouts["recipient"] = lay
    return Slide("closing", img, [], seconds_for(text), layouts, rules, warnings=warnings, lang=lang)
