"""Rendering stage: font fallback, bidi, line breaking, fitting, slides.

Font-dependent tests skip (with the package to install) when the Noto fonts
are not installed; CI installs fonts-noto-core, fonts-noto-cjk and
fonts-noto-color-emoji.
"""

from __future__ import annotations

import json
import os
import unicodedata
from functools import lru_cache

import pytest
from PIL import Image, ImageChops

from letterworld.render import (
    PRESETS,
    THEMES,
    FontsMissing,
    contrast_ratio,
    fit_text,
    get_preset,
    iter_slides,
    layout_text,
    render_letter,
)
from letterworld.render import fonts
from letterworld.render.sample import EXCERPTS, sample_letter
from letterworld.render.segment import breaks_for, graphemes
from letterworld.render.timing import seconds_for

fontTools = pytest.importorskip("fontTools.ttLib", reason="fonttools is needed to read font cmaps")

NEEDED = {
    "NotoSans-Regular.ttf": "fonts-noto-core",
    "NotoNaskhArabic-Regular.ttf": "fonts-noto-core",
    "NotoNastaliqUrdu-Regular.ttf": "fonts-noto-core",
    "NotoSansHebrew-Regular.ttf": "fonts-noto-core",
    "NotoSansDevanagari-Regular.ttf": "fonts-noto-core",
    "NotoSansBengali-Regular.ttf": "fonts-noto-core",
    "NotoSansThai-Regular.ttf": "fonts-noto-core",
    "NotoSansMyanmar-Regular.ttf": "fonts-noto-core",
    "NotoSansCJK-Regular.ttc": "fonts-noto-cjk",
    "NotoColorEmoji.ttf": "fonts-noto-color-emoji",
}


def _missing() -> list[str]:
    return sorted({pkg for f, pkg in NEEDED.items() if fonts.find_file(f) is None})


requires_fonts = pytest.mark.skipif(
    bool(_missing()), reason=f"Noto fonts not installed (apt-get install {' '.join(_missing())})"
)


@lru_cache(maxsize=None)
def independent_cmap(path: str, index: int) -> frozenset[int]:
    """Read a face's cmap directly with fontTools (not through fonts.cmap)."""
    f = fontTools.TTFont(path, fontNumber=index, lazy=True) if path.endswith(".ttc") else fontTools.TTFont(path, lazy=True)
    return frozenset(f.getBestCmap())


def _ignorable(ch: str) -> bool:
    cp = ord(ch)
    return (
        ch.isspace()
        or unicodedata.category(ch) == "Cf"  # ZWJ, ZWNJ, bidi marks
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0000 <= cp <= 0xE01EF
    )


BY_LANG = {lang: text for lang, _c, text, _a in EXCERPTS}
COUNTRY = {lang: c for lang, c, _t, _a in EXCERPTS}
BY_LANG["mix"] = "Stay strong ❤️ نحن معك 👩‍👩‍👧 from Lima 🇵🇪!"

EXPECTED_FACE = {
    "es": "NotoSans-Regular", "ru": "NotoSans-Regular",
    "ar": "NotoNaskhArabic-Regular", "ur": "NotoNastaliqUrdu-Regular", "he": "NotoSansHebrew-Regular",
    "hi": "NotoSansDevanagari-Regular", "bn": "NotoSansBengali-Regular", "th": "NotoSansThai-Regular",
    "my": "NotoSansMyanmar-Regular", "zh": "NotoSansCJK-Regular#SC", "zh-Hant": "NotoSansCJK-Regular#TC",
    "ko": "NotoSansCJK-Regular#KR", "ja": "NotoSansCJK-Regular#JP",
}


# ------------------------------------------------------------ font fallback

@requires_fonts
@pytest.mark.parametrize("lang", sorted(EXPECTED_FACE) + ["mix"])
def test_every_character_drawn_by_a_font_that_has_it(lang):
    text = BY_LANG[lang]
    lay = layout_text(text, 48, 900, lang=None if lang == "mix" else lang, country=COUNTRY.get(lang))
    assert lay is not None
    drawn = lay.assignments()
    # Every character of the (normalised) text is drawn exactly once.
    assert "".join(ch for _i, ch, _f in drawn).replace(" ", "") == lay.text.replace(" ", "")
    for i, ch, face in drawn:
        if _ignorable(ch):
            continue
        assert face.path is not None
        assert ord(ch) in independent_cmap(str(face.path), face.index), (
            f"{ch!r} (U+{ord(ch):04X}) at {i} assigned to {face.name}, which lacks it")
    # The language's own script goes to the font chosen for that language.
    if lang in EXPECTED_FACE:
        faces = lay.faces()
        main = max(faces, key=lambda k: len(faces[k].replace(" ", "")))
        assert main == EXPECTED_FACE[lang], faces.keys()


