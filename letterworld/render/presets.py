"""Output sizes, their safe areas and the minimum glyph height.

Projection and broadcast crop or distort the edges, so nothing is drawn outside
the safe area: ``margin`` of the width on the left and right and of the height
at top and bottom (5% by default, the broadcast "title safe" rule of thumb), or
four margins (left, top, right, bottom) for a surface that distorts unevenly.

A façade is any size: ``get_preset("facade:6000x2500")`` or
``facade(6000, 2500, margin=0.08, viewing_distance_m=80, surface_height_m=12)``.
With a viewing distance, every line of text is set with an x-height of at least
``min_glyph`` px (see :func:`min_glyph_px` for the rule); text that cannot be
set that large is split over several slides, or rendering stops with a
:class:`~letterworld.render.fit.LegibilityError` that says what to change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# The largest image Pillow opens without calling it a decompression bomb (twice its warning
# limit): a bigger slide could be drawn but not read back for the contact sheet, PDF or video.
MAX_PIXELS = 2 * 89_478_485

# Default legibility rule: x-height >= viewing distance / LEGIBILITY_RATIO.
LEGIBILITY_RATIO = 200.0


def min_glyph_px(viewing_distance_m: float, surface_height_m: float, pixels_high: int,
                 ratio: float = LEGIBILITY_RATIO) -> int:
    """Smallest x-height, in pixels, legible from ``viewing_distance_m`` on a
    surface ``surface_height_m`` metres high shown with ``pixels_high`` pixels.

    Rule: x-height >= distance / ``ratio`` (200 by default: the x-height then
    subtends 0.29 degrees, about 17 minutes of arc, some 3.5 times the 5 minutes
    of arc of a 20/20 Snellen letter, which is the limit of acuity, not comfortable
    reading). ``ratio=120`` is the sign makers' "1 inch of letter height per 10
    feet of distance", for a reader who must read at a glance. See docs/render.md.
    """
    if viewing_distance_m <= 0 or surface_height_m <= 0 or pixels_high <= 0 or ratio <= 0:
        raise ValueError("viewing distance, surface height, pixels and ratio must all be positive")
    metres = viewing_distance_m / ratio
    return math.ceil(metres * pixels_high / surface_height_m)


Margin = float | tuple[float, float, float, float]


@dataclass(frozen=True)
class Preset:
    name: str
    width: int
    height: int
    margin: Margin = 0.05  # fraction of the size; or (left, top, right, bottom)
    min_glyph: int = 0  # minimum x-height in px (0: no minimum)

    def __post_init__(self):
        if self.width < 16 or self.height < 16:
            raise ValueError(f"preset {self.name!r}: {self.width}x{self.height} is too small")
        if self.width * self.height > MAX_PIXELS:
            raise ValueError(f"preset {self.name!r}: {self.width}x{self.height} is {self.width * self.height:,} "
                             f"pixels, more than an image can hold here ({MAX_PIXELS:,}); split the surface "
                             f"into several outputs or render at a lower resolution and scale up")
        m = self.margins
        if any(not 0 <= v < 0.45 for v in m):
            raise ValueError(f"preset {self.name!r}: margins must be fractions in [0, 0.45), got {m}")
        if self.min_glyph < 0:
            raise ValueError(f"preset {self.name!r}: min_glyph must be >= 0")

    @property
    def margins(self) -> tuple[float, float, float, float]:
        m = self.margin
        if isinstance(m, (int, float)):
            return (float(m),) * 4
        if len(m) != 4:
            raise ValueError(f"preset {self.name!r}: margin is one fraction or four (left, top, right, bottom)")
        return tuple(float(v) for v in m)  # type: ignore[return-value]

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def safe_area(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1), x1/y1 exclusive; ink must stay inside."""
        left, top, right, bottom = self.margins
        return (math.ceil(self.width * left), math.ceil(self.height * top),
                self.width - math.ceil(self.width * right), self.height - math.ceil(self.height * bottom))

    @property
    def unit(self) -> float:
        """Type scale: 1.0 for a 1080-px short side."""
        return min(self.width, self.height) / 1080.0

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    @property
    def min_font_px(self) -> int:
        """Smallest font size (px per em) whose Noto Sans x-height is ``min_glyph``."""
        if not self.min_glyph:
            return 0
        from .fonts import x_height_em

        return math.ceil(self.min_glyph / x_height_em())


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("1920x1080", 1920, 1080),
        Preset("3840x2160", 3840, 2160),
        Preset("1080x1920", 1080, 1920),
        Preset("4096x2160", 4096, 2160),
        Preset("a3-300dpi", 3508, 4961),  # A3 portrait, 297 x 420 mm
        Preset("a3-landscape-300dpi", 4961, 3508),
    )
}

