import re
from itertools import pairwise

import pytest

from letterworld import reading
from letterworld.reading import (
    PAPER,
    Reader,
    assign_readers,
    block_seconds,
    parse_readers,
    rate,
    running_order,
    script_html,
    script_text,
    seconds,
    spread,
    timings,
    total_seconds,
    units,
    within,
)

PAPER_LANGS = ("en", "fr", "de", "it", "ja", "zh", "es", "vi")


def quote(text, lang, tr=None, tr_lang="es", by="Ana Ruiz", status="accepted", **kw):
    b = {"kind": "quote", "text": text, "lang": lang, "written_by": "message",
         "attribution": "Maria, Polonia",
         "translation": {"lang": tr_lang, "text": tr, "by": by, "status": status} if tr else None}
    b.update(kw)
    return b


def campaign(kind, text, lang="es", **kw):
    return {"kind": kind, "text": text, "lang": lang, "written_by": "campaign", **kw}


def sample_letter(n_quotes=8):
    blocks = [campaign("greeting", "Querida Jani Mendoza:"),
              campaign("opening", "Seiscientas personas te escribieron en veinte idiomas desde treinta países."),
              campaign("connective", "Muchas personas te escribieron sobre esto: no estás sola.",
                       movement="solidarity")]
    texts = ["Nie jesteś sama, jesteśmy z tobą każdego dnia.",
             "You are not alone; we are thinking of you and your family every single day.",
             "Tu n'es pas seule.",
             "Wir denken jeden Tag an dich und kämpfen weiter für deine Freiheit.",
             "Non sei sola, siamo con te.",
             "Estamos contigo, Jani, hasta que vuelvas a casa.",
             "Você é muito corajosa e o mundo inteiro sabe o seu nome.",
             "We will not stop writing until you are free."]
    langs = ["pl", "en", "fr", "de", "it", "es", "pt", "en"]
    for i in range(n_quotes):
        t, lang = texts[i % len(texts)], langs[i % len(langs)]
        blocks.append(quote(t, lang, tr=None if lang == "es" else f"Traducción de la cita número {i}."))
    blocks += [campaign("closing", "Seguiremos escribiendo hasta que estés libre."),
               campaign("signoff", "Con cariño, el mundo")]
    return {"schema": 2, "lang": "es", "recipient": "Jani Mendoza", "blocks": blocks}


# -- rates and units ---------------------------------------------------------------------------------

def test_rates_for_the_papers_languages_cite_it_and_others_say_default():
    for lang in PAPER_LANGS:
        r = rate(lang)
        assert r.source == PAPER and "Pellegrino" in r.source and "2011" in r.source
        assert 4.0 < r.per_second < 9.0, lang
    assert rate("ja").unit == "mora" and rate("zh").unit == "character" and rate("en").unit == "syllable"
    # distinct measured values, not one number copied around
    assert len({rate(lang).per_second for lang in PAPER_LANGS}) == len(PAPER_LANGS)
    # Spanish and Japanese are among the fastest syllable rates, Mandarin among the slowest
    assert rate("es").per_second > rate("en").per_second > rate("zh").per_second
    for lang in ("ko", "pl", "ar", "sw", ""):
        assert "default" in rate(lang).source and "Pellegrino" not in rate(lang).source.split("(")[0]
    assert rate("zh-Hant") == rate("zh") and rate("pt_BR").lang == "pt"


def test_a_longer_text_takes_longer_in_every_script():
    samples = {"en": "You are not alone.", "es": "No estás sola.", "ru": "Ты не одна.",
               "hi": "तुम अकेली नहीं हो।", "ar": "أنت لست وحدك.", "th": "คุณไม่ได้อยู่คนเดียว",
               "zh": "你不是一个人。", "ja": "あなたはひとりじゃない。", "ko": "당신은 혼자가 아니에요.",
               "km": "អ្នកមិននៅម្នាក់ឯងទេ", "my": "မင်္ဂလာပါ", "bn": "তুমি একা নও", "vi": "Bạn không cô đơn.",
               "el": "Δεν είσαι μόνη.", "he": "את לא לבד.", "ka": "შენ მარტო არ ხარ."}
    for lang, text in samples.items():
        one, two = seconds(text, lang), seconds(text + " " + text, lang)
        assert 0 < one < two, lang
        assert units(text + " " + text, lang) == pytest.approx(2 * units(text, lang)), lang
    assert seconds("", "en") == 0.0 and units("  ,. ", "en") == 0.0


