"""Sentence and word segmentation for every script, via ICU.

spaCy's blank multilingual pipeline does not split Chinese, Japanese, Thai or
Burmese; ICU's break iterators do (with dictionaries for Thai, Burmese, Khmer, Lao,
Chinese and Japanese). Offsets returned here are Python string indexes."""

from __future__ import annotations

import re
from functools import lru_cache

from icu4py.breakers import SentenceBreaker, WordBreaker

from .scripts import char_class

# Thai and Lao mark the end of a sentence with a space, not punctuation.
_SPACE_ENDS = char_class("Thai", "Lao")
SPACE_ENDS_SCRIPT = re.compile(f"[{_SPACE_ENDS}]")
SPACE_SENTENCE_END = re.compile(f"(?<=[{_SPACE_ENDS}])[ \u00A0]+(?=[{_SPACE_ENDS}])")
WORDLIKE = re.compile(r"\w", re.UNICODE)


def utf16_to_index(text: str) -> list[int]:
    """Map each UTF-16 code unit offset to a Python index (ICU counts UTF-16 units)."""
    mapping = []
    for i, ch in enumerate(text):
        mapping.append(i)
        if ord(ch) > 0xFFFF:
            mapping.append(i)
    mapping.append(len(text))
    return mapping


def _locale(lang: str | None) -> str:
    return lang if lang and lang != "und" else "en"


def _segments(breaker_cls: type, text: str, lang: str | None) -> list[tuple[int, int]]:
    if not text:
        return []
    mapping = utf16_to_index(text)
    return [(mapping[a], mapping[b]) for a, b in breaker_cls(text, _locale(lang)).segments() if b > a]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=50000)
def sentences(text: str, lang: str | None = None) -> tuple[tuple[int, int], ...]:
    """Sentence spans (start, end) without surrounding white space; text[start:end] is the sentence."""
    out: list[tuple[int, int]] = []
    for start, end in _segments(SentenceBreaker, text, lang):
        pieces = [(start, end)]
        if lang in ("th", "lo") or SPACE_ENDS_SCRIPT.search(text, start, end):
            pieces, last = [], start
            for m in SPACE_SENTENCE_END.finditer(text, start, end):
                pieces.append((last, m.start()))
                last = m.end()
            pieces.append((last, end))
        for a, b in pieces:
            a, b = _strip(text, a, b)
            if b > a:
                if out and _continues(text, out[-1], a):
                    out[-1] = (out[-1][0], b)
                else:
                    out.append((a, b))
    return tuple(out)


OPENERS, CLOSERS = "([{«“", ")]}»”"
CLOSED_EXCLAMATION = re.compile(r"[!?…][)\]}»”\"']+$")


def _continues(text: str, prev: tuple[int, int], start: int) -> bool:
    """ICU ends a sentence after "!" or "?" even inside brackets or quotes: "our family
    (and the dog, who "signed" it!) sends love." A piece that starts in lower case on the
    same line, after such a break, continues the sentence before it."""
    if start >= len(text) or not text[start].islower() or "\n" in text[prev[1]:start]:
        return False
    before = text[prev[0]:prev[1]]
    unbalanced = sum(before.count(c) for c in OPENERS) > sum(before.count(c) for c in CLOSERS)
    return unbalanced or bool(CLOSED_EXCLAMATION.search(before))


def words(text: str, lang: str | None = None) -> list[str]:
    """Word tokens (dictionary-based for scripts without spaces), punctuation dropped."""
    return [text[a:b] for a, b in _segments(WordBreaker, text, lang) if WORDLIKE.search(text, a, b)]
