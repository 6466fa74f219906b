"""Contact sheet: every slide as a numbered thumbnail on one PNG, for review."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

from .fit import fit_text

SHEET_BG = "#1A1A1A"
LABEL = "#F0F0F0"
BORDER = "#5A5A5A"


def thumbnail(img: Image.Image, width: int = 480) -> Image.Image:
    """A copy of ``img`` ``width`` px wide (portrait: that height instead)."""
    if img.height > img.width:
        h = width
        w = max(1, round(img.width * h / img.height))
    else:
        w = width
        h = max(1, round(img.height * w / img.width))
    return img.resize((w, h), Image.BILINEAR, reducing_gap=2.0)


def contact_sheet(thumbs: list[tuple[Image.Image, str]], title: str = "", title_lang: str | None = None,
                  cols: int | None = None, gap: int = 24) -> Image.Image:
    """Grid of (thumbnail, label) in order; each label starts with its number."""
    if not thumbs:
        raise ValueError("contact sheet: no slides")
    tw = max(t.width for t, _l in thumbs)
    th = max(t.height for t, _l in thumbs)
    n = len(thumbs)
    if cols is None:
        cols = 4 if tw >= th else 6
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    label_h = max(28, round(tw * 0.075))
    head_h = label_h * 2 if title else 0
    W = cols * tw + (cols + 1) * gap
    H = head_h + rows * (th + label_h) + (rows + 1) * gap
    sheet = Image.new("RGB", (W, H), SHEET_BG)
    d = ImageDraw.Draw(sheet)
    if title:
        lay = fit_text(title, (gap, gap // 2, W - gap, head_h + gap // 2), lang=title_lang, max_size=label_h,
                       align="left", max_lines=1)
        lay.draw(sheet, LABEL)
    for k, (t, label) in enumerate(thumbs):
        r, c = divmod(k, cols)
        x = gap + c * (tw + gap) + (tw - t.width) // 2
        y = head_h + gap + r * (th + label_h + gap)
        sheet.paste(t, (x, y))
        d.rectangle((x - 1, y - 1, x + t.width, y + t.height), outline=BORDER)
        lay = fit_text(label, (x, y + t.height + 2, x + t.width, y + t.height + label_h), lang="en",
                       max_size=round(label_h * 0.62), align="left", max_lines=1)
        lay.draw(sheet, LABEL)
    return sheet


def write_contact_sheet(thumbs, path: Path, **kw) -> Path:
    contact_sheet(thumbs, **kw).save(path, optimize=False, compress_level=6)
    return Path(path)
