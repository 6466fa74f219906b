"""How long a letter takes to read aloud, who reads which part, and the script they read from.

Speaking time
-------------
A text's length is counted in the unit its language is spoken in (syllables; morae for
Japanese; characters for Chinese, where one Han character is one syllable) and divided by a
per-language rate. The measured rates are the syllabic rates (SR) for *read* texts reported by

    Pellegrino, F., Coupé, C. & Marsico, E. (2011). "A cross-language perspective on speech
    information rate". Language 87(3):539-558.

==========  ==============  ==========================================================
language    rate (unit/s)   unit
==========  ==============  ==========================================================
en          6.19            syllable
fr          7.18            syllable
de          5.97            syllable
it          6.99            syllable
ja          7.84            mora (see the note in ``_MEASURED``)
zh          5.18            character (one Han character = one syllable)
es          7.82            syllable
vi          5.22            syllable (Vietnamese was the paper's reference language)
(others)    6.5             default: about the mean of the eight values above, NOT a
                            measurement of any language
==========  ==============  ==========================================================

The values are quoted from memory of the paper's table of syllabic rates; check them against
the paper before relying on the second decimal.

The paper's speakers read short texts in a recording session. Reading to an audience is slower:
``seconds`` multiplies the rate by ``PACE`` (0.7: English at 6.19 syllables/s is about 250
words a minute; at 0.7 it is about 175, the upper end of a calm public reading; together with the
pauses between parts a letter comes to roughly 150-160 words a minute) and adds ``PAUSE`` after
each part, ``CONNECTIVE_PAUSE`` after a movement's connective and ``TRANSLATION_PAUSE`` between
a quote and its translation. These are this module's defaults, not measurements.

Counting units (`units`), by script:

- Latin, Greek: groups of vowel letters per word (a syllable heuristic), with a silent final
  *e* for English and French and hiatus (two strong vowels, or an accented i/u beside a vowel)
  for Spanish, Italian and Portuguese. Vietnamese writes one syllable per word: words counted.
- Cyrillic, Georgian, Armenian: every vowel letter is a syllable nucleus (Armenian ու is one).
- Chinese: one unit per Han character. Japanese: one mora per kana (small ゃゅょぁぃぅぇぉ join
  the kana before them, っ and ー count), ``KANJI_MORAE`` (1.5, an estimate: most kanji
  readings have one to three morae) per kanji. Korean: one syllable per Hangul block.
- Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam,
  Sinhala, Myanmar: aksharas, i.e. consonants and independent vowels not followed by a
  virama (asat/killer); vowel signs belong to the consonant before them. Schwa deletion
  (Hindi *kamal* has two syllables, three aksharas) is not modelled.
- Khmer: consonants not followed by the coeng (subscript sign), divided by 1.4 (final
  consonants are written without a mark). Thai, Lao: letters (leading vowels included; vowel
  signs are marks) divided by 2.2. Both are approximations of "syllable ≈ character cluster";
  these scripts do not mark syllable boundaries.
- Tibetan: one syllable per tsheg-separated syllable. Ethiopic: one syllable per fidel.
- Arabic, Hebrew, Syriac (short vowels unwritten): letters divided by 1.9; Thaana by 1.3.
- Digits: ``DIGIT_SYLLABLES`` per digit (a number is read as words). Other scripts: letters / 2.5.

Readers and scripts
-------------------
`parse_readers` reads a reader list from the command line; `assign_readers` gives every block
to a reader, balanced by speaking time; `script_text` (a teleprompter) and `script_html` (print)
are what the readers read from. Message text is untrusted: both strip invisible and bidi
control characters (`letterworld.textsafe.drawable`), and the HTML escapes everything and
isolates each text in an element with its own ``lang`` and ``dir``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .scripts import RTL_LANGS
from .textsafe import drawable

PAPER = ('Pellegrino, Coupé & Marsico (2011), "A cross-language perspective on speech '
         'information rate", Language 87(3):539-558, syllabic rate of read texts')
DEFAULT_SOURCE = "default (not measured by Pellegrino et al. 2011)"

# (rate, unit). Values as recalled from the paper's table of syllabic rates (SR, syllables/s).
_MEASURED: dict[str, tuple[float, str]] = {
    "en": (6.19, "syllable"),
    "fr": (7.18, "syllable"),
    "de": (5.97, "syllable"),
    "it": (6.99, "syllable"),
    # Japanese: the paper's figure for Japanese. Used here as morae per second; whether the paper
    # counted morae or syllables for Japanese is not certain (if syllables, times for Japanese
    # come out somewhat long, since a text has at least as many morae as syllables).
    "ja": (7.84, "mora"),
    "zh": (5.18, "character"),  # Mandarin; one Han character is one syllable
    "es": (7.82, "syllable"),
    "vi": (5.22, "syllable"),  # Vietnamese: the paper's reference language (uncertain to +-0.05)
}
DEFAULT_RATE = 6.5  # default: about the mean of the eight measured rates; not a measurement

PACE = 0.7               # reading to an audience / the paper's read-text rate (a default)
PAUSE = 0.8              # seconds after each part
CONNECTIVE_PAUSE = 1.6   # seconds after a movement's connective (a new movement begins)
TRANSLATION_PAUSE = 0.5  # seconds between a quote and its translation
KANJI_MORAE = 1.5        # morae per kanji in Japanese text (estimate)
DIGIT_SYLLABLES = 1.6    # syllables per digit of a number read as words (estimate)

_LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")
_ALIASES = {"iw": "he", "cmn": "zh", "jpn": "ja", "eng": "en", "spa": "es", "fra": "fr",
            "deu": "de", "ita": "it", "vie": "vi", "zho": "zh", "in": "id", "ji": "yi"}


def base_lang(lang: str | None) -> str:
    """The primary subtag of a language tag, lower case: "zh-Hant" -> "zh", "pt_BR" -> "pt"."""
    if not lang:
        return ""
    b = re.split(r"[-_]", str(lang).strip(), maxsplit=1)[0].lower()
    return _ALIASES.get(b, b)


@dataclass(frozen=True)
class SpeechRate:
    lang: str
    per_second: float
    unit: str
    source: str


_AKSHARA_SCRIPTS = ("deva", "beng", "guru", "gujr", "orya", "taml", "telu", "knda", "mlym", "sinh")
_DEFAULT_UNIT = {
    **{lang: "akshara" for lang in ("hi", "mr", "ne", "sa", "bn", "as", "pa", "gu", "or", "ta",
                                      "te", "kn", "ml", "si", "mai", "bho", "kok")},
    "ko": "syllable", "yue": "character", "wuu": "character", "th": "syllable", "lo": "syllable",
    "km": "syllable", "my": "syllable",
}


def rate(lang: str) -> SpeechRate:
    """The speaking rate for ``lang``: measured (source: the paper) or the default."""
    b = base_lang(lang)
    if b in _MEASURED:
        per, unit = _MEASURED[b]
        return SpeechRate(b, per, unit, PAPER)
    return SpeechRate(b or "und", DEFAULT_RATE, _DEFAULT_UNIT.get(b, "syllable"), DEFAULT_SOURCE)


# -- counting units ------------------------------------------------------------------------------

def _script(ch: str) -> str:
    cp = ord(ch)
    if ch.isdigit() or unicodedata.category(ch) == "Nd":
        return "digit"
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF or 0x2C60 <= cp <= 0x2C7F or 0xA720 <= cp <= 0xA7FF:
        return "latn"
    if 0x370 <= cp <= 0x3FF or 0x1F00 <= cp <= 0x1FFF:
        return "grek"
    if 0x400 <= cp <= 0x52F or 0x1C80 <= cp <= 0x1C8F or 0x2DE0 <= cp <= 0x2DFF or 0xA640 <= cp <= 0xA69F:
        return "cyrl"
    if 0x530 <= cp <= 0x58F:
        return "armn"
    if 0x590 <= cp <= 0x5FF or 0xFB1D <= cp <= 0xFB4F:
        return "hebr"
    if (0x600 <= cp <= 0x6FF or 0x750 <= cp <= 0x77F or 0x8A0 <= cp <= 0x8FF or 0xFB50 <= cp <= 0xFDFF
            or 0xFE70 <= cp <= 0xFEFF):
        return "arab"
    if 0x700 <= cp <= 0x74F:
        return "syrc"
    if 0x780 <= cp <= 0x7BF:
        return "thaa"
    if 0x900 <= cp <= 0xDFF:
        return _AKSHARA_SCRIPTS[(cp - 0x900) // 0x80]
    if 0xE00 <= cp <= 0xE7F:
        return "thai"
    if 0xE80 <= cp <= 0xEFF:
        return "laoo"
    if 0xF00 <= cp <= 0xFFF:
        return "tibt"
    if 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F:
        return "mymr"
    if 0x10A0 <= cp <= 0x10FF or 0x1C90 <= cp <= 0x1CBF:
        return "geor"
    if 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F or 0xAC00 <= cp <= 0xD7AF:
        return "hang"
    if 0x1200 <= cp <= 0x139F or 0x2D80 <= cp <= 0x2DDF:
        return "ethi"
    if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
        return "khmr"
    if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
        return "kana"
    if (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3FFFF or ch in "\u3005\u3007"):
        return "hani"
    return "other"


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or ch in "\u200c\u200d\u3005"


def _runs(text: str) -> Iterable[tuple[str, str]]:
    """(script, run) for each same-script run of letters inside each word; marks and joiners
    stay with the letter before them."""
    for m in re.finditer(r"\S+", text):
        word = m.group()
        script, start = None, None
        for i, ch in enumerate(word):
            if not _is_word_char(ch):
                if script is not None:
                    yield script, word[start:i]
                script = None
                continue
            if unicodedata.category(ch)[0] == "M" or ch in "\u200c\u200d":
                continue  # marks and joiners belong to the letter before them
            s = _script(ch)
            if s != script:
                if script is not None:
                    yield script, word[start:i]
                script, start = s, i
        if script is not None:
            yield script, word[start:]


def _fold(ch: str) -> str:
    """A Latin or Greek letter without its diacritics, lower case."""
    d = unicodedata.normalize("NFD", ch.lower())
    return d[0] if d else ch


_LATIN_VOWELS = set("aeiouyæøœəɛɔɪʊıåäöü")
_GREEK_VOWELS = set("αεηιουωάέήίόύώϊϋΐΰ")
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїєѣ")
_GEORGIAN_VOWELS = set("აეიოუ")
_ARMENIAN_VOWELS = set("աեէըիոօ")
_STRONG = set("aeo")
_SMALL_KANA = set("ゃゅょぁぃぅぇぉゎャュョァィゥェォヮヵヶ")  # join the kana before them (っ, ー count)


def _latin_syllables(word: str, lang: str) -> float:
    letters = [ch for ch in word if unicodedata.category(ch)[0] == "L"]
    if not letters:
        return 0.0
    low = "".join(letters).lower()
    folded = [_fold(ch) for ch in low]
    vowel = [f in _LATIN_VOWELS or ch in _LATIN_VOWELS for ch, f in zip(low, folded)]
    # y before a vowel at the start of a word is a consonant ("yes", "ya")
    if len(vowel) > 1 and folded[0] == "y" and vowel[1]:
        vowel[0] = False
    count = 0
    i = 0
    while i < len(low):
        if vowel[i]:
            j = i
            while j < len(low) and vowel[j]:
                j += 1
            count += 1
            if lang in ("es", "it", "pt", "gl", "ca"):
                for k in range(i, j - 1):
                    a, b = low[k], low[k + 1]
                    if (folded[k] in _STRONG and folded[k + 1] in _STRONG) or a in "íú" or b in "íú":
                        count += 1  # hiatus: poeta, día, país
            i = j
        else:
            i += 1
    if count > 1 and lang in ("en", "fr"):
        if low.endswith("e") and not (lang == "en" and low.endswith("le") and len(low) > 2
                                      and not vowel[-3]) and not vowel[-2]:
            count -= 1  # silent final e: time, belle (but not table)
        elif lang == "fr" and low.endswith("es") and len(low) > 2 and not vowel[-3]:
            count -= 1  # silent -es: toutes, personnes
    if count == 0:
        return 1.0 if len(letters) > 1 else 0.0  # "krk", "UN"; an elided l', d', s is no syllable
    return float(count)


def _run_units(script: str, run: str, lang: str) -> float:
    letters = [ch for ch in run if unicodedata.category(ch)[0] == "L"]
    if script == "digit":
        return DIGIT_SYLLABLES * sum(1 for ch in run if unicodedata.category(ch) == "Nd")
    if script == "latn":
        if lang == "vi":
            return 1.0 if letters else 0.0
        return _latin_syllables(run, lang)
    if script == "grek":
        low = [_fold(ch) for ch in letters]
        groups = 0
        prev = False
        for ch, f in zip((c.lower() for c in letters), low):
            v = f in _GREEK_VOWELS or ch in _GREEK_VOWELS
            diaeresis = ch in "ϊϋΐΰ"
            if v and (not prev or diaeresis):
                groups += 1
            prev = v
        return float(groups or (1 if len(letters) > 1 else 0))
    if script in ("cyrl", "geor", "armn"):
        vowels = {"cyrl": _CYRILLIC_VOWELS, "geor": _GEORGIAN_VOWELS, "armn": _ARMENIAN_VOWELS}[script]
        low = "".join(letters).lower()
        n = sum(1 for ch in low if ch in vowels)
        # Armenian ու (u) is one vowel: its ո is counted, its ւ is not a vowel letter here
        return float(n or (1 if len(letters) > 1 else 0))
    if script == "hani":
        return len(letters) * (KANJI_MORAE if lang == "ja" else 1.0)
    if script == "kana":
        return float(sum(1 for ch in letters if ch not in _SMALL_KANA))
    if script == "hang":
        return float(sum(1 for ch in run if 0xAC00 <= ord(ch) <= 0xD7A3) or len(letters) / 2.5)
    if script in _AKSHARA_SCRIPTS or script in ("mymr", "khmr"):
        killers = {"mymr": "\u103a\u1039", "khmr": "\u17d2"}.get(script)
        n = 0
        for i, ch in enumerate(run):
            if unicodedata.category(ch) != "Lo" or 0xD7A <= ord(ch) <= 0xD7F or ch == "\u09ce":
                continue  # not a letter, or a Malayalam chillu / Bengali khanda ta (syllable codas)
            nxt = run[i + 1] if i + 1 < len(run) else ""
            if killers is None:
                if nxt and unicodedata.name(nxt, "").endswith(("VIRAMA", "AL-LAKUNA")):
                    continue
            elif nxt and nxt in killers:
                continue
            n += 1
        return n / 1.4 if script == "khmr" else float(n)
    if script in ("thai", "laoo"):
        return len(letters) / 2.2
    if script == "tibt":
        return 1.0 if letters else 0.0  # tsheg (U+0F0B) is punctuation: each run is one syllable
    if script == "ethi":
        return float(len(letters))
    if script in ("arab", "hebr", "syrc"):
        return len(letters) / 1.9
    if script == "thaa":
        return len(letters) / 1.3
    return len(letters) / 2.5


def units(text: str, lang: str) -> float:
    """How many speech units (see `rate(lang).unit`) ``text`` has when read in ``lang``."""
    if not text:
        return 0.0
    b = base_lang(lang)
    clean = unicodedata.normalize("NFC", drawable(str(text)))
    return float(sum(_run_units(script, run, b) for script, run in _runs(clean)))


def seconds(text: str, lang: str, *, pace: float = PACE, pause: float = PAUSE) -> float:
    """Seconds to read ``text`` aloud in ``lang`` to an audience, with ``pause`` after it (0 for
    text with nothing to read)."""
    if pace <= 0:
        raise ValueError(f"pace must be positive, not {pace}")
    if pause < 0:
        raise ValueError(f"pause must not be negative, not {pause}")
    n = units(text, lang)
    if n <= 0:
        return 0.0
    return n / (rate(lang).per_second * pace) + pause


def _reads_translation(block: dict[str, Any], letter_lang: str) -> dict[str, Any] | None:
    """The translation read after a quote: the quote is in another language than the letter and
    a translation with text exists."""
    if block.get("kind") != "quote":
        return None
    tr = block.get("translation")
    if not isinstance(tr, dict) or not tr.get("text"):
        return None
    qlang = base_lang(block.get("lang") or letter_lang)
    if letter_lang and qlang == base_lang(letter_lang):
        return None
    return tr


def block_seconds(block: dict[str, Any], letter_lang: str, *, pace: float = PACE,
                  pause: float | None = None) -> float:
    """Seconds to read one block, its pause included: a quote's original, then (when the quote's
    language differs from the letter's and a translation exists) its translation. ``pause`` None:
    `CONNECTIVE_PAUSE` after a connective, `PAUSE` after anything else."""
    if pause is None:
        pause = CONNECTIVE_PAUSE if block.get("kind") == "connective" else PAUSE
    lang = block.get("lang") or letter_lang
    total = seconds(block.get("text") or "", lang, pace=pace, pause=0.0)
    tr = _reads_translation(block, letter_lang)
    if tr is not None:
        t = seconds(tr["text"], tr.get("lang") or letter_lang, pace=pace, pause=0.0)
        if t > 0:
            total += (TRANSLATION_PAUSE if total > 0 else 0.0) + t
    return total + pause if total > 0 else 0.0


def timings(letter: dict[str, Any]) -> list[float]:
    """Seconds for each block of ``letter`` in order: the composer's estimate where the block
    carries one (``seconds``: with the campaign's pace, and an untranslated quote's translation
    estimated), else `block_seconds`."""
    lang = letter.get("lang") or ""
    return [float(b["seconds"]) if isinstance(b.get("seconds"), (int, float)) else block_seconds(b, lang)
            for b in letter.get("blocks") or []]


def total_seconds(letter: dict[str, Any]) -> float:
    return float(sum(timings(letter)))


def within(total: float, target: float, tol: float = 0.10) -> bool:
    """``total`` is within ``tol`` (a fraction) of ``target`` seconds."""
    if target <= 0:
        raise ValueError(f"target must be positive, not {target}")
    if tol < 0:
        raise ValueError(f"tolerance must not be negative, not {tol}")
    return abs(total - target) <= tol * target + 1e-9


# -- readers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reader:
    name: str
    langs: tuple[str, ...] = ()

    def speaks(self, lang: str) -> bool:
        b = base_lang(lang)
        return bool(b) and any(base_lang(x) == b for x in self.langs)


MAX_READERS = 200


def parse_readers(spec: str) -> list[Reader]:
    """Readers from a command-line spec: a number ("14": Reader 1 .. Reader 14) or a comma list of
    names with optional languages after a colon joined by "+" ("Ana:es+pt, Li Wei:zh, Sam")."""
    if spec is None or not str(spec).strip():
        raise ValueError("readers: empty; give a number (\"4\") or names (\"Ana:es, Sam\")")
    spec = str(spec).strip()
    if re.fullmatch(r"[+-]?\d+", spec):
        n = int(spec)
        if n < 1:
            raise ValueError(f"readers: need at least 1 reader, not {n}")
        if n > MAX_READERS:
            raise ValueError(f"readers: at most {MAX_READERS}, not {n}")
        return [Reader(f"Reader {i}") for i in range(1, n + 1)]
    readers: list[Reader] = []
    seen: set[str] = set()
    for pos, item in enumerate(spec.split(","), 1):
        name, colon, langs_part = item.rpartition(":") if ":" in item else (item, "", "")
        name = " ".join(drawable(name).split())
        if not name:
            raise ValueError(f"readers: entry {pos} ({item.strip()!r}) has an empty name")
        langs: tuple[str, ...] = ()
        if colon:
            parts = [p.strip() for p in langs_part.split("+")]
            if not any(parts) or not all(parts):
                raise ValueError(f"readers: {name!r} has an empty language after ':' (e.g. \"Ana:es+pt\")")
            for p in parts:
                if not _LANG_RE.match(p):
                    raise ValueError(f"readers: {name!r}: {p!r} is not a language code")
            langs = tuple(p.replace("_", "-").lower() for p in parts)
        if name.casefold() in seen:
            raise ValueError(f"readers: {name!r} is listed twice")
        seen.add(name.casefold())
        readers.append(Reader(name, langs))
    return readers


def assign_readers(letter: dict[str, Any], readers: list[Reader], *, by_language: bool = False,
                   greeting_signoff_first: bool = True) -> list[dict[str, Any]]:
    """Give every block of ``letter`` to a reader; the reading order stays the letter's order.

    Balanced by speaking time: blocks go, longest first, to the reader with the least time so
    far (any reader's total then lies within one block's length of the mean), and a second pass
    swaps blocks between readers where that makes fewer readers read twice in a row without
    widening the spread. The greeting and the signoff go to the first reader (unless
    ``greeting_signoff_first`` is false). With ``by_language`` a quote in another language than
    the letter's goes to a reader who lists that language (the least busy of them); the same
    reader then reads its translation too (a quote stays one part, read by one voice; the
    audience hears the original from someone who speaks it). Quotes in a language no reader
    lists, and all other blocks, go to anyone.

    Sets ``block["reader"]`` and returns ``[{"name", "seconds", "blocks": [indices]}]`` in the
    order of ``readers``; `spread` says how far apart the busiest and the least busy reader are.
    """
    if not readers:
        raise ValueError("assign_readers: no readers")
    names = [r.name for r in readers]
    if len(set(names)) != len(names):
        raise ValueError("assign_readers: reader names must be distinct")
    blocks = letter.get("blocks") or []
    times = timings(letter)
    letter_lang = letter.get("lang") or ""
    load = [0.0] * len(readers)
    owner: dict[int, int] = {}
    fixed: set[int] = set()

    def give(i: int, r: int, pin: bool = False) -> None:
        owner[i] = r
        load[r] += times[i]
        if pin:
            fixed.add(i)

    if greeting_signoff_first:
        for i, b in enumerate(blocks):
            if b.get("kind") in ("greeting", "signoff"):
                give(i, 0, pin=True)
    constrained: list[tuple[int, list[int]]] = []
    if by_language:
        for i, b in enumerate(blocks):
            if i in owner or b.get("kind") != "quote":
                continue
            ql = base_lang(b.get("lang"))
            if not ql or ql == base_lang(letter_lang):
                continue
            who = [r for r, rd in enumerate(readers) if rd.speaks(ql)]
            if who:
                constrained.append((i, who))
    for i, who in sorted(constrained, key=lambda x: (-times[x[0]], x[0])):
        give(i, min(who, key=lambda r: (load[r], r)), pin=True)
    free = sorted((i for i in range(len(blocks)) if i not in owner), key=lambda i: (-times[i], i))
    for i in free:
        give(i, min(range(len(readers)), key=lambda r: (load[r], r)))
    _fewer_repeats(owner, fixed, times, load, len(blocks))

    for i, b in enumerate(blocks):
        b["reader"] = readers[owner[i]].name
    return [{"name": rd.name, "seconds": round(load[r], 1),
             "blocks": sorted(i for i, o in owner.items() if o == r)} for r, rd in enumerate(readers)]


def _fewer_repeats(owner: dict[int, int], fixed: set[int], times: list[float], load: list[float],
                   n: int) -> None:
    """Swap blocks between readers so fewer readers read two parts in a row, never widening the
    spread between the busiest and the least busy reader."""
    if len(set(owner.values())) < 2:
        return

    def repeats() -> int:
        return sum(1 for i in range(n - 1) if owner[i] == owner[i + 1])

    def spread_of(ld: list[float]) -> float:
        return max(ld) - min(ld)

    for _ in range(3):
        improved = False
        for i in range(1, n):
            if owner[i] != owner[i - 1] or i in fixed:
                continue
            best = None
            before = repeats()
            base = spread_of(load)
            for j in range(n):
                if j in fixed or owner[j] == owner[i]:
                    continue
                a, b = owner[i], owner[j]
                ld = list(load)
                ld[a] += times[j] - times[i]
                ld[b] += times[i] - times[j]
                if spread_of(ld) > base + 1e-9:
                    continue
                owner[i], owner[j] = b, a
                after = repeats()
                owner[i], owner[j] = a, b
                if after < before and (best is None or (after, spread_of(ld)) < best[0]):
                    best = ((after, spread_of(ld)), j, ld)
            if best is not None:
                _, j, ld = best
                owner[i], owner[j] = owner[j], owner[i]
                load[:] = ld
                improved = True
        if not improved:
            break


def spread(assignment: list[dict[str, Any]]) -> tuple[float, float]:
    """(max - min seconds, max / min) between the busiest and the least busy reader
    (max / min is inf when a reader has nothing to read)."""
    if not assignment:
        return 0.0, 1.0
    secs = [float(r["seconds"]) for r in assignment]
    hi, lo = max(secs), min(secs)
    return hi - lo, (hi / lo if lo > 0 else (1.0 if hi == 0 else float("inf")))


# -- scripts -------------------------------------------------------------------------------------

def clock(t: float) -> str:
    """mm:ss (minutes may pass 59)."""
    s = round(max(t, 0.0))
    return f"{s // 60:02d}:{s % 60:02d}"


def running_order(letter: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per block in reading order: index, kind, reader, lang, start and end seconds
    (cumulative: the last end is `total_seconds`), seconds, and the translation read after it."""
    lang = letter.get("lang") or ""
    rows = []
    t = 0.0
    for i, (b, s) in enumerate(zip(letter.get("blocks") or [], timings(letter))):
        rows.append({"index": i, "kind": str(b.get("kind") or "block"), "reader": b.get("reader") or "",
                     "lang": base_lang(b.get("lang") or lang) or "und", "tag": _lang_attr(b.get("lang") or lang),
                     "text": drawable(str(b.get("text") or "")), "start": t, "seconds": s, "end": t + s,
                     "translation": _reads_translation(b, lang), "block": b})
        t += s
    return rows


