"""20 moderators over loopback HTTP deciding the same 2,000 messages, each message by two of
them at once on purpose: every message ends with exactly one effective decision, every loser
is told who won, and the audit log says the same as the store."""

from collections import Counter

from letterworld.store import Store
from letterworld.studio import create_app
from letterworld.studio.load import moderate_concurrently, serve, synthetic_store

MESSAGES, MODERATORS, ATTEMPTS = 2000, 20, 2


def test_twenty_moderators_never_double_decide(tmp_path):
    db = tmp_path / "campaign.db"
    names = synthetic_store(db, MESSAGES, MODERATORS)
    with Store(db) as s:
        ids = [r[0] for r in s.db.execute("SELECT id FROM messages")]
    with serve(create_app(db)) as url:
        result = moderate_concurrently(url, names, ids, attempts=ATTEMPTS, seed=7, page_every=0)

    assert result.errors == []
    assert len(result.latencies) == MESSAGES * ATTEMPTS
    assert sorted(result.won) == sorted(ids)  # every message decided once
    assert len(result.told) == MESSAGES * (ATTEMPTS - 1)  # every other attempt refused and told
    for (mid, loser), told in result.told.items():
        assert loser != result.won[mid]
        assert f"already decided by {result.won[mid]}" in told
    with Store(db) as s:
        rows = s.moderation_rows()
        people = {}
        for r in s.db.execute("SELECT target, actor FROM audit WHERE action = 'status' AND actor NOT LIKE 'rule:%'"):
            people.setdefault(int(r[0].split(":")[1]), []).append(r[1])
    assert all(rows[mid].status in ("approved", "rejected") and rows[mid].manual for mid in ids)
    assert {mid: rows[mid].decided_by for mid in ids} == result.won
    assert {mid: actors for mid, actors in people.items()} == {mid: [who] for mid, who in result.won.items()}
    # the load really overlapped: every moderator both won and lost some
    assert set(Counter(result.won.values())) == set(names)
    assert {loser for _, loser in result.told} == set(names)
