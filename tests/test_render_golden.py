"""Golden images: a few slides compared with PNGs in tests/golden/.

To survive Pillow/FreeType/HarfBuzz version differences (hinting, antialiasing)
the comparison is on grayscale images scaled down to 320 px wide and blurred
(radius 1 px): the mean absolute difference must stay under MEAN_LIMIT (of
255) and no 8x8 block may differ by more than BLOCK_LIMIT on average. Shifts
of a few pixels and bolder or lighter antialiasing pass; a missing-glyph box,
a reversed line or a different line break fail (test_golden_comparison_*).

Regenerate after an intended change of look (and look at the PNGs):

    LETTERWORLD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py
    # or: .venv/bin/python tests/test_render_golden.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from letterworld.render import fonts, iter_slides
from letterworld.render.sample import sample_letter

GOLDEN = Path(__file__).parent / "golden"
WIDTH = 320
MEAN_LIMIT = 2.5
BLOCK_LIMIT = 35.0
BLUR = 1.0
UPDATE = os.environ.get("LETTERWORLD_UPDATE_GOLDEN") == "1"

requires_fonts = pytest.mark.skipif(
    any(fonts.find_file(f) is None for f in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                                             "NotoNastaliqUrdu-Regular.ttf", "NotoSansCJK-Regular.ttc",
                                             "NotoColorEmoji.ttf", "NotoSansThai-Regular.ttf")),
    reason="Noto fonts not installed")


def _excerpt(letter: dict, lang: str) -> dict:
    return next(e for s in letter["sections"] for e in s["excerpts"] if e["lang"] == lang)


def _only(letter: dict, ex: dict) -> dict:
    return {**letter, "sections": [{"label": "you are not alone", "excerpts": [ex]}]}


def golden_slides() -> dict[str, Image.Image]:
    return {k: v.image for k, v in _slides().items()}


def _slides():
    L = sample_letter()
    ja = {**_excerpt(L, "ja"), "translation": {"lang": "en", "by": "Ana",
                                               "text": "We are with you. You are not alone. Your courage "
                                                       "encourages us every day."}}
    poem = {**_excerpt(L, "en"), "text": "Stay strong ❤️\nنحن معك\nfrom all of us in Lima 🇵🇪!"}
    return {
        "title-light": next(iter_slides(L, "1920x1080", "light")),
        "excerpt-ar": list(iter_slides(_only(L, _excerpt(L, "ar")), "1920x1080"))[1],
        "excerpt-th-portrait": list(iter_slides(_only(L, _excerpt(L, "th")), "1080x1920", "light"))[1],
        "pair-ja-en": list(iter_slides(_only(L, ja), "1920x1080"))[1],
        "facade-ur": list(iter_slides(_only(L, _excerpt(L, "ur")),
                                      "facade:3000x1000,margin=0.08/0.05/0.08/0.1,distance=50,height=6"))[1],
        "poem-mixed": list(iter_slides(_only(L, poem), "1920x1080", "campaign"))[1],
    }


def small(img: Image.Image) -> Image.Image:
    h = max(1, round(img.height * WIDTH / img.width))
    return img.convert("L").resize((WIDTH, h), Image.BOX)


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference, worst 8x8 block mean) of two small images."""
    from PIL import ImageFilter

    x, y = (np.asarray(im.filter(ImageFilter.GaussianBlur(BLUR)), dtype=np.float64) for im in (a, b))
    if x.shape != y.shape:
        return 255.0, 255.0
    d = np.abs(x - y)
    h, w = (d.shape[0] // 8) * 8, (d.shape[1] // 8) * 8
    blocks = d[:h, :w].reshape(h // 8, 8, w // 8, 8).mean(axis=(1, 3))
    return float(d.mean()), float(blocks.max())


def write_goldens() -> list[Path]:
    GOLDEN.mkdir(exist_ok=True)
    out = []
    for name, img in golden_slides().items():
        p = GOLDEN / f"{name}.png"
        small(img).save(p, optimize=True)
        out.append(p)
    return out


@pytest.fixture(scope="module")
def rendered():
    slides = golden_slides()
    if UPDATE:
        write_goldens()
    return {k: small(v) for k, v in slides.items()}


@requires_fonts
@pytest.mark.parametrize("name", ["title-light", "excerpt-ar", "excerpt-th-portrait", "pair-ja-en", "facade-ur",
                                  "poem-mixed"])
def test_matches_golden(rendered, name):
    path = GOLDEN / f"{name}.png"
    assert path.exists(), f"{path} missing: run LETTERWORLD_UPDATE_GOLDEN=1 pytest {__file__}"
    with Image.open(path) as g:
        mean, block = difference(rendered[name], g.convert("L"))
    assert mean < MEAN_LIMIT and block < BLOCK_LIMIT, (
        f"{name}: mean diff {mean:.2f} (limit {MEAN_LIMIT}), worst block {block:.1f} (limit {BLOCK_LIMIT}); "
        f"if the change is intended, regenerate with LETTERWORLD_UPDATE_GOLDEN=1")


@requires_fonts
def test_golden_comparison_catches_real_errors(rendered):
    """The tolerance forgives rendering noise, not mistakes."""
    from PIL import ImageDraw, ImageFilter

    slide = _slides()["excerpt-ar"]
    full, ar = slide.image, rendered["excerpt-ar"]
    assert difference(ar, small(full)) == (0.0, 0.0)
    # Forgiven: a shift of 2 px, bolder antialiasing.
    moved = Image.new(full.mode, full.size, full.getpixel((0, 0)))
    moved.paste(full, (2, 1))
    for other in (moved, full.filter(ImageFilter.MaxFilter(3))):
        mean, block = difference(ar, small(other))
        assert mean < MEAN_LIMIT and block < BLOCK_LIMIT, (mean, block)
    # Caught: the right-to-left text drawn mirrored.
    assert difference(ar, small(full.transpose(Image.FLIP_LEFT_RIGHT)))[1] >= BLOCK_LIMIT
    # Caught: one glyph replaced by a missing-glyph box.
    lay = slide.layouts["text"]
    r = lay.lines[0].runs[0]
    x0, y0 = lay.origin[0] + r.x + r.ink[0], lay.origin[1] + lay.lines[0].baseline + r.ink[1]
    tofu = full.copy()
    d = ImageDraw.Draw(tofu)
    h = r.ink[3] - r.ink[1]
    d.rectangle((x0, y0, x0 + 0.6 * h, y0 + h), fill=full.getpixel((0, 0)), outline=(247, 244, 236), width=6)
    assert difference(ar, small(tofu))[1] >= BLOCK_LIMIT


if __name__ == "__main__":
    for p in write_goldens():
        print("wrote", p)
    sys.exit(0)
