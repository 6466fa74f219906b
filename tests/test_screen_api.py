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