def test_syllable_heuristics():
    assert units("The time is a table of people.", "en") == 9  # silent e, but not in "table"
    assert units("poeta día país", "es") == 7  # hiatus
    assert units("Bạn không cô đơn", "vi") == 4  # one syllable per written word
    assert units("нет мою", "ru") == 3  # each Cyrillic vowel is a syllable
    assert units("नमस्ते", "hi") == 3  # aksharas: स्ते is one
    assert units("당신은", "ko") == 3


def test_zh_and_ja_counted_by_characters():
    assert units("你不是一个人", "zh") == 6
    assert units("你不是一个人你不是一个人", "zh") == 12
    assert units("加油", "zh") < units("香港加油", "zh")
    # kana: one mora each; small ゃ joins the kana before it; っ and ー are morae
    assert units("ひとり", "ja") == 3
    assert units("じゃない", "ja") == 3
    assert units("きって", "ja") == 3 and units("コーヒー", "ja") == 4
    # kanji count per character (more than one mora each in Japanese, one syllable in Chinese)
    assert units("東京", "ja") == pytest.approx(2 * units("東", "ja"))
    assert units("東京", "ja") >= units("東京", "zh") == 2
    # spaces do not matter where words are not spaced
    assert units("你 不 是", "zh") == units("你不是", "zh")


