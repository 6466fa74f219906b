"""Abuse classifier flags carry the span they concern: the hostile sentence, not the whole
letter. A stub classifier and embedder stand in for the real ones (whose scores on a given
sentence a unit test cannot rely on); the sentence segmentation is the real ICU one."""

from __future__ import annotations

import csv
import hashlib

import numpy as np
from typer.testing import CliRunner

from letterworld.cli import app
from letterworld.config import Config
from letterworld.moderation import queue as q
from letterworld.moderation.classifier import REASON
from letterworld.moderation.stage import (
    narrow_to_sentences,
    screen_store,
    sentence_flags,
)
from letterworld.records import Flag, Message

HOSTILE = "I hope she rots in that cell forever, the traitor."
FRIENDLY = ("Dear Aylin, we think of you every morning. Our whole class wrote to you this week. "
            f"{HOSTILE} The children drew a sun for your window. We will keep writing until you are free.")


class StubEmbedder:
    """Vector [1, 0, ...] for text with a hostile word, [0, 1, ...] otherwise (plus a little
    text-specific noise so messages differ)."""

    name = "stub-embedder"
    dim = 8

    def encode(self, texts):
        out = []
        for t in texts:
            rng = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16))
            v = rng.normal(0, 0.01, self.dim)
            v[0 if ("rots" in t or "traitor" in t) else 1] += 1.0
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


class StubClassifier:
    """p = how hostile the vector is; the whole message counts as hostile when any of it is."""

    embedder = StubEmbedder.name

    def threshold_for(self, lang):
        return 0.5

    def route(self, langs, texts):
        return list(langs)

    def proba(self, vectors, texts=None, langs=None):
        v = np.atleast_2d(vectors)
        return np.clip(0.05 + 0.9 * v[:, 0], 0, 1)

    def flags(self, texts, vectors, langs=None):
        return [[Flag("hostility", f"{REASON} (p=0.80)", 0, len(t))] if ("rots" in t or "traitor" in t) else []
                for t in texts]


def test_narrowing_joins_consecutive_sentences_and_keeps_the_whole_when_none_passes():
    whole = Flag("hostility", f"{REASON} (p=0.70)", 0, 60)
    spans = [(0, 10), (11, 30), (31, 45), (46, 60)]
    got = narrow_to_sentences(whole, spans, [0.1, 0.8, 0.9, 0.2], 0.5)
    assert [(f.start, f.end) for f in got] == [(11, 45)]
    assert "2 sentences" in got[0].reason and got[0].reason.startswith(REASON)
    got = narrow_to_sentences(whole, spans, [0.9, 0.1, 0.1, 0.7], 0.5)
    assert [(f.start, f.end) for f in got] == [(0, 10), (46, 60)]
    got = narrow_to_sentences(whole, spans, [0.3, 0.4, 0.3, 0.2], 0.5)
    assert [(f.start, f.end) for f in got] == [(0, 60)]
    assert "read the whole message" in got[0].reason


def test_a_hostile_sentence_in_a_long_friendly_message_gets_its_own_span():
    clf, emb = StubClassifier(), StubEmbedder()
    texts = [FRIENDLY, "Stay strong, Aylin.", HOSTILE]
    flags = clf.flags(texts, emb.encode(texts))
    out = sentence_flags(clf, emb.encode, texts, ["en"] * 3, flags)
    start = FRIENDLY.index(HOSTILE)
    assert [(f.start, f.end) for f in out[0]] == [(start, start + len(HOSTILE))]
    assert FRIENDLY[out[0][0].start:out[0][0].end] == HOSTILE
    assert "sentence p=" in out[0][0].reason
    assert out[1] == []
    assert [(f.start, f.end) for f in out[2]] == [(0, len(HOSTILE))]  # one sentence: the whole message


def test_span_reaches_the_store_queue_show_export_and_redaction(store, tmp_path, monkeypatch):
    from letterworld.moderation import classifier

    monkeypatch.setattr(classifier, "load_classifier", lambda: StubClassifier())
    store.add_messages([Message(FRIENDLY, "f.csv", 1, recipient="Aylin Demir"),
                        Message("We stand with you, Aylin.", "f.csv", 2, recipient="Aylin Demir")])
    screen_store(store, Config(), embedder=StubEmbedder(), offtopic=False)
    mid = store.messages()[0].id
    start = FRIENDLY.index(HOSTILE)
    hostile = [f for f in store.flags()[mid] if f.kind == "hostility"]
    assert [(f.start, f.end) for f in hostile] == [(start, start + len(HOSTILE))]

    db = str(tmp_path / "campaign.db")
    runner = CliRunner()
    shown = runner.invoke(app, ["queue", "show", str(mid), "--db", db])
    assert shown.exit_code == 0, shown.output
    assert f"{start}-{start + len(HOSTILE)} hostility" in shown.output and f"«{HOSTILE}»" in shown.output

    q.export_csv(store, tmp_path / "review.csv")
    with open(tmp_path / "review.csv", encoding="utf-8-sig") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == str(mid))
    assert f"@{start}-{start + len(HOSTILE)} «{HOSTILE}»" in row["flags"]

    done = runner.invoke(app, ["queue", "redact", str(mid), "--flag", "hostility", "--db", db, "--as", "ana"])
    assert done.exit_code == 0, done.output
    item = q.items(store, q.Selection(ids=(mid,)))[0]
    assert item.redacted == FRIENDLY.replace(HOSTILE, "[redacted]")
    assert "every morning" in item.redacted and "rots" not in item.redacted
