"""ICU segmentation (grapheme clusters, UAX #14 line-break opportunities).

icu4py reports offsets in UTF-16 code units; everything here converts them to
Python string indexes, so callers never see UTF-16.
"""

from __future__ import annotations

from functools import lru_cache

from icu4py.breakers import CharacterBreaker, LineBreaker

from ..scripts import script_of
from ..segment import sentences, utf16_to_index


def _boundaries(segments, text: str) -> list[int]:
    conv = utf16_to_index(text)
    out = [0]
    for _s, e in segments:
        p = conv[e]
        if p > out[-1]:
            out.append(p)
    if out[-1] != len(text):
        out.append(len(text))
    return out


def icu_locale(lang: str | None, country: str | None = None) -> str:
    """ICU locale id from a BCP 47-ish tag and an ISO country ("" -> root)."""
    tag = (lang or "").replace("-", "_")
    if not tag or tag in ("und", "xx"):
        return "root"
    if country and "_" not in tag:
        tag = f"{tag}_{country.upper()}"
    return tag


@lru_cache(maxsize=256)
def graphemes(text: str) -> tuple[int, ...]:
    """Grapheme-cluster boundaries (Python indexes, including 0 and len)."""
    if not text:
        return (0,)
    return tuple(_boundaries(CharacterBreaker(text, "root").segments(), text))


@lru_cache(maxsize=256)
def line_breaks(text: str, locale: str = "root") -> tuple[int, ...]:
    """Line-break opportunities (Python indexes, including 0 and len).

    A line may end at any returned index; ICU applies UAX #14 plus dictionary
    word breaking for Thai, Lao, Khmer, Burmese, Chinese and Japanese.
    """
    if not text:
        return (0,)
    return tuple(_boundaries(LineBreaker(text, locale).segments(), text))


def _keep_all(text: str, breaks: tuple[int, ...]) -> tuple[int, ...]:
    """Korean is set with breaks between words (CSS word-break: keep-all):
    drop opportunities not preceded by a space; keep non-Hangul breaks."""
    out = [0]
    for b in breaks[1:-1]:
        prev, nxt = text[b - 1], text[b]
        hangul_pair = script_of(prev) == "Hangul" and (script_of(nxt) == "Hangul" or not nxt.isalnum())
        if not hangul_pair or prev.isspace():
            out.append(b)
    out.append(breaks[-1])
    return tuple(out)


def breaks_for(text: str, lang: str | None = None, country: str | None = None) -> tuple[int, ...]:
    """Line-break opportunities for ``text`` written in ``lang``."""
    b = line_breaks(text, icu_locale(lang, country))
    if (lang or "").replace("_", "-").split("-")[0].lower() == "ko":
        b = _keep_all(text, b)
    return b


def sentence_ends(text: str, lang: str | None = None) -> tuple[int, ...]:
    """Indexes where a sentence ends, excluding 0 and len: the ends of
    `letterworld.segment.sentences` (the splitting excerpts and moderation use)."""
    return tuple(end for _start, end in sentences(text, lang) if 0 < end < len(text))