def test_pace_and_pause():
    t = "You are not alone, and we will keep writing to you."
    assert seconds(t, "en", pace=0.5) > seconds(t, "en", pace=1.0)
    assert seconds(t, "en", pause=2.0) - seconds(t, "en", pause=0.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        seconds(t, "en", pace=0)
    conn = campaign("connective", t, lang="en")
    plain = campaign("opening", t, lang="en")
    assert block_seconds(conn, "en") > block_seconds(plain, "en")


def test_a_quote_with_translation_counts_both_and_without_counts_the_original():
    orig = "Nie jesteś sama, jesteśmy z tobą."
    tr = "No estás sola, estamos contigo."
    with_tr = block_seconds(quote(orig, "pl", tr=tr), "es")
    without = block_seconds(quote(orig, "pl"), "es")
    only_tr = seconds(tr, "es", pause=0)
    assert with_tr > without + only_tr  # original + translation (+ a pause between them)
    assert without == pytest.approx(seconds(orig, "pl"))
    # a quote already in the letter's language is read once, whatever sits in translation
    same = quote("No estás sola.", "es", tr="No estás sola.")
    assert block_seconds(same, "es") == pytest.approx(seconds("No estás sola.", "es"))
    letter = {"lang": "es", "blocks": [quote(orig, "pl", tr=tr), quote(orig, "pl")]}
    assert total_seconds(letter) == pytest.approx(sum(timings(letter)))
    assert timings(letter)[0] > timings(letter)[1]


def test_within():
    assert within(100, 100) and within(109.9, 100) and within(90.5, 100)
    assert not within(111, 100) and not within(85, 100)
    assert within(120, 100, tol=0.25) and not within(130, 100, tol=0.25)
    with pytest.raises(ValueError):
        within(10, 0)


# -- readers -------------------------------------------------------------------------------------

def test_parse_readers():
    rs = parse_readers("14")
    assert [r.name for r in rs] == [f"Reader {i}" for i in range(1, 15)]
    rs = parse_readers("Ana:es+pt, Li Wei:zh, Sam")
    assert rs == [Reader("Ana", ("es", "pt")), Reader("Li Wei", ("zh",)), Reader("Sam")]
    assert rs[0].speaks("pt-BR") and not rs[2].speaks("en")


@pytest.mark.parametrize("spec,msg", [("0", "at least 1"), ("-2", "at least 1"), ("", "empty"),
                                      ("Ana,,Sam", "empty name"), ("Ana, ", "empty name"),
                                      (":es", "empty name"), ("Ana:", "empty language"),
                                      ("Ana:es+", "empty language"), ("Ana:e$", "not a language"),
                                      ("Ana, ana", "twice"), ("\u202e\u200b", "empty name")])
def test_parse_readers_rejects_bad_specs(spec, msg):
    with pytest.raises(ValueError, match=msg):
        parse_readers(spec)


def test_balanced_assignment_within_one_block_of_the_ideal():
    letter = sample_letter(16)
    times = timings(letter)
    for n in (2, 3, 4, 5):
        readers = parse_readers(str(n))
        got = assign_readers(letter, readers)
        assert sorted(i for r in got for i in r["blocks"]) == list(range(len(letter["blocks"])))
        assert all(b["reader"] in {r.name for r in readers} for b in letter["blocks"])
        ideal = sum(times) / n
        for r in got:
            assert r["seconds"] == pytest.approx(sum(times[i] for i in r["blocks"]), abs=0.06)
            assert abs(r["seconds"] - ideal) <= max(times) + 0.1
        assert spread(got)[0] <= max(times) + 0.1
        # greeting and signoff by the first reader; everyone reads something
        kinds = {b["kind"]: b["reader"] for b in letter["blocks"]}
        assert kinds["greeting"] == kinds["signoff"] == readers[0].name
        assert all(r["blocks"] for r in got)
    # the letter's order is kept: blocks are not moved
    assert [b["kind"] for b in letter["blocks"]][:3] == ["greeting", "opening", "connective"]


def test_by_language_sends_the_korean_quote_to_the_korean_speaker():
    letter = sample_letter(8)
    letter["blocks"].insert(5, quote("당신은 혼자가 아니에요. 우리는 당신과 함께합니다.", "ko",
                                     tr="No estás sola. Estamos contigo."))
    ko = 5
    readers = parse_readers("Ana:es, Min-ji:ko, Sam, Li Wei:zh")
    got = assign_readers(letter, readers, by_language=True)
    assert letter["blocks"][ko]["reader"] == "Min-ji"
    assert ko in next(r for r in got if r["name"] == "Min-ji")["blocks"]
    # the rest is still shared out: everyone reads, and the spread is bounded by the longest block
    assert all(r["blocks"] for r in got)
    assert spread(got)[0] <= max(timings(letter)) + 0.1
    # several Korean quotes and one Korean speaker listed last: all of them go to that speaker
    letter2 = sample_letter(4)
    for k in range(3):
        letter2["blocks"].insert(4, quote("당신은 혼자가 아니에요." * (k + 1), "ko", tr="No estás sola."))
    assign_readers(letter2, [Reader("A"), Reader("C"), Reader("B", ("ko",))], by_language=True)
    assert {b["reader"] for b in letter2["blocks"] if b["lang"] == "ko"} == {"B"}
    # a quote in the letter's language is not restricted to readers who list it
    assert {b["reader"] for b in letter2["blocks"] if b["kind"] == "quote" and b["lang"] == "es"} <= {"A", "B", "C"}


def test_assign_readers_needs_readers():
    with pytest.raises(ValueError):
        assign_readers(sample_letter(2), [])


# -- scripts ---------------------------------------------------------------------------------------

def hostile_letter():
    letter = sample_letter(4)
    letter["blocks"].insert(4, quote("<script>alert(1)</script> \u202eevil\u202c & \"q\"", "en",
                                     tr="<b>traducción</b> \u2066oculta\u2069", by="<i>Eve</i>"))
    letter["blocks"].insert(5, quote("أنت لست وحدك. نحن معك.", "ar", tr="No estás sola. Estamos contigo."))
    assign_readers(letter, parse_readers("Ana, Omar:ar, Sam"), by_language=True)
    return letter


def test_script_html_escapes_and_isolates_untrusted_text():
    letter = hostile_letter()
    out = script_html(letter)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>" not in out and "<i>Eve" not in out and "&lt;i&gt;Eve" in out
    for ch in "\u202e\u202c\u2066\u2069\u200b":
        assert ch not in out
    assert "evil" in out
    # every text element says its language and direction; Arabic reads right to left
    assert re.search(r'<p class="t" lang="ar" dir="rtl">أنت', out)
    assert re.search(r'<p class="t" lang="pl" dir="ltr">', out)
    assert out.count("<section class=\"reader\">") == 3
    assert "after " in out and "Running order" in out
    # a translation is marked as one, with its translator
    assert "Translation (es)" in out and "translated by Ana Ruiz" in out


def test_script_text_marks_translations_and_strips_controls():
    letter = hostile_letter()
    letter["blocks"][5]["translation"]["status"] = "machine_draft"
    out = script_text(letter)
    assert "\u202e" not in out and "\u2066" not in out
    assert "TRANSLATION (es, translated by Ana Ruiz)" in out
    assert "machine draft" in out
    for r in {b["reader"] for b in letter["blocks"]}:
        assert r.upper() in out
    original = out.index("أنت لست وحدك")
    assert out.index("No estás sola. Estamos contigo.", original) > original


def test_running_clock_sums_to_total():
    letter = hostile_letter()
    rows = running_order(letter)
    total = total_seconds(letter)
    assert rows[0]["start"] == 0
    for a, b in pairwise(rows):
        assert b["start"] == pytest.approx(a["end"])
        assert a["end"] == pytest.approx(a["start"] + a["seconds"])
    assert rows[-1]["end"] == pytest.approx(total)
    text = script_text(letter)
    clocks = re.findall(r"^\[(\d\d):(\d\d)\]", text, re.MULTILINE)
    assert len(clocks) == len(rows) + 1
    secs = [int(m) * 60 + int(s) for m, s in clocks]
    assert secs == sorted(secs)
    assert secs[-1] == round(total)
    assert reading.clock(total) in script_html(letter)