@requires_fonts
def test_mixed_line_uses_latin_arabic_and_emoji_fonts():
    lay = layout_text(BY_LANG["mix"], 48, 3000)
    faces = lay.faces()
    assert "❤" in faces["NotoColorEmoji"] and "🇵" in faces["NotoColorEmoji"]
    assert "\u200d" in faces["NotoColorEmoji"]  # the ZWJ family stays one emoji run
    assert "نحن" in faces["NotoNaskhArabic-Regular"].replace(" ", "") or "ن" in faces["NotoNaskhArabic-Regular"]
    assert "Stay" in faces["NotoSans-Regular"]
    # Marks and joiners never start a run: each run starts at a grapheme boundary.
    g = set(graphemes(lay.text))
    for ln in lay.lines:
        for r in ln.runs:
            assert r.start in g and r.end in g


# --------------------------------------------------------------------- bidi

@requires_fonts
@pytest.mark.parametrize("lang,text", [
    ("ar", "نحن معك في كل يوم"),
    ("he", "אנחנו איתך בכל יום"),
    ("ur", "ہم آپ کے ساتھ ہیں"),
])
def test_rtl_paragraph_is_laid_out_right_to_left(lang, text):
    lay = layout_text(text, 40, 2000, lang=lang, align="start")
    assert lay.direction == "rtl" and len(lay.lines) == 1
    first, last = 0, len(lay.text) - 1
    assert lay.caret_x(first) > lay.caret_x(last)
    # Right aligned ("start" of a right-to-left paragraph).
    ln = lay.lines[0]
    assert ln.x > 1000 and ln.x + ln.width >= 2000 - 0.1 * 40


@requires_fonts
@pytest.mark.parametrize("lang,text", [
    ("ar", "مرحبا Hello World عالم"),
    ("he", "שלום Hello World עולם"),
])
def test_runs_in_rtl_paragraph_go_right_to_left(lang, text):
    lay = layout_text(text, 40, 3000, lang=lang)
    runs = sorted(lay.lines[0].runs, key=lambda r: r.start)  # logical order
    strong = [r for r in runs if r.text.strip()]
    assert [r.direction for r in strong] == ["rtl", "ltr", "rtl"]
    xs = [r.x for r in strong]
    assert xs[0] > xs[1] > xs[2], xs
    # The embedded English keeps its own left-to-right order.
    latin = strong[1]
    assert latin.text.strip() == "Hello World"


@requires_fonts
def test_rtl_words_inside_ltr_paragraph_are_reversed():
    text = "Hello مرحبا بالعالم world"
    lay = layout_text(text, 40, 3000, lang="en")
    assert lay.direction == "ltr"
    i1, i2 = text.index("مرحبا"), text.index("بالعالم")
    assert lay.caret_x(text.index("Hello")) < lay.caret_x(i2) < lay.caret_x(i1) < lay.caret_x(text.index("world"))


def _colour_centroid_x(img: Image.Image, colourful: bool) -> float:
    """Mean x of colourful (emoji) or grey-ish (text) ink pixels."""
    px = img.load()
    xs = []
    for y in range(0, img.height, 2):
        for x in range(0, img.width, 2):
            r, g, b = px[x, y]
            if max(r, g, b) < 60:
                continue
            sat = max(r, g, b) - min(r, g, b)
            if (sat > 80) == colourful:
                xs.append(x)
    assert xs
    return sum(xs) / len(xs)


