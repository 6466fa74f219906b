"""Render stage outputs: façade presets and minimum glyph height, pair slides,
hard line breaks, theme files and background overlays, contact sheet, PDF,
MP4 (with and without an encoder) and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import warnings
from functools import lru_cache

import numpy as np
import pytest
from PIL import Image, ImageChops

from letterworld.render import (
    LegibilityError,
    ThemeError,
    facade,
    get_preset,
    iter_slides,
    layout_text,
    min_glyph_px,
    render_letter,
    resolve_theme,
)
from letterworld.render import fonts, video
from letterworld.render.contact import contact_sheet
from letterworld.render.sample import sample_letter
from letterworld.render.themes import background_image
from letterworld.render.timing import seconds_for

fontTools = pytest.importorskip("fontTools.ttLib")

requires_fonts = pytest.mark.skipif(
    any(fonts.find_file(f) is None for f in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                                             "NotoSansHebrew-Regular.ttf", "NotoSansThai-Regular.ttf",
                                             "NotoNastaliqUrdu-Regular.ttf", "NotoSansCJK-Regular.ttc",
                                             "NotoColorEmoji.ttf")),
    reason="Noto fonts not installed (apt-get install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)")


@lru_cache(maxsize=None)
def _cmap(path: str, index: int) -> frozenset[int]:
    f = fontTools.TTFont(path, fontNumber=index, lazy=True) if path.endswith(".ttc") else fontTools.TTFont(path, lazy=True)
    return frozenset(f.getBestCmap())


def _assert_drawn_with_fonts_that_have_them(lay):
    for i, ch, face in lay.assignments():
        if ch.isspace() or unicodedata.category(ch) == "Cf" or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue
        assert ord(ch) in _cmap(str(face.path), face.index), f"{ch!r} at {i} drawn with {face.name}"


def _ink_bbox(img, bg):
    return ImageChops.difference(img.convert("RGB"), Image.new("RGB", img.size, bg)).getbbox()


def _inside(bbox, safe):
    return bbox[0] >= safe[0] and bbox[1] >= safe[1] and bbox[2] <= safe[2] and bbox[3] <= safe[3]


def _letter(excerpts, **kw):
    exs = []
    for i, e in enumerate(excerpts):
        exs.append({"id": f"{500 + i}:0-{len(e['text'])}", "message_id": 500 + i, "country": "", "attribution": "",
                    **e})
    return {"recipient": "Jani Mendoza", "lang": "en", "greeting": "Dear Jani,",
            "sections": [{"label": "you are not alone", "excerpts": exs}],
            "closing": "Written by 3 people.", **kw}


# ------------------------------------------------------- façade presets

def test_min_glyph_rule_and_facade_presets():
    # x-height >= distance / 200: 80 m -> 0.40 m; a 12 m surface shown with 2500 px -> 83.3 px.
    assert min_glyph_px(80, 12, 2500) == 84
    assert min_glyph_px(80, 12, 2500, ratio=120) == 139  # "1 inch per 10 feet"
    with pytest.raises(ValueError):
        min_glyph_px(0, 12, 2500)
    p = get_preset("facade:6000x2500,margin=0.08/0.05/0.1/0.12,distance=80,height=12")
    assert p.size == (6000, 2500) and p.min_glyph == 84
    assert p.safe_area == (480, 125, 6000 - 600, 2500 - 300)
    assert p.min_font_px == -(-84 // fonts.x_height_em())  # ceil
    assert get_preset("facade:1000x400").min_glyph == 0 and get_preset("facade:1000x400").safe_area == (50, 20, 950, 380)
    assert facade(3000, 1200, 0.1, min_glyph=40).min_glyph == 40
    for bad in ("facade:6000", "facade:6000x2500,colour=red", "facade:6000x2500,margin=0.7", "facade:6000x2500,distance=80"):
        with pytest.raises(ValueError):
            get_preset(bad)
    with pytest.raises(ValueError, match="facade:640x480"):
        get_preset("640x480")


LONG_ES = ("No estás sola, estamos contigo desde Bogotá y desde cada rincón del mundo. "
           "Tu valentía nos inspira cada día y nos recuerda por qué seguimos escribiendo. "
           "Queremos que sepas que miles de personas piensan en ti y piden tu libertad. "
           "Ningún muro es más alto que la voz de tantas personas juntas.")
LONG_TH = ("เราอยู่เคียงข้างคุณเสมอคุณไม่ได้อยู่คนเดียวความกล้าหาญของคุณเป็นแรงบันดาลใจให้เราทุกวัน"
           "และเราจะไม่หยุดส่งกำลังใจจนกว่าคุณจะได้รับอิสรภาพผู้คนทั่วโลกกำลังคิดถึงคุณ")


@requires_fonts
def test_facade_respects_min_glyph_and_splits_long_quotes():
    p = facade(2400, 1000, (0.08, 0.05, 0.08, 0.1), viewing_distance_m=60, surface_height_m=6)
    assert p.min_glyph == min_glyph_px(60, 6, 1000) == 50
    letter = _letter([
        {"lang": "es", "country": "CO", "text": LONG_ES, "attribution": "Maria, Colombia"},
        {"lang": "th", "country": "TH", "text": LONG_TH, "attribution": "สมชาย"},
        {"lang": "ur", "country": "PK", "text": "ہم آپ کے ساتھ ہیں", "attribution": "عائشہ"},
    ])
    slides = list(iter_slides(letter, p))
    bg = resolve_theme(None)["background"]
    for s in slides:
        assert _inside(_ink_bbox(s.image, bg), p.safe_area), s.kind
        for name, lay in s.layouts.items():
            assert lay.size >= p.min_font_px, (s.kind, name, lay.size)
            assert not lay.forced_breaks
    by_id: dict[str, list] = {}
    for s in slides:
        if s.kind == "excerpt":
            by_id.setdefault(s.excerpt_ids[0], []).append(s)
    for ex in letter["sections"][0]["excerpts"]:
        parts = by_id[ex["id"]]
        texts = [s.layouts["text"].text for s in parts]
        # Parts are exact pieces of the quote, in order, covering all of it.
        assert "".join(texts).replace(" ", "") == ex["text"].replace(" ", "")
        pos = 0
        for t in texts:
            pos = ex["text"].index(t, pos) + len(t)
        if len(parts) > 1:
            assert [s.part for s in parts] == [(k, len(parts)) for k in range(1, len(parts) + 1)]
            assert parts[0].layouts["language"].text.endswith(f"1/{len(parts)}")
            assert all(s.seconds == seconds_for(s.layouts["text"].text) for s in parts)
    assert len(by_id[letter["sections"][0]["excerpts"][0]["id"]]) >= 2  # the long Spanish quote was split
    assert len(by_id[letter["sections"][0]["excerpts"][1]["id"]]) >= 2  # Thai too, without spaces
    # Spanish splits at sentence ends.
    for s in by_id[letter["sections"][0]["excerpts"][0]["id"]][:-1]:
        assert s.layouts["text"].text.endswith(".")
    # The Urdu attribution is set as large as the Spanish one (tall Nastaliq metrics do not shrink it).
    ur = by_id[letter["sections"][0]["excerpts"][2]["id"]][0].layouts["attribution"]
    es = by_id[letter["sections"][0]["excerpts"][0]["id"]][0].layouts["attribution"]
    assert ur.size >= es.size


@requires_fonts
def test_text_that_cannot_be_legible_is_reported(tmp_path):
    p = facade(1920, 1080, viewing_distance_m=300, surface_height_m=3)  # absurd: x-height 540 px
    with pytest.raises(LegibilityError, match="x-height of at least 540 px"):
        render_letter(_letter([{"lang": "es", "text": "Hola"}]), tmp_path, preset=p, pdf=False, video=False)


@requires_fonts
def test_urdu_attribution_not_smaller_at_standard_presets():
    slides = {s.lang: s for s in iter_slides(sample_letter(), "1920x1080") if s.kind == "excerpt"}
    sizes = {k: s.layouts["attribution"].size for k, s in slides.items() if "attribution" in s.layouts}
    assert sizes["ur"] >= sizes["es"] and sizes["ar"] >= sizes["es"]


# ----------------------------------------------------------- pair slides

@requires_fonts
@pytest.mark.parametrize("orig,tr", [
    ({"lang": "ar", "country": "EG", "text": "نحن معك، لست وحدك. شجاعتك تلهمنا كل يوم.", "attribution": "سارة، مصر"},
     {"lang": "en", "text": "We are with you, you are not alone. Your courage inspires us every day.", "by": "Omar"}),
    ({"lang": "ja", "country": "JP", "text": "私たちはあなたと共にいます。あなたは一人ではありません。", "attribution": "ゆき"},
     {"lang": "he", "text": "אנחנו איתך. את לא לבד.", "by": "נועה"}),
])
def test_pair_slide_original_large_translation_small_each_in_its_direction(orig, tr):
    letter = _letter([{**orig, "translation": tr}])
    p = get_preset("1920x1080")
    slides = list(iter_slides(letter, p))
    pair = [s for s in slides if s.kind == "pair"]
    assert len(pair) == 1
    s = pair[0]
    o, t = s.layouts["text"], s.layouts["translation"]
    assert o.size > t.size
    assert o.direction == ("rtl" if orig["lang"] == "ar" else "ltr")
    assert t.direction == ("rtl" if tr["lang"] == "he" else "ltr")
    _assert_drawn_with_fonts_that_have_them(o)
    _assert_drawn_with_fonts_that_have_them(t)
    # Original above translation, translation credit below it.
    assert o.abs_ink_box()[3] < t.abs_ink_box()[1]
    assert tr["by"] in s.layouts["translation_label"].text
    assert s.layouts["translation_label"].abs_ink_box()[1] > t.abs_ink_box()[3] - 1
    if t.direction == "rtl":
        assert t.caret_x(0) > t.caret_x(len(t.text) - 1)
    assert s.seconds == seconds_for(orig["text"], tr["text"])
    assert _inside(_ink_bbox(s.image, resolve_theme(None)["background"]), p.safe_area)


@requires_fonts
def test_pair_too_big_for_facade_becomes_two_slides():
    letter = _letter([{"lang": "es", "text": LONG_ES[:150], "attribution": "Maria",
                       "translation": {"lang": "en", "text": "You are not alone, we are with you from Bogotá "
                                       "and from every corner of the world.", "by": "Ana"}}])
    p = facade(2400, 1000, viewing_distance_m=60, surface_height_m=6)
    kinds = [s.kind for s in iter_slides(letter, p)]
    assert "pair" not in kinds and "translation" in kinds
    assert kinds.index("translation") > kinds.index("excerpt")


# -------------------------------------------------------- hard line breaks

@requires_fonts
def test_hard_line_breaks_are_kept_in_every_direction():
    poem = "Roses are red,\r\nviolets are blue,\n\n\n  we stand   with you\u2028from Lima to Kyiv."
    lay = layout_text(poem, 40, 3000, lang="en")
    assert [ln.text for ln in lay.lines] == ["Roses are red,", "violets are blue,", "", "we stand with you",
                                             "from Lima to Kyiv."]
    one = layout_text(poem, 40, 3000, lang="en", hard_breaks=False)
    assert len(one.lines) == 1
    ar = layout_text("نحن معك\nلست وحدك", 40, 3000, lang="ar")
    assert [ln.text for ln in ar.lines] == ["نحن معك", "لست وحدك"]
    for k, ln in enumerate(ar.lines):
        assert ar.caret_x(ln.start) > ar.caret_x(ln.end - 1)
    # A long hard line still wraps, balanced on its own.
    lay = layout_text("Short.\n" + "we stand with you today and every day until you are free again", 40, 700, lang="en")
    assert lay.lines[0].text == "Short." and len(lay.lines) >= 3
    # Themes may collapse them.
    slides = list(iter_slides(_letter([{"lang": "en", "text": "a b\nc d"}]), "1920x1080",
                              {"line_breaks": "collapse"}))
    assert len(slides[1].layouts["text"].lines) == 1


# ------------------------------------------------------------------ themes

def test_theme_files_toml_and_json(tmp_path):
    Image.new("RGB", (64, 36), (200, 40, 40)).save(tmp_path / "wall.png")
    (tmp_path / "t.toml").write_text('''
base = "light"
[colours]
accent = "#0050A0"
campaign = ["#FFE600", "#0050A0", "#FBF8F0"]
[text]
kicker = "Carta del mundo"
[sizes]
quote = 0.05
[image]
path = "wall.png"
''', encoding="utf-8")
    th = resolve_theme(tmp_path / "t.toml")
    assert th["name"] == "light" and th["accent"] == "#0050A0" and th["kicker"] == "Carta del mundo"
    assert th["sizes"]["quote"] == 0.05 and th["sizes"]["recipient"] == 0.157
    assert th["background_image"] == str(tmp_path / "wall.png")
    assert resolve_theme(str(tmp_path / "t.toml"))["accent"] == "#0050A0"
    (tmp_path / "t.json").write_text(json.dumps({"base": "dark", "colours": {"accent": "#fc0"}}), encoding="utf-8")
    assert resolve_theme(tmp_path / "t.json")["accent"] == "#FFCC00"
    assert resolve_theme("campaign")["campaign"]  # shipped example
    for bad, msg in (({"colours": {"txt": "#000000"}}, "unknown key"), ({"sizes": {"quote": 3}}, "fraction"),
                     ({"accent": "yellow"}, "colour"), ({"name": "neon"}, "unknown theme"),
                     ({"name": "light", "muted": "#DDDDDD"}, "contrast")):
        with pytest.raises(ThemeError, match=msg):
            resolve_theme(bad)
    with pytest.raises(ThemeError, match="not found"):
        resolve_theme(tmp_path / "missing.toml")


@requires_fonts
def test_theme_sizes_and_campaign_colours_are_used():
    th = {"name": "dark", "campaign": ["#FFE600", "#000000", "#3CB4E6"], "sizes": {"quote": 0.05}}
    slides = list(iter_slides(sample_letter(1), "1920x1080", th))
    assert slides[1].layouts["text"].size <= round(0.05 * 1080)
    title = slides[0]
    x0, y0, x1, y1 = title.rules[0]
    colours = {c for _n, c in title.image.crop((x0, y0, x1 + 1, y1 + 1)).getcolors(10000)}
    assert (0xFF, 0xE6, 0x00) in colours and (0x3C, 0xB4, 0xE6) in colours
    assert (0, 0, 0) not in colours  # black would not show on the dark background: left out


def _lum(rgb: np.ndarray) -> np.ndarray:
    c = rgb.astype(np.float64) / 255
    lin = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _hex_lum(h: str) -> float:
    return float(_lum(np.array([[int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)]]))[0])


@pytest.mark.parametrize("base", ["dark", "light"])
def test_background_image_overlay_keeps_contrast(tmp_path, base):
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    arr[:20, :20] = 255  # pure white, pure black, saturated colours
    arr[20:40, :20] = 0
    arr[40:60, :20] = (255, 255, 0)
    arr[60:, :20] = (0, 0, 255)
    Image.fromarray(arr).save(tmp_path / "bg.png")
    th = resolve_theme({"name": base, "background_image": str(tmp_path / "bg.png")})
    img, alpha = background_image(th, (640, 360))
    assert 0 < alpha < 1
    px = np.asarray(img).reshape(-1, 3)
    lum = _lum(px)
    for key, need in (("text", 7.0), ("muted", 4.5), ("accent", 4.5)):
        lc = _hex_lum(th[key])
        ratio = (np.maximum(lum, lc) + 0.05) / (np.minimum(lum, lc) + 0.05)
        assert ratio.min() >= need, (key, ratio.min())
    assert px.std(axis=0).max() > 5  # the image still shows through
    # A minimum opacity is honoured; "none" on a busy image is refused.
    th2 = resolve_theme({"name": base, "background_image": str(tmp_path / "bg.png"), "overlay_min_opacity": 0.95})
    assert background_image(th2, (64, 36))[1] >= 0.95
    with pytest.raises(ThemeError, match="overlay"):
        background_image(resolve_theme({"name": base, "background_image": str(tmp_path / "bg.png"),
                                        "overlay": "none"}), (64, 36))


# ----------------------------------------------------------- contact sheet

def test_contact_sheet_grid():
    colours = [(200, 0, 0), (0, 200, 0), (0, 0, 200), (200, 200, 0), (0, 200, 200)]
    thumbs = [(Image.new("RGB", (160, 90), c), f"{k + 1} · excerpt") for k, c in enumerate(colours)]
    sheet = contact_sheet(thumbs, title="Letter", cols=2, gap=10)
    label_h = max(28, round(160 * 0.075))
    assert sheet.width == 2 * 160 + 3 * 10
    assert sheet.height == 2 * label_h + 3 * (90 + label_h) + 4 * 10
    for k, c in enumerate(colours):
        r, col = divmod(k, 2)
        x = 10 + col * 170 + 80
        y = 2 * label_h + 10 + r * (90 + label_h + 10) + 45
        assert sheet.getpixel((x, y)) == c
    # Labels are drawn under the thumbnails.
    y_label = 2 * label_h + 10 + 90 + 2
    assert sheet.crop((10, y_label, 170, y_label + label_h)).getextrema()[0][1] > 200


# ----------------------------------------------------------- PDF and video

def _pdf_objects(data: bytes) -> dict[int, int]:
    m = re.search(rb"xref\n0 (\d+)\n", data)
    n = int(m.group(1))
    rows = data[m.end():].split(b"\n")[:n]
    return {i: int(r[:10]) for i, r in enumerate(rows) if r.endswith(b"n ")}


@requires_fonts
def test_render_letter_writes_pdf_contact_sheet_and_manifest(tmp_path):
    letter = sample_letter(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = render_letter(letter, tmp_path, preset="1920x1080", video=False)
    data = (tmp_path / "letter.pdf").read_bytes()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    offsets = _pdf_objects(data)
    for num, off in offsets.items():  # the cross-reference table points at the objects
        assert data[off:].startswith(f"{num} 0 obj".encode())
    assert data.count(b"/Type /Page ") == len(m["slides"]) == m["pdf"]["pages"] == 4
    assert b"/MediaBox [0 0 1190.6400 841.9200]" in data  # A3 landscape in points (4961 x 3508 px at 300 dpi)
    assert m["pdf"]["page_mm"] == [420, 297]
    # The first page is the title slide set again at A3.
    s = data.index(b"stream\n") + 7
    page = Image.open(__import__("io").BytesIO(data[s:data.index(b"\nendstream", s)]))
    assert page.size == (4961, 3508)
    ref = next(iter(iter_slides(letter, "a3-landscape-300dpi"))).image
    small = lambda im: np.asarray(im.convert("L").resize((248, 175), Image.BOX), dtype=float)  # noqa: E731
    assert np.abs(small(page) - small(ref)).mean() < 2
    with Image.open(tmp_path / "contact-sheet.png") as im:
        assert im.width > 480 * 4
    assert m["contact_sheet"] == "contact-sheet.png" and m["video"] is None


@requires_fonts
def test_video_without_encoder_is_reported_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setattr(video, "find_ffmpeg", lambda: None)
    with pytest.warns(RuntimeWarning, match="letterworld\\[video\\]"):
        m = render_letter(sample_letter(1), tmp_path, preset="facade:320x180", pdf=False)
    assert m["video"]["file"] is None and "no video encoder" in m["video"]["error"]
    assert not (tmp_path / "slideshow.mp4").exists()
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["video"] == m["video"]


@requires_fonts
@pytest.mark.skipif(video.find_ffmpeg() is None, reason="no encoder: pip install imageio-ffmpeg")
@pytest.mark.parametrize("fps", [None, 10])
def test_video_slides_change_at_manifest_times(tmp_path, fps):
    m = render_letter(sample_letter(2), tmp_path, preset="facade:321x181", pdf=False, contact_sheet=False, fps=fps)
    assert m["video"]["file"] == "slideshow.mp4" and (tmp_path / "slideshow.mp4").stat().st_size > 1000
    # Decode every frame with its timestamp; a slide change is a big pixel change.
    res = subprocess.run([video.find_ffmpeg(), "-hide_banner", "-i", str(tmp_path / "slideshow.mp4"),
                          "-vf", "showinfo", "-f", "null", "-"], capture_output=True, text=True)
    times = [float(t) for t in re.findall(r"pts_time:([\d.]+)", res.stderr)]
    sums = [s for s in re.findall(r"checksum:([0-9A-F]+)", res.stderr)]
    changes = [times[i] for i in range(1, len(times)) if sums[i] != sums[i - 1]]
    starts = np.cumsum([0] + [s["seconds"] for s in m["slides"]])[1:-1]
    assert len(changes) >= len(starts)
    for t in starts:  # every slide starts within a frame of its manifest time
        assert min(abs(c - t) for c in changes) <= (1 / fps if fps else 0.05), (t, changes)
    dur = float(re.search(r"Duration: (\d+):(\d+):([\d.]+)", res.stderr).group(3))
    assert dur == pytest.approx(m["seconds"], abs=0.2)


# ----------------------------------------------------------------------- CLI

@requires_fonts
def test_cli_render_options(tmp_path):
    from typer.testing import CliRunner

    from letterworld.cli import app

    (tmp_path / "letter.json").write_text(json.dumps(sample_letter(2), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "t.toml").write_text('base = "light"\n[text]\nkicker = ""\n', encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["render", str(tmp_path / "letter.json"), "--out", str(out), "--preset",
                                 "facade:1600x700", "--margin", "0.06/0.05/0.06/0.1", "--viewing-distance", "30",
                                 "--surface-height", "5", "--theme", str(tmp_path / "t.toml"), "--no-pdf",
                                 "--no-video", "--no-contact-sheet"])
    assert r.exit_code == 0, r.output
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["size"] == [1600, 700] and m["min_glyph"] == min_glyph_px(30, 5, 700) and m["theme"] == "light"
    assert m["safe_area"] == [96, 35, 1504, 630]
    assert not (out / "letter.pdf").exists() and not (out / "contact-sheet.png").exists()
    r = CliRunner().invoke(app, ["render", str(tmp_path / "letter.json"), "--out", str(out), "--preset", "640x480"])
    assert r.exit_code == 2 and "facade:640x480" in r.output
