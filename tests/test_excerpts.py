import numpy as np
import pytest

from letterworld.excerpts import candidates, reading_length, select
from letterworld.records import Excerpt


def test_candidates_are_whole_sentences_in_the_window_and_avoid_placeholders():
    text = "Hi. You are not alone, we are with you. Call me at [phone] any time. Your courage moves the whole world."
    got = candidates(1, text, "en", "GB", 0, min_chars=20, max_chars=80)
    assert got, "expected candidates"
    for c in got:
        assert text[c.start:c.end] == c.text
        assert "[phone]" not in c.text
        assert 20 <= reading_length(c.text) <= 80
    assert "You are not alone, we are with you." in [c.text for c in got]
    assert all(not c.text.startswith("ou") for c in got)  # never mid-word


def test_cjk_length_counts_wide_characters():
    assert reading_length("加油加油") == 12
    got = candidates(1, "我们一直和你在一起，你并不孤单。加油！", "zh", "CN", 0, min_chars=20, max_chars=120)
    assert [c.text for c in got][0] == "我们一直和你在一起，你并不孤单。"


def test_blocked_spans_are_not_quoted():
    text = "You are a traitor to them. We are with you always, dear friend."
    got = candidates(1, text, "en", "", 0, min_chars=10, max_chars=100, blocked=[(10, 17)])
    assert [c.text for c in got] == ["We are with you always, dear friend."]


def test_excerpt_refuses_broken_provenance():
    with pytest.raises(ValueError, match="provenance"):
        Excerpt(1, "en", "GB", "not in source", "the source text", 0, 13, 0)
    e = Excerpt(1, "en", "GB", "source", "the source text", 4, 10, 0)
    assert e.id == "1:4-10"


def _cands(specs):
    out = []
    for i, (lang, country, theme) in enumerate(specs):
        text = f"sentence number {i} written here"
        out.extend(candidates(i, text, lang, country, theme, min_chars=5, max_chars=100))
    return out


def test_select_covers_required_languages_and_one_excerpt_per_message():
    rng = np.random.default_rng(0)
    centroids = {0: np.array([1, 0, 0], dtype=np.float32), 1: np.array([0, 1, 0], dtype=np.float32)}
    specs = [("en", "GB", 0)] * 6 + [("es", "CO", 0)] * 2 + [("en", "US", 1)] * 6 + [("th", "TH", 1)]
    cands = _cands(specs)
    vec = np.array([centroids[c.theme_id] + rng.normal(0, 0.05, 3) for c in cands], dtype=np.float32)
    # English candidates are the most central; the quota must still bring es and th in
    for i, c in enumerate(cands):
        if c.lang != "en":
            vec[i] = centroids[c.theme_id] * 0.8 + 0.2
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    picked = select(cands, vec, centroids, per_theme=3, required_langs={"es", "th"})
    langs = {s.candidate.lang for s in picked}
    assert {"es", "th"} <= langs
    assert len({s.candidate.message_id for s in picked}) == len(picked) == 6
    assert all("quota" in s.why and "centrality" in s.why for s in picked)
    without = select(cands, vec, centroids, per_theme=3, required_langs=set(), mmr_lambda=1.0)
    assert sum(s.candidate.lang == "en" for s in without) >= sum(s.candidate.lang == "en" for s in picked)


def test_pinned_excerpt_comes_first():
    centroids = {0: np.array([1.0, 0.0], dtype=np.float32)}
    cands = _cands([("en", "GB", 0)] * 3)
    vec = np.array([[1, 0], [0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    far = cands[2]
    picked = select(cands, vec, centroids, per_theme=1, pinned={(far.message_id, far.start, far.end)})
    assert picked[0].candidate == far and picked[0].why["quota"] == "pinned by campaigner"


def test_runs_stay_in_one_paragraph_and_never_quote_a_closing():
    text = "Many people think of you and your community.\n\nStay strong and take care.\n\nLove,\nMaja"
    got = [c.text for c in candidates(1, text, "en", "SI", 0, min_chars=20, max_chars=200)]
    assert got == ["Many people think of you and your community.", "Stay strong and take care."]
    got = [c.text for c in candidates(1, "Your river is our river. Take care. Love,", "en", "", 0,
                                      min_chars=10, max_chars=200)]
    assert "Your river is our river. Take care." in got and not any(g.endswith("Love,") for g in got)


def test_translated_sample_texts_are_flagged_as_templates_and_genuine_messages_are_not(store, embedder):
    """The demo's SMS file: the campaign's sample texts translated into Arabic, Hindi and
    Russian (planted, listed in corpora/demo/parts/sms_social.md) must join the sample's
    group; messages that repeat one of its slogans in their own words must not."""
    from letterworld.moderation.stage import mark_template_paraphrases, screen_store
    from letterworld.pipeline import DEMO_DIR, demo_config
    from letterworld.stages import detect, ingest

    cfg = demo_config()
    ingest(store, [DEMO_DIR / "sms_social.jsonl"])
    detect(store, cfg)
    screen_store(store, cfg, auto_approve=True, classify=False)
    mark_template_paraphrases(store, cfg, embedder)
    rows = {m.id: m.source_row for m in store.messages()}
    translations = {rows[mid] for mid, flags in store.flags().items()
                    for f in flags if f.kind == "template" and f.reason.startswith("translation")}
    planted = {20, 128, 154, 159, 167, 186, 202}  # translations of the samples
    samples = planted | {7, 30, 61, 81, 115, 209}  # and copies in English
    assert translations <= samples, f"genuine messages flagged: {sorted(translations - samples)}"
    assert len(translations & planted) >= 5, f"found {sorted(translations)}"
