"""How long a slide stays up: a read-aloud estimate.

About 2.5 words a second for scripts written with spaces, about 6 characters
a second for Chinese, Japanese, Thai, Burmese, Khmer, Lao and Tibetan; at
least 4 seconds, plus 1 second to take the slide in.
"""

from __future__ import annotations

import re

from .runs import cluster_script
from .scripts import UNSPACED_SCRIPTS
from .segment import graphemes

WORDS_PER_SECOND = 2.5
CHARS_PER_SECOND = 6.0
MIN_SECONDS = 4.0
EXTRA_SECONDS = 1.0


def reading_units(text: str) -> tuple[int, int]:
    """(words in spaced scripts, graphemes in unspaced scripts)."""
    text = text or ""
    b = graphemes(text) if text else (0,)
    unspaced, spaced_chars = 0, []
    for i in range(len(b) - 1):
        cl = text[b[i]:b[i + 1]]
        if cluster_script(cl) in UNSPACED_SCRIPTS:
            unspaced += 1
            spaced_chars.append(" ")
        else:
            spaced_chars.append(cl)
    words = len([w for w in re.split(r"\s+", "".join(spaced_chars)) if any(c.isalnum() for c in w)])
    return words, unspaced


def seconds_for(*texts: str) -> float:
    words = chars = 0
    for t in texts:
        w, c = reading_units(t or "")
        words += w
        chars += c
    est = words / WORDS_PER_SECOND + chars / CHARS_PER_SECOND
    return round(max(MIN_SECONDS, est) + EXTRA_SECONDS, 1)
