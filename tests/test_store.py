import sqlite3

import pytest

from letterworld.records import Message
from letterworld.store import SCHEMA_VERSION, Store


def test_schema_is_versioned_and_reopening_keeps_data(tmp_path):
    path = tmp_path / "c.db"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 1
        s.add_messages([Message("hola", "f.csv", 2)])
        s.db.commit()
    with Store(path) as s:
        assert [m.text for m in s.messages()] == ["hola"]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "c.db"
    with Store(path) as s:
        s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer letterworld"):
        Store(path)


def test_original_text_cannot_be_modified(store):
    store.add_messages([Message("original words", "f.csv", 2)])
    with pytest.raises(sqlite3.DatabaseError, match="never modified"):
        store.db.execute("UPDATE messages SET text = 'changed'")


def test_audit_log_is_append_only(store):
    store.audit("test", "message:1", why="because")
    assert store.audit_log()[0].why == "because"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE audit SET why = 'x'")


def test_manual_language_survives_automatic_detection(store):
    store.add_messages([Message("Forza", "f.csv", 2)])
    mid = store.messages()[0].id
    assert store.set_language(mid, "it", 0.4)
    assert store.set_language(mid, "es", 1.0, manual=True)
    assert not store.set_language(mid, "it", 0.9)
    assert store.languages()[mid].lang == "es"


def test_person_decision_survives_rules_and_is_audited(store):
    store.add_messages([Message("Stay strong", "f.csv", 2)])
    mid = store.messages()[0].id
    store.set_status(mid, "rejected", reason_code="off_topic", actor="maria", why="not about the case")
    assert not store.set_status(mid, "approved", actor="rule", manual=False)
    assert store.statuses()[mid] == "rejected"
    entry = store.audit_log(target=f"message:{mid}")[-1]
    assert (entry.actor, entry.action, entry.why) == ("maria", "status", "not about the case")


def test_embedding_cache_roundtrip(store):
    import numpy as np

    v = np.arange(4, dtype=np.float32)
    store.put_embeddings("m", {"h1": v})
    got = store.cached_embeddings("m", ["h1", "h2"])
    assert list(got) == ["h1"] and np.array_equal(got["h1"], v)
    assert store.cached_embeddings("other", ["h1"]) == {}
