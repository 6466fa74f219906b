"""Find fonts by script, with a fallback chain, and read their cmaps.

Pillow has no font fallback, so every run of text must be drawn with a font
whose cmap has every character of the run. This module knows which Noto file
draws which script (and which Debian package ships it), finds the files under
``FONT_DIRS`` and caches one cmap per face (read with fontTools).

``FONT_DIRS`` is a module global so tests (and odd installs) can point it
elsewhere; the file index is keyed on its value, so changing it takes effect at
once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ..scripts import CJK_SCRIPTS

FONT_DIRS: list[str] = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    os.path.expanduser("~/.local/share/fonts"),
]

PKG_CORE = "fonts-noto-core"
PKG_CJK = "fonts-noto-cjk"
PKG_EMOJI = "fonts-noto-color-emoji"

# The colour emoji font is a CBDT bitmap font: FreeType only opens it at its
# strike size; we draw at this size and scale the bitmap ourselves.
EMOJI_STRIKE = 109

# CJK collection face indexes (NotoSansCJK-*.ttc as shipped by Debian).
CJK_FACES = {"JP": 0, "KR": 1, "SC": 2, "TC": 3, "HK": 4}

# Characters a font need not have: the shaper consumes them (joiners,
# variation selectors, bidi controls, soft hyphen).
IGNORABLE = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x180E, 0xFEFF]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
    + list(range(0xE0000, 0xE0080))  # tags (flag subdivisions)
    + list(range(0x180B, 0x1810))
)


class FontsMissing(RuntimeError):
    """No installed font can draw a script we need.

    ``packages`` names the Debian packages to install, ``files`` the font files
    that were looked for, ``scripts`` the scripts that could not be drawn.
    """

    def __init__(self, packages, files=(), scripts=()):
        self.packages = sorted(set(packages))
        self.files = list(dict.fromkeys(files))
        self.scripts = sorted(set(scripts))
        what = ", ".join(self.scripts) or "text"
        super().__init__(
            f"No font installed for {what} (looked for {', '.join(self.files)} in "
            f"{', '.join(FONT_DIRS)}). Install the Debian package(s): "
            f"apt-get install {' '.join(self.packages)}"
        )


@dataclass(frozen=True)
class FontFace:
    """One face: a file (and face index within a .ttc) plus its package."""

    file: str  # file name, e.g. "NotoSans-Regular.ttf"
    index: int = 0
    package: str = PKG_CORE
    emoji: bool = False

    @property
    def name(self) -> str:
        stem = self.file.rsplit(".", 1)[0]
        if self.file.endswith(".ttc"):
            for k, v in CJK_FACES.items():
                if v == self.index:
                    return f"{stem}#{k}"
            return f"{stem}#{self.index}"
        return stem

    @property
    def path(self) -> Path | None:
        return find_file(self.file)

    @property
    def installed(self) -> bool:
        return self.path is not None


def _core(name: str) -> FontFace:
    return FontFace(f"{name}-Regular.ttf", 0, PKG_CORE)


def _cjk(region: str, bold: bool = False) -> FontFace:
    return FontFace(f"NotoSansCJK-{'Bold' if bold else 'Regular'}.ttc", CJK_FACES[region], PKG_CJK)


LATIN = _core("NotoSans")
EMOJI = FontFace("NotoColorEmoji.ttf", 0, PKG_EMOJI, emoji=True)
SYMBOLS = [_core("NotoSansSymbols2"), _core("NotoSansSymbols"), _core("NotoSansMath")]

# script (as `letterworld.scripts.script_of` names it) -> preferred faces, best first
# (language-specific picks happen in chain()).
SCRIPT_FONTS: dict[str, list[FontFace]] = {
    "Latin": [LATIN],
    "Greek": [LATIN],
    "Cyrillic": [LATIN],
    "Common": [LATIN],
    "Arabic": [_core("NotoNaskhArabic"), _core("NotoSansArabic")],
    "Hebrew": [_core("NotoSansHebrew"), _core("NotoSerifHebrew")],
    "Syriac": [_core("NotoSansSyriac")],
    "Thaana": [_core("NotoSansThaana")],
    "Nko": [_core("NotoSansNKo")],
    "Armenian": [_core("NotoSansArmenian")],
    "Georgian": [_core("NotoSansGeorgian")],
    "Ethiopic": [_core("NotoSansEthiopic")],
    "Devanagari": [_core("NotoSansDevanagari")],
    "Bengali": [_core("NotoSansBengali")],
    "Gurmukhi": [_core("NotoSansGurmukhi")],
    "Gujarati": [_core("NotoSansGujarati")],
    "Oriya": [_core("NotoSansOriya")],
    "Tamil": [_core("NotoSansTamil")],
    "Telugu": [_core("NotoSansTelugu")],
    "Kannada": [_core("NotoSansKannada")],
    "Malayalam": [_core("NotoSansMalayalam")],
    "Sinhala": [_core("NotoSansSinhala")],
    "Thai": [_core("NotoSansThai"), _core("NotoLoopedThai")],
    "Lao": [_core("NotoSansLao"), _core("NotoLoopedLao")],
    "Khmer": [_core("NotoSansKhmer")],
    "Myanmar": [_core("NotoSansMyanmar")],
    "Tibetan": [_core("NotoSerifTibetan")],
    "Mongolian": [_core("NotoSansMongolian")],
    "Cherokee": [_core("NotoSansCherokee")],
    "CanadianAboriginal": [_core("NotoSansCanadianAboriginal")],
    "Tifinagh": [_core("NotoSansTifinagh")],
    "Vai": [_core("NotoSansVai")],
    "Yi": [_core("NotoSansYi")],
    "Javanese": [_core("NotoSansJavanese")],
    "Balinese": [_core("NotoSansBalinese")],
    "Sundanese": [_core("NotoSansSundanese")],
    "Adlam": [_core("NotoSansAdlam")],
    "Hangul": [_cjk("KR")],
    "Han": [_cjk("SC")],
    "Hiragana": [_cjk("JP")],
    "Katakana": [_cjk("JP")],
    "Bopomofo": [_cjk("TC")],
    "Emoji": [EMOJI],
}

_HANT_REGIONS = {"TW", "HK", "MO"}


def cjk_region(lang: str | None, country: str | None = None) -> str:
    """Which CJK face (JP/KR/SC/TC/HK) suits a language tag and country."""
    tag = (lang or "").replace("_", "-")
    parts = tag.split("-")
    base = parts[0].lower()
    subtags = {p.upper() for p in parts[1:]} | {p.title() for p in parts[1:]}
    country = (country or "").upper()
    if base == "ja":
        return "JP"
    if base == "ko":
        return "KR"
    if base in ("zh", "yue", "cmn", "nan", "hak", "wuu"):
        if "Hant" in subtags or "HK" in subtags or country == "HK" or base == "yue":
            return "HK" if ("HK" in subtags or country in ("HK", "MO")) else "TC"
        if "Hans" in subtags:
            return "SC"
        if subtags & _HANT_REGIONS or country in _HANT_REGIONS:
            return "TC"
        return "SC"
    return ""


def chain(script: str, lang: str | None = None, country: str | None = None) -> list[FontFace]:
    """Faces to try for ``script`` in language ``lang``, best first."""
    base = (lang or "").replace("_", "-").split("-")[0].lower()
    faces = list(SCRIPT_FONTS.get(script, []))
    if script == "Arabic" and base in ("ur", "ks", "skr", "bal", "pnb"):
        faces = [_core("NotoNastaliqUrdu")] + faces
    if script in CJK_SCRIPTS:
        region = cjk_region(lang, country)
        if not region:
            region = {"Hangul": "KR", "Hiragana": "JP", "Katakana": "JP", "Bopomofo": "TC"}.get(script, "SC")
        faces = [_cjk(region)] + [_cjk(r) for r in ("SC", "TC", "JP", "KR") if r != region]
    if script not in ("Latin", "Common", "Emoji"):
        faces.append(LATIN)
    faces.extend(SYMBOLS)
    seen, out = set(), []
    for f in faces:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


# ---------------------------------------------------------------- file index


@lru_cache(maxsize=8)
def _index(dirs: tuple[str, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for root, _dirs, files in os.walk(d):
            for fn in files:
                if fn.lower().endswith((".ttf", ".otf", ".ttc")) and fn not in found:
                    found[fn] = Path(root) / fn
    return found


def font_index() -> dict[str, Path]:
    return _index(tuple(FONT_DIRS))


def find_file(file: str) -> Path | None:
    return font_index().get(file)


def require(faces: list[FontFace], script: str = "") -> FontFace:
    """First installed face of ``faces``, else FontsMissing naming the package."""
    for f in faces:
        if f.installed:
            return f
    raise FontsMissing([faces[0].package], [f.file for f in faces[:1]], [script] if script else [])


# --------------------------------------------------------------------- cmaps


@lru_cache(maxsize=None)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True) if path.endswith(".ttc") else TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def cmap(face: FontFace) -> frozenset[int]:
    """Set of code points the face maps (empty if the file is not installed)."""
    p = face.path
    if p is None:
        return frozenset()
    return _cmap(str(p), face.index)


def has_all(face: FontFace, text: str) -> bool:
    cm = cmap(face)
    return all((ord(c) in cm) or (ord(c) in IGNORABLE) for c in text)


def has_char(face: FontFace, ch: str) -> bool:
    return ord(ch) in IGNORABLE or ord(ch) in cmap(face)


_last_resort_cache: dict[tuple, FontFace | None] = {}


def last_resort(ch: str) -> FontFace | None:
    """Any installed font file that maps ``ch`` (Noto Sans first). Slow once, cached."""
    key = (tuple(FONT_DIRS), ch)
    if key in _last_resort_cache:
        return _last_resort_cache[key]
    cp = ord(ch)
    files = sorted(font_index(), key=lambda f: (not f.startswith("NotoSans"), "Bold" in f or "Italic" in f, f))
    hit = None
    for fn in files:
        if fn.endswith(".ttc"):
            continue
        face = FontFace(fn, 0, PKG_EMOJI if "Emoji" in fn else PKG_CORE, emoji="Emoji" in fn)
        try:
            if cp in cmap(face):
                hit = face
                break
        except Exception:  # a broken font file must not stop rendering
            continue
    _last_resort_cache[key] = hit
    return hit


# ------------------------------------------------------------- Pillow fonts


@lru_cache(maxsize=512)
def _pil(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size, index=index, layout_engine=ImageFont.Layout.RAQM)


def pil_font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font for ``face`` at ``size`` px (emoji: always the strike size)."""
    p = face.path
    if p is None:
        raise FontsMissing([face.package], [face.file])
    if face.emoji:
        size = EMOJI_STRIKE
    return _pil(str(p), face.index, max(1, int(size)))


def clear_caches() -> None:
    _index.cache_clear()
    _last_resort_cache.clear()


@lru_cache(maxsize=None)
def _x_height(path: str, index: int) -> float:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True) if path.endswith(".ttc") else TTFont(path, lazy=True)
    try:
        xh = getattr(font["OS/2"], "sxHeight", 0) or 0
        return xh / font["head"].unitsPerEm if xh else 0.0
    finally:
        font.close()


def x_height_em(face: FontFace = LATIN) -> float:
    """x-height of ``face`` as a fraction of the em (Noto Sans: 0.536)."""
    p = face.path
    v = _x_height(str(p), face.index) if p is not None else 0.0
    return v or 0.536
