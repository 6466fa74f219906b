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
from functools import lru_cache

from .scripts import char_class
from .textsafe import is_invisible, override_runs

# Arabic letters written either way in everyday spelling ("خاينة" for "خائنة", "اللى" for "اللي")
# (not the Persian letters "ی" and "ک" for "ي" and "ك": Persian "کلبه", a hut, would read as Arabic "كلبه")
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ئ": "ي", "ؤ": "و", "ى": "ي", "ة": "ه"})
_ARABIC_MARKS = re.compile(f"[{char_class('Arabic', categories='M', extensions=True)}\N{ARABIC TATWEEL}]")
_NOT_WORD = re.compile(r"[^\w]+")


def strip_marks(text: str) -> str:
    """``text`` decomposed (NFKD) without its combining marks: "Bogotá" -> "Bogota"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` as the word lists compare it, and for each folded character the index of the
    character it came from (map a match back with `textsafe.span_back`). Marks in other scripts
    (Devanagari, Burmese, Thai) are part of their letters and stay.

    What a message can hide behind does not count either: invisible characters (zero-width
    spaces, soft hyphens, bidi controls) are dropped, compatibility forms are read as what they
    stand for (NFKC: fullwidth "ｐｒｉｓｏｎ", Arabic presentation forms, Kangxi radicals), Greek and
    Cyrillic look-alikes inside a Latin word are read as Latin letters and the reverse (`_confusables`),
    and the text inside a bidi override is read a second time in the order a screen shows it
    (after the message, on a line of its own)."""
    swap = _confusables(text)
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(swap.get(i, ch)):
            out.append(c)
            index.append(i)
    for start, end in override_runs(text):  # "\u202e" + "nosirp" reads "prison" on a screen
        out.append("\n")
        index.append(end - 1 if end > start else start)
        for i in range(end - 1, start - 1, -1):
            for c in _fold_char(swap.get(i, text[i])):
                out.append(c)
                index.append(i)
    return "".join(out), index


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """One character as the word lists read it: nothing for an invisible one or an Arabic mark."""
    if ch.isascii():
        return ch.lower() if ch.isprintable() or ch in "\t\n\r" else ""
    if is_invisible(ch) or _ARABIC_MARKS.fullmatch(ch):
        return ""
    if ch == "\u0130":  # Turkish capital İ lowercases to "i" + a combining dot: "HAİN" must read "hain"
        return "i"
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        parts = unicodedata.normalize("NFD", c)
        if len(parts) > 1 and parts[0] < "\u0530":  # Latin, Greek, Cyrillic with accents
            c = strip_marks(parts)
        out.append(c.translate(_ARABIC_VARIANTS))
    return "".join(out)


# Greek and Cyrillic letters that look like Latin ones (and back). A hand-kept table, not Unicode's
# confusables data (TR39): the skeleton TR39 defines also folds Latin letter pairs ("rn" -> "m"),
# digits and whole scripts into Latin, which would change how every ordinary Greek or Russian
# message is read; no installed library offers the data (ICU's spoof checker is not in icu4py), and
# only the look-alikes of letters are needed, read inside words that mix scripts.
_CYRILLIC_LATIN = dict(zip("аеорсухіјѕһԁԛԝӏкАВЕКМНОРСТХУІЈЅ", "aeopcyxijshdqwlkABEKMHOPCTXYIJS"))
_GREEK_LATIN = dict(zip("οαινκρυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaivkpuxABEZHIKMNOPTYX"))
_TO_LATIN = {**_CYRILLIC_LATIN, **_GREEK_LATIN}
_FROM_LATIN = {"Cyrillic": {v: k for k, v in reversed(_CYRILLIC_LATIN.items())},
               "Greek": {v: k for k, v in reversed(_GREEK_LATIN.items())}}
# Burmese digits typed for the letters they look like (zero for wa, seven for ra) inside Burmese words
_BURMESE_DIGIT_LETTER = {"\u1040": "\u101d", "\u1047": "\u101b"}
_BURMESE_DIGIT_IN_WORD = re.compile("(?<=[\u1000-\u103f])[\u1040\u1047]|[\u1040\u1047](?=[\u1000-\u103f])")
_MIXABLE = re.compile("[\u0370-\u052f]")
_WORD = re.compile(r"(?:[^\W\d_]|[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff])+")


def _script(ch: str) -> str:
    if "\u0370" <= ch < "\u0400":
        return "Greek"
    if "\u0400" <= ch < "\u0530":
        return "Cyrillic"
    if "\uff21" <= ch <= "\uff5a":  # fullwidth Latin
        return "Latin"
    return "Latin" if ch < "\u0250" and ch.isalpha() else ""


def _confusables(text: str) -> dict[int, str]:
    """Look-alike letters to read as another script, by index: in a word that mixes Latin with
    Greek or Cyrillic letters, the minority script's look-alikes become the majority's ("dоnde"
    with a Cyrillic о is "donde", "тюрьмa" with a Latin a is "тюрьма"; a tie reads as Latin).
    Words in one script are never changed. A Burmese zero or seven next to a Burmese letter is the
    letter it looks like (wa, ra): Burmese numbers are written with digits only."""
    swap: dict[int, str] = {}
    if "\u1040" in text or "\u1047" in text:
        swap.update((m.start(), _BURMESE_DIGIT_LETTER[m.group()]) for m in _BURMESE_DIGIT_IN_WORD.finditer(text))
    if not _MIXABLE.search(text) or not re.search("[A-Za-z\uff21-\uff5a]", text):
        return swap
    for m in _WORD.finditer(text):
        word = m.group()
        counts: dict[str, int] = {}
        for ch in word:
            s = _script(ch)
            if s:
                counts[s] = counts.get(s, 0) + 1
        if "Latin" not in counts or len(counts) < 2:
            continue
        major = max(counts, key=lambda s: (counts[s], s == "Latin"))
        for k, ch in enumerate(word):
            s = _script(ch)
            if not s or s == major:
                continue
            latin = unicodedata.normalize("NFKC", ch) if s == "Latin" else ""  # fullwidth too
            to = _TO_LATIN.get(ch) if major == "Latin" else _FROM_LATIN[major].get(latin)
            if to:
                swap[m.start() + k] = to
    return swap


def fold_key(text: str) -> str:
    """``text`` as a comparison key: "  Dónde, ESTÁS?! " and "donde estas" are the same."""
    return _NOT_WORD.sub(" ", strip_marks(unicodedata.normalize("NFKC", text).casefold())).strip()
