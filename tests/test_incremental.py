"""A re-run with nothing new does (almost) nothing (issue 18): language detection and the
per-message screening are kept by what they were derived from, and redone when that changes."""

import json

from letterworld import stages
from letterworld.config import from_dict
from letterworld.moderation import stage as screen_stage
from letterworld.records import Message

TEXTS = ["Fuerza Jani, estamos contigo desde Quito.", "We stand with you, Aylin, from Leeds.",
         "Nous sommes avec toi, Jani. Écris-moi à lea@example.org", "Ты не одна, Айлин."]


def _fill(store):
    store.add_messages(Message(text=t, source_file="m.csv", source_row=i + 2, country="EC") for i, t in enumerate(TEXTS))


def _detected(store):
    return {k: (v.lang, round(v.confidence, 6)) for k, v in store.languages().items()}


def _last_detect(store):
    return json.loads(store.db.execute("SELECT detail FROM audit WHERE action = 'detect' ORDER BY id DESC").fetchone()[0])


def test_detect_again_detects_nothing_until_an_input_changes(store):
    _fill(store)
    cfg = from_dict({})
    stages.detect(store, cfg)
    first = _detected(store)
    assert _last_detect(store)["messages"] == len(TEXTS)
    stages.detect(store, cfg)
    assert _last_detect(store) == {"messages": 0, "unchanged": len(TEXTS), "languages": len(set(first.values()))}
    assert _detected(store) == first
    stages.correct_language(store, 1, "pt", why="the writer says so")
    stages.detect(store, from_dict({"campaign": {"expected_languages": ["es", "en"]}}))  # another prior: again
    assert _last_detect(store)["messages"] == len(TEXTS) - 1  # a person's correction is never redone
    assert store.languages()[1].lang == "pt"


def test_screen_again_reuses_each_message_result_until_a_setting_changes(store, monkeypatch):
    _fill(store)
    cfg = from_dict({"screen": {"classifier": False, "offtopic": False, "ner": False}})
    stages.detect(store, cfg)
    calls = []
    real = screen_stage.screen_rules
    monkeypatch.setattr(screen_stage, "screen_rules", lambda text, **kw: calls.append(text) or real(text, **kw))

    def flags():
        return sorted((r[0], r[1], r[2], r[3], r[4]) for r in store.db.execute(
            "SELECT message_id, kind, reason, start, end FROM flags"))

    screen_stage.screen_store(store, cfg, templates=False)
    first = flags()
    assert len(calls) == len(TEXTS) and any(k == "personal_data" for _, k, *_ in first)
    screen_stage.screen_store(store, cfg, templates=False)
    assert len(calls) == len(TEXTS) and flags() == first  # nothing screened again, the same flags
    cfg2 = from_dict({"campaign": {"dangerous_terms": ["Quito"]},
                      "screen": {"classifier": False, "offtopic": False, "ner": False}})
    screen_stage.screen_store(store, cfg2, templates=False)
    assert len(calls) == 2 * len(TEXTS)
    assert any(k == "safety" and "Quito" in r for _, k, r, *_ in flags())
