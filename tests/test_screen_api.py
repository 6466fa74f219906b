"""One screening API (issue 16): `letterworld.moderation.screen` runs the per-message checks of
the screen stage, classifiers included, so a library user gets what the CLI gets."""

from letterworld.moderation import screen, screen_many, screen_rules
from letterworld.pipeline import demo_config
from letterworld.store import Store

CORPUS_LEVEL = {"duplicate", "template", "off_topic"}  # need the whole campaign: the stage's alone


def test_screen_and_the_stage_agree_on_the_demo(demo_run):
    cfg = demo_config()
    with Store(demo_run.db) as store:
        messages = store.messages()
        langs = store.languages()
        stored = store.flags()
        protected = tuple(sorted(set(cfg.campaign.protected_names) | set(store.recipients())))
    sample = messages[::3]  # a third of the demo, planted rows among them
    got = screen_many([m.text for m in sample], langs=[langs[m.id].lang if m.id in langs else None for m in sample],
                      dangerous_terms=tuple(cfg.campaign.dangerous_terms), protected_names=protected)
    disagree = []
    for m, s in zip(sample, got):
        mine = {(f.kind, f.start, f.end) for f in s.flags}
        theirs = {(f.kind, f.start, f.end) for f in stored.get(m.id, []) if f.kind not in CORPUS_LEVEL}
        if mine != theirs:
            disagree.append((m.id, mine ^ theirs))
    assert not disagree, disagree[:5]
    kinds = {f.kind for s in got for f in s.flags}
    assert {"hostility", "safety", "personal_data"} <= kinds  # the classifiers' flags are there, not only rules


def test_screen_runs_the_classifiers_the_rules_alone_do_not():
    threat = "Jani, we know which school your daughter goes to. Think about her."
    rules = {f.kind for f in screen_rules(threat).flags}
    full = screen(threat)
    assert "safety" in {f.kind for f in full.flags} and "safety" in {f.kind for f in full.blocking}
    assert "safety" not in rules or len(full.flags) >= len(rules)
    calm = screen("Stay strong Jani, the whole world is with you!")
    assert calm.flags == () and calm.redacted.startswith("Stay strong")
    assert screen(threat, classify=False).flags == screen_rules(threat).flags


def test_the_high_safety_bar_holds_more_and_says_which_bar():
    import pytest

    from letterworld.embedding import load_embedder
    from letterworld.moderation.safety import load_safety_classifier
    from letterworld.pipeline import demo_detected

    clf = load_safety_classifier()
    assert clf.threshold_high is not None and clf.bar("high") < clf.bar("standard")
    with pytest.raises(ValueError, match="standard, high"):
        clf.bar("hihg")
    from dataclasses import replace  # older weights without a high bar: an error, never the lower bar

    with pytest.raises(ValueError, match="no 'high' bar"):
        replace(clf, threshold_high=None).bar("high")
    assert replace(clf, threshold_high=None).bar("standard") == clf.bar("standard")
    # a demo message scoring between the two bars: held at "high", not at "standard"
    demo = demo_detected()[:300]
    texts, langs = [m.text for m, _ in demo], [None if lang == "und" else lang for _, lang in demo]
    scores = clf.score(load_embedder(clf.embedder).encode(texts), langs)
    assert (scores >= clf.bar("high")).sum() > (scores >= clf.bar("standard")).sum()
    k = next(i for i, s in enumerate(scores) if clf.bar("high") <= s < clf.bar("standard"))
    std = screen(texts[k], lang=langs[k], classify=True)
    high = screen(texts[k], lang=langs[k], safety_bar="high")
    assert not any(f.kind == "safety" and f.reason.startswith("classifier") for f in std.flags)
    held = [f for f in high.flags if f.kind == "safety" and f.reason.startswith("classifier")]
    assert held and f"bar {clf.bar('high'):+.2f}" in held[0].reason and held[0] in high.blocking


def test_a_misspelt_safety_bar_is_refused_with_the_valid_values(tmp_path):
    import pytest

    from letterworld.config import ConfigError, load_config

    path = tmp_path / "campaign.toml"
    path.write_text('[screen]\nsafety_bar = "hihg"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="high"):
        load_config(path)
