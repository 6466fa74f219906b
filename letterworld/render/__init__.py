"""Render stage: a letter.json becomes projection-ready slides.

Pillow (with raqm: HarfBuzz shaping + FriBiDi) draws the glyphs; this package
adds what Pillow lacks: per-script font fallback (fonts, runs), bidi run
ordering (bidi), UAX #14 line breaking with ICU (segment, linebreak), fitting
text to a box (layout, fit) and slide composition (slides, letter).

    from letterworld.render import render_letter, fit_text
    manifest = render_letter(letter, Path("out"), preset="3840x2160", theme={"name": "light"})
"""

from .fit import fit_text
from .fonts import FontFace, FontsMissing
from .layout import Line, PlacedRun, TextLayout, layout_text
from .letter import check_fonts, iter_slides, render_letter
from .presets import PRESETS, Preset, get_preset
from .slides import Slide
from .themes import THEMES, contrast_ratio, resolve_theme

__all__ = [
    "render_letter", "iter_slides", "check_fonts", "fit_text", "layout_text",
    "TextLayout", "Line", "PlacedRun", "FontFace", "FontsMissing", "Slide",
    "PRESETS", "Preset", "get_preset", "THEMES", "resolve_theme", "contrast_ratio",
]
