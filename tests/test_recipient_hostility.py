"""Hostility toward the recipient: a listed label said of the person written to (rules.find_recipient_hostility)."""

import pytest

from letterworld.moderation import screen_rules
from letterworld.moderation.rules import find_abuse, find_recipient_hostility

NAMES = ("Jani Mendoza", "Aylin Demir")


def hostile(text: str, names: tuple[str, ...] = NAMES) -> list[str]:
    return [text[f.start:f.end] for f in find_recipient_hostility(text, names)]


@pytest.mark.parametrize("text,span", [
    # second person
    ("You are a traitor.", "You are a traitor"),
    ("you're nothing but a terrorist", "you're nothing but a terrorist"),
    ("Eres una terrorista.", "Eres una terrorista"),
    ("Sos una traidora y lo sabés.", "Sos una traidora"),
    ("Tu es une traîtresse !", "Tu es une traîtresse"),
    ("T'es qu'une traîtresse.", "T'es qu'une traîtresse"),
    ("Você é uma traidora!", "Você é uma traidora"),
    ("Du bist eine Verräterin.", "Du bist eine Verräterin"),
    ("Ihr seid Verräter!", "Ihr seid Verräter"),
    ("Sei una traditrice.", "Sei una traditrice"),
    ("Sen bir hainsin!", "Sen bir hainsin"),
    ("Siz teröristsiniz.", "Siz teröristsiniz"),
    ("انتي خاينة", "انتي خاينة"),
    ("يا خاينة", "يا خاينة"),
    ("Ты предательница!", "Ты предательница"),
    ("Ты — террористка.", "Ты — террористка"),
    ("Ти зрадниця.", "Ти зрадниця"),
    ("Jesteś zdrajczynią.", "Jesteś zdrajczynią"),
    ("Jij bent een verraadster.", "Jij bent een verraadster"),
    ("Du är en förrädare.", "Du är en förrädare"),
    ("Ets una traïdora.", "Ets una traïdora"),
    ("Kamu pengkhianat!", "Kamu pengkhianat"),
    # one of the recipient's names
    ("Jani is a terrorist.", "Jani is a terrorist"),
    ("Jani Mendoza is a terrorist", "Jani Mendoza is a terrorist"),
    ("Jani es una traidora", "Jani es una traidora"),
    ("Jani est une terroriste.", "Jani est une terroriste"),
    ("Jani é uma terrorista.", "Jani é uma terrorista"),
    ("Jani ist eine Terroristin.", "Jani ist eine Terroristin"),
    ("Jani è una terrorista.", "Jani è una terrorista"),
    ("Aylin bir teröristtir.", "Aylin bir teröristtir"),
    ("Aylin Demir bir vatan hainidir.", "Aylin Demir bir vatan hainidir"),
    ("Aylin — предательница.", "Aylin — предательница"),
    ("Aylin to zdrajczyni.", "Aylin to zdrajczyni"),
])
def test_a_label_said_of_the_recipient_is_hostility(text, span):
    assert hostile(text) == [span]


@pytest.mark.parametrize("text", [
    # reported
    "They call you a terrorist.", "They say you are a terrorist.", "They say she is a terrorist but she is a hero.",
    "Jani, you are a hero; they call you a terrorist.", "Dicen que eres una terrorista, pero eres una heroína.",
    "Te llaman terrorista, pero eres una heroína.", "On dit que tu es une terroriste.",
    "Dizem que você é uma terrorista, mas é uma heroína.", "Sie nennen dich eine Verräterin, aber du bist eine Heldin.",
    "Dicono che sei una traditrice.", "Aylin'e terörist diyorlar ama o bir kahraman.", "يقولون انك ارهابية لكنك بطلة",
    "Тебя называют предательницей, но ты героиня.", "They portray Jani as a terrorist.",
    # negated or countered
    "You are not a traitor, you are a hero.", "You are no traitor.", "I don't think you are a traitor.",
    "No eres una terrorista.", "Jani no es una terrorista.", "Tu n'es pas une traîtresse.",
    "Jani n'est pas une terroriste.",
    "Você não é uma traidora.", "Du bist keine Verräterin.", "Jani ist keine Terroristin.", "Non sei una traditrice.",
    "Jani non è una terrorista.", "Sen hain değilsin.", "Aylin hain değil.", "انتي مش خاينة", "Ты не предательница.",
    "Ти не зрадниця.", "Nie jesteś zdrajczynią.", "Je bent geen verrader.", "Du är inte en förrädare.",
    "Kamu bukan pengkhianat.", "She is not a traitor.", "Free Jani, she is no terrorist.",
    # asked, conditional, about someone else, or a lookalike
    "Are you a traitor?", "If you are a terrorist, so am I.", "You are a hero to those they call traitors.",
    "You are not alone, traitors are those who jailed you.", "Sei terroristi sono stati arrestati.",
    "Jani i terroryści", "Jani en terroristen",
])
def test_a_reported_negated_or_other_label_is_not(text):
    assert hostile(text) == []


def test_a_name_counts_only_when_given():
    assert hostile("Jani is a terrorist.", ()) == []
    assert hostile("Thant Zin is a traitor.", ("Thant Zin",)) == ["Thant Zin is a traitor"]
    assert hostile("جاني خاينة", ("جاني",)) == ["جاني خاينة"]


def test_find_abuse_and_screen_rules_add_it_as_hostility_with_the_listed_term():
    text = "Jani es una traidora."
    flags = find_abuse(text, ("Jani Mendoza",))
    assert {(f.kind, text[f.start:f.end]) for f in flags} == {("listed_term", "traidora"),
                                                               ("hostility", "Jani es una traidora")}
    assert [f for f in flags if f.kind == "hostility"][0].reason.startswith("hostile to the recipient")
    assert [f.kind for f in find_abuse(text)] == ["listed_term"]  # no names: the word alone, as before
    screened = screen_rules(text, lang="es", protected_names=("Jani Mendoza",), ner=False)
    assert ("hostility", "Jani es una traidora") in {(f.kind, text[f.start:f.end]) for f in screened.blocking}
    assert "Jani" in screened.redacted  # hostility is not redacted: the recipient's name stays


def test_turkish_capital_dotted_i_reads_as_i():
    """"İ" lowercases to "i" plus a combining dot; a label in capitals must still match."""
    from letterworld.textfold import fold_offsets

    assert fold_offsets("HAİN")[0] == "hain"
    assert hostile("Sen bir HAİNSİN!") == ["Sen bir HAİNSİN"]
    assert hostile("AYLİN DEMİR BİR VATAN HAİNİDİR.") == ["AYLİN DEMİR BİR VATAN HAİNİDİR"]