@requires_fonts
@pytest.mark.parametrize("lang,text", [("ar", "نحن معك 😀"), ("he", "אנחנו איתך 😀")])
def test_rtl_pixels_logically_last_emoji_drawn_at_left(lang, text):
    img = Image.new("RGB", (900, 200), "black")
    lay = fit_text(text, (0, 0, 900, 200), lang=lang, max_size=60)
    lay.draw(img, "white")
    assert _colour_centroid_x(img, colourful=True) < _colour_centroid_x(img, colourful=False)
    # Same in an LTR paragraph: emoji after English text sits to the right.
    img2 = Image.new("RGB", (900, 200), "black")
    lay2 = fit_text("With you 😀", (0, 0, 900, 200), lang="en", max_size=60)
    lay2.draw(img2, "white")
    assert _colour_centroid_x(img2, colourful=True) > _colour_centroid_x(img2, colourful=False)


# ----------------------------------------------------------- line breaking

LONG = {
    "th": "เราอยู่เคียงข้างคุณเสมอคุณไม่ได้อยู่คนเดียวความกล้าหาญของคุณเป็นแรงบันดาลใจให้เราทุกวันและเราจะไม่หยุดส่งกำลังใจ",
    "zh": "我们和你站在一起你并不孤单你的勇气每天都在激励着我们世界各地的人都在为你加油我们会一直支持你直到你重获自由",
    "my": "ကျွန်ုပ်တို့သည်သင်နှင့်အတူရှိသည်။သင်တစ်ယောက်တည်းမဟုတ်ပါ။သင်၏သတ္တိသည်ကျွန်ုပ်တို့ကိုနေ့တိုင်းလှုံ့ဆော်ပေးသည်။",
}


@requires_fonts
@pytest.mark.parametrize("lang", sorted(LONG))
def test_unspaced_scripts_wrap_at_icu_breaks(lang):
    text = LONG[lang]
    width = 520
    lay = layout_text(text, 40, width, lang=lang)
    assert lay is not None and not lay.forced_breaks
    assert len(lay.lines) >= 3
    icu = set(breaks_for(text, lang))
    g = set(graphemes(text))
    for ln in lay.lines:
        assert ln.width <= width + 0.5
        assert ln.start in icu and ln.start in g  # never mid-grapheme, only at ICU opportunities
    # Dictionary breaking: no spaces in the text, yet several lines.
    assert " " not in text
    assert "".join(ln.text for ln in lay.lines) == text
    # The drawn ink of every line stays inside the box.
    img = Image.new("L", (width, int(lay.extent_height) + 10), 0)
    lay.origin = (0.0, -lay.extent[0])
    lay.draw(img, 255)
    bbox = img.getbbox()
    assert bbox[0] >= 0 and bbox[2] <= width


@requires_fonts
def test_korean_breaks_between_words_only():
    text = "우리는 당신과 함께합니다. 당신은 혼자가 아닙니다. 당신의 용기가 매일 우리에게 영감을 줍니다."
    lay = layout_text(text, 40, 420, lang="ko")
    assert len(lay.lines) >= 3
    for ln in lay.lines[1:]:
        assert text[ln.start - 1] == " "


@requires_fonts
def test_balanced_lines_are_even():
    text = "We stand with you today and every day until you are free again, dear friend"
    from letterworld.render import linebreak

    lay = layout_text(text, 40, 1000, lang="en", balance=True)
    greedy = layout_text(text, 40, 1000, lang="en", balance=False)
    assert len(lay.lines) == len(greedy.lines) == 2
    spread = lambda L: max(ln.width for ln in L.lines) - min(ln.width for ln in L.lines)  # noqa: E731
    assert spread(lay) < spread(greedy)
    assert linebreak.greedy([], 10) == []


# -------------------------------------------------------------------- fit

@requires_fonts
def test_fit_picks_the_largest_size_that_fits():
    box = (0, 0, 800, 300)
    lay = fit_text("No estás sola, estamos contigo.", box, lang="es", max_size=400)
    assert lay.extent_height <= 300
    bigger = layout_text("No estás sola, estamos contigo.", lay.size + 2, 798, lang="es")
    assert bigger is None or bigger.extent_height > 298


@requires_fonts
def test_overlong_word_is_broken_between_graphemes_rather_than_overflowing():
    word = "ก" * 10 + "Supercalifragilisticexpialidocious" * 6
    lay = fit_text(word, (0, 0, 300, 120), lang="en", max_size=80, min_size=20)
    x0, y0, x1, y1 = lay.abs_ink_box()
    assert x0 >= 0 and y0 >= 0 and x1 <= 300 and y1 <= 120


