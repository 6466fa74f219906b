"""Render a whole letter.json into numbered slide PNGs and manifest.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from . import fonts
from .fonts import FontsMissing
from .layout import is_rtl_lang, normalize
from .presets import get_preset
from .runs import itemize
from .slides import Slide, closing_slide, closing_text, excerpt_slide, title_slide
from .themes import resolve_theme


def _texts(letter: dict) -> Iterator[tuple[str, str | None, str | None]]:
    lang = letter.get("lang") or "en"
    for t in (letter.get("recipient"), letter.get("greeting"), closing_text(letter)):
        yield t or "", lang, None
    for sec in letter.get("sections") or []:
        yield sec.get("label") or "", lang, None
        for ex in sec.get("excerpts") or []:
            yield ex.get("text") or "", ex.get("lang"), ex.get("country")
            yield ex.get("attribution") or "", ex.get("lang"), ex.get("country")


def check_fonts(letter: dict) -> None:
    """Raise one FontsMissing naming every package the letter needs and lacks."""
    pkgs, files, scripts = set(), set(), set()
    try:
        fonts.require([fonts.LATIN], "Latin")
    except FontsMissing as e:
        pkgs.update(e.packages), files.update(e.files), scripts.update(e.scripts)
    for text, lang, country in _texts(letter):
        t = normalize(text)
        if not t:
            continue
        try:
            itemize(t, lang, country, 1 if is_rtl_lang(lang) else None)
        except FontsMissing as e:
            pkgs.update(e.packages), files.update(e.files), scripts.update(e.scripts)
    if pkgs:
        raise FontsMissing(pkgs, sorted(files), scripts)


def iter_slides(letter: dict, preset="1920x1080", theme: dict | None = None) -> Iterator[Slide]:
    """Slides in order: title, one per excerpt (section by section), closing."""
    p, th = get_preset(preset), resolve_theme(theme)
    lang = letter.get("lang") or "en"
    yield title_slide(letter, p, th)
    for sec in letter.get("sections") or []:
        for ex in sec.get("excerpts") or []:
            if (ex.get("text") or "").strip():
                yield excerpt_slide(ex, p, th, sec.get("label") or "", lang)
    yield closing_slide(letter, p, th)


def render_letter(letter: dict, out_dir: Path, preset: str = "1920x1080", theme: dict | None = None) -> dict:
    """Write out_dir/NNN-<kind>.png for every slide and out_dir/manifest.json;
    return the manifest. Raises FontsMissing (naming the Debian packages)
    before writing anything if a needed font is not installed."""
    p = get_preset(preset)
    resolve_theme(theme)  # fail fast on a bad theme name
    check_fonts(letter)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"preset": p.name, "size": [p.width, p.height], "slides": []}
    for n, slide in enumerate(iter_slides(letter, p, theme), start=1):
        name = f"{n:03d}-{slide.kind}.png"
        slide.image.save(out / name, compress_level=3)
        manifest["slides"].append({
            "file": name,
            "kind": slide.kind,
            "size": list(slide.image.size),
            "excerpt_ids": slide.excerpt_ids,
            "seconds": slide.seconds,
        })
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
