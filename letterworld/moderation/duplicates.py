"""Exact and near duplicates, and copies of the campaign's sample texts.

A sample text sent 10,000 times is one voice with a weight, not 10,000 voices:
groups are counted and one representative is kept."""

from __future__ import annotations

from dataclasses import dataclass

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


def group_duplicates(texts: list[str], samples: list[str] | None = None, threshold: float = 0.8,
                     min_chars: int = 12) -> list[DuplicateGroup]:
    """Groups of exact or near-identical texts (Jaccard of 5-character shingles >= threshold).

    Candidate pairs come from MinHash banding (so 100k messages do not need 10^10
    comparisons); each candidate is confirmed with the exact Jaccard similarity.
    Very short texts ("Fuerza!") are grouped only when exactly equal, since people
    really do write the same two words independently; they are still one voice each.
    """
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
    if distinct:
        sets = {i: shingle_hashes(norms[i]) for i in distinct}
        apart: set[tuple[int, int]] = set()  # pairs found below the threshold: near texts share many bands

        def similar(i: int, j: int) -> bool:
            pair = (i, j) if i < j else (j, i)
            if pair in apart:
                return False
            if jaccard(sets[i], sets[j]) >= threshold:
                return True
            apart.add(pair)
            return False

        sig = _minhash([sets[i] for i in distinct])
        bands, rows = 16, sig.shape[1] // 16
        for band in range(bands):
            buckets: dict[bytes, list[int]] = {}
            for pos, i in enumerate(distinct):
                buckets.setdefault(sig[pos, band * rows:(band + 1) * rows].tobytes(), []).append(i)
            for members in buckets.values():
                if len(members) < 2:
                    continue
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
