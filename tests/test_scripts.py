"""One answer to "which script is this character in" (letterworld.scripts, from the Unicode
tables fontTools ships), the regex classes built from it, and text folding (letterworld.textfold)."""

from __future__ import annotations

import re

import pytest

from letterworld import language, scripts
from letterworld.excerpts import reading_length
from letterworld.render import scripts as render_scripts
from letterworld.scripts import (
    char_class,
    in_script,
    is_wide,
    script_code,
    script_counts,
    script_extensions,
    script_of,
    wide_chars,
)
from letterworld.textfold import fold_key, fold_offsets


@pytest.mark.parametrize("ch,script", [
    ("a", "Latin"), ("ª", "Latin"), ("ß", "Latin"), ("Ω", "Greek"), ("ж", "Cyrillic"), ("ש", "Hebrew"),
    ("\u0600", "Arabic"), ("ب", "Arabic"), ("ی", "Arabic"), ("क", "Devanagari"), ("ক", "Bengali"), ("ก", "Thai"),
    ("ກ", "Lao"), ("က", "Myanmar"), ("ក", "Khmer"), ("ሀ", "Ethiopic"), ("漢", "Han"), ("々", "Han"),
    ("か", "Hiragana"), ("カ", "Katakana"), ("ｶ", "Katakana"), ("한", "Hangul"), ("ㅋ", "Hangul"),
    ("ߊ", "Nko"), ("ᐊ", "CanadianAboriginal"),
    ("1", "Common"), (" ", "Common"), ("،", "Common"), ("ー", "Common"), ("\u0301", "Inherited"), ("\u064b", "Inherited"),
    ("\ue000", "Unknown"),
])
def test_script_of_a_character(ch, script):
    assert script_of(ch) == script


def test_codes_and_extensions():
    assert script_code("ب") == "Arab" and script_code("1") == "Zyyy" and script_code("\u0301") == "Zinh"
    assert script_extensions("ـ") >= {"Arabic", "Syriac"}  # the tatweel is Common, used with Arabic
    assert script_extensions("ー") == {"Hiragana", "Katakana"}
    assert script_extensions("a") == {"Latin"}


def test_render_uses_the_same_table():
    assert render_scripts.script_of is script_of
    assert render_scripts.RTL_SCRIPTS >= {"Arabic", "Hebrew", "Syriac", "Thaana", "Nko", "Adlam"}
    assert "Latin" not in render_scripts.RTL_SCRIPTS


def test_language_routes_on_the_same_table():
    assert language._script("ب") == language._script("ـ") == language._script("\u064b") == "Arabic"
    assert language._script("か") == language._script("カ") == language._script("ー") == "Kana"
    assert language._script("ª") == "Latin"
    assert language._script("ଓ") == "Oriya"  # Odia has a language of its own now (issue 15)
    assert language._script("Ꭰ") == "Other"  # Cherokee: a letter, but no model knows the language
    assert language._script("1") is None and language._script(" ") is None and language._script("\u0301") is None


def test_helpers():
    assert in_script("Sawasdee สวัสดี", "Thai") and in_script("สวัสดี", "Lao", "Thai")
    assert not in_script("Sawasdee", "Thai")
    assert script_counts("Stay strong, Jani! 加油") == {"Latin": 14, "Han": 2}
    with pytest.raises(ValueError):
        char_class("Klingon")


@pytest.mark.parametrize("spec", [
    (("Thai",), {}), (("Thai", "Lao"), {}), (("Arabic",), {"categories": "L", "extensions": True}),
    (("Hiragana", "Katakana"), {"categories": ("L", "M"), "extensions": True}), (("Han",), {"categories": "L"}),
])
def test_char_classes_agree_with_script_of_on_every_character(spec):
    names, opts = spec
    pattern = re.compile(f"[{char_class(*names, **opts)}]")
    cats = opts.get("categories", ())
    cats = (cats,) if isinstance(cats, str) else cats
    for cp in [*range(0xD800), *range(0xE000, 0x30000)]:
        ch = chr(cp)
        if script_of(ch) == "Unknown" and scripts._ucd.category(ch) == "Cn":
            continue  # unassigned: a class may take it in to join two ranges
        used = script_extensions(ch) if opts.get("extensions") else {script_of(ch)}
        want = bool(used & set(names)) and (not cats or scripts._ucd.category(ch).startswith(cats))
        assert bool(pattern.fullmatch(ch)) == want, (names, hex(cp))


def test_wide_characters_read_like_words():
    assert all(is_wide(ch) for ch in "漢字かなカナ한글々、。「」ーｶ")
    assert not any(is_wide(ch) for ch in "aZ1·!！\u3000\u1160")  # not a middle dot, a full-width "!", a space
    assert wide_chars("Fuerza, 加油！") == 2
    assert reading_length("我们和你在一起。") == 8 * 3
    assert reading_length("Stay strong") == 11


def test_fold_key_is_how_whole_texts_compare():
    assert fold_key("  Dónde, ESTÁS?! ") == fold_key("donde estas") == "donde estas"
    assert fold_key("Straße") == "strasse" and fold_key("ＥＭＡＩＬ") == "email"
    assert fold_key("Ｔeléfono/Phone") == "telefono phone"


def test_fold_offsets_map_back_to_the_original():
    folded, index = fold_offsets("¡Qué TRAIDORA!")
    assert folded == "¡que traidora!"
    start = folded.index("traidora")
    assert (index[start], index[start + len("traidora") - 1] + 1) == (5, 13)
    assert fold_offsets("خائنـة")[0] == "خاينه"  # tatweel dropped, hamza seat and teh marbuta unified
