"""Themes: colours, campaign colours, type sizes, labels and an optional
background image, in a TOML (or JSON) file a designer edits, or a dict.

    render_letter(..., theme="dark")                       # built-in
    render_letter(..., theme="campaign.toml")              # a file (path or str)
    render_letter(..., theme={"name": "light", "accent": "#0050A0"})

A file starts from a built-in theme (``base = "dark"`` or ``"light"``) and
overrides what it names; see ``letterworld/render/theme_files/*.toml`` and
docs/render.md. Contrast is checked (WCAG 2 ratios): text >= ``min_contrast``
(7:1, WCAG AAA) against the background, muted and accent text >= 4.5:1; a
theme that fails is refused with the ratios, unless ``check_contrast = false``.
A background image gets an overlay of the background colour, just opaque
enough that every pixel keeps those ratios (``overlay = "auto"``).
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from PIL import Image

THEMES: dict[str, dict] = {
    "dark": {
        "background": "#0D0D12",
        "text": "#F7F4EC",
        "muted": "#BDB7AC",
        "accent": "#F2B544",
    },
    "light": {
        "background": "#FBF8F1",
        "text": "#111111",
        "muted": "#45433F",
        "accent": "#9E2A1F",
    },
}

THEME_DIR = Path(__file__).parent / "theme_files"

# Largest font size of each text, as a fraction of the slide's short side
# (0.12 = 130 px on a 1080-px-high slide). Fitting only ever shrinks text.
DEFAULT_SIZES = {
    "kicker": 0.037,
    "recipient": 0.157,
    "greeting": 0.074,
    "section": 0.031,
    "quote": 0.12,
    "translation": 0.075,
    "attribution": 0.048,
    "language": 0.037,
    "closing": 0.089,
    "closing_recipient": 0.037,
}

DEFAULTS = {
    "name": "dark",
    "kicker": "A Letter from the World",  # small line on the title slide ("" hides it)
    "translated_by": "translated by {by}",  # credit under a translation ("" hides it)
    "show_section": True,  # section label above each excerpt
    "rule": True,  # thin accent rule on title and closing slides
    "line_breaks": "keep",  # "keep": line breaks in a quote end lines (letters, poems); "collapse"
    "campaign": [],  # campaign colours: the rule is drawn in these (those visible on the background)
    "background_image": None,  # path (relative to the theme file)
    "overlay": "auto",  # "auto" (the background colour), "#RRGGBB", or "none"
    "overlay_min_opacity": 0.0,  # at least this much overlay, even when contrast needs less
    "min_contrast": 7.0,  # text against background (and every pixel of a background image)
    "check_contrast": True,
}

COLOUR_KEYS = ("background", "text", "muted", "accent")
KNOWN = set(DEFAULTS) | set(COLOUR_KEYS) | {"sizes", "base_dir"}
MIN_SECONDARY_CONTRAST = 4.5  # muted and accent text (WCAG AA for text)
MIN_DECOR_CONTRAST = 3.0  # campaign colours in rules (WCAG non-text contrast)

# Tables a theme file may group its keys in; they are flattened.
_TABLES = {
    "colours": {"background", "text", "muted", "accent", "campaign"},
    "text": {"kicker", "translated_by", "show_section", "rule", "line_breaks"},
    "image": {"path", "overlay", "overlay_min_opacity"},
    "contrast": {"min_contrast", "check_contrast"},
}
_TABLES["colors"] = _TABLES["colours"]
_RENAME = {("image", "path"): "background_image"}


class ThemeError(ValueError):
    pass


def _colour(v, key: str) -> str:
    if isinstance(v, (list, tuple)) and len(v) == 3:
        return "#" + "".join(f"{int(c):02X}" for c in v)
    if not isinstance(v, str) or not re.fullmatch(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", v.strip()):
        raise ThemeError(f"theme: {key} must be a colour like \"#0D0D12\", got {v!r}")
    h = v.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return "#" + h.upper()


def _flatten(d: dict, where: str) -> dict:
    out: dict = {}
    for k, v in d.items():
        if k == "base":
            k = "name"
        if isinstance(v, dict) and k in _TABLES:
            for k2, v2 in v.items():
                if k2 not in _TABLES[k]:
                    raise ThemeError(f"{where}: unknown key {k}.{k2}; known: {', '.join(sorted(_TABLES[k]))}")
                out[_RENAME.get((k.replace("colors", "colours"), k2), k2)] = v2
        elif k == "sizes":
            if not isinstance(v, dict):
                raise ThemeError(f"{where}: sizes must be a table")
            bad = set(v) - set(DEFAULT_SIZES)
            if bad:
                raise ThemeError(f"{where}: unknown size(s) {', '.join(sorted(bad))}; known: {', '.join(DEFAULT_SIZES)}")
            out["sizes"] = dict(v)
        elif k in KNOWN:
            out[k] = v
        else:
            raise ThemeError(f"{where}: unknown key {k!r}; known: {', '.join(sorted(KNOWN - {'base_dir'}))} "
                             f"and the tables {', '.join(sorted(_TABLES))}, sizes")
    return out


def load_theme_file(path: str | Path) -> dict:
    """Read a theme file (.toml or .json) into a flat theme dict (not resolved)."""
    path = Path(path)
    if not path.is_file():
        raise ThemeError(f"theme file {path} not found")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import tomllib

            data = tomllib.loads(text)
    except Exception as e:  # noqa: BLE001 - report any parse error with the file name
        raise ThemeError(f"theme file {path}: {e}") from None
    if not isinstance(data, dict):
        raise ThemeError(f"theme file {path}: expected a table/object at the top")
    flat = _flatten(data, str(path))
    flat["base_dir"] = str(path.resolve().parent)
    return flat


def _source(theme) -> dict:
    if theme is None:
        return {}
    if isinstance(theme, Path):
        return load_theme_file(theme)
    if isinstance(theme, str):
        if theme in THEMES:
            return {"name": theme}
        if (THEME_DIR / f"{theme}.toml").is_file():
            return load_theme_file(THEME_DIR / f"{theme}.toml")
        if theme.lower().endswith((".toml", ".json")) or Path(theme).is_file():
            return load_theme_file(theme)
        shipped = sorted(p.stem for p in THEME_DIR.glob("*.toml"))
        raise ThemeError(f"unknown theme {theme!r}; choose one of {', '.join(sorted(set(THEMES) | set(shipped)))} "
                         f"or give a theme file (.toml/.json)")
    if isinstance(theme, dict):
        return _flatten(theme, "theme")
    raise ThemeError(f"theme must be a name, a file path or a dict, not {type(theme).__name__}")


def resolve_theme(theme: dict | str | Path | None) -> dict:
    """Full theme dict: the named base ("dark" unless ``name`` says) + overrides,
    colours normalised to #RRGGBB, sizes complete, contrast checked."""
    if isinstance(theme, dict) and theme.get("_resolved"):
        return theme
    src = _source(theme)
    name = src.get("name", DEFAULTS["name"])
    if name not in THEMES:
        raise ThemeError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    th = {**DEFAULTS, **THEMES[name], **src, "name": name}
    for k in COLOUR_KEYS:
        th[k] = _colour(th[k], k)
    camp = th.get("campaign") or []
    if isinstance(camp, str):
        camp = [camp]
    th["campaign"] = [_colour(c, "campaign") for c in camp]
    sizes = {**DEFAULT_SIZES, **(th.get("sizes") or {})}
    for k, v in sizes.items():
        if not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise ThemeError(f"theme: sizes.{k} must be a fraction of the short side in (0, 1], got {v!r}")
    th["sizes"] = sizes
    if th["line_breaks"] not in ("keep", "collapse"):
        raise ThemeError("theme: line_breaks must be \"keep\" or \"collapse\"")
    ov = th.get("overlay")
    if ov not in ("auto", "none", None, False):
        th["overlay"] = _colour(ov, "overlay")
    if th.get("background_image"):
        p = Path(th["background_image"]).expanduser()
        if not p.is_absolute() and th.get("base_dir"):
            p = Path(th["base_dir"]) / p
        if not p.is_file():
            raise ThemeError(f"theme: background image {p} not found")
        th["background_image"] = str(p)
    if th["check_contrast"]:
        problems = contrast_problems(th)
        if problems:
            raise ThemeError("theme has too little contrast for projection: " + "; ".join(problems)
                             + " (fix the colours, or set check_contrast = false)")
    th["_resolved"] = True
    return th


