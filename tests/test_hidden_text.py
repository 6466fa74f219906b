"""Hidden and disguised text: zero-width characters, soft hyphens, bidi overrides, look-alike letters and
compatibility forms do not get a message past the word lists, and flag spans index the original text."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pytest

from letterworld.ingest import read_path
from letterworld.moderation import HIDDEN_TEXT, screen_rules
from letterworld.moderation.pii import find_personal_data
from letterworld.pipeline import DEMO_DIR, demo_config
from letterworld.render.layout import normalize
from letterworld.textfold import fold_offsets
from letterworld.textsafe import drawable, hidden_text, is_blank, span_back, terminal_safe, visible

# the planted hostile and safety rows of the demo corpus (corpora/demo/parts/*.md, bench/moderation.py)
PLANTED = [("online_form.csv", 76), ("online_form.csv", 139), ("online_form.csv", 185), ("online_form.csv", 269),
           ("online_form.csv", 350), ("sms_social.jsonl", 17), ("sms_social.jsonl", 121), ("sms_social.jsonl", 194),
           ("sms_social.jsonl", 199), ("letters_asia.xlsx", 73), ("letters_asia.xlsx", 116), ("letters_asia.xlsx", 96)]
COMPARED = ("safety", "abuse", "hostility", "listed_term", "spam", "link")
NO_SPACES = ("letters_asia.xlsx",)  # Burmese and Chinese rows: a zero-width space is an ordinary word break there


@lru_cache(maxsize=None)
def planted_text(name: str, row: int) -> str:
    return next(m.text for m in read_path(DEMO_DIR / name).messages if m.source_row == row)


def dangerous() -> tuple[str, ...]:
    return tuple(demo_config().campaign.dangerous_terms)


def findings(text: str) -> set[tuple[str, int, int]]:
    return {(f.kind, f.start, f.end) for f in screen_rules(text, dangerous_terms=dangerous(), ner=False).flags
            if f.kind in COMPARED}


def inserted(text: str, ch: str) -> tuple[str, list[int]]:
    """``ch`` after every other letter that another letter follows; the variant's index of each character."""
    out, pos = [], []
    for i, c in enumerate(text):
        pos.append(len(out))
        out.append(c)
        if i % 2 == 0 and c.isalnum() and i + 1 < len(text) and text[i + 1].isalnum() and not unicodedata.combining(text[i + 1]):
            out.append(ch)
    return "".join(out), pos


def overridden(text: str) -> tuple[str, list[int]]:
    """The text stored backwards inside an override, so that a screen shows it the right way round: a
    right-to-left override for left-to-right scripts, a left-to-right one for Arabic."""
    control = "\u202d" if any("\u0600" <= c <= "\u06ff" for c in text) else "\u202e"
    n = len(text)
    return control + text[::-1] + "\u202c", [1 + n - 1 - i for i in range(n)]


_LATIN_TO_CYRILLIC = dict(zip("aeopcyxi", "аеорсухі"))
_CYRILLIC_TO_LATIN = {v: k for k, v in _LATIN_TO_CYRILLIC.items()}


@lru_cache(maxsize=1)
def compat_forms() -> dict[str, str]:
    """A compatibility character for each character that has one (fullwidth Latin, Arabic presentation
    forms, Kangxi radicals and CJK compatibility ideographs): what NFKC reads as that character."""
    forms: dict[str, str] = {}
    for lo, hi in ((0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF01, 0xFF5E)):
        for cp in range(lo, hi + 1):
            c = chr(cp)
            n = unicodedata.normalize("NFKC", c)
            if len(n) == 1 and n != c:
                forms.setdefault(n, c)
    return forms


def look_alike(text: str) -> tuple[str, list[int]]:
    """One letter of each word of three letters or more swapped for a look-alike of another script (Cyrillic
    in a Latin word, Latin in a Cyrillic one, a Burmese zero or seven for wa or ra), then every character that
    has a compatibility form written in it (Arabic presentation forms, fullwidth Latin, Kangxi radicals)."""
    out = list(text)
    word_start = 0
    for i, c in enumerate(text + " "):
        if c.isalpha():
            continue
        word = range(word_start, i)
        if len(word) >= 3:
            for k in word:
                table = _LATIN_TO_CYRILLIC if text[k].isascii() else _CYRILLIC_TO_LATIN
                if text[k] in table:
                    out[k] = table[text[k]]
                    break
        word_start = i + 1
    swaps = {"ဝ": "\u1040", "ရ": "\u1047"}
    forms = compat_forms()
    out = [swaps.get(c, forms.get(c, c) if not c.isascii() or c.isalpha() else c) for c in out]
    return "".join(out), list(range(len(text)))


