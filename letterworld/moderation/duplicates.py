"""Exact and near duplicates, and copies of the campaign's sample texts.

A sample text sent 10,000 times is one voice with a weight, not 10,000 voices:
groups are counted and one representative is kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..textfold import fold_key


def normalise(text: str) -> str:
    """Case, accents, punctuation, emoji and spacing do not make a message different."""
    return fold_key(text)


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: a multiplicative hash step


def shingle_hashes(norm: str, k: int = 5) -> np.ndarray:
    """The distinct k-character shingles of a normalised text as sorted 64-bit hashes.

    Equal shingles give equal hashes in every process (Python's `hash` of a string changes
    per process, so MinHash candidates, and with them the groups, could differ between a
    run and its re-run), and 100,000 messages' shingles fit in arrays instead of sets of
    strings (a gigabyte at 100,000 messages)."""
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if not len(codes):
        return np.zeros(0, dtype=np.uint64)
    k = min(k, len(codes))  # a text shorter than a shingle is one shingle
    n = len(codes) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = (h ^ codes[j:j + n]) * _MIX
        h ^= h >> np.uint64(29)
    return np.unique(h)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct hashes."""
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / max(1, len(a) + len(b) - inter)


@dataclass(frozen=True)
class DuplicateGroup:
    group_id: int
    members: tuple[int, ...]  # indexes into the input list
    representative: int
    template: int | None  # index of the sample text it copies, if any


def _minhash(sets: list[np.ndarray], num_perm: int = 64, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**31 - 1, num_perm, dtype=np.int64)
    b = rng.integers(0, 2**31 - 1, num_perm, dtype=np.int64)
    out = np.full((len(sets), num_perm), np.iinfo(np.int64).max, dtype=np.int64)
    prime = (1 << 31) - 1
    for i, s in enumerate(sets):
        if not len(s):
            continue
        h = (s & np.uint64(0x7FFFFFFF)).astype(np.int64)
        out[i] = ((np.outer(h, a) + b) % prime).min(axis=0)
    return out


BANDS = 16  # MinHash bands of 4 rows each: a pair sharing one band's 4 values is a candidate


