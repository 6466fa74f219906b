"""Measure and draw one run with Pillow + raqm (HarfBuzz shaping, FriBiDi).

All positions use the left end of the run's advance box on the baseline
(Pillow anchor "ls"), whatever the run's direction. Colour emoji are drawn at
the bitmap font's strike size and scaled to the text size here.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from . import fonts
from .fonts import EMOJI_STRIKE, FontFace

EMOJI_SCALE = 0.92  # emoji height relative to the text size
# Size at which approximate measurements are taken and then scaled: auto-fit
# tries many sizes, and shaping (Nastaliq above all) is the costly part.
REF_SIZE = 128


def _lang(lang: str | None) -> str | None:
    if not lang:
        return None
    return lang.replace("_", "-")


def emoji_scale(size: int) -> float:
    return size * EMOJI_SCALE / EMOJI_STRIKE


@lru_cache(maxsize=20000)
def width(text: str, face: FontFace, size: int, direction: str, lang: str | None) -> float:
    """Advance width in px of ``text`` shaped with ``face`` at ``size``."""
    if not text:
        return 0.0
    f = fonts.pil_font(face, size)
    w = f.getlength(text, direction=direction, language=_lang(lang))
    return w * emoji_scale(size) if face.emoji else w


@lru_cache(maxsize=20000)
def ink(text: str, face: FontFace, size: int, direction: str, lang: str | None) -> tuple[float, float, float, float] | None:
    """Ink box (x0, y0, x1, y1) relative to the run's left baseline point."""
    if not text or text.isspace():
        return None
    f = fonts.pil_font(face, size)
    x0, y0, x1, y1 = f.getbbox(text, direction=direction, language=_lang(lang), anchor="ls")
    if x1 <= x0 or y1 <= y0:
        return None
    if face.emoji:
        k = emoji_scale(size)
        return (x0 * k - 2, y0 * k - 2, x1 * k + 2, y1 * k + 2)  # + resampling fringe
    return (float(x0), float(y0), float(x1), float(y1))


@lru_cache(maxsize=512)
def metrics(face: FontFace, size: int) -> tuple[float, float]:
    """(ascent, descent) in px, both positive."""
    a, d = fonts.pil_font(face, size).getmetrics()
    if face.emoji:
        k = emoji_scale(size)
        return a * k, d * k
    return float(a), float(d)


def approx_width(text: str, face: FontFace, size: int, direction: str, lang: str | None) -> float:
    """Width scaled from REF_SIZE (hinting makes it differ by a pixel or so)."""
    return width(text, face, REF_SIZE, direction, lang) * size / REF_SIZE


def approx_ink(text: str, face: FontFace, size: int, direction: str, lang: str | None):
    b = ink(text, face, REF_SIZE, direction, lang)
    if b is None:
        return None
    k = size / REF_SIZE
    return (b[0] * k - 1, b[1] * k - 1, b[2] * k + 1, b[3] * k + 1)


def approx_metrics(face: FontFace, size: int) -> tuple[float, float]:
    a, d = metrics(face, REF_SIZE)
    k = size / REF_SIZE
    return a * k, d * k


def draw(img: Image.Image, x: float, baseline: float, text: str, face: FontFace, size: int,
         direction: str, lang: str | None, fill) -> None:
    """Draw the run with its left baseline point at (x, baseline)."""
    if not text or text.isspace():
        return
    f = fonts.pil_font(face, size)
    if not face.emoji:
        ImageDraw.Draw(img).text((x, baseline), text, font=f, fill=fill, anchor="ls",
                                 direction=direction, language=_lang(lang))
        return
    # Colour bitmap: render at strike size, scale, composite.
    x0, y0, x1, y1 = f.getbbox(text, direction=direction, anchor="ls")
    pad = 4
    tile = Image.new("RGBA", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((pad - x0, pad - y0), text, font=f, anchor="ls", embedded_color=True,
                              direction=direction)
    k = emoji_scale(size)
    tw, th = max(1, round(tile.width * k)), max(1, round(tile.height * k))
    tile = tile.resize((tw, th), Image.LANCZOS)
    px, py = round(x + (x0 - pad) * k), round(baseline + (y0 - pad) * k)
    if img.mode == "RGBA":
        img.alpha_composite(tile, (px, py)) if px >= 0 and py >= 0 else img.paste(tile, (px, py), tile)
    else:
        img.paste(tile, (px, py), tile)


def clear_caches() -> None:
    """Forget measured widths/ink (fonts and cmaps stay loaded)."""
    width.cache_clear()
    ink.cache_clear()
    metrics.cache_clear()
