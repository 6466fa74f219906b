"""Characters that hide or reorder text: what a message may not smuggle past a person.

Message text is untrusted. Zero-width characters and soft hyphens split words so word lists
miss them; bidi overrides make text read backwards on a slide; control characters (ANSI and
OSC escape sequences) act on a moderator's terminal. One place says which characters these
are, so ingest, screening, the command line and the slides agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# bidi embeddings, overrides and isolates (explicit formatting, UAX #9)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_OVERRIDES = frozenset("\u202d\u202e")
# characters that draw nothing and may sit inside a word (format characters, the soft hyphen,
# variation selectors, the word joiner, the Hangul fillers, the Mongolian vowel separator, tags)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
                       "\u115f\u1160\u3164\uffa0")


@lru_cache(maxsize=4096)
def is_invisible(ch: str) -> bool:
    """A character that draws nothing: format (Cf), control (Cc) other than tab and newline,
    unassigned or private-use, a zero-width or filler character, or a variation selector."""
    if ch in "\t\n\r":
        return False
    if ch in ZERO_WIDTH or ch in BIDI_CONTROLS:
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Cc", "Cs", "Co", "Cn"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0xE0000 <= cp <= 0xE007F


def is_blank(text: str) -> bool:
    """Nothing a person could read: only whitespace and invisible characters (a message made
    of these is a rejected row, not a writer)."""
    return all(ch.isspace() or is_invisible(ch) for ch in text)


# C0 and C1 controls and DEL, but not tab and newline: ESC starts ANSI/OSC sequences
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (ESC of ANSI and OSC sequences, BEL, NUL...)
    and bidi controls shown as visible escapes (``\\x1b``, ``\\u202e``) instead of acting."""
    def esc(m: re.Match) -> str:
        cp = ord(m.group())
        return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"

    return _TERMINAL_UNSAFE.sub(esc, text)


# -- what screening and drawing make of these characters -------------------------------------------

