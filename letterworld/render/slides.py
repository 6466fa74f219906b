"""Compose one slide image: title, excerpt or closing.

Every text block is auto-fitted into a band of the preset's safe area, so no
ink can fall outside it. A Slide keeps its TextLayouts for inspection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from .fit import fit_text
from .langnames import language_label
from .layout import TextLayout
from .presets import Preset
from .timing import seconds_for


@dataclass
class Slide:
    kind: str  # "title" | "excerpt" | "closing"
    image: Image.Image
    excerpt_ids: list[str]
    seconds: float
    layouts: dict[str, TextLayout] = field(default_factory=dict)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)


def _band(safe, top: float, bottom: float, inset: float = 0.0):
    """Horizontal band of the safe area between fractions top..bottom of its height."""
    x0, y0, x1, y1 = safe
    h = y1 - y0
    dx = (x1 - x0) * inset
    return (x0 + dx, y0 + h * top, x1 - dx, y0 + h * bottom)


def _canvas(preset: Preset, theme: dict) -> Image.Image:
    return Image.new("RGB", preset.size, theme["background"])


def _rule(img: Image.Image, safe, y: float, width: float, theme: dict, u: float) -> tuple[int, int, int, int]:
    """Short centred accent rule at height y (inside the safe area by construction)."""
    x0, y0, x1, y1 = safe
    cx = (x0 + x1) / 2
    t = max(2, round(4 * u))
    box = (round(cx - width / 2), round(y - t / 2), round(cx + width / 2), round(y + t / 2))
    box = (max(box[0], x0), max(box[1], y0), min(box[2], x1 - 1), min(box[3], y1 - 1))
    ImageDraw.Draw(img).rectangle(box, fill=theme["accent"])
    return box


def title_slide(letter: dict, preset: Preset, theme: dict) -> Slide:
    img = _canvas(preset, theme)
    safe, u = preset.safe_area, preset.unit
    lang = letter.get("lang") or "en"
    recipient = (letter.get("recipient") or "").strip()
    greeting = (letter.get("greeting") or "").strip()
    kicker = (theme.get("kicker") or "").strip()
    layouts, rules = {}, []
    if kicker:
        lay = fit_text(kicker, _band(safe, 0.06, 0.16), lang="en", max_size=round(40 * u))
        lay.draw(img, theme["accent"])
        layouts["kicker"] = lay
    if recipient:
        top, bottom = (0.22, 0.58) if greeting else (0.25, 0.75)
        lay = fit_text(recipient, _band(safe, top, bottom), lang=lang, max_size=round(170 * u), max_lines=2)
        lay.draw(img, theme["text"])
        layouts["recipient"] = lay
    if greeting:
        if theme.get("rule", True) and recipient:
            rules.append(_rule(img, safe, _band(safe, 0.64, 0.64)[1], 160 * u, theme, u))
        top = 0.70 if recipient else 0.25
        lay = fit_text(greeting, _band(safe, top, 0.94, 0.05), lang=lang, max_size=round(80 * u))
        lay.draw(img, theme["muted"] if recipient else theme["text"])
        layouts["greeting"] = lay
    return Slide("title", img, [], seconds_for(greeting or recipient), layouts, rules)


def excerpt_slide(excerpt: dict, preset: Preset, theme: dict, section_label: str = "", letter_lang: str = "en") -> Slide:
    img = _canvas(preset, theme)
    safe, u = preset.safe_area, preset.unit
    lang, country = excerpt.get("lang") or None, excerpt.get("country") or None
    text = excerpt.get("text") or ""
    attribution = (excerpt.get("attribution") or "").strip()
    label = language_label(lang, country)
    layouts = {}
    if section_label and theme.get("show_section", True):
        lay = fit_text(section_label, _band(safe, 0.0, 0.08), lang=letter_lang, max_size=round(34 * u), max_lines=1)
        lay.draw(img, theme["accent"])
        layouts["section"] = lay
    quote_bottom = 0.74 if (attribution or label) else 0.92
    lay = fit_text(text, _band(safe, 0.12, quote_bottom, 0.04), lang=lang, country=country,
                   max_size=round(130 * u))
    lay.draw(img, theme["text"])
    layouts["text"] = lay
    if attribution:
        a = fit_text("— " + attribution, _band(safe, 0.78, 0.88), lang=lang, country=country,
                     max_size=round(52 * u), max_lines=1)
        a.draw(img, theme["text"])
        layouts["attribution"] = a
    if label:
        top = 0.89 if attribution else 0.80
        a = fit_text(label, _band(safe, top, min(top + 0.10, 1.0)), lang=lang, country=country,
                     max_size=round(40 * u), max_lines=1)
        a.draw(img, theme["muted"])
        layouts["language"] = a
    eid = excerpt.get("id")
    return Slide("excerpt", img, [str(eid)] if eid is not None else [], seconds_for(text), layouts)


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
    img = _canvas(preset, theme)
    safe, u = preset.safe_area, preset.unit
    lang = letter.get("lang") or "en"
    text = closing_text(letter)
    layouts, rules = {}, []
    if theme.get("rule", True):
        rules.append(_rule(img, safe, _band(safe, 0.18, 0.18)[1], 160 * u, theme, u))
    if text:
        lay = fit_text(text, _band(safe, 0.25, 0.80, 0.06), lang=lang, max_size=round(96 * u))
        lay.draw(img, theme["text"])
        layouts["closing"] = lay
    recipient = (letter.get("recipient") or "").strip()
    if recipient:
        lay = fit_text(recipient, _band(safe, 0.84, 0.94), lang=lang, max_size=round(40 * u), max_lines=1)
        lay.draw(img, theme["accent"])
        layouts["recipient"] = lay
    return Slide("closing", img, [], seconds_for(text), layouts, rules)
