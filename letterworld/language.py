"""Language identification for solidarity messages.

Messages to people at risk are short ("Fuerza Jani!", "Stay strong ❤️"),
often mixed ("Fuerza Jani, estamos contigo. Stay strong!"), and sometimes
carry no language at all (emoji, a name, a URL).  General-purpose detectors
are tuned for paragraphs; this module is tuned for that material.

How a text is decided, and why:

1. **Clean-up.**  URLs, e-mail addresses, @mentions, digits and emoji carry
   no language evidence and only confuse n-gram models, so they are masked
   out.  What is left with fewer than two letters (one for CJK/kana, whose
   single characters are words) is ``"und"`` with confidence 0.

2. **Script routing.**  Many scripts are used by exactly one supported
   language (Thai, Hangul, Greek, Hebrew, Armenian, Georgian, Bengali, Tamil,
   Telugu, Gujarati, Gurmukhi, Kannada, Malayalam, Sinhala, Burmese, Khmer,
   Lao, Ethiopic); asking a statistical model there only adds errors, so the
   script decides.  Han is ``zh`` unless there is any kana (then ``ja``) or a
   prior points to ``ja``.  Only four scripts need a model: Latin, Cyrillic,
   Arabic (ar/fa/ur, helped by Urdu- and Persian-specific letters) and
   Devanagari (hi/mr/ne), and each model is restricted to the languages of
   that script, which removes most cross-script confusions.

3. **Two complementary models.**  `lingua` (high-accuracy mode, restricted
   to :data:`SUPPORTED`) is the strongest freely available model for one- and
   two-word inputs; ``py3langid`` (a byte n-gram naive Bayes) adds
   independent evidence and is strong on sentences and where lingua has no
   model (Nepali).  For short texts (< 40 letters) their log-scores are added
   (py3langid at half weight, temperature-scaled by sqrt(bytes) as py3langid
   does); longer texts are decided by py3langid alone, which on the dev set
   is both more accurate on sentences than lingua and ~5x faster.  Then
   priors are added (campaign ``expected`` weights, sender ``country``,
   script-specific letters, a small solidarity-phrase lexicon because news-
   trained models call "Stay strong" Vietnamese) and the result is
   soft-maxed over the script's candidate languages.

4. **Calibrated confidence.**  The top posterior is mapped through a
   logistic calibration on (logit of the top posterior, log of the letter
   count), fitted by ``bench/langid.py --calibrate`` on one half of the dev
   set and checked on the other half, so that ``confidence >= 0.9`` means
   "right about 99% of the time" on short and long texts alike.  The fitted
   numbers, with when, where and on what they were fitted, are data:
   ``letterworld/data/langid_calibration.json``.

5. **Mixed-language messages.**  Texts with several sentences or several
   scripts are cut into segments (sentence ends and script changes), each
   segment is detected, and if confident segments disagree the languages and
   their character spans are reported in :attr:`Detection.others` (main
   language first).  The main language is the one covering the most letters.

Everything is deterministic (no sampling: langdetect is not used) and works
offline: the models ship inside the ``lingua-language-detector`` and
``py3langid`` wheels.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from .scripts import script_extensions, script_of

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "SUPPORTED",
    "Detection",
    "Span",
    "detect",
    "detect_batch",
    "UND",
]

UND = "und"

# --------------------------------------------------------------------------
# Supported languages
# --------------------------------------------------------------------------

# Every language the two shipped models know: lingua's 75 and py3langid's classes (ISO 639-1
# where one exists, else ISO 639-3), with py3langid's regional and historical classes folded
# into their language (Moroccan and Egyptian Arabic into ar, Cantonese and Wu into zh, Southern
# Kurdish into ku, Biblical Hebrew into he, Ancient Greek into el, "no" into nb).
LINGUA_LANGS = (
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "ko", "la",
    "lg", "lt", "lv", "mi", "mk", "mn", "mr", "ms", "nb", "nl", "nn", "pa", "pl", "pt", "ro", "ru", "sk", "sl",
    "sn", "so", "sq", "sr", "st", "sv", "sw", "ta", "te", "th", "tl", "tn", "tr", "ts", "uk", "ur", "vi", "xh",
    "yo", "zh", "zu")
PY3_FOLD = {"ary": "ar", "arz": "ar", "yue": "zh", "wuu": "zh", "uzs": "uz", "sdh": "ku", "hbo": "he",
            "grc": "el", "no": "nb"}
PY3_LANGS = (
    "ace", "af", "am", "an", "ar", "as", "az", "ba", "bcl", "be", "bg", "bn", "br", "bs", "ca", "crh", "cs", "cy",
    "da", "de", "dz", "el", "en", "eo", "es", "et", "eu", "ext", "fa", "fi", "fo", "fr", "fuv", "fy", "ga", "gcf",
    "gcr", "gd", "gl", "gom", "gu", "gug", "guw", "ha", "he", "hi", "hr", "ht", "hu", "hy", "id", "ig", "is", "it",
    "ja", "jv", "ka", "kab", "kik", "kk", "km", "kn", "ko", "ku", "ky", "la", "lb", "lg", "lij", "ln", "lo", "lt",
    "ltg", "lv", "mg", "mk", "ml", "mn", "mr", "ms", "mt", "my", "nb", "ne", "nl", "nn", "nso", "oc", "om", "or",
    "pa", "pcm", "pl", "ps", "pt", "qu", "ro", "ru", "rw", "sa", "se", "si", "sk", "sl", "sn", "so", "sq", "sr",
    "st", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl", "tr", "tt", "ug", "uk", "ur", "uz", "vec", "vi", "vo",
    "wa", "xh", "yo", "zh", "zu")
# The scripts a language is written in (anything not listed: Latin). A language in a script of
# its own is decided by the script; a script with several languages needs the models.
_WRITTEN_IN: dict[str, tuple[str, ...]] = {
    **{l: ("Cyrillic",) for l in ("ba", "be", "bg", "kk", "ky", "mk", "mn", "ru", "tg", "tt", "uk")},
    "sr": ("Cyrillic", "Latin"), "uz": ("Latin", "Cyrillic"), "ku": ("Latin", "Arabic"),
    **{l: ("Arabic",) for l in ("ar", "fa", "ps", "ug", "ur")},
    **{l: ("Devanagari",) for l in ("hi", "mr", "ne", "sa", "gom")},
    "bn": ("Bengali",), "as": ("Bengali",), "am": ("Ethiopic",), "he": ("Hebrew",), "el": ("Greek",),
    "dz": ("Tibetan",), "or": ("Oriya",), "ka": ("Georgian",), "hy": ("Armenian",), "th": ("Thai",),
    "lo": ("Lao",), "km": ("Khmer",), "my": ("Myanmar",), "si": ("Sinhala",), "ta": ("Tamil",),
    "te": ("Telugu",), "kn": ("Kannada",), "ml": ("Malayalam",), "gu": ("Gujarati",), "pa": ("Gurmukhi",),
    "ko": ("Hangul",), "ja": ("Kana", "Han"), "zh": ("Han",),
}

#: Languages letterworld can identify: every language of either model (above).
SUPPORTED: tuple[str, ...] = tuple(sorted(set(LINGUA_LANGS) | set(PY3_LANGS)))
_SUPPORTED_SET = frozenset(SUPPORTED)


def scripts_of(lang: str) -> tuple[str, ...]:
    return _WRITTEN_IN.get(lang, ("Latin",))


def _by_script() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for lang in SUPPORTED:
        for sc in scripts_of(lang):
            out.setdefault(sc, []).append(lang)
    return {sc: tuple(v) for sc, v in out.items()}


_BY_SCRIPT = _by_script()
# Scripts that determine the language on their own (Kana: Japanese).
_SCRIPT_LANG = {sc: langs[0] for sc, langs in _BY_SCRIPT.items() if len(langs) == 1 and sc != "Han"}
_SCRIPT_LANG["Kana"] = "ja"
# Scripts that need a model, and the supported languages written in them.
_MODEL_SCRIPTS = {sc: langs for sc, langs in _BY_SCRIPT.items() if len(langs) > 1 and sc not in ("Han", "Kana")}
# Han is its own case: zh, or ja when kana / priors say so.
_HAN_LANGS = ("zh", "ja")

# --------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A language segment: ``text[start:end]`` is written in ``lang``."""

    lang: str
    start: int
    end: int


