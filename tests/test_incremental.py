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


RULES_ONLY = {"screen": {"classifier": False, "offtopic": False, "ner": False}}


def _detected_and_counting(store, monkeypatch, cfg) -> list[str]:
    """Languages detected; the texts `screen_rules` is called with from now on."""
    stages.detect(store, cfg)
    calls: list[str] = []
    real = screen_stage.screen_rules
    monkeypatch.setattr(screen_stage, "screen_rules", lambda text, **kw: calls.append(text) or real(text, **kw))
    return calls


def test_screen_again_reuses_each_message_result_until_a_setting_changes(store, monkeypatch):
    _fill(store)
    cfg = from_dict(RULES_ONLY)
    calls = _detected_and_counting(store, monkeypatch, cfg)

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


def _copies(store, n=3):
    """Every text of TEXTS sent `n` times from the same country (people sending the same message)."""
    store.add_messages(Message(text=t, source_file="m.csv", source_row=2 + i * n + k, country="EC")
                       for i, t in enumerate(TEXTS) for k in range(n))


def test_copies_of_a_text_are_detected_once_and_get_the_same_language(store, monkeypatch):
    import letterworld.language as language

    _copies(store)
    seen = []
    real = language.detect_batch
    monkeypatch.setattr(language, "detect_batch", lambda texts, **kw: seen.extend(texts) or real(texts, **kw))
    stages.detect(store, from_dict({}))
    assert sorted(seen) == sorted(TEXTS)  # one detection per distinct text and country
    by_text = {}
    for m in store.messages():
        by_text.setdefault(m.text, set()).add((store.languages()[m.id].lang, store.languages()[m.id].confidence))
    assert len(by_text) == len(TEXTS) and all(len(v) == 1 for v in by_text.values())
    assert {store.languages()[m.id].lang for m in store.messages()} >= {"es", "en", "fr", "ru"}


def test_copies_of_a_text_are_screened_once_and_share_the_flags(store, monkeypatch):
    _copies(store)
    cfg = from_dict(RULES_ONLY)
    calls = _detected_and_counting(store, monkeypatch, cfg)
    screen_stage.screen_store(store, cfg, templates=False)
    assert sorted(calls) == sorted(TEXTS)
    flags = store.flags()
    email = [m.id for m in store.messages() if "lea@example.org" in m.text]
    assert len(email) == 3
    spans = {tuple((f.kind, f.start, f.end) for f in flags[i] if f.kind == "personal_data") for i in email}
    assert len(spans) == 1 and next(iter(spans))  # each copy has the e-mail address flagged, at the same place
    # the copies are also one duplicate group each, with one representative
    groups = store.duplicates()
    assert len({groups[i].group_id for i in email}) == 1


def test_detect_keeps_the_sample_texts_languages_so_screen_loads_no_detector(store, monkeypatch):
    import letterworld.language as language

    _fill(store)
    cfg = from_dict({"campaign": {"sample_texts": ["Querida Jani, estamos contigo.", "Dear Aylin, we are with you."]},
                     "screen": {"classifier": False, "offtopic": False, "ner": False}})
    stages.detect(store, cfg)
    assert store.setting(language.SAMPLE_LANGUAGES)["langs"] == ["es", "en"]
    language.sample_languages.cache_clear()

    def refuse(*a, **kw):
        raise AssertionError("screen detected languages again")

    monkeypatch.setattr(language, "detect_batch", refuse)
    screen_stage.screen_store(store, cfg)  # the sample-text check reads the stored languages
    assert language.stored_sample_languages(store, tuple(cfg.campaign.sample_texts)) == ("es", "en")


