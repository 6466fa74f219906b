"""Output sizes and their safe areas.

Projection and broadcast crop the edges, so nothing is drawn outside the safe
area: ``margin`` of the width on the left and right and of the height at top
and bottom (5% by default, the broadcast "title safe" rule of thumb).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    width: int
    height: int
    margin: float = 0.05

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def safe_area(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1), x1/y1 exclusive; ink must stay inside."""
        mx, my = math.ceil(self.width * self.margin), math.ceil(self.height * self.margin)
        return (mx, my, self.width - mx, self.height - my)

    @property
    def unit(self) -> float:
        """Type scale: 1.0 for a 1080-px short side."""
        return min(self.width, self.height) / 1080.0

    @property
    def portrait(self) -> bool:
        return self.height > self.width


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("1920x1080", 1920, 1080),
        Preset("3840x2160", 3840, 2160),
        Preset("1080x1920", 1080, 1920),
        Preset("4096x2160", 4096, 2160),
        Preset("a3-300dpi", 3508, 4961),
    )
}


def get_preset(name: str | Preset) -> Preset:
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
