"""Render stage: a letter.json becomes projection-ready slides.

Pillow (with raqm: HarfBuzz shaping + FriBiDi) draws the glyphs; this package
adds what Pillow lacks: per-script font fallback (fonts, runs), bidi run
ordering (bidi), UAX #14 line breaking with ICU and hard line breaks (segment,
linebreak, layout), fitting text to a box with a minimum glyph height (fit),
slide composition (slides), themes from files (themes), and the outputs:
PNGs + manifest, contact sheet, A3 PDF and MP4 (letter, contact, pdf, video).

    from letterworld.render import render_letter, facade
    manifest = render_letter(letter, Path("out"), preset="3840x2160", theme="campaign.toml")
    render_letter(letter, Path("wall"), preset=facade(6000, 2500, viewing_distance_m=80, surface_height_m=12))
"""

from .fit import DoesNotFit, fit_text
from .fonts import FontFace, FontsMissing
from .layout import Line, PlacedRun, TextLayout, layout_text
from .letter import RenderError, check_fonts, iter_slides, read_letter, render_letter, validate_letter
from .presets import PRESETS, Preset, facade, get_preset, min_glyph_px
from .slides import LegibilityError, Slide
from .themes import THEMES, ThemeError, contrast_ratio, load_theme_file, resolve_theme
from .video import VideoFailed, VideoUnavailable, find_ffmpeg

__all__ = [
    "render_letter", "read_letter", "validate_letter", "RenderError", "iter_slides", "check_fonts", "fit_text", "layout_text",
    "TextLayout", "Line", "PlacedRun", "FontFace", "FontsMissing", "Slide",
    "PRESETS", "Preset", "get_preset", "facade", "min_glyph_px", "THEMES", "resolve_theme",
    "load_theme_file", "contrast_ratio", "ThemeError", "LegibilityError", "DoesNotFit",
    "VideoUnavailable", "VideoFailed", "find_ffmpeg",
]