@dataclass(frozen=True)
class Detection:
    """Result of :func:`detect`.

    ``lang`` is an ISO 639-1 code from :data:`SUPPORTED` or ``"und"``.
    ``confidence`` is a calibrated probability that ``lang`` is right.
    ``others`` is empty for monolingual texts; for mixed-language texts it
    lists every language segment, those of the main language first, then
    the rest in text order.
    """

    lang: str
    confidence: float
    others: tuple[Span, ...] = field(default=())

    @property
    def is_mixed(self) -> bool:
        return len({s.lang for s in self.others}) > 1


_UND_DETECTION = Detection(UND, 0.0, ())

# --------------------------------------------------------------------------
# Scripts
# --------------------------------------------------------------------------

# Scripts that route a text, as `letterworld.scripts` names them (Hiragana and
# Katakana are one route, "Kana"); letters of any other script are "Other".
_ROUTED = frozenset(_SCRIPT_LANG) | frozenset(_MODEL_SCRIPTS) | {"Han"}
_KANA = {"Hiragana": "Kana", "Katakana": "Kana"}
_SCRIPT_CACHE: dict[str, str | None] = {}


def _script(ch: str) -> str | None:
    """Routed script of a *letter* (or combining mark) ``ch``; "Other" for a letter of
    another script; None for anything else.  A character Unicode files as Common or
    Inherited (the Arabic tatweel and vowel marks, the Japanese prolonged sound mark)
    counts for the one routed script it is used with, if there is one."""
    s = _SCRIPT_CACHE.get(ch, 0)
    if s != 0:
        return s  # type: ignore[return-value]
    res = None
    cat = unicodedata.category(ch)
    if cat[0] == "L" or cat in ("Mn", "Mc"):
        sc = script_of(ch)
        if sc in ("Common", "Inherited"):
            used = {_KANA.get(x, x) for x in script_extensions(ch)} & _ROUTED
            res = next(iter(used)) if len(used) == 1 else None
        else:
            sc = _KANA.get(sc, sc)
            res = sc if sc in _ROUTED else None
        if res is None and cat[0] == "L":
            res = "Other"
    _SCRIPT_CACHE[ch] = res
    return res


# --------------------------------------------------------------------------
# Clean-up
# --------------------------------------------------------------------------

_NOISE_RE = re.compile(
    r"(?:https?://|www\.)\S+"          # URLs
    r"|\b[\w.+-]+@[\w-]+\.[\w.-]+\b"     # e-mail
    r"|[@]\w+"                           # mentions
    r"|\b[\w-]+\.(?:com|org|net|io|de|fr|es|br|uk)\b(?:/\S*)?",  # bare domains
    re.UNICODE,
)


def _mask_noise(text: str) -> str:
    """Replace URLs/e-mails/mentions with spaces, keeping offsets intact."""
    if "@" not in text and "://" not in text and "www." not in text and "." not in text:
        return text
    return _NOISE_RE.sub(lambda m: " " * (m.end() - m.start()), text)


# --------------------------------------------------------------------------
# Country priors
# --------------------------------------------------------------------------