# ------------------------------------------------------------- slides/ink

def _ink_bbox(img: Image.Image, bg: str):
    return ImageChops.difference(img.convert("RGB"), Image.new("RGB", img.size, bg)).getbbox()


FACADE = "facade:6000x2500,margin=0.08/0.05/0.1/0.12,distance=80,height=12"


@requires_fonts
@pytest.mark.parametrize("preset", sorted(PRESETS) + [FACADE])
def test_all_ink_inside_safe_area(preset):
    letter = sample_letter()
    # Title, tall scripts (Urdu, Burmese), the mixed emoji line, closing.
    keep = {"ur", "my", "en"}
    for sec in letter["sections"]:
        sec["excerpts"] = [e for e in sec["excerpts"] if e["lang"] in keep]
    p = get_preset(preset)
    sx0, sy0, sx1, sy1 = p.safe_area
    n = 0
    for slide in iter_slides(letter, preset, {"name": "light"} if p.portrait else None):
        assert slide.image.size == p.size
        bg = THEMES["light" if p.portrait else "dark"]["background"]
        bbox = _ink_bbox(slide.image, bg)
        assert bbox is not None, slide.kind
        x0, y0, x1, y1 = bbox
        assert x0 >= sx0 and y0 >= sy0 and x1 <= sx1 and y1 <= sy1, (slide.kind, bbox, p.safe_area)
        n += 1
    assert n == 5 or (p.min_glyph and n >= 5)


@requires_fonts
def test_render_letter_writes_manifest_and_pngs(tmp_path):
    letter = sample_letter(3)
    out = tmp_path / "slides"
    manifest = render_letter(letter, out, preset="1080x1920", pdf=False, video=False)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["preset"] == "1080x1920" and manifest["size"] == [1080, 1920]
    kinds = [s["kind"] for s in manifest["slides"]]
    assert kinds == ["title", "excerpt", "excerpt", "excerpt", "closing"]
    ids = [e["id"] for sec in letter["sections"] for e in sec["excerpts"]]
    assert [s["excerpt_ids"] for s in manifest["slides"] if s["kind"] == "excerpt"] == [[i] for i in ids]
    for n, s in enumerate(manifest["slides"], start=1):
        assert s["file"] == f"{n:03d}-{s['kind']}.png"
        with Image.open(out / s["file"]) as im:
            assert im.size == (1080, 1920) and s["size"] == [1080, 1920]
        assert s["seconds"] >= 5.0
    assert sorted(os.listdir(out)) == sorted([s["file"] for s in manifest["slides"]] + ["manifest.json", "contact-sheet.png"])
    assert manifest["pdf"] is None and manifest["video"] is None and manifest["contact_sheet"] == "contact-sheet.png"
    assert manifest["seconds"] == pytest.approx(sum(s["seconds"] for s in manifest["slides"]), abs=0.05)


@requires_fonts
def test_theme_override_and_contrast(tmp_path):
    for t in THEMES.values():
        assert contrast_ratio(t["text"], t["background"]) >= 7
        assert contrast_ratio(t["muted"], t["background"]) >= 4.5
        assert contrast_ratio(t["accent"], t["background"]) >= 4.5
    slide = next(iter_slides(sample_letter(1), "1920x1080", {"name": "dark", "background": "#203040"}))
    assert slide.image.getpixel((0, 0)) == (0x20, 0x30, 0x40)
    with pytest.raises(ValueError, match="contrast"):  # dark text on a dark background is refused
        render_letter(sample_letter(1), tmp_path, theme={"name": "light", "background": "#203040"})
    with pytest.raises(ValueError):
        render_letter(sample_letter(1), tmp_path, theme={"name": "neon"})
    with pytest.raises(ValueError):
        render_letter(sample_letter(1), tmp_path, preset="640x480")


def test_seconds_estimate():
    assert seconds_for("Hi") == 5.0  # minimum 4 s + 1 s
    assert seconds_for(" ".join(["word"] * 25)) == pytest.approx(25 / 2.5 + 1)
    assert seconds_for("我" * 60) == pytest.approx(60 / 6 + 1)
    assert seconds_for("เรา" * 20) == pytest.approx(60 / 6 + 1)  # 60 grapheme clusters


# ----------------------------------------------------------- missing fonts