PRINT_DPI = 300


def facade(width: int, height: int, margin: Margin = 0.05, viewing_distance_m: float | None = None,
           surface_height_m: float | None = None, min_glyph: int | None = None,
           ratio: float = LEGIBILITY_RATIO, name: str | None = None) -> Preset:
    """A custom surface. ``min_glyph`` (x-height px) is given, or derived from
    the viewing distance and the surface's height in metres."""
    if min_glyph is None:
        min_glyph = 0
        if viewing_distance_m is not None or surface_height_m is not None:
            if not (viewing_distance_m and surface_height_m):
                raise ValueError("give both the viewing distance and the surface height (metres)")
            min_glyph = min_glyph_px(viewing_distance_m, surface_height_m, height, ratio)
    return Preset(name or f"facade:{width}x{height}", int(width), int(height), margin, int(min_glyph))


_FACADE = re.compile(r"^facade:(\d+)x(\d+)((?:,[a-z_]+=[^,]+)*)$")


def parse_facade(spec: str) -> Preset:
    """``facade:WxH[,margin=F|L/T/R/B][,distance=M,height=M][,ratio=R][,min_glyph=PX]``."""
    m = _FACADE.match(spec.strip().lower().replace(" ", ""))
    if not m:
        raise ValueError(f"bad facade preset {spec!r}; write e.g. facade:6000x2500,margin=0.08,distance=80,height=12")
    w, h = int(m.group(1)), int(m.group(2))
    opts = dict(kv.split("=", 1) for kv in m.group(3).split(",") if kv)
    known = {"margin", "distance", "height", "ratio", "min_glyph"}
    if set(opts) - known:
        raise ValueError(f"facade preset {spec!r}: unknown option(s) {', '.join(sorted(set(opts) - known))}; "
                         f"known: {', '.join(sorted(known))}")
    try:
        margin: Margin = 0.05
        if "margin" in opts:
            parts = [float(v) for v in opts["margin"].split("/")]
            margin = parts[0] if len(parts) == 1 else tuple(parts)  # type: ignore[assignment]
        return facade(w, h, margin,
                      float(opts["distance"]) if "distance" in opts else None,
                      float(opts["height"]) if "height" in opts else None,
                      int(opts["min_glyph"]) if "min_glyph" in opts else None,
                      float(opts.get("ratio", LEGIBILITY_RATIO)), name=spec.strip())
    except ValueError as e:
        raise ValueError(f"facade preset {spec!r}: {e}") from None


def get_preset(name: str | Preset) -> Preset:
    if isinstance(name, Preset):
        return name
    if name in PRESETS:
        return PRESETS[name]
    if isinstance(name, str) and name.strip().lower().startswith("facade:"):
        return parse_facade(name)
    hint = f" (for a custom size write facade:{name})" if re.fullmatch(r"\d+x\d+", str(name)) else ""
    raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)} or facade:WxH{hint}")


def print_preset(p: Preset) -> Preset:
    """The A3 300 dpi page in the orientation of ``p`` (for letter.pdf)."""
    return PRESETS["a3-300dpi" if p.portrait else "a3-landscape-300dpi"]