#: Languages a sender from a country most likely writes in.  Used only as a
#: prior (a tie-breaker): a clear text in another language is not changed.
COUNTRY_LANGS: dict[str, tuple[str, ...]] = {
    "BR": ("pt",), "PT": ("pt",), "AO": ("pt",), "MZ": ("pt",), "CV": ("pt",),
    "ES": ("es", "ca"), "AD": ("ca", "es"),
    **{c: ("es",) for c in ("MX", "CO", "AR", "CL", "PE", "VE", "EC", "GT", "CU",
                            "BO", "DO", "HN", "PY", "SV", "NI", "CR", "PA",
                            "UY", "PR", "GQ")},
    "US": ("en", "es"), "GB": ("en",), "IE": ("en",), "AU": ("en",), "NZ": ("en",),
    "CA": ("en", "fr"), "ZA": ("en",), "NG": ("en",), "GH": ("en",),
    "FR": ("fr",), "BE": ("fr", "nl"), "LU": ("fr", "de"), "CH": ("de", "fr", "it"),
    "SN": ("fr",), "CI": ("fr",), "CM": ("fr", "en"), "CD": ("fr", "sw"), "HT": ("fr",),
    "DE": ("de",), "AT": ("de",), "LI": ("de",),
    "IT": ("it",), "SM": ("it",), "NL": ("nl",), "SR": ("nl",),
    "SI": ("sl",), "PL": ("pl",), "TR": ("tr",), "SE": ("sv",), "FI": ("fi", "sv"),
    "RO": ("ro",), "MD": ("ro", "ru"), "HU": ("hu",), "CZ": ("cs",),
    "BG": ("bg",), "RS": ("sr",), "ME": ("sr",), "BA": ("sr",),
    "RU": ("ru",), "BY": ("ru",), "KZ": ("ru",), "KG": ("ru",), "UA": ("uk",),
    "GR": ("el",), "CY": ("el", "tr"),
    **{c: ("ar",) for c in ("SA", "EG", "AE", "MA", "DZ", "TN", "JO", "LB", "IQ",
                            "SY", "QA", "KW", "BH", "OM", "YE", "LY", "SD", "PS",
                            "MR")},
    "PK": ("ur", "en"), "IR": ("fa",), "AF": ("fa",), "TJ": ("fa",), "IL": ("he",),
    "IN": ("hi", "en"), "NP": ("ne",), "BD": ("bn",), "LK": ("si", "ta"),
    "KE": ("sw", "en"), "TZ": ("sw",), "UG": ("en", "sw"), "ET": ("am",),
    "GE": ("ka",), "AM": ("hy",),
    "CN": ("zh",), "TW": ("zh",), "HK": ("zh", "en"), "MO": ("zh",), "SG": ("en", "zh", "ms"),
    "JP": ("ja",), "KR": ("ko",), "TH": ("th",), "MM": ("my",), "VN": ("vi",),
    "ID": ("id",), "PH": ("tl", "en"), "MY": ("ms",), "BN": ("ms",), "KH": ("km",),
    "LA": ("lo",),
    # the other sections' languages (Write for Rights is written in dozens more countries)
    "DK": ("da",), "GL": ("da",), "NO": ("nb", "nn"), "IS": ("is",), "FO": ("fo", "da"), "SK": ("sk",),
    "HR": ("hr",), "EE": ("et",), "LV": ("lv",), "LT": ("lt",), "AL": ("sq",), "XK": ("sq", "sr"),
    "MK": ("mk", "sq"), "MT": ("mt", "en"), "AZ": ("az",), "UZ": ("uz",), "TM": ("tk",), "MN": ("mn",),
    "NA": ("en", "af"), "ZW": ("en", "sn"), "BW": ("en", "tn"), "LS": ("st", "en"), "SO": ("so",),
    "RW": ("rw", "fr", "en"), "MG": ("mg", "fr"), "BI": ("fr",), "YT": ("fr",),
}
# countries of several languages: the section's languages besides the first listed above
for _c, _extra in {"ES": ("gl", "eu"), "ZA": ("af", "zu", "xh", "st", "tn", "ts"), "GB": ("cy",),
                   "IE": ("ga",), "BA": ("bs", "hr"), "ME": ("bs",), "BY": ("be",), "KZ": ("kk",),
                   "KG": ("ky",), "TJ": ("tg",), "AF": ("ps",), "RU": ("tt", "ba"), "NG": ("yo", "ha", "ig"),
                   "PE": ("qu",), "BO": ("qu",), "EC": ("qu",), "HT": ("ht",), "UG": ("lg",), "NZ": ("mi",),
                   "NL": ("fy",), "ID": ("jv",), "ET": ("om",), "LU": ("lb",), "IN": ("mr", "bn", "ta", "te", "gu",
                   "kn", "ml", "pa", "or", "as"), "BT": ("dz",), "CN": ("ug",), "IQ": ("ku",), "FR": ("br", "oc"),
                   "BE": ("wa",), "CD": ("ln",), "CG": ("ln", "fr"), "DZ": ("kab",), "PY": ("gug",)}.items():
    COUNTRY_LANGS[_c] = COUNTRY_LANGS.get(_c, ()) + tuple(x for x in _extra if x not in COUNTRY_LANGS.get(_c, ()))
_COUNTRY_BONUS = math.log(3.0)
_NE_PRIOR = -1.5

# --------------------------------------------------------------------------
# Models (loaded lazily, once per process)
# --------------------------------------------------------------------------

_LOCK = threading.Lock()
_LINGUA = None          # lingua.LanguageDetector
_LINGUA_SET: frozenset[str] = frozenset()
_LINGUA_SUB: dict = {}  # lingua detectors over a few candidate languages (long texts), by language set
# Long texts: py3langid ranks every language (fast, and the better model on sentences); lingua then
# weighs its best guess against that guess's close relatives, which byte n-grams confuse on whole
# sentences (da/nb/sv, hr/bs/sr, cs/sk, nl/af...), and against the languages py3langid has no
# model for (mi, tn, ts): lingua over a handful of languages costs a fraction of all 75.
_FAMILIES = (
    ("da", "nb", "nn", "sv", "fo", "is"), ("hr", "bs", "sr", "sl"), ("cs", "sk"), ("nl", "af", "fy", "lb"),
    ("fi", "et", "se"), ("es", "gl", "pt", "ca", "an", "ext", "oc", "ast", "it"), ("id", "ms", "jv"),
    ("zu", "xh", "st", "tn", "ts", "sn", "nso"), ("lv", "lt", "ltg"), ("ga", "gd", "cy"),
    ("ru", "uk", "be", "bg", "mk", "sr"), ("kk", "ky", "tt", "ba", "uz"), ("ar", "fa", "ur", "ps", "ug", "ku"),
    ("hi", "mr", "ne", "sa", "gom"), ("bn", "as"), ("tr", "az", "tk", "crh"), ("so", "om"), ("yo", "ig"))
_FAMILY: dict[str, tuple[str, ...]] = {}
for _fam in _FAMILIES:  # sr is in two families (Latin and Cyrillic): its family is both, per script below
    for _l in _fam:
        _FAMILY[_l] = _FAMILY.get(_l, ()) + tuple(x for x in _fam if x not in _FAMILY.get(_l, ()))
# per script, the languages lingua knows and py3langid does not (filled in when the models load)
_NO_PY3: dict[str, tuple[str, ...]] = {}
_PY3_SEL: dict = {}  # langs -> (first py3 column per language, extra columns for sr and uz)
_BOTH: dict = {}  # langs -> mask of the languages both models know
_LONG_PY3_WEIGHT = 0.5  # py3langid's weight when lingua weighs a long text's candidates (chosen on the even lines)
_OUT = math.log(1e-3) - 20.0  # the log-score of a language out of the running
_PY3 = None             # py3langid LanguageIdentifier
_PY3_IDX: dict[str, list[int]] = {}

# Weight of the py3langid log-posterior relative to lingua's.
_PY3_WEIGHT = 0.2  # chosen on the even lines of the dev set (bench/langid.py --half even)
# Texts with at least this many letters (of the routed script) are decided
# by py3langid alone.
_LONG_LETTERS = 40
# Floor on lingua confidence values before taking logs (lingua reports exact
# zeros for languages its rules exclude; a floor keeps the other model's
# evidence usable).
_LINGUA_FLOOR = 1e-3

# Logistic calibration of the top posterior: fitted by
# ``python bench/langid.py --calibrate`` on the even rows of the dev set,
# validated on the odd rows, and kept with its record in
# letterworld/data/langid_calibration.json.
CALIBRATION_FILE = "langid_calibration.json"