VARIANTS = {"zero-width space": lambda t: inserted(t, "\u200b"), "soft hyphen": lambda t: inserted(t, "\u00ad"),
            "bidi override": overridden, "look-alike letters": look_alike}


def test_planted_rows_are_found_by_the_lists():
    """The rows the word lists find (the rest are the classifier's: an empty comparison would prove nothing)."""
    found = [key for key in PLANTED if findings(planted_text(*key))]
    assert len(found) >= 9, found


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("key", PLANTED, ids=[f"{f}:{r}" for f, r in PLANTED])
def test_planted_row_disguised_is_flagged_as_the_plain_row(key, variant):
    plain = planted_text(*key)
    text, pos = VARIANTS[variant](plain)
    assert text != plain
    expected = {(kind, *span_back(pos, start, end)) for kind, start, end in findings(plain)}
    assert findings(text) == expected
    hidden = [f for f in screen_rules(text, ner=False).flags if f.kind == HIDDEN_TEXT]
    if variant == "bidi override":
        direction = "left-to-right" if text[0] == "\u202d" else "right-to-left"
        assert [f.reason for f in hidden] == [f"hidden text: {direction} override"]
        assert (hidden[0].start, hidden[0].end) == (0, len(text))
    elif variant == "soft hyphen" or (variant == "zero-width space" and key[0] not in NO_SPACES):
        assert hidden and {f.reason for f in hidden} == {"hidden text: zero-width characters inside words"}
    else:
        assert not hidden


@pytest.mark.parametrize("text", [
    "Jani, sabemos d\u200bonde vive tu familia y a qué escuela van tus niños",
    "Jani, sabemos d\u00adonde vive tu familia",
    "Jani, sabemos dоnde vive tu familia",  # Cyrillic о
    "Ｊａｎｉ, ｓａｂｅｍｏｓ ｄｏｎｄｅ ｖｉｖｅ",
])
def test_issue_examples_are_held(text):
    s = screen_rules(text, ner=False)
    safety = [f for f in s.flags if f.kind == "safety"]
    assert len(safety) == 1
    assert visible(text[safety[0].start:safety[0].end])[0].lower() in ("sabemos donde vive", "sabemos dоnde vive",
                                                                          "ｓａｂｅｍｏｓ ｄｏｎｄｅ ｖｉｖｅ")
    assert s.blocking


def test_hostility_with_zero_width_spaces_and_its_span():
    text = "She de\u200bserves to r\u200bot in pri\u200bson"
    flags = screen_rules(text, ner=False).flags
    assert [text[f.start:f.end] for f in flags if f.kind == "hostility"] == ["de\u200bserves to r\u200bot"]
    hidden = [f for f in flags if f.kind == HIDDEN_TEXT]
    assert {f.reason for f in hidden} == {"hidden text: zero-width characters inside words"}
    assert [text[f.start:f.end] for f in hidden] == ["de\u200bserves", "r\u200bot", "pri\u200bson"]


def test_negation_reads_through_invisible_characters():
    assert not [f for f in screen_rules("she does n\u200bot deserve prison", ner=False).flags if f.kind == "hostility"]


def test_personal_data_sees_through_invisible_characters():
    text = "write to ana.s\u200bouza@exam\u00adple.org or +55 11 9876\u200b5-4321"
    s = screen_rules(text, ner=False)
    spans = {f.reason: text[f.start:f.end] for f in s.flags if f.kind == "personal_data"}
    assert spans["email address"] == "ana.s\u200bouza@exam\u00adple.org"
    assert spans["phone number"] == "+55 11 9876\u200b5-4321"
    assert "[email]" in s.redacted and "ouza" not in s.redacted and "4321" not in s.redacted
    assert find_personal_data("no data here\u200b") == []