def _lang_attr(lang: Any) -> str:
    s = str(lang or "")
    return s.replace("_", "-") if _LANG_RE.match(s) else "und"


def _dir(lang: str) -> str:
    return "rtl" if base_lang(lang) in RTL_LANGS else "ltr"


def _credit(tr: dict[str, Any]) -> str:
    by = drawable(str(tr.get("by") or "")).strip()
    status = str(tr.get("status") or "")
    if status == "machine_draft":
        return "machine draft, not reviewed" + (f" ({by})" if by else "")
    return f"translated by {by}" if by else "translator not recorded"


def _last_words(row: dict[str, Any], n: int = 6) -> str:
    tr = row["translation"]
    text = drawable(str(tr["text"])) if tr else row["text"]
    words = text.split()
    if len(words) >= 3:
        tail = " ".join(words[-n:])
        return ("…" if len(words) > n else "") + tail
    flat = "".join(text.split())
    return ("…" + flat[-12:]) if len(flat) > 12 else text.strip()


def script_text(letter: dict[str, Any]) -> str:
    """A teleprompter script: each part with the reader's cue in capitals, the text, the
    translation after it (marked, with its translator), seconds and the running clock."""
    rows = running_order(letter)
    total = rows[-1]["end"] if rows else 0.0
    recipient = drawable(str(letter.get("recipient") or "")).strip()
    out = [f"LETTER FROM THE WORLD{' TO ' + recipient.upper() if recipient else ''}",
           f"{len(rows)} parts, {clock(total)} in all", ""]
    for r in rows:
        who = drawable(str(r["reader"])).strip().upper() or "READER"
        out.append(f"[{clock(r['start'])}] {r['index'] + 1}. {who} - {r['kind']} ({r['lang']}), "
                   f"{r['seconds']:.1f} s")
        out.append(r["text"])
        b = r["block"]
        if b.get("kind") == "quote" and b.get("attribution"):
            out.append(f"    (from {drawable(str(b['attribution'])).strip()}; not read aloud)")
        tr = r["translation"]
        if tr:
            out.append(f"  TRANSLATION ({base_lang(tr.get('lang') or letter.get('lang')) or 'und'}, "
                       f"{_credit(tr)}):")
            out.append(drawable(str(tr["text"])))
        out.append("")
    out.append(f"[{clock(total)}] END")
    return "\n".join(out) + "\n"