@dataclass(frozen=True)
class Calibration:
    """conf = sigmoid(a*logit(p1) + b*log1p(letters) + c + route[script]).

    ``route``: per-script offsets (Latin is the reference): the ar/fa/ur and
    hi/mr/ne decisions on short texts are less reliable than their
    posteriors suggest; ``route["long"]``: an offset for texts of 40+ letters,
    which are decided another way (py3langid, then lingua over close relatives);
    ``route["one_word"]``, ``route["one_word_slope"]``: an offset and a change of slope for a
    single word, the least reliable kind.  ``Calibration(1, 0, 0)`` leaves p1 as it is."""

    a: float
    b: float
    c: float
    route: Mapping[str, float] = field(default_factory=dict)

    def __call__(self, p1: float, letters: int, route: str = "Latin", words: int = 2) -> float:
        p1 = min(max(p1, 1e-6), 1 - 1e-6)
        z = (self.a * math.log(p1 / (1 - p1)) + self.b * math.log1p(letters) + self.c
             + self.route.get(route, 0.0) + (self.route.get("long", 0.0) if letters >= _LONG_LETTERS else 0.0)
             + ((self.route.get("one_word", 0.0) + self.route.get("one_word_slope", 0.0) * math.log(p1 / (1 - p1)))
                if words <= 1 else 0.0))
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def calibration() -> Calibration:
    """The fitted calibration shipped with the package (read once)."""
    data = json.loads(resources.files("letterworld").joinpath("data", CALIBRATION_FILE).read_text(encoding="utf-8"))
    return Calibration(float(data["a"]), float(data["b"]), float(data["c"]),
                       {str(k): float(v) for k, v in data["route"].items()})

def _load_models():
    global _LINGUA, _LINGUA_SET, _PY3, _PY3_IDX
    if _LINGUA is not None:
        return
    with _LOCK:
        if _LINGUA is not None:
            return
        import lingua
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        langs = []
        wanted = []
        for code in sorted({c for group in _MODEL_SCRIPTS.values() for c in group}):
            if True:
                iso = getattr(lingua.IsoCode639_1, code.upper(), None)
                if iso is None:
                    continue
                try:
                    lang = lingua.Language.from_iso_code_639_1(iso)
                except Exception:  # pragma: no cover - language not in lingua
                    continue
                langs.append(lang)
                wanted.append(code)
        builder = lingua.LanguageDetectorBuilder.from_languages(*langs)
        if os.environ.get("LETTERWORLD_LANGID_PRELOAD"):
            builder = builder.with_preloaded_language_models()
        det = builder.build()
        ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=False)
        idx: dict[str, list[int]] = {}
        for i, code in enumerate(ident.nb_classes):  # sr and uz have a class per script
            code = PY3_FOLD.get(str(code), str(code))
            idx.setdefault(code, []).append(i)
        _PY3 = ident
        _PY3_IDX = idx
        _LINGUA_SET = frozenset(wanted)
        for sc, group in _MODEL_SCRIPTS.items():
            _NO_PY3[sc] = tuple(l for l in group if l in _LINGUA_SET and l not in idx)
        _LINGUA = det


def _lingua_for(langs: frozenset[str]):
    """A lingua detector over just these languages (models are shared between detectors)."""
    det = _LINGUA_SUB.get(langs)
    if det is None:
        import lingua

        codes = [lingua.Language.from_iso_code_639_1(getattr(lingua.IsoCode639_1, c.upper())) for c in sorted(langs)]
        with _LOCK:
            det = _LINGUA_SUB.setdefault(langs, lingua.LanguageDetectorBuilder.from_languages(*codes).build())
    return det


def _both_models(langs: tuple[str, ...]) -> np.ndarray:
    """Which of `langs` both models know (cached per candidate tuple: this runs per text)."""
    mask = _BOTH.get(langs)
    if mask is None:
        mask = _BOTH.setdefault(langs, np.array([l in _LINGUA_SET and l in _PY3_IDX for l in langs]))
    return mask


def _py3_select(raw: np.ndarray, langs: tuple[str, ...]) -> np.ndarray:
    """py3langid's raw scores for `langs` (NaN where it has no model; the best of a
    language's per-script classes)."""
    sel = _PY3_SEL.get(langs)
    if sel is None:
        first = np.array([_PY3_IDX[l][0] if l in _PY3_IDX else 0 for l in langs])
        missing = np.array([l not in _PY3_IDX for l in langs])
        extra = [(i, j) for i, l in enumerate(langs) for j in _PY3_IDX.get(l, [])[1:]]
        sel = _PY3_SEL.setdefault(langs, (first, missing, extra))
    first, missing, extra = sel
    out = raw[first].astype(np.float64)
    for i, j in extra:
        out[i] = max(out[i], raw[j])
    out[missing] = np.nan
    return out


def _py3_scores(text: str) -> np.ndarray:
    """Raw py3langid log-scores for all its classes (aliases folded)."""
    ident = _PY3
    try:
        return ident._decide(text)  # norm_probs=False: raw NB log-posteriors
    except AttributeError:  # pragma: no cover - other py3langid versions
        ranked = dict(ident.rank(text))
        return np.array([ranked.get(c, -1e9) for c in ident.nb_classes], np.float64)


# --------------------------------------------------------------------------
# Analysis of one text
# --------------------------------------------------------------------------

_AR_UR_ONLY = set("ٹڈڑںےۓھ")      # letters used by Urdu but not Persian/Arabic
_AR_FA_UR = set("پچژگکی")          # Persian/Urdu letters absent from Arabic
_AR_ARABIC_ONLY = set("ةيكىً")      # Arabic forms (ta marbuta, Arabic yeh/kaf)
# Letters of other Arabic-script alphabets: Pashto, Uyghur, Sorani Kurdish
_AR_OWN = {"ps": set("ټډړږښځڅۍڼګ"), "ug": set("ۇۈۋڭ"), "ku": set("ڵڕێڤ")}
# Letters only some Cyrillic alphabets have (lower and upper case), per language
_CYR_ALPHABET = {l: frozenset(a + a.upper()) for l, a in {
    "ru": "ыэёъ", "uk": "іїєґ", "be": "іўыэё", "bg": "ъ", "mk": "ѓѕќљњџј", "sr": "ђћљњџј",
    "kk": "әғқңөұүһіыэёъ", "ky": "ңөүыэёъ", "tt": "әҗңөүһыэёъ", "ba": "әғҙҡңөҫүһыэёъ",
    "mn": "өүыэёъ", "tg": "ғӣқӯҳҷъэё", "uz": "ўқғҳъэё"}.items()}