ZWNJ, ZWJ = "\u200c", "\u200d"
_VARIATION = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_TAG = re.compile("[\U000e0020-\U000e007f]")
# scripts written without spaces between words mark word breaks with U+200B (Thai, Lao, Burmese,
# Khmer, Tibetan, CJK, kana): there a zero-width space inside a run of letters is ordinary text
_NO_SPACE_SCRIPTS = re.compile("[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HIDING_RUN = 3  # this many invisible characters in a row (tag "smuggling", padding) hide something


def _alphabetic(ch: str) -> bool:
    """Latin, Greek or Cyrillic: scripts whose words neither need joiners nor zero-width breaks."""
    return ch < "\u0530" and ch.isalnum()


def visible(text: str) -> tuple[str, list[int]]:
    """``text`` without its invisible characters, and for each kept character its index in ``text``
    (what the personal-data patterns read; spans map back with `span_back`)."""
    index = [i for i, ch in enumerate(text) if not is_invisible(ch)]
    if len(index) == len(text):
        return text, index
    return "".join(text[i] for i in index), index


def span_back(index: list[int], start: int, end: int) -> tuple[int, int]:
    """The span of ``text`` that characters ``start:end`` of a view of it (``index`` maps each view
    character to its source) came from: the first to the last source character, whatever their
    order (a view may put a reversed run back in reading order)."""
    if end <= start:
        at = index[start] if start < len(index) else (index[-1] + 1 if index else 0)
        return at, at
    src = index[start:end]
    return min(src), max(src) + 1


def hidden_text(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` hides or reorders what a reader sees: (start, end, reason) for each bidi
    override run ("right-to-left override"), each word with zero-width characters inside it, each
    run of invisible characters, each control character. Ordinary uses are not findings: joiners
    in scripts that shape with them (Persian, Indic; emoji sequences are not inside a word),
    zero-width spaces between letters of scripts written without spaces, variation selectors,
    emoji tag sequences (subdivision flags)."""
    if text.isascii() and text.isprintable():
        return []
    if is_blank(text) and any(is_invisible(ch) for ch in text):
        return [(0, len(text), "only invisible characters")]
    found: list[tuple[int, int, str]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in BIDI_OVERRIDES:
            end = _override_end(text, i)
            what = "right-to-left override" if ch == "\u202e" else "left-to-right override"
            found.append((i, end, what))
            i = end
            continue
        if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc":
            j = i
            while j < n and text[j] not in "\t\n\r" and unicodedata.category(text[j]) == "Cc":
                j += 1
            found.append((i, j, "control characters"))
            i = j
            continue
        if is_invisible(ch) and not _VARIATION.match(ch) and ch not in BIDI_CONTROLS:
            j = i
            while j < n and is_invisible(text[j]) and text[j] not in BIDI_OVERRIDES and unicodedata.category(text[j]) != "Cc":
                j += 1
            run = text[i:j]
            before, after = text[i - 1] if i else "", text[j] if j < n else ""
            tags = i and _TAG.fullmatch(run[:1]) and (text[i - 1] == "\U0001f3f4")
            if len(_VARIATION.sub("", run)) >= _HIDING_RUN and not tags:
                found.append((i, j, "a run of invisible characters"))
            elif before.isalnum() and after.isalnum() and not _ordinary_in_word(run, before, after):
                a, b = i, j  # the whole word, so a moderator sees which
                while a and (text[a - 1].isalnum() or is_invisible(text[a - 1])) and text[a - 1] not in BIDI_CONTROLS:
                    a -= 1
                while b < n and (text[b].isalnum() or is_invisible(text[b])) and text[b] not in BIDI_CONTROLS:
                    b += 1
                if found and found[-1][2] == "zero-width characters inside words" and found[-1][1] >= a:
                    a = found.pop()[0]
                found.append((a, b, "zero-width characters inside words"))
                j = max(j, b)
            i = j
            continue
        i += 1
    return found


def _ordinary_in_word(run: str, before: str, after: str) -> bool:
    run = _VARIATION.sub("", run)
    if not run:
        return True
    if set(run) <= {ZWJ, ZWNJ}:
        return not (_alphabetic(before) and _alphabetic(after))
    if set(run) <= {"\u200b"}:
        return bool(_NO_SPACE_SCRIPTS.match(before) or _NO_SPACE_SCRIPTS.match(after))
    return False


def _override_end(text: str, at: int) -> int:
    """Where the override starting at ``at`` ends: its matching pop (U+202C, counting embeddings
    opened inside it), an isolate's end, or the end of the paragraph; the end is after the pop."""
    depth = 0
    for j in range(at, len(text)):
        ch = text[j]
        if ch in "\u202a\u202b\u202d\u202e":
            depth += 1
        elif ch == "\u202c":
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch in "\n\r\u2029\u2069":
            return j
    return len(text)


def override_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each bidi override, without the override characters: what
    a screen shows reversed (a right-to-left override draws Latin letters backwards, a left-to-right
    one draws Arabic or Hebrew letters backwards)."""
    runs = []
    i = 0
    while True:
        i = min((p for p in (text.find("\u202d", i), text.find("\u202e", i)) if p >= 0), default=-1)
        if i < 0:
            return runs
        end = _override_end(text, i)
        runs.append((i + 1, end - 1 if text[end - 1:end] == "\u202c" else end))
        i = end


def drawable(text: str) -> str:
    """``text`` as a slide draws it: invisible characters removed except the joiners that shape
    emoji sequences and Persian or Indic words (ZWJ, ZWNJ), variation selectors and emoji tag
    sequences; bidi overrides, embeddings, isolates and control characters go."""
    if text.isascii() and text.isprintable():
        return text
    flags = "\U0001f3f4" in text  # tag characters spell a subdivision flag after it
    return "".join(ch for ch in text if not is_invisible(ch) or ch in (ZWJ, ZWNJ) or _VARIATION.match(ch)
                   or (flags and _TAG.match(ch)))
