"""Person names from spaCy NER (the `ner` extra) and the filters its entities pass through.

The sentences here were written for these tests; the names in them are invented, so the
bundled name lists do not know them and only the NER path can find them."""

from __future__ import annotations

import pytest

from letterworld.moderation.names import entity_name_span, find_names, gazetteer_names, spacy_pipeline
from letterworld.moderation.pii import find_personal_data

needs_en = pytest.mark.skipif(spacy_pipeline("en") is None,
                              reason="no English spaCy pipeline installed (pip install -e '.[ner]')")
needs_fr = pytest.mark.skipif(spacy_pipeline("fr") is None,
                              reason="no French spaCy pipeline installed (pip install -e '.[ner]')")


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
    for text, entity in (("Kindness and Discipline will carry you through.", "Discipline"),
                         ("Chin up. We are with you.", "Chin"),
                         ("Your story reached Wexmoor Hallingford Orchestra and the whole town.",
                          "Wexmoor Hallingford Orchestra")):
        assert entity in [e.text for e in nlp(text).ents if e.label_ == "PERSON"]
        assert _flagged(text, "en") == [], text
    assert _flagged("Chin up. We are with you. #FreeAylin", "en") == []


@needs_en
def test_an_ordinary_capitalised_phrase_from_the_name_lists_is_dropped_with_a_dictionary():
    text = "For my part, see Guilty Pleasures: a list of songs."
    assert "Guilty Pleasures" not in _flagged(text, "en")


@needs_fr
def test_french_ner_uses_the_per_label():
    nlp = spacy_pipeline("fr")
    assert nlp.lang == "fr" and "PER" in nlp.get_pipe("ner").labels
    text = "Notre voisine Bexley Thorncastle pense à toi chaque jour."
    assert gazetteer_names(text, "fr") == []
    assert _flagged(text, "fr") == ["Bexley Thorncastle"]
    assert _flagged("Prenez soin de vous. Courage et Liberté !", "fr") == []  # "Prenez" is tagged PER


def test_pipeline_lookup_never_fails_and_loads_only_ner():
    assert spacy_pipeline(None) is None
    assert spacy_pipeline("xx-nonexistent") is None
    nlp = spacy_pipeline("en")
    if nlp is not None:
        assert nlp.pipe_names == ["ner"]  # tagger, parser, lemmatizer not loaded


def test_filters_reject_places_organisations_and_streets():
    # the same evidence the gazetteer uses; no pipeline needed
    assert _span("We held a vigil at Galorath Incorporated yesterday.", "Galorath Incorporated") is None
    assert _span("The Clark, Romero and Hall Orchestra played for you.", "Clark") is None
    assert _span("The Clark, Romero and Hall Orchestra played for you.", "Hall Orchestra") is None
    assert _span("Greetings from all of us in Porto Alegre, Brazil.", "Porto Alegre") is None
    assert _span("We met near Dusino San Michele last year.", "Dusino San Michele") is None
    assert _span("Send it to 638 Wolmarans St please.", "Wolmarans St") is None
    assert _span("Write to Box 8316 please.", "Box 8316") is None
    assert _span("It's in Λεωφόρος Συγγρού, near the sea.", "Λεωφόρος Συγγρού") is None  # other script
    assert _span("Last spring we flew to Norrastad for a week.", "Norrastad") is None  # a place after "flew to"


def test_filters_trim_titles_greetings_and_possessives():
    assert _span("We wrote to Mrs. Schwarz last month.", "Mrs. Schwarz") == "Schwarz"
    assert _span("Alpatu Shervashidze's friends wrote too.", "Alpatu Shervashidze's") == "Alpatu Shervashidze"
    assert _span("We all send love to Dear Ana Souza and her family.", "Dear Ana Souza") == "Ana Souza"
    assert _span("Last week Zarquon Velthamby came.", "Zarquon Velthamby") == "Zarquon Velthamby"
    assert _span("Grüße von Ana Souza", "Grüße von Ana Souza", "de") == "Ana Souza"


def test_the_addressee_in_the_opening_words_is_taken_for_the_recipient():
    # as for the name lists (docs/moderation.md, Limits): not flagged even when not protected
    assert _span("Jani, you are brave. Love from all of us", "Jani") is None
    assert _span("Dear Jani, you are brave.", "Dear Jani") is None
    assert _span("We wrote to Jani, and she answered.", "Jani") == "Jani"


def test_single_unknown_word_alone_on_a_line_is_a_letterhead_not_a_signature():
    head = "Zizi Kónya\nEnigmaio\n12 Some Road\n"
    assert _span(head, "Enigmaio") is None
    signed = "We are with you.\n\nCamille"
    assert _span(signed, "Camille", "fr") == "Camille"