_CYR_DISTINCT = frozenset().union(*_CYR_ALPHABET.values())


@dataclass
class _Info:
    text: str               # cleaned text (same length as original)
    counts: dict            # script -> letter count
    letters: int
    route: str | None       # routed script or None (und)


# Typical letters per word, to compare the weight of different scripts.
_LETTERS_PER_WORD = {"Latin": 5.0, "Cyrillic": 5.5, "Greek": 5.5, "Arabic": 3.8,
                     "Hebrew": 4.0, "Han": 1.7, "Kana": 2.5, "Hangul": 2.5,
                     "Thai": 6.0, "Lao": 6.0, "Khmer": 6.0, "Myanmar": 6.0}


_LATIN_DISCOUNT = 0.5


def _word_weight(counts: dict) -> float:
    return sum(n / _LETTERS_PER_WORD.get(s, 4.5) * (_LATIN_DISCOUNT if s == "Latin" else 1.0)
               for s, n in counts.items())


def _analyse(text: str) -> _Info:
    clean = _mask_noise(text)
    counts: dict[str, int] = {}
    blank = False
    for ch in clean:
        s = _script(ch)
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
        elif not blank and _is_noise_char(ch):
            blank = True
    if blank:  # emoji, symbols, digits: no evidence, and they fool byte n-grams
        clean = "".join(" " if _is_noise_char(ch) else ch for ch in clean)
    letters = sum(counts.values())
    route = None
    if counts:
        kana = counts.get("Kana", 0)
        han = counts.get("Han", 0)
        if kana and kana + han >= max(counts.values()):
            route = "Kana"
        else:
            # Dominance is measured in (estimated) words, not letters: an
            # Urdu sentence after an English heading has fewer letters than
            # the heading (abjads omit short vowels) but more words.
            route = max(counts.items(),
                        key=lambda kv: (kv[1] / _LETTERS_PER_WORD.get(kv[0], 4.5),
                                        kv[0] != "Other"))[0]
            if route == "Latin" and len(counts) > 1:
                # Latin insertions (brands, English headings, "HTML", "pm")
                # in other-script text are common, the reverse is rare: a
                # non-Latin script with half the Latin word weight wins.
                lat = counts["Latin"] / _LETTERS_PER_WORD["Latin"]
                other = max((kv for kv in counts.items() if kv[0] not in ("Latin", "Other")),
                            key=lambda kv: kv[1] / _LETTERS_PER_WORD.get(kv[0], 4.5),
                            default=None)
                if other and other[1] / _LETTERS_PER_WORD.get(other[0], 4.5) >= _LATIN_DISCOUNT * lat:
                    route = other[0]
                    if route in ("Han", "Kana") and counts.get("Kana", 0):
                        route = "Kana"
            if route == "Han" and counts.get("Hangul", 0):
                route = "Hangul"
        min_letters = 1 if route in ("Han", "Kana", "Hangul") else 2
        if counts.get(route, 0) + (han if route == "Kana" else 0) < min_letters:
            route = None
        elif route == "Other":
            route = None
    return _Info(clean, counts, letters, route)


_NOISE_CACHE: dict[str, bool] = {}


def _is_noise_char(ch: str) -> bool:
    r = _NOISE_CACHE.get(ch)
    if r is None:
        if ch.isspace() or _script(ch) is not None:
            r = False
        else:
            cat = unicodedata.category(ch)
            r = cat[0] in "SNC" or cat in ("Mn", "Me", "Mc")
        _NOISE_CACHE[ch] = r
    return r


def _project(info: _Info) -> str:
    """The text with letters of other scripts blanked (only if mixed)."""
    if len(info.counts) <= 1:
        return info.text
    keep = info.route
    out = []
    for ch in info.text:
        s = _script(ch)
        out.append(ch if s is None or s == keep else " ")
    return "".join(out)


def _candidates(route: str, expected) -> tuple[str, ...]:
    langs = _MODEL_SCRIPTS[route]
    if expected is not None and not isinstance(expected, Mapping):
        if not any(l in expected for l in langs):
            return ()
    return langs


def _allowed(lang: str, expected) -> bool:
    return expected is None or isinstance(expected, Mapping) or lang in expected


def _prior_vector(langs, country, expected, text, route) -> np.ndarray:
    prior = np.zeros(len(langs))
    if isinstance(expected, Mapping):
        for i, l in enumerate(langs):
            w = float(expected.get(l, 1.0))
            prior[i] += math.log(max(w, 1e-6))
    if country:
        favoured = COUNTRY_LANGS.get(country.upper(), ())
        for i, l in enumerate(langs):
            if l in favoured:
                prior[i] += _COUNTRY_BONUS
    # Letter evidence that the n-gram models weigh too little on short texts.
    chars = set(text)
    if route == "Arabic":
        ur_only = bool(chars & _AR_UR_ONLY)
        fa_ur = bool(chars & _AR_FA_UR)
        ar_only = bool(chars & _AR_ARABIC_ONLY)
        own = {l for l, letters in _AR_OWN.items() if chars & letters}  # Pashto, Uyghur, Sorani letters
        for i, l in enumerate(langs):
            if own:
                prior[i] += 4.0 if l in own else -2.0
            elif ur_only:
                prior[i] += {"ur": 4.0, "fa": -2.0, "ar": -4.0}.get(l, -2.0)
            elif fa_ur and not ar_only:
                prior[i] += {"ur": 0.0, "fa": 0.0, "ar": -3.0}.get(l, 0.0)
            elif ar_only and not fa_ur:
                prior[i] += {"ur": -1.5, "fa": -1.5, "ar": 1.0}.get(l, -1.5)
    elif route == "Devanagari":
        # Nepali is much rarer than Hindi among senders, and py3langid leans
        # to ne on one or two Hindi words; a base-rate prior unless the
        # sender is in Nepal.
        for i, l in enumerate(langs):
            if l == "ne" and (country or "").upper() != "NP":
                prior[i] += _NE_PRIOR
            elif l in ("sa", "gom"):  # Sanskrit and Konkani: rarer still, and close to Hindi and Marathi
                prior[i] += _NE_PRIOR
    elif route == "Cyrillic":
        # letters that only some Cyrillic alphabets have: each one in the text counts against
        # the languages whose alphabet lacks it (ы is not Ukrainian, ї not Russian, ә not Russian)
        seen = chars & _CYR_DISTINCT
        for i, l in enumerate(langs):
            prior[i] -= min(3, len(seen - _CYR_ALPHABET.get(l, frozenset()))) * 2.0
    return prior


