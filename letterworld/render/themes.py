"""Colour themes. A theme is a plain dict a designer can override key by key:
``render_letter(..., theme={"name": "light", "accent": "#0050A0"})``.
"""

from __future__ import annotations

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

DEFAULTS = {
    "name": "dark",
    "kicker": "A Letter from the World",  # small line on the title slide ("" hides it)
    "show_section": True,  # section label above each excerpt
    "rule": True,  # thin accent rule on title and closing slides
}


def resolve_theme(theme: dict | str | None) -> dict:
    """Full theme dict: the named base ("dark" unless ``name`` says) + overrides."""
    if isinstance(theme, str):
        theme = {"name": theme}
    theme = dict(theme or {})
    name = theme.get("name", DEFAULTS["name"])
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    return {**DEFAULTS, **THEMES[name], **theme, "name": name}


def _lum(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1..21)."""
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