def band_keys(sets: list[np.ndarray], bands: int = BANDS) -> np.ndarray:
    """(texts, bands) uint64: one hash of each band of a text's MinHash signature; texts that
    share a band's key are candidate near copies (confirmed with the exact Jaccard)."""
    sig = _minhash(sets).astype(np.uint64)
    rows = sig.shape[1] // bands
    sig = sig[:, : bands * rows].reshape(len(sets), bands, rows)
    h = np.zeros((len(sets), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            h = (h ^ sig[:, :, r]) * _MIX
        h ^= h >> np.uint64(29)
    return h


def norm_key(norm: str) -> str:
    """A normalised text's key in the near-copy index."""
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=10).hexdigest()


@dataclass
class NearCopyIndex:
    """What near-copy grouping found among the distinct normalised texts it has seen: each
    one's band keys and the near-copy component it belongs to. Kept in the store so that new
    messages are compared with the old texts and each other, not every old text with every
    other again (as scikit-learn's `partial_fit`): candidate pairs and their Jaccard are
    properties of a pair, so the components of old and new texts are the old components joined
    by the new texts' near copies, the same as grouping everything afresh."""

    settings: list = field(default_factory=list)
    bands: dict[str, np.ndarray] = field(default_factory=dict)  # norm key -> (BANDS,) uint64
    component: dict[str, str] = field(default_factory=dict)  # norm key -> its component's smallest key
    changed: set[str] = field(default_factory=set)  # keys added or moved to another component
    replaced: bool = False  # started over: the store's copy is to be replaced, not updated

    def reset(self, settings: list) -> None:
        self.settings, self.bands, self.component, self.changed, self.replaced = settings, {}, {}, set(), True


def group_duplicates(texts: list[str], samples: list[str] | None = None, threshold: float = 0.8,
                     min_chars: int = 12, index: NearCopyIndex | None = None) -> list[DuplicateGroup]:
    """Groups of exact or near-identical texts (Jaccard of 5-character shingles >= threshold).

    Candidate pairs come from MinHash banding (so 100k messages do not need 10^10
    comparisons); each candidate is confirmed with the exact Jaccard similarity.
    Very short texts ("Fuerza!") are grouped only when exactly equal, since people
    really do write the same two words independently; they are still one voice each.

    With an `index` from an earlier grouping of some of these texts (`NearCopyIndex`), only
    pairs with a text new to it are compared, and the index is updated; it starts over when
    the settings differ or a text it knows is gone (a sample text changed)."""
    samples = samples or []
    all_texts = texts + samples
    folded = {t: normalise(t) for t in dict.fromkeys(all_texts)}  # copies are folded once
    norms = [folded[t] for t in all_texts]
    parent = list(range(len(all_texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    # equal normalised texts are one group at once; near copies are looked for among the
    # distinct ones only (a sample text sent 30,000 times is shingled once)
    by_norm: dict[str, int] = {}
    distinct: list[int] = []
    for i, norm in enumerate(norms):
        if len(norm) < min_chars:
            continue
        if norm in by_norm:
            union(by_norm[norm], i)
        else:
            by_norm[norm] = i
            distinct.append(i)
    keys = {i: norm_key(norms[i]) for i in distinct}
    index = NearCopyIndex() if index is None else index
    settings = [threshold, min_chars, BANDS, 1]
    if index.settings != settings or not set(index.bands) <= set(keys.values()):
        index.reset(settings)
    index.changed = set()
    old = [i for i in distinct if keys[i] in index.bands]
    new = [i for i in distinct if keys[i] not in index.bands]
    first_of: dict[str, int] = {}
    for i in old:  # what the index knows: its components, as they were
        union(first_of.setdefault(index.component[keys[i]], i), i)
    if new:
        sets = {i: shingle_hashes(norms[i]) for i in new}

        def shingles(i: int) -> np.ndarray:
            if i not in sets:
                sets[i] = shingle_hashes(norms[i])
            return sets[i]

        fresh = set(new)
        apart: set[tuple[int, int]] = set()  # pairs found below the threshold: near texts share many bands

        def similar(i: int, j: int) -> bool:
            if i not in fresh and j not in fresh:
                return False  # two known texts in different components: the index compared them
            pair = (i, j) if i < j else (j, i)
            if pair in apart:
                return False
            if jaccard(shingles(i), shingles(j)) >= threshold:
                return True
            apart.add(pair)
            return False

        new_keys = band_keys([sets[i] for i in new])
        order = np.array(old + new)
        table = np.vstack([np.array([index.bands[keys[i]] for i in old], dtype=np.uint64).reshape(-1, BANDS),
                           new_keys])
        for band in range(BANDS):
            col = table[:, band]
            hit = np.nonzero(np.isin(col, col[len(old):]))[0]  # buckets with a new text in them
            hit = hit[np.lexsort((order[hit], col[hit]))]  # by key, then in the texts' order
            cuts = np.nonzero(np.diff(col[hit]))[0] + 1
            for bucket in np.split(hit, cuts):
                if len(bucket) < 2:
                    continue
                members = [int(x) for x in order[bucket]]
                first = members[0]
                for j in members[1:]:
                    if find(first) == find(j):
                        continue
                    if similar(first, j):
                        union(first, j)
                    else:  # compare with the others in the bucket too (buckets are small)
                        for k in members[1:]:
                            if k != j and find(k) != find(j) and similar(k, j):
                                union(k, j)
        for i, row in zip(new, new_keys):
            index.bands[keys[i]] = row
    smallest: dict[int, str] = {}
    for i in distinct:
        root = find(i)
        if root not in smallest or keys[i] < smallest[root]:
            smallest[root] = keys[i]
    for i in distinct:
        label = smallest[find(i)]
        if index.component.get(keys[i]) != label:
            index.component[keys[i]] = label
            index.changed.add(keys[i])
    clusters: dict[int, list[int]] = {}
    for i in range(len(all_texts)):
        clusters.setdefault(find(i), []).append(i)
    groups = []
    n = len(texts)
    for members in clusters.values():
        message_members = [i for i in members if i < n]
        sample = next((i - n for i in members if i >= n), None)
        if not message_members or (len(message_members) < 2 and sample is None):
            continue
        # representative: the longest member (most of what people added to the template)
        representative = max(message_members, key=lambda i: (len(texts[i]), -i))
        groups.append(DuplicateGroup(len(groups), tuple(message_members), representative, sample))
    return groups