def test_missing_fonts_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "FONT_DIRS", [str(tmp_path)])
    with pytest.raises(FontsMissing) as e:
        render_letter(sample_letter(2), tmp_path / "out")
    assert "fonts-noto-core" in str(e.value) and "fonts-noto-core" in e.value.packages
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.skipif(fonts.find_file("NotoSans-Regular.ttf") is None, reason="fonts-noto-core not installed")
def test_missing_cjk_and_emoji_fonts_name_their_packages(tmp_path, monkeypatch):
    (tmp_path / "NotoSans-Regular.ttf").symlink_to(fonts.find_file("NotoSans-Regular.ttf"))
    monkeypatch.setattr(fonts, "FONT_DIRS", [str(tmp_path)])
    assert layout_text("Hello", 20, 500, lang="en") is not None
    with pytest.raises(FontsMissing) as e:
        layout_text("我们和你站在一起", 20, 500, lang="zh")
    assert "fonts-noto-cjk" in str(e.value)
    with pytest.raises(FontsMissing) as e:
        layout_text("With you ❤️", 20, 500, lang="en")
    assert "fonts-noto-color-emoji" in str(e.value)
    with pytest.raises(FontsMissing) as e:
        render_letter(sample_letter(), tmp_path / "out")
    assert {"fonts-noto-cjk", "fonts-noto-color-emoji", "fonts-noto-core"} <= set(e.value.packages)


@requires_fonts
def test_ink_beyond_font_metrics_still_stays_in_box():
    # Stacked combining marks reach far above the ascender and below the descender.
    text = "Z" + "\u0301\u0308\u030a\u0303" * 3 + "alg" + "\u0323\u0324\u0325\u0330" * 3 + "o"
    box = (10, 10, 610, 210)
    lay = fit_text(text, box, lang="en", max_size=200)
    img = Image.new("L", (620, 220), 0)
    lay.draw(img, 255)
    x0, y0, x1, y1 = img.getbbox()
    assert x0 >= 10 and y0 >= 10 and x1 <= 610 and y1 <= 210, img.getbbox()


def test_cjk_face_follows_language_and_country():
    assert fonts.cjk_region("zh") == "SC"
    assert fonts.cjk_region("zh", "CN") == "SC"
    assert fonts.cjk_region("zh", "TW") == "TC"
    assert fonts.cjk_region("zh-Hant") == "TC"
    assert fonts.cjk_region("zh-TW") == "TC"
    assert fonts.cjk_region("zh-Hans", "TW") == "SC"  # the script subtag wins
    assert fonts.cjk_region("zh", "HK") == "HK"
    assert fonts.cjk_region("ja") == "JP" and fonts.cjk_region("ko") == "KR"
    assert fonts.chain("Arabic", "ur")[0].file == "NotoNastaliqUrdu-Regular.ttf"
    assert fonts.chain("Arabic", "ar")[0].file == "NotoNaskhArabic-Regular.ttf"


def test_presets_and_safe_areas():
    assert PRESETS["1920x1080"].safe_area == (96, 54, 1824, 1026)
    assert PRESETS["a3-300dpi"].size == (3508, 4961)
    for p in PRESETS.values():
        x0, y0, x1, y1 = p.safe_area
        assert x0 >= 0.05 * p.width and p.width - x1 >= 0.05 * p.width
        assert y0 >= 0.05 * p.height and p.height - y1 >= 0.05 * p.height


def test_language_label():
    from letterworld.render.langnames import language_label

    assert language_label("es", "CO") == "Español · Colombia"
    assert language_label("ru", "").startswith("Р")
    assert language_label("", "") == ""


@requires_fonts
def test_slides_expose_their_layouts():
    letter = sample_letter()
    slides = list(iter_slides(letter, "1920x1080"))
    by_id = {s.excerpt_ids[0]: s for s in slides if s.kind == "excerpt"}
    ar = next(e for sec in letter["sections"] for e in sec["excerpts"] if e["lang"] == "ar")
    lay = by_id[ar["id"]].layouts["text"]
    assert lay.direction == "rtl" and "NotoNaskhArabic-Regular" in lay.faces()
    assert "العربية" in by_id[ar["id"]].layouts["language"].text
    for s in slides:
        for lay in s.layouts.values():
            for box in lay.abs_line_boxes():
                assert box[2] - box[0] <= 1920