def test_links_with_invisible_characters():
    text = "buy at www.exa\u200bmple.com now"
    link = next(f for f in screen_rules(text, ner=False).flags if f.kind == "link")
    assert text[link.start:link.end] == "www.exa\u200bmple.com"


@pytest.mark.parametrize("text,reason", [
    ("hello \x1b[2J\x1b]8;;http://x\x07world", "control characters"),
    ("\u200b\u200b\u2060", "only invisible characters"),
    ("thanks\U000e0049\U000e0047\U000e004e\U000e004f\U000e0052\U000e0045 Jani", "a run of invisible characters"),
])
def test_hidden_text_reasons(text, reason):
    assert reason in {r for *_, r in hidden_text(text)}
    assert any(f.kind == HIDDEN_TEXT for f in screen_rules(text, ner=False).blocking)


@pytest.mark.parametrize("text", [
    "👨\u200d👩\u200d👧 a family of three with you",  # ZWJ emoji sequence
    "من می\u200cخواهم که آزاد شوی",  # Persian ZWNJ
    "สวัสดี\u200bครับ",  # Thai word break
    "ขอให้ปลอดภัย\u200b",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f from Scotland",  # subdivision flag
    "❤\ufe0f stay strong",
    "Stay strong, Jani!\nWith love",
])
def test_ordinary_text_is_not_hidden_text(text):
    assert hidden_text(text) == []
    assert not [f for f in screen_rules(text, ner=False).flags if f.kind == HIDDEN_TEXT]


def test_one_script_words_are_not_folded():
    folded, index = fold_offsets("Москва и Paris, Ελλάδα")
    assert folded == "москва и paris, ελλαδα"
    assert len(index) == len(folded)
    assert not screen_rules("در یک کلبه کوچک", ner=False).flags  # Persian "a hut" is not Arabic "كلب"


def test_fold_index_points_into_the_original():
    text = "x \u202enosirp ni tor ot sevresed ehS\u202c"
    folded, index = fold_offsets(text)
    at = folded.index("deserves to rot")
    start, end = span_back(index, at, at + len("deserves to rot"))
    assert text[start:end][::-1] == "deserves to rot"


def test_blank_and_terminal_safe():
    assert is_blank("\u200b \u2060\ufeff")
    assert not is_blank("\u200bx")
    assert terminal_safe("a\x1b[31mb\u202ec") == "a\\x1b[31mb\\u202ec"


def test_slides_draw_no_invisible_controls():
    text = "a\u202eb\x1bc\u200bd\u00ade 👨\u200d👩\u200d👧 می\u200cخواهم"
    assert drawable(text) == "abcde 👨\u200d👩\u200d👧 می\u200cخواهم"
    assert normalize(text) == drawable(text)
    assert normalize("line one\x0bline two") == "line one\nline two"


@pytest.mark.parametrize("variant", ["zero-width space", "soft hyphen"])
def test_the_classifiers_read_through_invisible_characters(store, embedder, variant):
    """The rows only the classifiers hold too: the abuse and safety classifiers read what a person
    sees, so a disguised row gets the plain row's classifier flags, its spans in the original."""
    from letterworld import stages
    from letterworld.config import Config
    from letterworld.moderation.stage import classify_messages
    from letterworld.records import Message

    plain = [planted_text(*key) for key in PLANTED]
    disguised = [VARIANTS[variant](t) for t in plain]
    store.add_messages([Message(t, "p.csv", i) for i, t in enumerate(plain)]
                       + [Message(t, "d.csv", i) for i, (t, _) in enumerate(disguised)])
    stages.detect(store, Config())
    ms = store.messages()
    flags = classify_messages(store, ms, embedder)
    n = len(plain)
    assert sum(1 for fl in flags[:n] if fl) >= 6  # the classifiers hold most planted rows on their own
    for i, (text, pos) in enumerate(disguised):
        want = {(f.kind, *span_back(pos, f.start, f.end)) if (f.start, f.end) != (0, len(plain[i]))
                else (f.kind, 0, len(text)) for f in flags[i]}
        assert {(f.kind, f.start, f.end) for f in flags[n + i]} == want, PLANTED[i]