_CSS = """body{font-family:serif;max-width:48em;margin:2em auto;line-height:1.45}
.t{white-space:pre-wrap;unicode-bidi:isolate;font-size:1.25em;margin:.3em 0 .6em}
.cue{font-family:sans-serif;font-size:.85em;color:#444;margin-bottom:0}
.tr{font-family:sans-serif;font-size:.8em;color:#555;margin:0}
table{border-collapse:collapse;width:100%;font-size:.85em}td,th{border:1px solid #bbb;padding:.2em .4em;vertical-align:top}
section.reader{page-break-before:always}"""


def script_html(letter: dict[str, Any]) -> str:
    """A printable script: one section per reader with their parts (cue: who reads before them
    and their last words; clock; seconds), each text in an element with its own ``lang`` and
    ``dir``, and the full running order. Everything is escaped."""
    esc = lambda s: html.escape(drawable(str(s)), quote=True)
    rows = running_order(letter)
    total = rows[-1]["end"] if rows else 0.0
    llang = _lang_attr(letter.get("lang"))
    recipient = esc(letter.get("recipient") or "")
    names: list[str] = []
    for r in rows:
        if r["reader"] not in names:
            names.append(r["reader"])
    out = ["<!DOCTYPE html>", f'<html lang="{esc(llang)}" dir="{_dir(llang)}">', "<head>",
           '<meta charset="utf-8">', f"<title>Reading script: {recipient}</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>Letter from the World to <bdi>{recipient}</bdi></h1>",
           f'<p class="cue">{len(rows)} parts, {len(names)} readers, {clock(total)} in all</p>']

    def text_el(text: str, lang: str, cls: str = "t") -> str:
        tag = _lang_attr(lang)
        return f'<p class="{cls}" lang="{esc(tag)}" dir="{_dir(tag)}">{esc(text)}</p>'

    for name in names:
        mine = [r for r in rows if r["reader"] == name]
        secs = sum(r["seconds"] for r in mine)
        label = name or "Reader"
        out.append(f'<section class="reader"><h2><bdi>{esc(label)}</bdi></h2>')
        out.append(f'<p class="cue">{len(mine)} parts, {secs:.0f} s</p><ol>')
        for r in mine:
            i = r["index"]
            if i == 0:
                cue = "you begin"
            else:
                prev = rows[i - 1]
                who = "yourself" if prev["reader"] == name else f"<bdi>{esc(prev['reader'] or 'Reader')}</bdi>"
                cue = f'after {who}: “<bdi>{esc(_last_words(prev))}</bdi>”'
            out.append(f'<li value="{i + 1}"><p class="cue">{clock(r["start"])} · part {i + 1} · '
                       f'{esc(r["kind"])} ({esc(r["lang"])}) · {r["seconds"]:.1f} s · {cue}</p>')
            out.append(text_el(r["text"], r["tag"]))
            b = r["block"]
            if b.get("kind") == "quote" and b.get("attribution"):
                out.append(f'<p class="tr">from <bdi>{esc(b["attribution"])}</bdi> (not read aloud)</p>')
            tr = r["translation"]
            if tr:
                tl = tr.get("lang") or letter.get("lang") or ""
                out.append(f'<p class="tr">Translation ({esc(base_lang(tl) or "und")}), '
                           f'<bdi>{esc(_credit(tr))}</bdi>:</p>')
                out.append(text_el(str(tr["text"]), tl))
            out.append("</li>")
        out.append("</ol></section>")

    out.append('<section class="order"><h2>Running order</h2><table>')
    out.append("<thead><tr><th>#</th><th>Start</th><th>Reader</th><th>Part</th><th>Lang</th>"
               "<th>Seconds</th><th>Begins</th></tr></thead><tbody>")
    for r in rows:
        words = r["text"].split()
        begins = " ".join(words[:6]) + ("…" if len(words) > 6 else "") if len(words) > 1 else r["text"][:16]
        tag = r["tag"]
        out.append(f"<tr><td>{r['index'] + 1}</td><td>{clock(r['start'])}</td>"
                   f"<td><bdi>{esc(r['reader'])}</bdi></td><td>{esc(r['kind'])}</td><td>{esc(r['lang'])}</td>"
                   f"<td>{r['seconds']:.1f}</td>"
                   f'<td lang="{esc(tag)}" dir="{_dir(tag)}">{esc(begins)}</td></tr>')
    out.append(f"<tr><td></td><td>{clock(total)}</td><td colspan=\"5\">end</td></tr>")
    out.append("</tbody></table></section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