# Words that recur in solidarity messages.  General models are trained on
# news and Wikipedia, where "stay strong" is rare (lingua calls it
# Vietnamese); a few domain words per language fix the commonest messages.
# Each hit adds _LEXICON_BONUS to the log-score of the listed languages.
_SOLIDARITY_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("stay", "strong", "love", "you", "we", "are", "with", "free", "hope",
           "freedom", "courage", "thinking", "of", "the", "and", "not", "alone",
           "keep", "going", "justice", "support", "my", "friend", "be", "brave"),
    "es": ("fuerza", "ánimo", "animo", "estamos", "contigo", "libertad", "justicia",
           "esperanza", "abrazo", "amiga", "amigo", "estás", "estas", "sola", "solo",
           "te", "queremos", "libre", "mucha", "mucho", "todos", "contigo"),
    "pt": ("força", "forca", "estamos", "contigo", "liberdade", "justiça", "esperança",
           "abraço", "você", "voce", "não", "nao", "sozinha", "sozinho", "livre", "muita"),
    "fr": ("courage", "nous", "sommes", "avec", "toi", "vous", "liberté", "justice",
           "espoir", "pensons", "seule", "seul", "libre", "soutien", "tiens", "bon"),
    "de": ("bleib", "stark", "wir", "sind", "bei", "dir", "freiheit", "hoffnung",
           "gerechtigkeit", "nicht", "allein", "denken", "an", "dich", "mut", "halte", "durch"),
    "it": ("forza", "siamo", "con", "te", "libertà", "giustizia", "speranza", "coraggio",
           "sola", "solo", "pensiamo", "abbraccio"),
    "nl": ("sterkte", "hou", "vol", "wij", "zijn", "bij", "jou", "vrijheid", "hoop",
           "niet", "alleen", "moed", "denken", "aan"),
    "id": ("tetap", "semangat", "kami", "bersamamu", "kebebasan", "harapan", "kuat"),
    "ms": ("teruskan", "bersama", "anda", "kebebasan", "harapan", "kuat"),
    "tl": ("lakas", "kasama", "mo", "kami", "laban", "kalayaan", "pag-asa", "ka"),
    "sw": ("nguvu", "pamoja", "nawe", "uhuru", "tumaini", "tupo"),
    "tr": ("güçlü", "kal", "seninleyiz", "özgürlük", "umut", "adalet", "yalnız", "değilsin"),
    "pl": ("trzymaj", "się", "jesteśmy", "z", "tobą", "wolność", "nadzieja", "sprawiedliwość"),
    "ca": ("força", "ànim", "estem", "amb", "tu", "llibertat", "justícia", "esperança"),
    "sv": ("håll", "ut", "vi", "är", "med", "dig", "frihet", "hopp", "inte", "ensam"),
    "vi": ("cố", "lên", "chúng", "tôi", "bên", "bạn", "tự", "do"),
    "da": ("hold", "ud", "vi", "er", "med", "dig", "frihed", "håb", "ikke", "alene", "stærk", "tænker", "på"),
    "nb": ("hold", "ut", "vi", "er", "med", "deg", "frihet", "håp", "ikke", "alene", "sterk", "tenker", "på"),
}
_LEXICON_BONUS = 1.0
_LEXICON: dict[str, tuple[str, ...]] = {}
for _l, _ws in _SOLIDARITY_WORDS.items():
    for _w in _ws:
        _LEXICON[_w] = _LEXICON.get(_w, ()) + (_l,)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def _lexicon_bonus(langs, text: str) -> np.ndarray:
    bonus = np.zeros(len(langs))
    words = _WORD_RE.findall(text.lower())
    if not words or len(words) > 12:  # long texts need no help
        return bonus
    pos = {l: i for i, l in enumerate(langs)}
    for w in words:
        for l in _LEXICON.get(w, ()):
            i = pos.get(l)
            if i is not None:
                bonus[i] += _LEXICON_BONUS
    return bonus


def _calibrate(p1: float, letters: int, route: str = "Latin", words: int = 2) -> float:
    return calibration()(p1, letters, route, words)


def _words(text: str) -> int:
    """1 for a single word (no space between letters), else 2: what the calibration needs."""
    return 1 if len(text.split()) <= 1 else 2


_NAMEISH_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _looks_like_names(text: str) -> bool:
    """'Maria, Brazil' / 'Jani Silva': up to 3 words, all capitalised, no verb
    punctuation.  Such strings carry almost no language evidence."""
    words = _NAMEISH_RE.findall(text)
    if not words or len(words) > 3:
        return False
    if any(ch in text for ch in "!?"):
        return False
    return all(w[0].isupper() and (len(w) == 1 or not w[1:].isupper()) for w in words)


def _script_detection(info: _Info, country, expected) -> Detection:
    """Decision for a script that (nearly) fixes the language."""
    route = info.route
    if route == "Han":
        langs = list(_HAN_LANGS)
        if expected is not None and not isinstance(expected, Mapping):
            langs = [l for l in langs if l in expected]
        if not langs:
            return _UND_DETECTION
        score = {"zh": 1.0, "ja": 0.0}
        if isinstance(expected, Mapping):
            for l in score:
                score[l] += math.log(max(float(expected.get(l, 1.0)), 1e-6))
        if country:
            favoured = COUNTRY_LANGS.get(country.upper(), ())
            for l in score:
                if l in favoured:
                    score[l] += 2.0
        lang = max(langs, key=lambda l: score[l])
        n = info.counts.get("Han", 0)
        conf = 0.93 if n >= 4 else 0.8 if n >= 2 else 0.6
        if lang == "ja":
            conf = min(conf, 0.85)
        return Detection(lang, conf, ())
    lang = _SCRIPT_LANG[route]
    if expected is not None and not isinstance(expected, Mapping) and lang not in expected:
        return _UND_DETECTION
    n = info.counts.get(route, 0)
    # A handful of letters in a unique script is still decisive; a few Latin
    # words beside them lower it a little.
    share = n / max(info.letters, 1)
    conf = 0.995 if n >= 2 else 0.95
    conf *= 0.9 + 0.1 * share
    return Detection(lang, round(conf, 4), ())


def _normalise_expected(expected):
    if expected is None:
        return None
    if isinstance(expected, Mapping):
        return {str(k).lower(): float(v) for k, v in expected.items()}
    if isinstance(expected, str):
        expected = [expected]
    return frozenset(str(l).lower() for l in expected)


# --------------------------------------------------------------------------
# Core batch detector (whole texts, no segmentation)
# --------------------------------------------------------------------------


