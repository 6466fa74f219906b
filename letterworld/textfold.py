"""Text folding: the one place that says which differences in writing do not count.

* `fold_offsets` is how the word lists read a message (moderation.rules): lower case, Latin,
  Greek and Cyrillic letters without accents ("donde" finds "dónde"), Arabic without vowel
  marks or tatweel and with its everyday letter variants unified, and for each folded
  character the position of the one it came from, so a match maps back to the original.
* `fold_key` is how two texts are compared as wholes (duplicate messages, column headers,
  country and channel names): compatibility forms, case, every accent and mark, punctuation
  and spacing do not count.
"""

from __future__ import annotations

import re
import unicodedata

from .scripts import char_class

# Arabic letters written either way in everyday spelling ("خاينة" for "خائنة", "اللى" for "اللي")
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ئ": "ي", "ؤ": "و", "ى": "ي", "ة": "ه"})
_ARABIC_MARKS = re.compile(f"[{char_class('Arabic', categories='M', extensions=True)}\N{ARABIC TATWEEL}]")
_NOT_WORD = re.compile(r"[^\w]+")


def strip_marks(text: str) -> str:
    """``text`` decomposed (NFKD) without its combining marks: "Bogotá" -> "Bogota"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` as the word lists compare it, and for each folded character the index of the
    character it came from. Marks in other scripts (Devanagari, Burmese, Thai) are part of
    their letters and stay."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if _ARABIC_MARKS.fullmatch(ch):
            continue
        low = ch.lower()
        parts = unicodedata.normalize("NFD", low)
        if len(parts) > 1 and parts[0] < "\u0530":  # Latin, Greek, Cyrillic with accents
            low = strip_marks(parts)
        for c in low.translate(_ARABIC_VARIANTS):
            out.append(c)
            index.append(i)
    return "".join(out), index


def fold_key(text: str) -> str:
    """``text`` as a comparison key: "  Dónde, ESTÁS?! " and "donde estas" are the same."""
    return _NOT_WORD.sub(" ", strip_marks(unicodedata.normalize("NFKC", text).casefold())).strip()