def test_a_screen_with_nothing_changed_keeps_the_last_one_until_a_message_decision_or_setting_changes(store,
                                                                                                     monkeypatch):
    """The corpus-level checks (duplicate groups, off-topic, sample-text copies) look at every
    message: a screen whose inputs are the last one's redoes none of them."""
    _copies(store, n=2)
    cfg = from_dict(RULES_ONLY)
    stages.detect(store, cfg)
    grouped = []
    real = screen_stage.group_duplicates
    monkeypatch.setattr(screen_stage, "group_duplicates", lambda texts, *a, **kw: grouped.append(len(texts))
                        or real(texts, *a, **kw))

    def state():
        return (sorted(map(tuple, store.db.execute("SELECT message_id, kind, reason, start, end FROM flags"))),
                sorted(map(tuple, store.db.execute("SELECT * FROM duplicates"))), store.statuses())

    first = screen_stage.screen_store(store, cfg, templates=False, auto_approve=True)
    before = state()
    assert grouped == [2 * len(TEXTS)] and not first.kept and first.auto_approved > 0
    again = screen_stage.screen_store(store, cfg, templates=False, auto_approve=True)
    assert grouped == [2 * len(TEXTS)] and again.kept and state() == before
    assert (again.flagged, again.duplicate_groups, again.screened) == (first.flagged, first.duplicate_groups,
                                                                       first.screened)
    assert screen_stage.screen_store(store, cfg, templates=False, auto_approve=False).kept is False  # a setting
    screen_stage.screen_store(store, cfg, templates=False, auto_approve=True)
    n = len(grouped)
    store.set_status(1, "rejected", reason_code="spam", actor="mod", why="test")  # a person's decision
    assert not screen_stage.screen_store(store, cfg, templates=False, auto_approve=True).kept
    assert store.statuses()[1] == "rejected" and len(grouped) == n + 1
    assert screen_stage.screen_store(store, cfg, templates=False, auto_approve=True).kept
    assert not screen_stage.screen_store(store, cfg, templates=False, auto_approve=True, again=True).kept
    store.add_messages([Message(text="Desde Lima, un abrazo fuerte.", source_file="n.csv", source_row=2)])
    stages.detect(store, cfg)
    after = screen_stage.screen_store(store, cfg, templates=False, auto_approve=True)  # a new message
    assert not after.kept and after.screened == 2 * len(TEXTS) + 1


class FirstWordEmbedder:
    """A text's vector is its first word's: a message that opens as the sample text does is
    its close paraphrase; the rest are far apart."""

    name = "stub-first-word"
    dim = 64

    def encode(self, texts):
        import hashlib

        import numpy as np

        out = []
        for t in texts:
            seed = int(hashlib.sha1(t.split()[0].strip(",.").lower().encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=self.dim)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


def test_a_later_screen_judges_only_new_messages_against_the_sample_texts_and_rewrites_only_what_changed(
        store, monkeypatch):
    """The sample-text paraphrase check keeps each message's verdict; the screen writes back
    only the flags that changed (a flag row of an old message keeps its rowid)."""
    cfg = from_dict({"campaign": {"sample_texts": ["Dear Jani, you are not alone. We are all with you."]},
                     "screen": {"classifier": False, "offtopic": False, "ner": False}})
    _fill(store)
    more = ["Greetings from Porto, keep going.", "Mit Liebe aus Köln, du bist stark.", "Coraggio Jani, da Torino.",
            "Saludos desde Mendoza, seguimos.", "Dear friend Jani, never alone, never."]
    store.add_messages([Message(text=t, source_file="m.csv", source_row=10 + i) for i, t in enumerate(more)])
    stages.detect(store, cfg)
    judged = []
    real = screen_stage._paraphrases_of
    monkeypatch.setattr(screen_stage, "_paraphrases_of", lambda store, emb, todo, *a, **kw: judged.append(
        sorted(m.id for m in todo)) or real(store, emb, todo, *a, **kw))

    def paraphrases():
        return {mid for mid, fs in store.flags().items() if any(f.reason.startswith("close paraphrase") for f in fs)}

    def rows():
        return sorted(map(tuple, store.db.execute("SELECT rowid, message_id, kind, reason FROM flags")))

    screen_stage.screen_store(store, cfg, embedder=FirstWordEmbedder(), auto_approve=True)
    first_ids = sorted(m.id for m in store.messages())
    assert judged == [first_ids] and paraphrases() == {first_ids[-1]}
    before = rows()
    assert before  # the e-mail address and the paraphrase
    store.add_messages([Message(text="Dear Jani, from Lima with love.", source_file="n.csv", source_row=2),
                        Message(text="Hold on, Aylin, spring is coming.", source_file="n.csv", source_row=3)])
    stages.detect(store, cfg)
    screen_stage.screen_store(store, cfg, embedder=FirstWordEmbedder(), auto_approve=True)
    new_ids = sorted(set(m.id for m in store.messages()) - set(first_ids))
    assert judged == [first_ids, new_ids]  # the old messages' verdicts came from the cache
    assert paraphrases() == {first_ids[-1], new_ids[0]}
    assert [r for r in rows() if r[1] in first_ids] == before  # not deleted and written again
    grown = int(screen_stage.REFIT_GROWTH * len(first_ids)) + 1 - len(first_ids) - len(new_ids)
    store.add_messages([Message(text=f"Hope{k} from everywhere.", source_file="o.csv", source_row=2 + k)
                        for k in range(grown)])
    stages.detect(store, cfg)
    screen_stage.screen_store(store, cfg, embedder=FirstWordEmbedder(), auto_approve=True)
    assert judged[2] == sorted(m.id for m in store.messages())  # grown past REFIT_GROWTH: fitted anew
    assert paraphrases() == {first_ids[-1], new_ids[0]}
