"""Word lists read across spellings and languages, and negated wishes of punishment (rules)."""

import pytest

from letterworld.moderation.rules import find_abuse, find_safety, fold


def kinds(text: str, dangerous: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    return {(f.kind, text[f.start:f.end]) for f in find_abuse(text) + find_safety(text, dangerous)}


def test_fold_drops_accents_and_arabic_variants_but_maps_back_to_the_original():
    folded, index = fold("Sabemos DÓNDE")
    assert folded == "sabemos donde" and len(index) == len(folded)
    folded, index = fold("خائنةٌ")  # hamza seat, teh marbuta and a vowel mark
    assert folded == "خاينه" and index == [0, 1, 2, 3, 4]
    assert fold("सच्चाई")[0] == "सच्चाई"  # Devanagari marks are part of the letters


@pytest.mark.parametrize("text,expected", [
    ("Jani deje de joder con ese rio. Sabemos donde vive su familia.", ("safety", "Sabemos donde vive")),
    ("Quelle TRAITRESSE!", ("listed_term", "TRAITRESSE")),
    ("الصحفية دي خاينة لبلدها", ("listed_term", "خاينة")),
    ("Да кому она нужна, пусть сидит.", ("hostility", "пусть сидит")),
    ("وتستاهل اللي جرالها", ("hostility", "وتستاهل اللي جرالها")),  # the whole word, conjunction included
    ("记者乱写东西就该坐牢，别在这里煽动了。", ("hostility", "就该坐牢")),
    ("မင်းအမေ ရွာမှာ နေတာလည်း သိတယ်။", ("safety", "နေတာလည်း သိတယ်")),
    ("我们知道你住在哪里。", ("safety", "我们知道你住在哪")),
])
def test_lists_find_phrases_in_many_languages_and_spellings(text, expected):
    assert expected in kinds(text)


@pytest.mark.parametrize("text,expected", [
    ("دول شوية متخلفين", "متخلفين"),  # plural ending
    ("هي مش اكتر من واحدة شرموطة", "شرموطة"),
    ("والخونة لازم يتحاسبوا", "والخونة"),  # conjunction and article in front
    ("بالكلب ده", "بالكلب"),
])
def test_arabic_listed_words_match_with_their_prefixes_and_endings(text, expected):
    assert ("listed_term", expected) in kinds(text)


@pytest.mark.parametrize("text", [
    "ممنوع دخول الزوار للسجن",  # "خول" (a slur) inside "دخول" (entry)
    "كلبي بيستناك في البيت",  # "my dog": no ending that makes it an insult
    "نتمنى لك الحرية قريبا",
])
def test_arabic_listed_words_do_not_match_inside_other_words(text):
    assert not [k for k in kinds(text) if k[0] == "listed_term"]


def test_campaign_dangerous_terms_match_without_accents():
    assert ("safety", "Toribio") in kinds("Vive cerca de Toribio, en la vereda", ("Toribío",))


@pytest.mark.parametrize("text", [
    "She does not deserve prison.", "She doesn't deserve prison!", "She never deserved prison.",
    "No merece la cárcel.", "Sie verdient das Gefängnis nicht.", "لا تستاهل السجن",
    "说真话的人不应该坐牢。", "说真话的人不就该坐牢",
])
def test_a_negated_wish_of_punishment_is_no_hostility(text):
    assert not [f for f in find_abuse(text) if f.kind == "hostility"]


@pytest.mark.parametrize("text", ["She deserves prison.", "No mercy, she deserves to rot in prison",
                                  "traitor, she deserves prison"])
def test_wishes_of_punishment_stay_hostility(text):
    assert [f for f in find_abuse(text) if f.kind == "hostility"]


def test_campaign_dangerous_arabic_terms_still_match_inside_words():
    # a town's name with a preposition attached ("in Homs") is still worth a moderator's look
    assert ("safety", "حمص") in kinds("اهله عايشين بحمص", ("حمص",))


# issue 16: each language of the demo corpus has insults and labels (`listed_term`) and wishes of harm or
# punishment (`hostility`); sentences written for these tests
@pytest.mark.parametrize("text,expected", [
    ("These hijackers are rioters paid by foreign money.", ("listed_term", "hijackers")),
    ("Es una vendepatria.", ("listed_term", "vendepatria")),
    ("C'est une ennemie du peuple.", ("listed_term", "ennemie du peuple")),
    ("Essa baderneira de novo.", ("listed_term", "baderneira")),
    ("Diese Volksverräterin schon wieder.", ("listed_term", "Volksverräterin")),
    ("Bu vatan haini yine yazmış.", ("listed_term", "vatan haini")),
    ("هذه العميلة المأجورة", ("listed_term", "العميلة")),
    ("Опять эта иноагентка.", ("listed_term", "иноагентка")),
    ("Её считают предателем.", ("listed_term", "предателем")),  # a case ending
    ("Ця зрадниця знову пише.", ("listed_term", "зрадниця")),
    ("Quella traditrice di nuovo.", ("listed_term", "traditrice")),
    ("Die landverraadster weer.", ("listed_term", "landverraadster")),
    ("Ta zdrajczyni znowu pisze.", ("listed_term", "zdrajczyni")),
    ("Den förräderskan igen.", ("listed_term", "förräderskan")),
    ("Aquesta traïdora un altre cop.", ("listed_term", "traïdora")),
    ("Ta izdajalka spet piše.", ("listed_term", "izdajalka")),
    ("Dasar antek asing.", ("listed_term", "antek asing")),
    ("Ejen asing itu lagi.", ("listed_term", "Ejen asing")),
    ("Traydor talaga.", ("listed_term", "Traydor")),
    ("Đồ phản động.", ("listed_term", "phản động")),
    ("Huyu ni kibaraka.", ("listed_term", "kibaraka")),
    ("Waa khaain.", ("listed_term", "khaain")),
    ("ይህ ከሃዲ ነው", ("listed_term", "ከሃዲ")),
    ("ის მოღალატეა", ("listed_term", "მოღალატე")),
    ("Նա դավաճան է", ("listed_term", "դավաճան")),
    ("នាងជាជនក្បត់ជាតិ", ("listed_term", "ជនក្បត់ជាតិ")),
    ("היא בוגדת", ("listed_term", "בוגד")),
    ("Αυτή η προδότρια ξανά", ("listed_term", "προδότρια")),
    ("அவள் ஒரு துரோகி", ("listed_term", "துரோகி")),
    ("यह देशद्रोही है", ("listed_term", "देशद्रोही")),
    ("ও একজন রাজাকার", ("listed_term", "রাজাকার")),
    ("یہ ملک دشمن ہے", ("listed_term", "ملک دشمن")),
    ("او عامل بیگانه است", ("listed_term", "عامل بیگانه")),
    ("သူက အကြမ်းဖက်သမား", ("listed_term", "အကြမ်းဖက်သမား")),
    ("พวกขายชาติ", ("listed_term", "ขายชาติ")),
    ("这个汉奸又来了", ("listed_term", "汉奸")),
    ("あの非国民", ("listed_term", "非国民")),
    ("저 빨갱이", ("listed_term", "빨갱이")),
    ("These traitors should be hanged.", ("hostility", "should be hanged")),
    ("Ojalá se muera en la cárcel.", ("hostility", "Ojalá se muera")),
    ("Bien fait pour elle.", ("hostility", "Bien fait pour elle")),
    ("Tem que ser presa.", ("hostility", "Tem que ser presa")),
    ("Die gehört weggesperrt.", ("hostility", "gehört weggesperrt")),
    ("Hapiste çürüsün.", ("hostility", "Hapiste çürüsün")),
    ("عميلة وتستاهل الموت", ("hostility", "وتستاهل الموت")),
    ("Так ей и надо.", ("hostility", "Так ей и надо")),
    ("Хай гниє.", ("hostility", "Хай гниє")),
    ("Merita la galera.", ("hostility", "Merita la galera")),
    ("Ze verdient de gevangenis.", ("hostility", "verdient de gevangenis")),
    ("Zasługuje na więzienie.", ("hostility", "Zasługuje na więzienie")),
    ("Hon förtjänar fängelse.", ("hostility", "förtjänar fängelse")),
    ("Mereix la presó.", ("hostility", "Mereix la presó")),
    ("Si zasluži zapor.", ("hostility", "zasluži zapor")),
    ("Dia pantas dipenjara.", ("hostility", "pantas dipenjara")),
    ("Padan muka.", ("hostility", "Padan muka")),
    ("Dapat makulong siya.", ("hostility", "Dapat makulong")),
    ("Kẻ đó đáng bị bỏ tù.", ("hostility", "đáng bị bỏ tù")),
    ("Anastahili jela.", ("hostility", "Anastahili jela")),
    ("Waa in la xiraa.", ("hostility", "Waa in la xiraa")),
    ("እስር ቤት ይገባታል", ("hostility", "እስር ቤት ይገባታል")),
    ("ციხეში უნდა იჯდეს", ("hostility", "ციხეში უნდა იჯდეს")),
    ("թող սատկի", ("hostility", "թող սատկի")),
    ("នាងគួរតែជាប់គុក", ("hostility", "គួរតែជាប់គុក")),
    ("מגיע לה כלא", ("hostility", "מגיע לה כלא")),
    ("Να σαπίσει στη φυλακή", ("hostility", "Να σαπίσει στη φυλακή")),
    ("அவள் சிறையில் இருக்க வேண்டும்", ("hostility", "சிறையில் இருக்க வேண்டும்")),
    ("फांसी दो", ("hostility", "फांसी दो")),
    ("जेल हाल्नुपर्छ", ("hostility", "जेल हाल्नुपर्छ")),
    ("ফাঁসি চাই", ("hostility", "ফাঁসি চাই")),
    ("پھانسی دو", ("hostility", "پھانسی دو")),
    ("او باید اعدام شود", ("hostility", "باید اعدام شود")),
    ("ထောင်ချသင့်တယ်", ("hostility", "ထောင်ချသင့်တယ်")),
    ("สมควรติดคุก", ("hostility", "สมควรติดคุก")),
    ("她应该坐牢", ("hostility", "应该坐牢")),
    ("刑務所に入れろ", ("hostility", "刑務所に入れろ")),
    ("감옥에서 썩어라", ("hostility", "감옥에서 썩어라")),
])
def test_issue16_lists_cover_the_demo_languages(text, expected):
    assert expected in kinds(text)


@pytest.mark.parametrize("text", [
    "Судебная процедура затянулась.",  # "дура" inside "процедура": Cyrillic terms are whole words
    "Geçmiş olsun Aylin, kolay gelsin.",  # "ölsün" folds to "olsun": not listed
    "Aylin özgürlüğü hak ediyor.",  # "deserves freedom": "hak ediyor" alone is not listed
    "La hora de la libertad llegará.",  # Swedish "hora" is not listed: Spanish "hour"
    "Wij huren een zaal voor de wake.",  # Dutch "to rent", not German "whores"
    "ስለ ባንዳንድ ነገሮች እናወራለን",  # "ባንዳ" is not listed: inside "some"
    "Vi viết thư cho chị ấy mỗi ngày.",
    "वह देशद्रोह के झूठे आरोप में बंद है",  # the charge ("sedition"), not the label ("seditionist")
    "او نباید اعدام شود",  # "must not be executed"
    "Μαλακά λόγια για σένα",  # "soft words": "μαλάκα" is not listed
    "Nadie merece morir así.", "Personne ne mérite la mort.", "Ninguém merece morrer.", "Nobody deserves to die.",
    "Ze verdient de gevangenis niet.", "Nie zasługuje na więzienie.", "Ne zasluži zapor.",
    "Dia tidak pantas dipenjara.",
    "Hindi dapat makulong si Jani.", "Chị ấy không đáng bị bỏ tù.", "Hastahili jela.", "לא מגיע לה כלא",
    "Δεν της αξίζει φυλακή", "তাকে জেলে পাঠানো উচিত না", "เธอไม่สมควรติดคุก", "เธอไม่ควรติดคุก", "她不应该坐牢",
])
def test_issue16_lookalikes_and_negations_are_not_flagged(text):
    assert not [k for k in kinds(text) if k[0] in ("hostility", "listed_term")]
