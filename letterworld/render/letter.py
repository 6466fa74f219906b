"""Render a whole letter.json: numbered slide PNGs, manifest.json, a contact
sheet, letter.pdf (A3, 300 dpi) and an MP4 slideshow where an encoder exists."""

from __future__ import annotations

import json
import re
import time
import warnings as _warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from . import fonts
from .contact import thumbnail, write_contact_sheet
from .fonts import FontsMissing
from .layout import is_rtl_lang, normalize
from .pdf import PdfWriter
from .presets import PRINT_DPI, Preset, get_preset, print_preset
from .runs import itemize
from .slides import Slide, closing_slide, closing_text, excerpt_slides, title_slide, translation_label, translation_of
from .themes import resolve_theme

SLIDE_FILE = re.compile(r"^\d{3,}-[a-z]+(-\d+of\d+)?\.png$")
PDF_NAME, VIDEO_NAME, SHEET_NAME = "letter.pdf", "slideshow.mp4", "contact-sheet.png"


class RenderError(ValueError):
    """The letter or the output folder is not what render needs; the message says which key
    or file, and what to do."""


GENERATOR = "letterworld"  # manifest.json says who wrote the folder
_OPTIONAL_TEXT = ("lang", "greeting", "closing", "campaign", "created")
_EXCERPT_TEXT = ("lang", "country", "attribution")


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(type(value),
                                                                                      type(value).__name__)


def validate_letter(letter: object, where: str = "letter.json") -> dict:
    """The letter as render reads it (docs/contracts.md, letter.json), or a RenderError naming
    the first missing or wrong key, e.g. ``letter.json: sections[2].excerpts[0].text is missing``."""
    def need(ok: bool, key: str, what: str, value: object = None, missing: bool = False) -> None:
        if not ok:
            raise RenderError(f"{where}: {key} is missing ({what})" if missing else
                              f"{where}: {key} must be {what}, not {_kind(value)}")

    need(isinstance(letter, dict), "the top level", "an object with recipient and sections", letter)
    assert isinstance(letter, dict)
    if "blocks" in letter:
        letter = _slides_view(letter, need)
    for key, what in (("recipient", "a string"), ("sections", "a list of sections")):
        need(key in letter, key, what, missing=True)
    need(isinstance(letter["recipient"], str), "recipient", "a string", letter["recipient"])
    need(isinstance(letter["sections"], list), "sections", "a list", letter["sections"])
    for key in _OPTIONAL_TEXT:
        need(letter.get(key) is None or isinstance(letter[key], str), key, "a string", letter.get(key))
    for i, sec in enumerate(letter["sections"]):
        need(isinstance(sec, dict), f"sections[{i}]", "an object", sec)
        need("excerpts" in sec, f"sections[{i}].excerpts", "a list of excerpts", missing=True)
        need(isinstance(sec["excerpts"], list), f"sections[{i}].excerpts", "a list", sec["excerpts"])
        need(sec.get("label") is None or isinstance(sec["label"], str), f"sections[{i}].label", "a string",
             sec.get("label"))
        for j, ex in enumerate(sec["excerpts"]):
            key = f"sections[{i}].excerpts[{j}]"
            need(isinstance(ex, dict), key, "an object", ex)
            need("text" in ex, f"{key}.text", "the quoted text", missing=True)
            for k in ("text", *_EXCERPT_TEXT):
                need(k != "text" and ex.get(k) is None or isinstance(ex.get(k), str), f"{key}.{k}", "a string",
                     ex.get(k))
            tr = ex.get("translation")
            need(tr is None or isinstance(tr, dict) and isinstance(tr.get("text"), str), f"{key}.translation",
                 'an object with "text"', tr)
    return letter


def _slides_view(letter: dict, need) -> dict:
    """A schema 2 letter (blocks) as the slides draw it: the greeting on the title slide, one
    section per theme run of quotes, the closing and sign-off on the closing slide. Only
    translations a person accepted are shown beside a quote (a machine draft is never projected)."""
    from ..letter import BLOCK_KINDS, sections_of, text_of

    need(isinstance(letter["blocks"], list), "blocks", "a list", letter["blocks"])
    for i, b in enumerate(letter["blocks"]):
        need(isinstance(b, dict), f"blocks[{i}]", "an object", b)
        need(b.get("kind") in BLOCK_KINDS, f"blocks[{i}].kind", "one of " + ", ".join(BLOCK_KINDS), b.get("kind"))
        need(isinstance(b.get("text"), str), f"blocks[{i}].text", "a string", b.get("text"))
    sections = []
    for sec in sections_of(letter):
        items = []
        for ex in sec["excerpts"]:
            tr = ex.get("translation")
            accepted = isinstance(tr, dict) and tr.get("status", "accepted") == "accepted"
            items.append({**ex, "translation": tr if accepted else None})
        sections.append({**sec, "excerpts": items})
    closing = " ".join(t for t in (text_of(letter, "closing"), text_of(letter, "signoff")) if t)
    return {**letter, "greeting": text_of(letter, "greeting"), "closing": closing, "sections": sections}


