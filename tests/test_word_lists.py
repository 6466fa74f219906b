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