def _detect_plain(texts: Sequence[str], countries: Sequence[str | None], expected) -> list[Detection]:
    """Detect each text as a whole.  Model-routed texts are batched through
    lingua's parallel API (Rust threads) and py3langid."""
    out: list[Detection | None] = [None] * len(texts)
    pending: list[tuple[int, _Info, tuple[str, ...], str]] = []
    for i, text in enumerate(texts):
        info = _analyse(text)
        if info.route is None:
            out[i] = _UND_DETECTION
            continue
        if info.route in _MODEL_SCRIPTS:
            langs = _candidates(info.route, expected)
            if not langs:
                out[i] = _UND_DETECTION
                continue
            pending.append((i, info, langs, _project(info)))
        else:
            out[i] = _script_detection(info, countries[i], expected)
    if pending:
        _load_models()
        # py3langid first (fast, every text); lingua on short texts over every language of the
        # script (it is the better model there), and on long texts only over py3langid's few
        # best candidates plus the languages py3langid has no model for (mi, tn, ts): close
        # relatives (da/nb/sv, hr/bs/sr, cs/sk, nl/af) are separated by both models at a
        # fraction of lingua's cost over all 75 languages.
        pterms, subsets = [], []
        for (i, info, langs, ptext) in pending:
            raw = _py3_scores(ptext)
            nbytes = max(len(ptext.encode("utf-8")), 1)
            pscore = _py3_select(raw, langs) / math.sqrt(nbytes)
            known = np.where(np.isnan(pscore), -np.inf, pscore)
            top_i = int(np.argmax(known))
            top = langs[top_i]
            long_ = info.counts.get(info.route, 0) >= _LONG_LETTERS
            if long_:
                # lingua weighs py3langid's best guess, its family, its best guess among the
                # languages lingua knows, and the languages py3langid has no model for (mi, tn, ts)
                both = _both_models(langs)
                best_i = int(np.argmax(np.where(both, known, -np.inf))) if both.any() else top_i
                best_known = langs[best_i]
                sub = frozenset(l for l in _FAMILY.get(top, (top,)) + (top, best_known) + _NO_PY3.get(info.route, ())
                                if l in langs)
            else:
                sub = None  # every language of the script
            # a language py3langid has no model for is put level with the best candidate lingua
            # can compare it with: lingua decides between them
            if np.isnan(pscore).any():
                fill = pscore[best_i] if long_ else np.nanmax(pscore) \
                    if not np.isnan(pscore).all() else 0.0
                pscore = np.where(np.isnan(pscore), fill, pscore)
            pscore -= pscore.max()
            pterms.append(pscore - math.log(np.exp(pscore).sum()))
            subsets.append(sub)
        lingua_vals: list = [()] * len(pending)
        groups: dict = {}
        for k, sub in enumerate(subsets):
            if sub != frozenset():
                groups.setdefault(sub, []).append(k)
        for sub, ks in groups.items():
            if sub is not None and len(sub & _LINGUA_SET) < 2:
                continue  # nothing for lingua to weigh
            det = _LINGUA if sub is None else _lingua_for(sub & _LINGUA_SET)
            vals = det.compute_language_confidence_values_in_parallel([pending[k][3] for k in ks])
            for k, v in zip(ks, vals):
                lingua_vals[k] = v
        for k, (i, info, langs, ptext) in enumerate(pending):
            is_long = info.counts.get(info.route, 0) >= _LONG_LETTERS
            lv = {c.language.iso_code_639_1.name.lower(): c.value for c in lingua_vals[k]}
            n = len(langs)
            tot = sum(lv.get(l, 0.0) for l in langs)
            if tot <= 0:
                lterm = np.zeros(n)
            elif subsets[k] is None:
                # lingua over every language of the script; one it has no model for gets the mean
                lterm = np.array([math.log(lv[l] / tot + _LINGUA_FLOOR) if l in lv else np.nan for l in langs])
                if np.isnan(lterm).any():
                    lterm = np.where(np.isnan(lterm), np.nanmean(lterm), lterm)
            else:
                # lingua over py3langid's best guess, its family and the languages py3langid has no
                # model for: the choice is among them (the others are out of the running)
                even = math.log(1.0 / len(subsets[k]))  # a candidate lingua has no model for
                lterm = np.array([math.log(lv[l] / tot + _LINGUA_FLOOR) if l in lv else
                                  even if l in subsets[k] else _OUT for l in langs])
            weight = _PY3_WEIGHT if not is_long else 1.0 if tot <= 0 else _LONG_PY3_WEIGHT
            s = lterm + weight * pterms[k] + _prior_vector(langs, countries[i], expected, ptext, info.route)
            if info.route == "Latin":
                s = s + _lexicon_bonus(langs, ptext)
            s -= s.max()
            post = np.exp(s)
            post /= post.sum()
            # A hard restriction picks the best *allowed* language, but the confidence stays
            # its unrenormalised posterior: a French text in an es/en campaign gets a
            # low-confidence answer.
            order = np.argsort(-post, kind="stable")
            j = next(int(x) for x in order if _allowed(langs[int(x)], expected))
            lang = langs[j]
            p1 = float(post[j])
            conf = _calibrate(p1, info.counts.get(info.route, 0), info.route, _words(ptext))
            if _looks_like_names(info.text):
                conf *= 0.5
            out[i] = Detection(lang, round(conf, 4), ())
    return out  # type: ignore[return-value]


# --------------------------------------------------------------------------
# Mixed-language segmentation
# --------------------------------------------------------------------------

_SENT_END = re.compile(r"[.!?;。！？؟।\n]+")
_MIN_SEG_LETTERS = 8
_MIN_SEG_CONF = 0.8


def _segments(text: str) -> list[tuple[int, int]]:
    """Split at sentence ends, then at changes of script; return spans of
    segments that carry letters (trimmed of surrounding spaces/punctuation)."""
    spans = []
    start = 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for a, b in spans:
        # split by script runs (ignore neutral characters)
        cur_script = None
        seg_start = a
        for k in range(a, b):
            s = _script(text[k])
            if s is None:
                continue
            grp = "CJK" if s in ("Han", "Kana") else s
            if cur_script is None:
                cur_script = grp
                seg_start = seg_start if seg_start < k else k
            elif grp != cur_script:
                # cut before the last whitespace preceding k
                cut = text.rfind(" ", seg_start, k)
                cut = k if cut <= seg_start else cut
                out.append((seg_start, cut))
                seg_start = cut
                cur_script = grp
        out.append((seg_start, b))
    result = []
    for a, b in out:
        while a < b and not _has_letter(text[a]):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result


def _has_letter(ch: str) -> bool:
    return _script(ch) is not None


