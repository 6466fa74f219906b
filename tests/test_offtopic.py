"""Off-topic review flags: the pure core on synthetic vectors, and the screen stage with a
stub embedder (the rule's recall on real sentences is measured in bench/offtopic.py)."""

from __future__ import annotations

import hashlib

import numpy as np

from letterworld.config import Config, from_dict
from letterworld.moderation import offtopic as ot
from letterworld.moderation import queue as q
from letterworld.moderation.stage import screen_store
from letterworld.records import Message

DIM = 32


def clustered(n: int, rng, centre: np.ndarray, noise: float = 0.35) -> np.ndarray:
    x = centre + rng.normal(0, noise / np.sqrt(DIM), (n, DIM))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def unit(rng) -> np.ndarray:
    v = rng.normal(size=DIM)
    return v / np.linalg.norm(v)


def test_core_flags_the_outlier_and_not_the_cluster():
    rng = np.random.default_rng(0)
    topic = unit(rng)
    # three themes of one campaign around a shared direction, in two languages
    themes = [topic + 0.5 * unit(rng) for _ in range(3)]
    x = np.vstack([clustered(80, rng, t / np.linalg.norm(t)) for t in themes])
    langs = ["en"] * 120 + ["es"] * 120
    lang_shift = 0.4 * unit(rng)
    x[120:] = (x[120:] + lang_shift) / np.linalg.norm(x[120:] + lang_shift, axis=1, keepdims=True)
    outlier = unit(rng)
    v = np.vstack([x, outlier])
    hits = ot.find_offtopic(v, langs + ["en"], ["Jani"] * len(v))
    flagged = {h.index for h in hits}
    assert len(x) in flagged
    assert len(flagged - {len(x)}) <= 0.03 * len(x), sorted(flagged)
    hit = next(h for h in hits if h.index == len(x))
    assert hit.score < hit.cutoff < hit.typical
    assert hit.reason.startswith("about something else: closest campaign message similarity")


def test_language_centring_keeps_a_small_language_from_looking_off_topic():
    rng = np.random.default_rng(1)
    topic = unit(rng)
    x = clustered(200, rng, topic)
    shift = 3.0 * unit(rng)  # a language far from the others in the raw space
    x[:5] = (x[:5] + shift) / np.linalg.norm(x[:5] + shift, axis=1, keepdims=True)
    langs = ["km"] * 5 + ["en"] * 195
    flagged = {h.index for h in ot.find_offtopic(x, langs, [""] * 200)}
    assert not flagged & set(range(5))
    assert len(flagged) <= 0.03 * 200  # the tail of one cluster: a few, at z < -SPREAD
    # without knowing the language, the same five stand out
    assert {h.index for h in ot.find_offtopic(x, ["und"] * 200, [""] * 200)} >= set(range(5))


def test_core_says_nothing_about_small_campaigns_and_samples_are_references():
    rng = np.random.default_rng(2)
    x = np.vstack([clustered(30, rng, unit(rng)), unit(rng)])
    assert ot.find_offtopic(x, ["en"] * 31, [""] * 31) == []
    big = np.vstack([clustered(100, rng, unit(rng))])
    hits = ot.find_offtopic(big, ["en"] * 100, [""] * 100, sample_vectors=big[:2], sample_langs=["en", "en"])
    assert all(h.index < 100 for h in hits)


def test_config_default_is_the_measured_spread():
    assert Config().screen.offtopic is True
    assert Config().screen.offtopic_spread == ot.SPREAD
    assert from_dict({"screen": {"offtopic": False}}).screen.offtopic is False


OFF_TOPIC = "Hi, I want to change my phone plan to the unlimited data one, how do I do that?"
OFF_TOPIC_2 = "Selling a used bicycle, blue, two gears, pick it up on Saturday morning."


class StubEmbedder:
    """Solidarity messages near one direction (each a little different); the phone-plan
    question far from it."""

    name = "stub-offtopic"
    dim = DIM

    def encode(self, texts):
        topic = unit(np.random.default_rng(7))
        out = []
        for t in texts:
            rng = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16))
            v = unit(rng) if t in (OFF_TOPIC, OFF_TOPIC_2) else topic + 0.35 * unit(rng)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


WORDS = ["river", "courage", "community", "solidarity", "freedom", "justice", "hope", "strength", "voice", "defend", "water", "land", "together", "proud", "brave", "light", "friends", "family", "school", "world", "letters"]


