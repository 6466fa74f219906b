"""The bundled demo corpus has what the foundation issue asks of it."""

from collections import Counter

import pytest

from letterworld.ingest import expand_inputs, read_path
from letterworld.language import detect_batch
from letterworld.pipeline import DEMO_DIR, demo_config


@pytest.fixture(scope="module")
def corpus():
    messages, rejected = [], []
    for path in expand_inputs([DEMO_DIR]):
        r = read_path(path)
        messages += r.messages
        rejected += r.rejected
    return messages, rejected


def test_size_recipients_and_metadata(corpus):
    messages, rejected = corpus
    assert len(messages) >= 600
    assert len({m.recipient for m in messages if m.recipient}) >= 3
    assert sum(bool(m.country) for m in messages) / len(messages) > 0.95
    assert sum(bool(m.date) for m in messages) / len(messages) > 0.95
    assert {m.channel for m in messages} >= {"letter", "postcard", "online", "sms", "social"}
    assert rejected and all(r.reason for r in rejected)  # malformed rows are part of the demo


def test_languages(corpus):
    messages, _ = corpus
    langs = Counter(d.lang for d in detect_batch([m.text for m in messages],
                                                 countries=[m.country or None for m in messages]))
    assert len([lang for lang, n in langs.items() if lang != "und" and n >= 3]) >= 20
    for lang in ("ar", "ur", "zh", "ko", "th", "my", "es", "pt", "fr", "tr", "sl"):
        assert langs[lang] >= 3, lang
    assert langs["hi"] + langs["ne"] >= 3


def test_what_moderators_meet(corpus):
    from letterworld.moderation import screen_rules
    from letterworld.moderation.duplicates import group_duplicates

    messages, _ = corpus
    kinds = Counter(f.kind for m in messages for f in screen_rules(m.text).flags)
    assert kinds["personal_data"] >= 15 and kinds["spam"] >= 5 and kinds["safety"] >= 2
    # the planted hostile messages: threats and wishes of harm are hostility flags on the lists alone;
    # listed insults ("traitor") wait as listed_term until the classifier scores the message
    assert kinds["hostility"] >= 2 and kinds["hostility"] + kinds["listed_term"] >= 4
    groups = group_duplicates([m.text for m in messages], demo_config().campaign.sample_texts)
    assert sum(len(g.members) for g in groups if g.template is not None) >= 20