def _mixed(text: str, whole: Detection, seg_dets: list[Detection],
           segs: list[tuple[int, int]]) -> Detection:
    good = []
    for (a, b), d in zip(segs, seg_dets):
        seg_counts: dict[str, int] = {}
        for ch in text[a:b]:
            sc = _script(ch)
            if sc is not None:
                seg_counts[sc] = seg_counts.get(sc, 0) + 1
        n = sum(seg_counts.values())
        wn = _word_weight(seg_counts)
        script_decided = d.lang in _SCRIPT_LANG.values() or d.lang in _HAN_LANGS
        if d.lang == UND:
            continue
        if (n >= _MIN_SEG_LETTERS or (script_decided and n >= 2)) and d.confidence >= _MIN_SEG_CONF:
            good.append((a, b, d, wn))
    langs = {d.lang for _, _, d, _ in good}
    if len(langs) < 2:
        return whole
    # merge adjacent segments of one language (also over unconfident ones)
    merged: list[list] = []
    for a, b, d, n in good:
        if merged and merged[-1][2] == d.lang:
            merged[-1][1] = b
            merged[-1][3] += n
            merged[-1][4].append((d.confidence, n))
        else:
            merged.append([a, b, d.lang, n, [(d.confidence, n)]])
    weight: dict[str, int] = {}
    for m in merged:
        weight[m[2]] = weight.get(m[2], 0) + m[3]
    main = max(weight, key=lambda l: (weight[l], l == whole.lang))
    confs = [c * n for m in merged if m[2] == main for c, n in m[4]]
    conf = sum(confs) / max(weight[main], 1)
    if main == whole.lang:
        conf = max(conf, whole.confidence)
    spans = [Span(m[2], m[0], m[1]) for m in merged if m[2] == main]
    spans += [Span(m[2], m[0], m[1]) for m in merged if m[2] != main]
    return Detection(main, round(conf, 4), tuple(spans))


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

_CACHE: OrderedDict = OrderedDict()
_CACHE_MAX = 200_000


def _cache_key(text, country, expected):
    if isinstance(expected, Mapping):
        ek = tuple(sorted(expected.items()))
    elif expected is not None:
        ek = tuple(sorted(expected))
    else:
        ek = None
    return (text, (country or "").upper() or None, ek)


def detect(text: str, *, country: str | None = None,
           expected: Iterable[str] | Mapping[str, float] | None = None) -> Detection:
    """Detect the language of one message.

    ``country``: the sender's ISO 3166-1 alpha-2 code; a prior that breaks
    ties (``BR`` favours pt over es, ``MX`` es over pt ...).
    ``expected``: a list/set of ISO 639-1 codes is a *hard* restriction (the
    answer is one of them or ``"und"``); a mapping ``{code: weight}`` only
    weights the candidates (weight > 1 favours, missing codes weigh 1).
    """
    return detect_batch([text], countries=[country], expected=expected)[0]


def detect_batch(texts: Sequence[str], *, countries: Sequence[str | None] | str | None = None,
                 expected: Iterable[str] | Mapping[str, float] | None = None) -> list[Detection]:
    """Detect many messages at once (same results as :func:`detect` one by one).

    Duplicates are detected once and results are kept in a process-wide LRU
    cache, since solidarity campaigns repeat the same short messages a lot.
    ``countries`` is a sequence parallel to ``texts`` or one code for all.
    """
    texts = list(texts)
    n = len(texts)
    if countries is None or isinstance(countries, str):
        countries = [countries] * n
    else:
        countries = list(countries)
        if len(countries) != n:
            raise ValueError("countries must be as long as texts")
    exp = _normalise_expected(expected)
    if exp is not None and not isinstance(exp, Mapping):
        exp = frozenset(l for l in exp if l in _SUPPORTED_SET)
    results: list[Detection | None] = [None] * n
    todo: dict[tuple, list[int]] = {}
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            t = "" if t is None else str(t)
            texts[i] = t
        key = _cache_key(t, countries[i], exp)
        hit = _CACHE.get(key)
        if hit is not None:
            results[i] = hit
        else:
            todo.setdefault(key, []).append(i)
    if todo:
        keys = list(todo)
        utexts = [k[0] for k in keys]
        ucountries = [k[1] for k in keys]
        dets = _detect_plain(utexts, ucountries, exp)
        # second pass: segments of texts that may be mixed
        seg_jobs = []
        for j, t in enumerate(utexts):
            if dets[j].lang == UND or len(t) < 12:
                continue
            segs = _segments(t)
            if len(segs) >= 2:
                seg_jobs.append((j, segs))
        if seg_jobs:
            flat = [utexts[j][a:b] for j, segs in seg_jobs for a, b in segs]
            flat_c = [ucountries[j] for j, segs in seg_jobs for _ in segs]
            flat_d = _detect_plain(flat, flat_c, exp)
            pos = 0
            for j, segs in seg_jobs:
                sd = flat_d[pos:pos + len(segs)]
                pos += len(segs)
                dets[j] = _mixed(utexts[j], dets[j], sd, segs)
        for k, d in zip(keys, dets):
            for i in todo[k]:
                results[i] = d
            _CACHE[k] = d
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return results  # type: ignore[return-value]


def clear_cache() -> None:
    """Forget cached results (for benchmarks)."""
    _CACHE.clear()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What a detection depends on besides its input: this module's code, the calibration and
    the detectors' versions. A stored detection with another fingerprint is made again."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(resources.files("letterworld").joinpath("data", "langid_calibration.json").read_bytes())
    for dist in ("lingua-language-detector", "py3langid"):
        try:
            h.update(metadata.version(dist).encode())
        except metadata.PackageNotFoundError:
            h.update(b"-")
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def sample_languages(samples: tuple[str, ...]) -> tuple[str, ...]:
    """The campaign's sample texts' languages: the off-topic check and the template check both
    need them in one screen run, and a campaign's samples do not change between them."""
    if not samples:
        return ()
    return tuple(d.lang for d in detect_batch(list(samples)))


SAMPLE_LANGUAGES = "screen.sample_languages"


def stored_sample_languages(store: Store, samples: tuple[str, ...]) -> tuple[str, ...]:
    """`sample_languages`, kept in the store while the samples and the detector are the same.
    The detect stage fills it while its models are loaded: loading them again in screen cost
    15 s and a gigabyte at 10,000 messages, and a re-run with nothing new should not pay it."""
    from .store import text_hash

    key = text_hash(fingerprint() + json.dumps(samples, ensure_ascii=False))
    kept = store.setting(SAMPLE_LANGUAGES)
    if isinstance(kept, dict) and kept.get("key") == key:
        return tuple(kept["langs"])
    langs = sample_languages(samples)
    with store.transaction():
        store.set_setting(SAMPLE_LANGUAGES, {"key": key, "langs": list(langs)})
    return langs
