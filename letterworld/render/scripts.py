"""Unicode script of a character and emoji-ness of a grapheme cluster.

Python's unicodedata has no Script property, so this is a compact range table
for the scripts letterworld can draw. Characters outside it are "Common"
(punctuation, digits, symbols) or "Inherited" (combining marks), which take the
script of the text around them.
"""

from __future__ import annotations

import bisect
import unicodedata

_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"), (0x00AA, 0x00AA, "Latin"),
        (0x00BA, 0x00BA, "Latin"), (0x00C0, 0x00D6, "Latin"), (0x00D8, 0x00F6, "Latin"),
        (0x00F8, 0x024F, "Latin"), (0x0250, 0x02AF, "Latin"), (0x1D00, 0x1D7F, "Latin"),
        (0x1E00, 0x1EFF, "Latin"), (0x2C60, 0x2C7F, "Latin"), (0xA720, 0xA7FF, "Latin"),
        (0xAB30, 0xAB6F, "Latin"), (0xFF21, 0xFF3A, "Latin"), (0xFF41, 0xFF5A, "Latin"),
        (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"), (0x1C80, 0x1C8F, "Cyrillic"), (0x2DE0, 0x2DFF, "Cyrillic"),
        (0xA640, 0xA69F, "Cyrillic"),
        (0x0531, 0x058F, "Armenian"), (0xFB13, 0xFB17, "Armenian"),
        (0x0591, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x0870, 0x08FF, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
        (0x0700, 0x074F, "Syriac"), (0x0780, 0x07BF, "Thaana"), (0x07C0, 0x07FF, "NKo"),
        (0x0900, 0x097F, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"),
        (0x0B00, 0x0B7F, "Oriya"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"),
        (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"),
        (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"),
        (0x1000, 0x109F, "Myanmar"), (0xA9E0, 0xA9FF, "Myanmar"), (0xAA60, 0xAA7F, "Myanmar"),
        (0x10A0, 0x10FF, "Georgian"), (0x1C90, 0x1CBF, "Georgian"), (0x2D00, 0x2D2F, "Georgian"),
        (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xA960, 0xA97F, "Hangul"),
        (0xAC00, 0xD7AF, "Hangul"), (0xD7B0, 0xD7FF, "Hangul"), (0xFFA0, 0xFFDC, "Hangul"),
        (0x1200, 0x139F, "Ethiopic"), (0x2D80, 0x2DDF, "Ethiopic"), (0xAB00, 0xAB2F, "Ethiopic"),
        (0x13A0, 0x13FF, "Cherokee"), (0x1400, 0x167F, "CanadianAboriginal"),
        (0x1780, 0x17FF, "Khmer"), (0x19E0, 0x19FF, "Khmer"), (0x1800, 0x18AF, "Mongolian"),
        (0x1B00, 0x1B7F, "Balinese"), (0x1B80, 0x1BBF, "Sundanese"), (0xA980, 0xA9DF, "Javanese"),
        (0x2D30, 0x2D7F, "Tifinagh"), (0xA500, 0xA63F, "Vai"), (0xA000, 0xA4CF, "Yi"),
        (0x1E900, 0x1E95F, "Adlam"),
        (0x2E80, 0x2FDF, "Han"), (0x3005, 0x3005, "Han"), (0x3007, 0x3007, "Han"),
        (0x3021, 0x3029, "Han"), (0x3038, 0x303B, "Han"), (0x3400, 0x4DBF, "Han"),
        (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"), (0x20000, 0x3134F, "Han"),
        (0x3041, 0x309F, "Hiragana"), (0x30A1, 0x30FA, "Katakana"), (0x30FD, 0x30FF, "Katakana"),
        (0x31F0, 0x31FF, "Katakana"), (0xFF66, 0xFF9D, "Katakana"),
        (0x3100, 0x312F, "Bopomofo"), (0x31A0, 0x31BF, "Bopomofo"),
    ]
)
_STARTS = [r[0] for r in _RANGES]

RTL_SCRIPTS = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana", "NKo", "Adlam"})
# Scripts written without spaces between words: ICU's dictionary breaker finds
# the line breaks; read-aloud time is estimated per character.
UNSPACED_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan"})
CJK_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"})


def script_of(ch: str) -> str:
    """Script name of ``ch``: one of the table's, "Inherited" or "Common"."""
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me") or cp in (0x200C, 0x200D) or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return "Inherited"
    return "Common"


def _is_pictographic(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2300 <= cp <= 0x23FF
        or 0x1F1E6 <= cp <= 0x1F1FF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
        or 0x2194 <= cp <= 0x21AA
        or 0x25AA <= cp <= 0x25FE
        or 0x2934 <= cp <= 0x2935
    )


# Pictographs that default to emoji presentation even without U+FE0F (the
# common ones people type; the rest of 1F300-1FAFF is emoji by default too).
def _emoji_default(cp: int) -> bool:
    return (
        0x1F300 <= cp <= 0x1FAFF
        or cp in (0x1F004, 0x1F0CF, 0x1F18E)
        or 0x1F191 <= cp <= 0x1F19A
        or 0x1F1E6 <= cp <= 0x1F1FF
        or cp in (0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE,
                  0x2614, 0x2615, 0x2648, 0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE,
                  0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26FA, 0x26FD,
                  0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753, 0x2754, 0x2755, 0x2757,
                  0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55)
        or 0x2648 <= cp <= 0x2653
    )


def is_emoji_cluster(cluster: str) -> bool:
    """True if a grapheme cluster should be drawn with the colour emoji font."""
    if not cluster:
        return False
    cps = [ord(c) for c in cluster]
    if 0xFE0E in cps:  # text presentation requested
        return False
    if 0x20E3 in cps and cps[0] in b"0123456789#*":  # keycap
        return True
    base = cps[0]
    if not _is_pictographic(base):
        return False
    if 0xFE0F in cps or 0x200D in cps or any(0x1F3FB <= c <= 0x1F3FF for c in cps):
        return True
    return _emoji_default(base)