def read_letter(path: Path) -> dict:
    """A letter.json file, checked: a RenderError names the file and what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise RenderError(f"{path}: no such file" if not path.exists() else f"{path} is not a file; give letter.json")
    try:
        letter = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RenderError(f"{path}: not a UTF-8 text file; give the letter.json that compose wrote") from None
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    return validate_letter(letter, str(path))


def _owned_slides(out: Path) -> set[str]:
    """The slide files an earlier render listed in ``out``; a RenderError when ``out`` is a
    file, or a folder with files that letterworld did not write (they are never touched)."""
    if out.exists() and not out.is_dir():
        raise RenderError(f"{out} is a file; --out takes a folder for the slides")
    if not out.exists() or not any(out.iterdir()):
        return set()
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        ours = isinstance(manifest, dict) and isinstance(manifest.get("slides"), list) and (
            manifest.get("generator", GENERATOR) == GENERATOR and "preset" in manifest)
    except (OSError, ValueError):
        ours = False
    if not ours:
        raise RenderError(f"{out} is not empty and was not written by letterworld render (no manifest.json of "
                          "ours); render into an empty or new folder")
    return {s.get("file") for s in manifest["slides"] if isinstance(s, dict) and isinstance(s.get("file"), str)}


def _texts(letter: dict, theme: dict | None = None) -> Iterator[tuple[str, str | None, str | None]]:
    lang = letter.get("lang") or "en"
    for t in (letter.get("recipient"), letter.get("greeting"), closing_text(letter)):
        yield t or "", lang, None
    if theme and theme.get("kicker"):
        yield theme["kicker"], "en", None
    for sec in letter.get("sections") or []:
        yield sec.get("label") or "", lang, None
        for ex in sec.get("excerpts") or []:
            yield ex.get("text") or "", ex.get("lang"), ex.get("country")
            yield ex.get("attribution") or "", ex.get("lang"), ex.get("country")
            tr = translation_of(ex)
            if tr:
                yield tr["text"], tr.get("lang"), None
                yield translation_label(tr, theme or {}), tr.get("lang"), None


def check_fonts(letter: dict, theme: dict | None = None) -> None:
    """Raise one FontsMissing naming every package the letter needs and lacks."""
    pkgs, files, scripts = set(), set(), set()
    try:
        fonts.require([fonts.LATIN], "Latin")
    except FontsMissing as e:
        pkgs.update(e.packages), files.update(e.files), scripts.update(e.scripts)
    for text, lang, country in _texts(letter, theme):
        t = normalize(text)
        if not t:
            continue
        try:
            itemize(t, lang, country, 1 if is_rtl_lang(lang) else None)
        except FontsMissing as e:
            pkgs.update(e.packages), files.update(e.files), scripts.update(e.scripts)
    if pkgs:
        raise FontsMissing(pkgs, sorted(files), scripts)


def iter_slides(letter: dict, preset: str | Preset = "1920x1080", theme=None) -> Iterator[Slide]:
    """Slides in order: title, the excerpts section by section (one slide
    each; a pair slide when an excerpt carries a translation; several when a
    minimum glyph height forces a split), closing."""
    p, th = get_preset(preset), resolve_theme(theme)
    letter = validate_letter(letter)
    lang = letter.get("lang") or "en"
    yield title_slide(letter, p, th)
    for sec in letter.get("sections") or []:
        for ex in sec.get("excerpts") or []:
            if (ex.get("text") or "").strip():
                yield from excerpt_slides(ex, p, th, sec.get("label") or "", lang)
    yield closing_slide(letter, p, th)


def _slide_name(n: int, slide: Slide) -> str:
    return f"{n:03d}-{slide.kind}.png"


def _label(n: int, slide: Slide) -> str:
    bits = [str(n), slide.kind]
    if slide.lang:
        bits.append(slide.lang)
    if slide.part:
        bits.append(f"{slide.part[0]}/{slide.part[1]}")
    bits.append(f"{slide.seconds:g} s")
    return " · ".join(bits)


def render_letter(letter: dict, out_dir: Path, preset: str | Preset = "1920x1080", theme=None, *,
                  pdf: bool = True, video: bool | None = None, contact_sheet: bool = True,
                  pdf_preset: str | Preset | None = None, fps: int | None = None,
                  progress: Callable[[str], None] | None = None) -> dict:
    """Write into ``out_dir``: ``NNN-<kind>.png`` for every slide, ``manifest.json``,
    and unless turned off ``contact-sheet.png``, ``letter.pdf`` (the slides set
    again on A3 pages at 300 dpi, or on ``pdf_preset``) and ``slideshow.mp4``
    (``video=None``: when an encoder is installed, otherwise ``manifest["video"]["error"]``
    says what to install and a warning is issued; ``video=True``: required, a missing
    encoder raises ``VideoUnavailable``; ``video=False``: none). An encoder that is there
    and fails raises ``VideoFailed`` unless ``video=False``. Returns the manifest.

    ``theme``: a built-in name, a theme file path (.toml/.json) or a dict.
    Raises FontsMissing (naming the Debian packages), ThemeError or
    LegibilityError before writing anything it can check up front.
    """
    say = progress or (lambda _m: None)
    letter = validate_letter(letter)
    p = get_preset(preset)
    th = resolve_theme(theme)
    check_fonts(letter, th)
    out = Path(out_dir)
    earlier = _owned_slides(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"generator": GENERATOR, "preset": p.name, "size": [p.width, p.height], "safe_area": list(p.safe_area),
                      "min_glyph": p.min_glyph, "min_font_px": p.min_font_px, "theme": th["name"], "slides": []}
    thumbs, frames, warns = [], [], []
    # A3 presets are print pages already: the PDF takes the slides as they come.
    pdf_p = get_preset(pdf_preset) if pdf_preset else (p if p.name.startswith("a3") else print_preset(p))
    same_pages = pdf and pdf_p == p
    title = " — ".join(x for x in ("A Letter from the World", (letter.get("recipient") or "").strip()) if x)
    pdf_writer = PdfWriter(out / (PDF_NAME + ".part"), PRINT_DPI, title) if same_pages else None
    t0 = time.perf_counter()
    try:
        for n, slide in enumerate(iter_slides(letter, p, th), start=1):
            name = _slide_name(n, slide)
            slide.image.save(out / name, compress_level=3)
            entry = {"file": name, "kind": slide.kind, "size": list(slide.image.size),
                     "excerpt_ids": slide.excerpt_ids, "seconds": slide.seconds}
            if slide.lang:
                entry["lang"] = slide.lang
            if slide.part:
                entry["part"] = list(slide.part)
            if slide.warnings:
                entry["warnings"] = slide.warnings
                warns += [f"{name}: {w}" for w in slide.warnings]
            manifest["slides"].append(entry)
            frames.append((out / name, slide.seconds))
            if contact_sheet:
                thumbs.append((thumbnail(slide.image), _label(n, slide)))
            if pdf_writer:
                pdf_writer.add_page(slide.image)
        if pdf_writer:
            pdf_writer.close()
            pdf_writer = None
    finally:
        if pdf_writer:
            pdf_writer.__exit__(RuntimeError, None, None)
    manifest["seconds"] = round(sum(s["seconds"] for s in manifest["slides"]), 1)
    say(f"{len(manifest['slides'])} slides in {time.perf_counter() - t0:.1f} s")
    # Slides left from an earlier render with more slides would be shown by mistake: remove
    # those its manifest listed, nothing else.
    keep = {s["file"] for s in manifest["slides"]}
    for name in earlier - keep:
        f = out / name
        if SLIDE_FILE.match(name) and f.parent == out and f.is_file() and not f.is_symlink():
            f.unlink()

    manifest["contact_sheet"] = None
    if contact_sheet:
        write_contact_sheet(thumbs, out / SHEET_NAME, title=f"{title} · {p.name} · {len(thumbs)} slides · "
                                                           f"{manifest['seconds']:g} s",
                            title_lang=letter.get("lang") or "en")
        manifest["contact_sheet"] = SHEET_NAME

    manifest["pdf"] = None
    if pdf:
        t0 = time.perf_counter()
        if same_pages:
            (out / (PDF_NAME + ".part")).replace(out / PDF_NAME)
            pages = len(manifest["slides"])
        else:
            with PdfWriter(out / (PDF_NAME + ".part"), PRINT_DPI, title) as w:
                for slide in iter_slides(letter, pdf_p, th):
                    w.add_page(slide.image)
                pages = len(w.pages)
            (out / (PDF_NAME + ".part")).replace(out / PDF_NAME)
        mm = [round(v / PRINT_DPI * 25.4) for v in pdf_p.size]
        manifest["pdf"] = {"file": PDF_NAME, "pages": pages, "page_px": list(pdf_p.size), "dpi": PRINT_DPI,
                           "page_mm": mm}
        say(f"{PDF_NAME}: {pages} pages {mm[0]}x{mm[1]} mm at {PRINT_DPI} dpi in {time.perf_counter() - t0:.1f} s")

    manifest["video"] = None
    if video is not False:
        from .video import VideoFailed, VideoUnavailable, write_video

        t0 = time.perf_counter()
        try:
            manifest["video"] = write_video(frames, out / VIDEO_NAME, fps=fps, pad_colour=th["background"])
            say(f"{VIDEO_NAME}: {manifest['video']['seconds']:g} s, {fps or 'variable'} fps, in {time.perf_counter() - t0:.1f} s")
        except VideoUnavailable as e:
            manifest["video"] = {"file": None, "error": str(e)}
            if video or isinstance(e, VideoFailed):  # asked for, or the encoder broke: not a warning
                manifest["warnings"] = warns
                (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
                raise
            _warnings.warn(str(e), RuntimeWarning, stacklevel=2)
            say(str(e))
    manifest["warnings"] = warns
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
