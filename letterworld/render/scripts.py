"""Unicode script of a character and emoji-ness of a grapheme cluster.

Scripts come from `letterworld.scripts` (the Unicode tables fontTools ships): "Common"
(punctuation, digits, symbols) and "Inherited" (combining marks) take the script of the text
around them.
"""

from __future__ import annotations

from ..scripts import CJK_SCRIPTS, RTL_SCRIPTS, UNSPACED_SCRIPTS, script_of

__all__ = ["CJK_SCRIPTS", "RTL_SCRIPTS", "UNSPACED_SCRIPTS", "script_of", "is_emoji_cluster"]


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
