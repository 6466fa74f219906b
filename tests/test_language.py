"""Tests for letterworld.language (offline; never reads shared/eval)."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import dataclasses

import pytest

from letterworld.language import SUPPORTED, Detection, Span, detect, detect_batch

REQUIRED = ("en es pt fr de it nl sl pl tr ca sv ar ur fa he hi ne bn ru uk el sw am "
            "ka hy ta zh ja ko th my vi id tl ms km").split()


def test_supported_covers_the_required_set():
    assert set(REQUIRED) <= set(SUPPORTED)
    assert len(set(SUPPORTED)) == len(SUPPORTED)


def test_detection_is_frozen():
    d = detect("We are with you, stay strong")
    assert isinstance(d, Detection)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.lang = "xx"  # type: ignore[misc]


@pytest.mark.parametrize("text,lang", [
    ("เป็นกำลังใจให้นะ", "th"),
    ("힘내세요 우리는 당신과 함께합니다", "ko"),
    ("Είμαστε μαζί σου", "el"),
    ("אנחנו איתך", "he"),
    ("Մենք քեզ հետ ենք", "hy"),
    ("ჩვენ შენთან ვართ", "ka"),
    ("আমরা তোমার সাথে আছি", "bn"),
    ("நாங்கள் உங்களுடன் இருக்கிறோம்", "ta"),
    ("మేము మీతో ఉన్నాము", "te"),
    ("અમે તમારી સાથે છીએ", "gu"),
    ("ਅਸੀਂ ਤੁਹਾਡੇ ਨਾਲ ਹਾਂ", "pa"),
    ("ನಾವು ನಿಮ್ಮೊಂದಿಗೆ ಇದ್ದೇವೆ", "kn"),
    ("ഞങ്ങൾ നിങ്ങളോടൊപ്പമുണ്ട്", "ml"),
    ("අපි ඔබ සමඟ සිටිමු", "si"),
    ("ငါတို့ မင်းနဲ့အတူ ရှိတယ်", "my"),
    ("យើងនៅជាមួយអ្នក", "km"),
    ("ພວກເຮົາຢູ່ກັບເຈົ້າ", "lo"),
    ("ከአንተ ጋር ነን", "am"),
])
def test_script_routing(text, lang):
    d = detect(text)
    assert d.lang == lang
    assert d.confidence >= 0.9


def test_arabic_script_ar_ur_fa():
    assert detect("نحن معك دائما، كن قويا").lang == "ar"
    assert detect("ہم آپ کے ساتھ ہیں، ہمت نہ ہاریں").lang == "ur"
    assert detect("ما با تو هستیم، قوی بمان دوست من").lang == "fa"


def test_han_and_kana():
    assert detect("我们和你在一起，加油").lang == "zh"
    assert detect("がんばって").lang == "ja"
    assert detect("私たちはあなたと一緒です").lang == "ja"
    # Han only: zh by default, ja when the sender is in Japan
    assert detect("頑張").lang == "zh"
    assert detect("頑張", country="JP").lang == "ja"


def test_cyrillic_and_devanagari():
    assert detect("Тримайся, ми з тобою").lang == "uk"
    assert detect("Держись, мы с тобой").lang == "ru"
    assert detect("हम तुम्हारे साथ हैं, हिम्मत रखो").lang == "hi"


def test_latin_short_messages():
    assert detect("Fuerza Jani!").lang == "es"
    assert detect("Stay strong ❤️").lang == "en"
    assert detect("Bleib stark, wir denken an dich").lang == "de"
    assert detect("Nous sommes avec toi, courage").lang == "fr"


def test_country_breaks_ties_pt_es():
    # "Força"/"forca" alone is ambiguous enough that the country decides
    br = detect("forca amiga", country="BR")
    es = detect("forca amiga", country="ES")
    assert br.lang == "pt"
    assert es.lang in ("es", "ca")
    # a clear text is not overruled by the country
    assert detect("Estamos contigo, mucha fuerza y esperanza", country="BR").lang == "es"


def test_expected_hard_restriction():
    d = detect("Bonjour mon ami, courage", expected=["es", "en"])
    assert d.lang in ("es", "en")
    assert d.confidence < 0.5  # it is really French: low confidence
    assert detect("Bonjour mon ami, courage", expected=["fr"]).lang == "fr"
    # script-decided text outside the expected set
    assert detect("힘내세요", expected=["en"]).lang == "und"


def test_expected_weights():
    plain = detect("forca")
    weighted = detect("forca", expected={"pt": 5.0})
    assert weighted.lang == "pt"
    assert plain.lang in SUPPORTED


@pytest.mark.parametrize("text", ["❤️❤️🙏", "💪🏽✊", "https://www.amnesty.org/en/get-involved/",
                                  "12345", "+44 20 7413 5500", "", "   ", "!!!", "x", "@amnesty"])
def test_und_for_no_language(text):
    d = detect(text)
    assert d.lang == "und"
    assert d.confidence < 0.5
    assert d.others == ()


def test_names_only_low_confidence():
    d = detect("Maria, Brazil")
    assert d.lang == "und" or d.confidence < 0.6


def test_deterministic_across_calls():
    texts = ["Fuerza Jani!", "Hou vol", "Tetap semangat", "forca", "Stay strong",
             "Fuerza Jani, estamos contigo. Stay strong, we love you!"]
    first = [detect(t) for t in texts]
    from letterworld import language
    language.clear_cache()
    second = detect_batch(texts)
    assert first == second


def test_mixed_language_spans():
    text = "Fuerza Jani, estamos contigo. Stay strong, we love you!"
    d = detect(text)
    assert d.lang == "es"
    assert d.is_mixed
    assert d.others[0].lang == "es"
    en = [s for s in d.others if s.lang == "en"]
    assert len(en) == 1
    assert text[en[0].start:en[0].end] == "Stay strong, we love you!"
    es = d.others[0]
    assert text[es.start:es.end] == "Fuerza Jani, estamos contigo."
    for s in d.others:
        assert isinstance(s, Span)
        assert 0 <= s.start < s.end <= len(text)


def test_mixed_script_spans():
    text = "We are with you always. 我们永远和你在一起，加油！"
    d = detect(text)
    langs = {s.lang for s in d.others}
    assert langs == {"en", "zh"}
    zh = next(s for s in d.others if s.lang == "zh")
    assert text[zh.start:zh.end].startswith("我们")


def test_monolingual_multi_sentence_is_not_mixed():
    d = detect("Estamos contigo. Nunca te olvidaremos. Mucha fuerza para ti y tu familia.")
    assert d.lang == "es"
    assert not d.is_mixed


def test_batch_equals_single():
    texts = ["Fuerza Jani!", "Stay strong ❤️", "❤️", "がんばって", "ہم آپ کے ساتھ ہیں",
             "Força, estamos contigo", "Fuerza Jani, estamos contigo. Stay strong, we love you!",
             "Fuerza Jani!"]
    countries = ["MX", None, None, "JP", "PK", "BR", "MX", "MX"]
    from letterworld import language
    language.clear_cache()
    batch = detect_batch(texts, countries=countries)
    language.clear_cache()  # singles computed afresh, not read from the cache
    singles = [detect(t, country=c) for t, c in zip(texts, countries)]
    assert batch == singles
    assert batch[0] == batch[-1]


def test_confidence_range():
    for t in ["Fuerza Jani!", "Stay strong", "a", "Maria", "我们", "Держись"]:
        d = detect(t)
        assert 0.0 <= d.confidence <= 1.0
