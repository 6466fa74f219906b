"""Near-copy grouping that keeps what it found (issue 18): new messages are compared with the
old ones, and the groups are the same as grouping every message afresh."""

import random

from letterworld.moderation.duplicates import NearCopyIndex, group_duplicates, normalise

WORDS = ("river", "forest", "courage", "justice", "family", "village", "voice", "hope", "land", "water", "friend",
         "world", "letter", "truth", "peace", "strength", "freedom", "people", "defend", "stand")


def _corpus(seed: int, n: int) -> list[str]:
    """Sentences of random words, each sent a few times with small edits (a word added, a
    letter changed, a greeting), and short messages that repeat exactly."""
    rng = random.Random(seed)
    bases = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))) for _ in range(n // 4)]
    out = []
    for _ in range(n):
        kind = rng.random()
        base = rng.choice(bases)
        if kind < 0.3:
            out.append(base)
        elif kind < 0.6:
            out.append(base + " " + rng.choice(WORDS))
        elif kind < 0.8:
            i = rng.randrange(len(base))
            out.append(base[:i] + rng.choice("aeiou") + base[i + 1:])
        elif kind < 0.9:
            out.append("Dear friend, " + base)
        else:
            out.append(rng.choice(["Fuerza!", "Courage", "Stay strong"]))
    return out


def _as_sets(groups):
    return sorted((g.members, g.representative, g.template) for g in groups)


def test_grouping_new_messages_with_the_index_gives_the_groups_of_grouping_everything_afresh(store):
    texts = _corpus(1, 600)
    samples = [texts[3] + " from all of us", "Stay strong, we are with you"]
    full = group_duplicates(texts, samples)
    assert any(len({normalise(texts[i]) for i in g.members}) > 1 for g in full)  # near copies, not only equal ones
    for cut in (0, 150, 599):
        index = NearCopyIndex()
        group_duplicates(texts[:cut], samples, index=index)
        store.put_near_copy_index(index)  # as a screen leaves it
        index = store.near_copy_index()
        known = set(index.bands)
        assert _as_sets(group_duplicates(texts, samples, index=index)) == _as_sets(full)
        assert not index.replaced and known < set(index.bands)  # updated, not started over
        assert _as_sets(group_duplicates(texts, samples, index=index)) == _as_sets(full)  # and again, nothing new
        assert not index.changed


def test_a_new_message_can_join_two_old_groups():
    a = "we stand with the river people and their land today and always"
    b = "we stand with the river people and their land today and always, and forever with you"
    bridge = "we stand with the river people and their land today and always, and forever"
    index = NearCopyIndex()
    before = group_duplicates([a, b], threshold=0.8, index=index)
    assert before == []  # a and b alone are not near copies of each other
    after = group_duplicates([a, b, bridge], threshold=0.8, index=index)
    assert _as_sets(after) == _as_sets(group_duplicates([a, b, bridge], threshold=0.8))
    assert [g.members for g in after] == [(0, 1, 2)]


def test_the_index_starts_over_when_a_sample_text_or_the_threshold_changes():
    texts = _corpus(2, 300)
    index = NearCopyIndex()
    group_duplicates(texts, [texts[0] + " from Leeds"], index=index)
    other = group_duplicates(texts, [texts[5] + " from Quito"], index=index)  # the old sample text is gone
    assert index.replaced
    assert _as_sets(other) == _as_sets(group_duplicates(texts, [texts[5] + " from Quito"]))
    group_duplicates(texts, [texts[5] + " from Quito"], threshold=0.6, index=index)
    assert index.settings[0] == 0.6 and index.replaced


def test_the_store_keeps_the_index_between_screens(store):
    texts = _corpus(3, 400)
    index = NearCopyIndex()
    group_duplicates(texts[:300], index=index)
    store.put_near_copy_index(index)
    again = store.near_copy_index()
    assert again.settings == index.settings and set(again.bands) == set(index.bands)
    assert again.component == index.component
    assert _as_sets(group_duplicates(texts, index=again)) == _as_sets(group_duplicates(texts))
    store.put_near_copy_index(again)
    assert set(store.near_copy_index().bands) == set(again.bands)
