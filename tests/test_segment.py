from letterworld.segment import sentences, utf16_to_index, words


def split(text, lang):
    return [text[a:b] for a, b in sentences(text, lang)]


def test_sentences_in_scripts_without_spaces_or_periods():
    assert split("你好！我们支持你。加油", "zh") == ["你好！", "我们支持你。", "加油"]
    assert split("頑張って！私たちはあなたと共にいます。", "ja") == ["頑張って！", "私たちはあなたと共にいます。"]
    assert split("ขอให้เข้มแข็งนะคะ เราอยู่เคียงข้างคุณ", "th") == ["ขอให้เข้มแข็งนะคะ", "เราอยู่เคียงข้างคุณ"]
    assert split("မင်္ဂလာပါ။ ခင်ဗျားကို ထောက်ခံပါတယ်။", "my") == ["မင်္ဂလာပါ။", "ခင်ဗျားကို ထောက်ခံပါတယ်။"]
    assert split("قلوبنا معك. لست وحدك!", "ar") == ["قلوبنا معك.", "لست وحدك!"]


def test_offsets_are_python_indexes_even_after_astral_characters():
    text = "😀😀 Hola. ¿Cómo estás?"
    assert split(text, "es") == ["😀😀 Hola.", "¿Cómo estás?"]
    assert utf16_to_index("a😀b") == [0, 1, 1, 2, 3]


def test_line_breaks_end_sentences():
    assert split("Dear Jani,\nyou are not alone\n\nMaria", "en") == ["Dear Jani,", "you are not alone", "Maria"]


def test_words_use_dictionaries_for_thai_and_chinese():
    assert words("ขอให้เข้มแข็ง", "th") == ["ขอ", "ให้", "เข้ม", "แข็ง"]
    assert "支持" in words("我们支持你", "zh")


def test_an_exclamation_inside_brackets_does_not_end_the_sentence():
    text = 'Our family (even the dog, who "signed" it!) sends love. Stay safe.'
    assert split(text, "en") == ['Our family (even the dog, who "signed" it!) sends love.', "Stay safe."]
    assert split("Wow! You rock.", "en") == ["Wow!", "You rock."]


def test_lao_ends_sentences_with_a_space_without_a_language_tag():
    assert split("ສູ້ໆເດີ້ ພວກເຮົາຢູ່ນຳເຈົ້າ", None) == ["ສູ້ໆເດີ້", "ພວກເຮົາຢູ່ນຳເຈົ້າ"]


def test_render_splits_quotes_where_excerpts_split_sentences():
    from letterworld.render.segment import sentence_ends

    for text, lang in (('Our family (even the dog, who "signed" it!) sends love. Stay safe.', "en"),
                       ("ขอให้เข้มแข็งนะคะ เราอยู่เคียงข้างคุณ", "th"), ("你好！我们支持你。加油", "zh"),
                       ("Dear Jani,\nyou are not alone\n\nMaria", "en")):
        ends = [b for _, b in sentences(text, lang)]
        assert sentence_ends(text, lang) == tuple(e for e in ends if e < len(text))
    assert sentence_ends('Our family (even the dog, who "signed" it!) sends love. Stay safe.', "en") == (55,)