def _on_topic(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["Jani, " + " ".join(rng.choice(WORDS, 9)) for _ in range(n)]


def _campaign(store):
    texts = _on_topic(60, 3) + [OFF_TOPIC]
    store.add_messages([Message(t, "f.csv", i + 1, recipient="Jani Mendoza") for i, t in enumerate(texts)])
    return {m.text: m.id for m in store.messages()}


def test_screen_flags_off_topic_for_review_never_rejects(store):
    ids = _campaign(store)
    cfg = Config()
    cfg.campaign.sample_texts = ["Dear Jani, you are not alone."]
    s = screen_store(store, cfg, auto_approve=True, classify=False, embedder=StubEmbedder())
    flags = store.flags()
    mid = ids[OFF_TOPIC]
    off = [f for f in flags.get(mid, []) if f.kind == "off_topic"]
    assert len(off) == 1 and (off[0].start, off[0].end) == (0, len(OFF_TOPIC)) and not off[0].redact
    assert off[0].reason.startswith("about something else")
    assert s.flagged["off_topic"] <= 3
    statuses = store.statuses()
    assert statuses[mid] == "pending"  # waits for a person: not auto-approved, not rejected
    assert "rejected" not in statuses.values()
    # the queue: selectable by flag, and ranked above unflagged messages
    chosen = q.items(store, q.Selection(flags=("off_topic",), statuses=q.UNDECIDED))
    assert mid in [i.id for i in chosen]
    out = q.decide_selection(store, q.Selection(flags=("off_topic",), statuses=q.UNDECIDED), "reject",
                             reason_code="off_topic", actor="ana")
    assert mid in out.decided and store.statuses()[mid] == "rejected"


def test_switch_off_means_no_off_topic_flag(store):
    ids = _campaign(store)
    cfg = from_dict({"screen": {"offtopic": False}})
    screen_store(store, cfg, auto_approve=True, classify=False, embedder=StubEmbedder())
    assert not [f for fs in store.flags().values() for f in fs if f.kind == "off_topic"]
    assert store.statuses()[ids[OFF_TOPIC]] == "approved"


def test_a_fitted_check_scores_new_messages_against_the_campaign_as_fitted():
    rng = np.random.default_rng(4)
    topic = unit(rng)
    x = clustered(200, rng, topic)
    model = ot.OffTopicModel.fit(x, ["en"] * 200, [""] * 200)
    assert [h.index for h in model.hits()] == [h.index for h in ot.find_offtopic(x, ["en"] * 200, [""] * 200)]
    new = np.vstack([clustered(3, rng, topic), unit(rng)[None, :]])
    hits = model.score_new(new, ["en"] * 4, [""] * 4)
    assert [h.index for h in hits] == [3]
    assert hits[0].score < hits[0].cutoff == model.cut and hits[0].rarer_than > 0.99
    again = ot.OffTopicModel.from_arrays(*model.to_arrays())  # as the store keeps it
    assert [(h.index, round(h.score, 6)) for h in again.score_new(new, ["en"] * 4, [""] * 4)] == \
        [(h.index, round(h.score, 6)) for h in hits]


def test_a_later_screen_scores_only_new_messages_and_fits_again_when_the_campaign_grew(store, monkeypatch):
    """The off-topic check is fitted once; messages added later are scored against that fit
    (and flagged by it), until the campaign has grown past REFIT_GROWTH times its fitted size."""
    from letterworld.moderation import stage

    ids = _campaign(store)
    fits, scored = [], []
    real_fit, real_score = ot.OffTopicModel.fit.__func__, ot.OffTopicModel.score_new
    monkeypatch.setattr(ot.OffTopicModel, "fit", classmethod(lambda cls, v, *a, **kw: fits.append(len(v))
                                                             or real_fit(cls, v, *a, **kw)))
    monkeypatch.setattr(ot.OffTopicModel, "score_new", lambda self, v, *a, **kw: scored.append(len(v))
                        or real_score(self, v, *a, **kw))
    cfg = Config()

    def screen():
        screen_store(store, cfg, auto_approve=False, classify=False, embedder=StubEmbedder(), templates=False)
        return {mid for mid, fs in store.flags().items() if any(f.kind == "off_topic" for f in fs)}

    assert screen() == {ids[OFF_TOPIC]} and fits == [61] and scored == []
    added = _on_topic(4, 5) + [OFF_TOPIC_2]
    store.add_messages([Message(t, "g.csv", i + 1, recipient="Jani Mendoza") for i, t in enumerate(added)])
    flagged = screen()
    new_id = next(m.id for m in store.messages() if m.text == OFF_TOPIC_2)
    assert flagged == {ids[OFF_TOPIC], new_id}
    assert fits == [61] and scored == [5]  # the five new messages, against the first fit
    more = _on_topic(int(stage.REFIT_GROWTH * 61) - 66 + 1, 6)  # one past the growth a fit holds for
    store.add_messages([Message(t, "h.csv", i + 1, recipient="Jani Mendoza") for i, t in enumerate(more)])
    flagged = screen()
    assert fits == [61, 66 + len(more)] and scored == [5]
    assert {ids[OFF_TOPIC], new_id} <= flagged