def contrast_problems(th: dict, background: str | None = None) -> list[str]:
    bg = background or th["background"]
    out = []
    need = {"text": float(th.get("min_contrast", 7.0)), "muted": MIN_SECONDARY_CONTRAST,
            "accent": MIN_SECONDARY_CONTRAST}
    for k, n in need.items():
        r = contrast_ratio(th[k], bg)
        if r < n:
            out.append(f"{k} {th[k]} on background {bg} is {r:.2f}:1, needs {n:g}:1")
    return out


def text_colours(th: dict) -> list[tuple[str, float]]:
    """(colour, minimum contrast) for every colour text is drawn in."""
    return [(th["text"], float(th.get("min_contrast", 7.0))), (th["muted"], MIN_SECONDARY_CONTRAST),
            (th["accent"], MIN_SECONDARY_CONTRAST)]


def rule_colours(th: dict) -> list[str]:
    """Campaign colours that show on the background (>= 3:1), else the accent."""
    vis = [c for c in th.get("campaign") or [] if contrast_ratio(c, th["background"]) >= MIN_DECOR_CONTRAST]
    return vis or [th["accent"]]


def _lin(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _lum(hex_colour: str) -> float:
    r, g, b = (_lin(v / 255) for v in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1..21)."""
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ------------------------------------------------------- background images

def _luminance_array(rgb):
    """Relative luminance of an (N, 3) uint8 array."""
    import numpy as np

    lut = np.array([_lin(v / 255) for v in range(256)])
    return lut[rgb[:, 0]] * 0.2126 + lut[rgb[:, 1]] * 0.7152 + lut[rgb[:, 2]] * 0.0722


def _blend(rgb, overlay: tuple[int, int, int], alpha: float):
    import numpy as np

    o = np.array(overlay, dtype=np.float64)
    return np.clip(np.rint(rgb.astype(np.float64) * (1 - alpha) + o * alpha), 0, 255).astype(np.uint8)


def min_contrast_over(rgb, colours: list[tuple[str, float]]) -> float:
    """Worst (contrast / required) over pixels (N, 3 uint8) and text colours."""
    lp = _luminance_array(rgb)
    worst = math.inf
    for c, need in colours:
        lc = _lum(c)
        ratio = ((lp.clip(min=lc) + 0.05) / (lp.clip(max=lc) + 0.05)).min()
        worst = min(worst, ratio / need)
    return float(worst)


def overlay_alpha(rgb, overlay: str, colours: list[tuple[str, float]], min_alpha: float = 0.0) -> float:
    """Least overlay opacity (to 1/256) at which every pixel keeps every text
    colour's contrast; 1.0 when even a solid overlay is not enough."""
    ov = _rgb(overlay)
    if min_contrast_over(_blend(rgb, ov, min_alpha), colours) >= 1:
        return min_alpha
    lo, hi = min_alpha, 1.0
    for _ in range(9):
        mid = (lo + hi) / 2
        if min_contrast_over(_blend(rgb, ov, mid), colours) >= 1:
            hi = mid
        else:
            lo = mid
    return hi


@lru_cache(maxsize=4)
def _background(path: str, mtime: float, size: tuple[int, int], overlay: str | None, min_alpha: float,
                colours: tuple[tuple[str, float], ...], check: bool = True) -> tuple[Image.Image, float]:
    import numpy as np

    with Image.open(path) as im:
        im = im.convert("RGB")
        # Cover: scale to fill, crop the middle.
        k = max(size[0] / im.width, size[1] / im.height)
        w, h = max(size[0], round(im.width * k)), max(size[1], round(im.height * k))
        im = im.resize((w, h), Image.LANCZOS)
        x, y = (w - size[0]) // 2, (h - size[1]) // 2
        im = im.crop((x, y, x + size[0], y + size[1]))
    arr = np.asarray(im).reshape(-1, 3)
    # Contrast depends on the colour only: search over the distinct colours.
    packed = np.unique(arr[:, 0].astype(np.uint32) << 16 | arr[:, 1].astype(np.uint32) << 8 | arr[:, 2])
    uniq = np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=1).astype(np.uint8)
    if not overlay:
        worst = min_contrast_over(uniq, list(colours))
        if worst < 1 and check:
            raise ThemeError(f"background image {path} with overlay = \"none\": some pixels give text "
                             f"{worst:.2f} of the contrast it needs; use overlay = \"auto\"")
        return im, 0.0
    alpha = overlay_alpha(uniq, overlay, list(colours), min_alpha)
    out = _blend(arr, _rgb(overlay), alpha).reshape(size[1], size[0], 3)
    return Image.fromarray(out, "RGB"), alpha


def background_image(th: dict, size: tuple[int, int]) -> tuple[Image.Image, float] | None:
    """The theme's background image covering ``size`` with its overlay applied,
    and the overlay's opacity; None without an image."""
    p = th.get("background_image")
    if not p:
        return None
    ov = th.get("overlay")
    overlay = None if ov in ("none", None, False) else (th["background"] if ov == "auto" else ov)
    img, alpha = _background(str(p), Path(p).stat().st_mtime, tuple(size), overlay,
                             float(th.get("overlay_min_opacity") or 0.0), tuple(text_colours(th)),
                             bool(th.get("check_contrast", True)))
    return img.copy(), alpha
