"""Readable theme titles (issue 14): a phrase the theme's own messages use, in the
campaign's language, distinct across themes; campaigners' names survive re-runs."""

import zlib

import numpy as np
import pytest
from typer.testing import CliRunner

from letterworld import stages
from letterworld.cli import app
from letterworld.config import from_dict
from letterworld.records import Message
from letterworld.store import Store
from letterworld.themes import phrases

TOPICS = {
    0: ("protecting the river", "the river is our life", "keep the river clean"),
    1: ("prayers for her family", "we send prayers for her family", "praying for your family"),
    2: ("free the students", "students are not criminals", "release the students now"),
}
OTHER = {0: "el río es vida", 1: "oraciones por su familia", 2: "libertad para los estudiantes"}


class Stub:
    """A bag of word vectors: each topic's words point one way, other words at random."""

    name, dim = "stub-titles", 48

    def __init__(self):
        rng = np.random.default_rng(7)
        self.centres = {k: rng.normal(size=self.dim) * 3 for k in TOPICS}
        self.topic_of = {w: k for k, lines in TOPICS.items() for line in (*lines, OTHER[k]) for w in line.split()}

    def vector(self, word: str) -> np.ndarray:
        r = np.random.default_rng(zlib.crc32(word.lower().encode()))
        k = self.topic_of.get(word.lower())
        return r.normal(size=self.dim) + (self.centres[k] if k is not None else 0)

    def encode(self, texts):
        out = []
        for t in texts:
            v = sum(self.vector(w.strip(".,!")) for w in t.split())
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


def fill(store: Store) -> None:
    rows, langs = [], {}
    for k, lines in TOPICS.items():
        for i in range(12):
            text = f"Dear Ana, {lines[i % 3]}." if i < 9 else f"Querida Ana, {OTHER[k]}."
            rows.append(Message(f"{text} {'!' * i}", "t.csv", 100 * k + i, recipient="Ana"))
            langs[100 * k + i] = "en" if i < 9 else "es"
    store.add_messages(rows)
    for m in store.messages():
        store.set_language(m.id, langs[m.source_row], 1.0)
        store.set_status(m.id, "approved", actor="ana")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "campaign.db"
    with Store(path) as store, store.transaction():
        fill(store)
    return path


CFG = from_dict({"themes": {"n_themes": 3}, "campaign": {"lang": "en"}})


def test_phrases_skip_stop_word_edges_names_and_hashtags():
    got = phrases("Dear Ana, we are protecting the river! #FreeAna", "en", exclude={"ana", "dear"})
    assert "protecting the river" in got
    assert not any(p.split()[0] in {"we", "are", "the"} or p.split()[-1] == "the" for p in got)
    assert not any("Ana" in p or "Dear" in p for p in got)


def test_titles_are_phrases_of_the_themes_own_messages_in_the_campaign_language(db):
    with Store(db) as store:
        out = stages.themes(store, CFG, Stub())
        members = store.theme_members()
        texts = {m.id: m.text.lower() for m in store.messages()}
    assert len(out) == 3
    labels = [t["label"] for t in out]
    assert len(set(labels)) == 3, labels  # no two themes the same title
    for t in out:
        assert t["label"][0].isupper() and len(t["label"].split()) <= 5
        own = [texts[mid] for mid, (tid, _s) in members.items() if tid == t["theme_id"]]
        assert any(t["label"].lower() in x for x in own), (t["label"], own[:3])
        assert not any(w in t["label"].lower().split() for w in ("el", "por", "los", "ana", "dear"))
        assert t["keywords"] and "title" in t  # keywords and the central sentence are kept
    topics = {tuple(TOPICS[k]) for k in TOPICS}
    for t in out:  # each title comes from one topic's words
        assert sum(any(w in t["label"].lower() for w in " ".join(lines).split() if len(w) > 4)
                   for lines in topics) >= 1


def test_a_rename_survives_a_re_run_and_is_audited_and_recluster_drops_it(db):
    with Store(db) as store:
        stages.themes(store, CFG, Stub())
        with store.transaction():
            store.set_theme_name(1, "Our own name", actor="campaigner")
        again = {t["theme_id"]: t["label"] for t in stages.themes(store, CFG, Stub())}
        assert again[1] == "Our own name"
        assert store.themes()[1]["label"] == "Our own name"
        log = [e for e in store.audit_log(target="theme:1") if e.action == "rename"]
        assert log and log[-1].actor == "campaigner" and "Our own name" in log[-1].detail
        rebuilt = stages.themes(store, CFG, Stub(), recluster=True)
        assert all(t["label"] != "Our own name" for t in rebuilt)
        assert store.theme_names() == {}
        assert any(e.action == "rename" and "dropped" in e.detail for e in store.audit_log(target="themes"))


def test_cli_rename(db, monkeypatch):
    from letterworld import registry

    monkeypatch.setattr(registry.Context, "get_embedder", lambda self: Stub())
    with Store(db) as store:
        stages.themes(store, CFG, Stub())
    runner = CliRunner()
    res = runner.invoke(app, ["themes", "--db", str(db), "--rename", '2="Protecting the river"'])
    assert res.exit_code == 0, res.output
    with Store(db) as store:
        assert {t["theme_id"]: t["label"] for t in store.themes()}[2] == "Protecting the river"
    res = runner.invoke(app, ["themes", "--db", str(db)])
    assert res.exit_code == 0, res.output
    with Store(db) as store:
        assert {t["theme_id"]: t["label"] for t in store.themes()}[2] == "Protecting the river"
    bad = runner.invoke(app, ["themes", "--db", str(db), "--rename", "99=Nothing"])
    assert bad.exit_code != 0 and "no theme 99" in bad.output
    res = runner.invoke(app, ["themes", "--db", str(db), "--recluster"])
    assert res.exit_code == 0, res.output
    assert "dropped" in res.output
    with Store(db) as store:
        assert store.theme_names() == {}
