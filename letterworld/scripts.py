"""Which Unicode script a character is written in: one answer for the whole package.

The Script and Script_Extensions properties come from fontTools' copy of the Unicode Character
Database (`fontTools.unicodedata`; Python's own `unicodedata` has no Script property). Scripts
are named by their Unicode long names without underscores ("Latin", "Arabic", "Han", "Hiragana",
"CanadianAboriginal"); "Common" (punctuation, digits, symbols), "Inherited" (combining marks that
take the script of their base) and "Unknown" (unassigned, private use) are Unicode's too.

Where a regular expression needs a class of characters of some scripts, `char_class` builds it
once from the same tables, so no module lists a script's code point ranges by hand.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

from fontTools import unicodedata as _ucd
from fontTools.unicodedata import ScriptExtensions as _SCX
from fontTools.unicodedata import Scripts as _SC

__all__ = [
    "script_of", "script_code", "script_extensions", "char_class", "in_script", "script_counts",
    "is_wide", "wide_chars", "RTL_SCRIPTS", "RTL_LANGS", "UNSPACED_SCRIPTS", "CJK_SCRIPTS",
]


def _long(code: str) -> str:
    return _SC.NAMES.get(code, "Unknown").replace("_", "")


_CODES = {_long(code): code for code in _SC.NAMES}

#: Scripts written right to left (Unicode's own list, as fontTools keeps it).
RTL_SCRIPTS = frozenset(_long(c) for c in _ucd.RTL_SCRIPTS)
#: Languages written right to left (ISO 639 codes): slides, exports and reading scripts set them so.
RTL_LANGS = frozenset({"ar", "ur", "fa", "he", "iw", "yi", "ps", "sd", "ug", "ckb", "dv", "ks", "syr", "arc", "prs",
                       "bal", "skr", "pnb"})
#: Scripts written without spaces between words: ICU's dictionary breaker finds the line
#: breaks, and read-aloud time is estimated per character.
UNSPACED_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan"})
#: Chinese, Japanese and Korean writing: one character is about a word.
CJK_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"})


def _code(script: str) -> str:
    """ISO 15924 code of a script given by long name ("Arabic") or by code ("Arab")."""
    if script in _SC.NAMES:
        return script
    try:
        return _CODES[script.replace("_", "").replace(" ", "")]
    except KeyError:
        raise ValueError(f"unknown script {script!r}") from None


@lru_cache(maxsize=65536)
def script_code(ch: str) -> str:
    """ISO 15924 code of the script of ``ch``: "Latn", "Arab", "Zyyy" (Common), "Zinh" (Inherited)."""
    return _ucd.script(ch)


@lru_cache(maxsize=65536)
def script_of(ch: str) -> str:
    """Long name of the script of ``ch``: "Latin", "Arabic", ..., "Common", "Inherited" or "Unknown"."""
    return _long(script_code(ch))


@lru_cache(maxsize=65536)
def script_extensions(ch: str) -> frozenset[str]:
    """Long names of every script ``ch`` is used with (Unicode's Script_Extensions): the
    prolonged sound mark "ー" is Common, used with Hiragana and Katakana; a letter of one
    script is used with that script alone."""
    return frozenset(_long(c) for c in _ucd.script_extension(ch))


@lru_cache(maxsize=1)
def _wide() -> re.Pattern[str]:
    return re.compile(f"[{char_class(*CJK_SCRIPTS, extensions=True, widths=('W', 'F', 'H'))}]")


def wide_chars(text: str) -> int:
    """How many characters of ``text`` are of Chinese, Japanese or Korean writing, each of
    which reads like a word rather than a letter: characters used with the CJK scripts
    (Script_Extensions) that East Asian text sets wide, full or half width ("漢", "か", "한",
    "ｶ", "、", "。", "ー"; not "·", a combining mark or the ideographic space)."""
    return len(_wide().findall(text))


def is_wide(ch: str) -> bool:
    """Whether ``ch`` is one of the characters `wide_chars` counts."""
    return _wide().fullmatch(ch) is not None


def in_script(text: str, *scripts: str) -> bool:
    """Whether ``text`` has a character of one of ``scripts`` (long names or codes)."""
    wanted = {_long(_code(s)) for s in scripts}
    return any(script_of(ch) in wanted for ch in text)


def script_counts(text: str, *, letters_only: bool = True) -> Counter:
    """How many characters of each script ``text`` has (only letters, by default)."""
    return Counter(script_of(ch) for ch in text if not letters_only or ch.isalpha())


def _intervals(codes: frozenset[str], extensions: bool) -> list[tuple[int, int]]:
    """Code point intervals (inclusive) whose Script, or Script_Extensions, meets ``codes``."""
    starts = sorted(set(_SC.RANGES) | (set(_SCX.RANGES) if extensions else set()))
    out: list[tuple[int, int]] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else 0x10FFFF
        have = {_SC.VALUES[bisect_right(_SC.RANGES, start) - 1]}
        if extensions:
            have = _SCX.VALUES[bisect_right(_SCX.RANGES, start) - 1] or have
        if not codes.isdisjoint(have):
            if out and out[-1][1] == start - 1:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


def _escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


@lru_cache(maxsize=None)
def char_class(*scripts: str, categories: str | tuple[str, ...] = (), extensions: bool = False,
               widths: tuple[str, ...] = ()) -> str:
    """The inside of a regular-expression character class (``f"[{char_class('Thai')}]"``) for
    the characters of ``scripts``, built from the Unicode tables.

    ``categories``: keep only characters whose general category starts with one of these
    ("L" letters, "M" marks, "Lo", ...). ``extensions``: also the characters Unicode lists as
    used with these scripts (Script_Extensions), such as the Arabic tatweel or the Japanese
    prolonged sound mark. ``widths``: keep only characters of these East Asian widths."""
    codes = frozenset(_code(s) for s in scripts)
    cats = (categories,) if isinstance(categories, str) else tuple(categories)

    def keep(cp: int) -> bool:
        ch = chr(cp)
        return (not cats or _ucd.category(ch).startswith(cats)) and (not widths or _ucd.east_asian_width(ch) in widths)

    spans: list[tuple[int, int]] = []

    def add(a: int, b: int) -> None:  # unassigned code points between two spans join them: fewer ranges, faster
        if spans and _unassigned(spans[-1][1] + 1, a - 1):
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))

    for a, b in _intervals(codes, extensions):
        if not cats and not widths:
            add(a, b)
            continue
        run = None
        for cp in range(a, b + 1):
            if 0xD800 <= cp <= 0xDFFF or not keep(cp):
                if run is not None:
                    add(run, cp - 1)
                    run = None
            elif run is None:
                run = cp
        if run is not None:
            add(run, b)
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in spans)


def _unassigned(a: int, b: int) -> bool:
    """Whether no character is assigned from ``a`` to ``b`` (an empty gap counts; private use
    and surrogates are not unassigned)."""
    if a > b:
        return True
    i = bisect_right(_SC.RANGES, a) - 1
    end = _SC.RANGES[i + 1] - 1 if i + 1 < len(_SC.RANGES) else 0x10FFFF
    if _SC.VALUES[i] != "Zzzz" or end < b or b - a > 0x10000:
        return False
    return all(_ucd.category(chr(cp)) == "Cn" for cp in range(a, b + 1))
