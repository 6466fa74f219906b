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


def shingles(text: str, k: int = 5) -> set[str]:
    norm = normalise(text)
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i:i + k] for i in range(len(norm) - k + 1)}


@dataclass(frozen=True)
class DuplicateGroup:
    group_id: int
    members: tuple[int, ...]  # indexes into the input list
    representative: int
    template: int | None  # index of the sample text it copies, if any


def _minhash(sets: list[set[str]], num_perm: int = 64, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**31 - 1, num_perm, dtype=np.int64)
    b = rng.integers(0, 2**31 - 1, num_perm, dtype=np.int64)
    out = np.full((len(sets), num_perm), np.iinfo(np.int64).max, dtype=np.int64)
    prime = (1 << 31) - 1
    for i, s in enumerate(sets):
        if not s:
            continue
        h = np.fromiter((hash(x) & 0x7FFFFFFF for x in s), dtype=np.int64, count=len(s))
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
    sets = [shingles(t) for t in all_texts]
    norms = [normalise(t) for t in all_texts]
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

    long_enough = [i for i, n in enumerate(norms) if len(n) >= min_chars]
    by_norm: dict[str, int] = {}
    for i in long_enough:
        if norms[i] in by_norm:
            union(by_norm[norms[i]], i)
        else:
            by_norm[norms[i]] = i
    if long_enough:
        sig = _minhash([sets[i] for i in long_enough])
        bands, rows = 16, sig.shape[1] // 16
        for band in range(bands):
            buckets: dict[bytes, list[int]] = {}
            for pos, i in enumerate(long_enough):
                buckets.setdefault(sig[pos, band * rows:(band + 1) * rows].tobytes(), []).append(i)
            for members in buckets.values():
                if len(members) < 2:
                    continue
                first = members[0]
                for j in members[1:]:
                    if find(first) == find(j):
                        continue
                    inter = len(sets[first] & sets[j])
                    if inter / max(1, len(sets[first] | sets[j])) >= threshold:
                        union(first, j)
                    else:  # compare with the others in the bucket too (buckets are small)
                        for k in members[1:]:
                            if k != j and find(k) != find(j):
                                inter = len(sets[k] & sets[j])
                                if inter / max(1, len(sets[k] | sets[j])) >= threshold:
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
