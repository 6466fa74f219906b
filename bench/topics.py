"""Themes against human topic labels, side by side with the simplest baseline (issue 18).

    .venv/bin/python bench/topics.py [--seeds 5] [--explore] [--scale] [--scale-rows 100000,500000]
                                     [--cache /tmp/letterworld-bench-cache/topics.sqlite]

* Data: ``../shared/eval/topics/sib200_train.<lang>.tsv`` (SIB-200 train sentences: the same
  701 index_ids in 16 languages, one of 7 human topic labels each). Read from that folder
  only, at bench time; when it is absent the bench prints one line and exits 0. Vectors
  come from letterworld's default embedder, cached in ``--cache`` (outside the project).
* Halves: index_ids split by a fixed hash (sha256 of the id, first byte even = "dev", odd =
  "held-out"); each half (all its ids, all 16 languages) is clustered on its own. Every
  design choice of the default clustering (method, parameters; ``--explore`` prints the
  candidates) was made on the dev half; the held-out half is reported with those settings.
* Methods, all at k=7 (the number of labels), one recipient for all messages:
  - baseline: scikit-learn KMeans(7) (default n_init) on the embeddings with each
    language's mean removed, renormalised;
  - "before": letterworld's clustering as it was before issue 18 (ThemeSpace, joined
    translations, 5-neighbour smoothing, one spherical k-means; `cluster(...,
    method="kmeans")`);
  - "default": letterworld's default path now (`letterworld.themes.theme_vectors` +
    `cluster`), i.e. what `stages.themes` runs.
* Metrics: NMI (sklearn normalized_mutual_info_score, arithmetic) against the topic labels
  with unassigned rows counted as one label of their own ("NMI all"), and on the assigned
  rows only ("NMI assigned"); translations together ("ids together": share of index_ids
  whose 16 sentences are all assigned to one theme; "pair rate": mean over ids and
  language pairs of both sentences being assigned to the same theme); unassigned share;
  stability (mean pairwise adjusted Rand index between the seeds' partitions); seconds
  per run (clustering only, not embedding). Per-language NMI (each language's sentences'
  labels against their themes) for the baseline and the default, median over seeds.
* ``--within DB [DB ...]``: the same held-out half clustered *inside a campaign*: together with
  the approved messages of a store that bench/scale.py kept (`--keep`), one row per distinct
  (text, language), vectors from that store; k = 7 + the number of themes the store's own
  themes stage chose. The metrics are computed on the SIB-200 rows only, for the default and
  for the baseline on the same rows at the same k (issue 18: the theme figures at 100,000
  messages).
* ``--scale``: the whole clustering path (meaning space, joined translations, smoothing,
  clustering) on random 384-d unit vectors (mixture of 40 directions, 8 languages) at
  100,000 and 500,000 rows: seconds and peak memory (tracemalloc, numpy allocations)
  beyond the input vectors. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LETTERWORLD_NO_PROGRESS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
TOPICS = REPO.parent / "shared" / "eval" / "topics"
K = 7

from machine import header  # bench/machine.py


def half_of(index_id: str) -> str:
    return "dev" if hashlib.sha256(index_id.encode()).digest()[0] % 2 == 0 else "held-out"


def load(folder: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """texts, languages, index_ids and labels, every language file in turn."""
    texts, langs, ids, labels = [], [], [], []
    for path in sorted(folder.glob("sib200_train.*.tsv")):
        lang = path.name.split(".")[1]
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                texts.append(row["text"])
                langs.append(lang)
                ids.append(row["index_id"])
                labels.append(row["category"])
    return texts, langs, ids, labels


# -- methods: (vectors, langs, seed) -> labels (-1 = unassigned) -----------------------------
def baseline(v: np.ndarray, langs: list[str], seed: int, k: int = K) -> np.ndarray:
    from sklearn.cluster import KMeans

    x = np.asarray(v, dtype=np.float64).copy()
    la = np.asarray(langs)
    for lang in np.unique(la):
        x[la == lang] -= x[la == lang].mean(axis=0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # a language of one row centres to zero
    return KMeans(n_clusters=k, random_state=seed).fit_predict(x)


def before(v: np.ndarray, langs: list[str], seed: int, k: int = K) -> np.ndarray:
    from letterworld.themes import (
        ThemeSpace,
        cluster,
        join_translations,
        smooth_neighbours,
    )

    x = ThemeSpace().fit_transform(v, langs, [""] * len(v))
    x = smooth_neighbours(join_translations(x, langs), 5)
    return cluster(x, n_themes=k, seed=seed, method="kmeans").labels


def default(v: np.ndarray, langs: list[str], seed: int, k: int = K) -> np.ndarray:
    from letterworld.themes import ThemeSpace, cluster, theme_vectors

    x = theme_vectors(ThemeSpace().fit_transform(v, langs, [""] * len(v)), langs)
    return cluster(x, n_themes=k, seed=seed).labels


def explore_variants() -> dict:
    """Candidates tried on the dev half; the chosen one (diffusion, 100 neighbours, 20 dims,
    time 16, smoothing 5) became the default."""
    from letterworld import themes as T
    from letterworld.themes import ThemeSpace

    def without_top(x: np.ndarray, top: int) -> np.ndarray:  # "all-but-the-top" (Mu & Viswanath 2018)
        y = x - x.mean(axis=0)
        vt = np.linalg.svd(y.astype(np.float64), full_matrices=False)[2][:top]
        y = y - (y @ vt.T) @ vt
        return (y / np.linalg.norm(y, axis=1, keepdims=True)).astype(np.float32)

    def make(smooth=5, top=0, **kw):
        def run(v, langs, seed, k=K):
            x = ThemeSpace().fit_transform(v, langs, [""] * len(v))
            if top:
                x = without_top(x, top)
            x = T.theme_vectors(x, langs, neighbours=smooth)
            return T.cluster(x, n_themes=k, seed=seed, **kw).labels
        return run

    out = {}
    for s in (0, 5, 20, 40):
        out[f"kmeans, smoothing {s}"] = make(smooth=s, method="kmeans")
    out["kmeans, top 3 PCs removed"] = make(top=3, method="kmeans")
    for m in (50, 100):
        out[f"kmeans {m} cells -> Ward"] = make(method="merge", merge_from=m)
    for g, d, t in ((30, 30, 1), (30, 30, 16), (100, 30, 1), (100, 30, 4), (100, 30, 16), (100, 30, 32),
                    (100, 20, 16), (70, 30, 16), (150, 30, 16)):
        out[f"diffusion g{g} d{d} t{t}"] = make(method="diffusion", graph_neighbours=g, diffusion_dims=d,
                                                diffusion_time=t)
    out["diffusion g100 d20 t16, smoothing 10"] = make(smooth=10, method="diffusion")
    return out


# -- metrics ----------------------------------------------------------------------------------
def together(labels: np.ndarray, ids: np.ndarray) -> tuple[float, float]:
    """Share of ids whose rows are all assigned to one theme; mean same-theme rate over each
    id's language pairs (an unassigned side is a miss)."""
    full, pair = [], []
    order = np.argsort(ids, kind="stable")
    ids_s, lab_s = ids[order], labels[order]
    bounds = np.flatnonzero(np.r_[True, ids_s[1:] != ids_s[:-1], True])
    for a, b in itertools.pairwise(bounds.tolist()):
        lab = lab_s[a:b]
        m = len(lab)
        ok = lab[lab >= 0]
        full.append(len(ok) == m and len(set(ok.tolist())) == 1)
        same = sum(c * (c - 1) / 2 for c in np.bincount(ok).tolist()) if len(ok) else 0
        pair.append(same / (m * (m - 1) / 2) if m > 1 else 1.0)
    return float(np.mean(full)), float(np.mean(pair))


def evaluate(name, fn, v, langs, ids, topics, seeds, *, k: int = K, keep: np.ndarray | None = None) -> dict:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics import normalized_mutual_info_score as nmi

    runs, secs = [], []
    for seed in seeds:
        t = time.perf_counter()
        lab = np.asarray(fn(v, langs, seed, k))
        runs.append(lab if keep is None else lab[keep])  # `keep`: the labelled rows among all clustered
        secs.append(time.perf_counter() - t)
    la = np.asarray(langs) if keep is None else np.asarray(langs)[keep]
    rows = {"name": name, "nmi_all": [], "nmi_assigned": [], "ids_together": [], "pair_rate": [],
            "unassigned": [], "per_lang": {lang: [] for lang in sorted(set(la.tolist()))}}
    for lab in runs:
        rows["nmi_all"].append(nmi(topics, lab))
        a = lab >= 0
        rows["nmi_assigned"].append(nmi(topics[a], lab[a]))
        t_full, t_pair = together(lab, ids)
        rows["ids_together"].append(t_full)
        rows["pair_rate"].append(t_pair)
        rows["unassigned"].append(float((~a).mean()))
        for lang in rows["per_lang"]:
            m = la == lang
            rows["per_lang"][lang].append(nmi(topics[m], lab[m]))
    pairs = [adjusted_rand_score(runs[i], runs[j]) for i in range(len(runs)) for j in range(i + 1, len(runs))]
    rows["stability"] = float(np.mean(pairs)) if pairs else float("nan")
    rows["seconds"] = float(np.mean(secs))
    return rows


def fmt(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def table(results: list[dict]) -> None:
    print(f"  {'method':<44} {'NMI all':>21} {'NMI assigned':>21} {'ids together':>21} {'pair rate':>21} "
          f"{'unassigned':>10} {'ARI seeds':>9} {'s/run':>6}")
    for r in results:
        print(f"  {r['name']:<44} {fmt(r['nmi_all']):>21} {fmt(r['nmi_assigned']):>21} "
              f"{fmt(r['ids_together']):>21} {fmt(r['pair_rate']):>21} {np.median(r['unassigned']):>10.3f} "
              f"{r['stability']:>9.3f} {r['seconds']:>6.1f}")


def per_language(results: list[dict]) -> None:
    langs = list(results[0]["per_lang"])
    print("  per-language NMI (median over seeds):  " + " ".join(f"{lang[:3]:>5}" for lang in langs))
    for r in results:
        print(f"  {r['name']:<39} " + " ".join(f"{np.median(r['per_lang'][lang]):>5.2f}" for lang in langs))


def campaign_rows(db: Path) -> tuple[np.ndarray, list[str], int, int]:
    """A kept scale store's approved messages, one row per distinct (text, language): vectors,
    languages, the number of approved messages and of themes the store's themes stage chose."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute("SELECT e.vector, d.lang FROM (SELECT DISTINCT m.text_hash AS h, l.lang AS lang "
                       "FROM messages m JOIN languages l ON l.message_id = m.id "
                       "JOIN moderation o ON o.message_id = m.id WHERE o.status = 'approved') d "
                       "JOIN embeddings e ON e.text_hash = d.h").fetchall()
    approved = con.execute("SELECT count(*) FROM moderation WHERE status = 'approved'").fetchone()[0]
    themes = con.execute("SELECT count(*) FROM themes").fetchone()[0]
    con.close()
    v = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    return v, [r[1] for r in rows], approved, themes


ISO1 = {"amh": "am", "arb": "ar", "deu": "de", "eng": "en", "fra": "fr", "hin": "hi", "ind": "id", "ita": "it",
        "jpn": "ja", "kor": "ko", "por": "pt", "rus": "ru", "spa": "es", "tur": "tr", "vie": "vi", "zho": "zh"}


def within(dbs: list[Path], v: np.ndarray, langs: list[str], ids: np.ndarray, topics: np.ndarray,
           seeds: list[int]) -> None:
    for db in dbs:
        cv, clangs, approved, themes = campaign_rows(db)
        k = K + themes
        allv = np.concatenate([cv, v]).astype(np.float32)
        alll = clangs + [ISO1.get(lang.split("_")[0], lang) for lang in langs]  # centred with the campaign's own
        rows = np.arange(len(cv), len(allv))
        print(f"\n== held-out half inside the campaign {db.name}: {approved:,} approved messages, {len(cv):,} "
              f"distinct (text, language) rows, its themes stage chose {themes} themes; with the {len(v):,} "
              f"SIB-200 sentences {len(allv):,} rows; k={k}; {len(seeds)} seeds; figures on the SIB-200 rows ==")
        results = [evaluate("baseline: KMeans on language-centred e5", baseline, allv, alll, ids, topics, seeds,
                            k=k, keep=rows),
                   evaluate("letterworld default (now)", default, allv, alll, ids, topics, seeds, k=k, keep=rows)]
        table(results)
        per_language(results)


# -- scale ------------------------------------------------------------------------------------
def synthetic(n: int, dim: int = 384, centres: int = 40, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, dim)).astype(np.float32)
    lang_dir = rng.standard_normal((8, dim)).astype(np.float32)
    x = np.empty((n, dim), dtype=np.float32)
    pick = rng.integers(0, centres, n)
    lang = rng.integers(0, 8, n)
    for s in range(0, n, 50_000):
        e = min(n, s + 50_000)
        x[s:e] = c[pick[s:e]] + 0.5 * lang_dir[lang[s:e]] + 1.2 * rng.standard_normal((e - s, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, [f"l{i}" for i in lang.tolist()]


def scale(rows: list[int]) -> None:
    import tracemalloc

    from letterworld.themes import EXACT_NEIGHBOURS, ThemeSpace, cluster, theme_vectors

    print("\n== scale: whole clustering path on synthetic 384-d vectors (40 directions, 8 languages) ==")
    print("  seconds per step; peak = tracemalloc peak of numpy/python allocations beyond the input "
          "(input itself: n x 384 x 4 bytes); max RSS from getrusage")
    import resource

    for n in rows:
        v, langs = synthetic(n)
        tracemalloc.start()
        t0 = time.perf_counter()
        x = ThemeSpace().fit_transform(v, langs, [""] * n)
        t1 = time.perf_counter()
        x = theme_vectors(x, langs, in_place=True)
        t2 = time.perf_counter()
        r = cluster(x, n_themes=0, seed=0)
        t3 = time.perf_counter()
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        t4 = time.perf_counter()
        r = cluster(x, n_themes=0, seed=0)
        t5 = time.perf_counter()
        _cur, peak_cluster = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  n={n:>7,}: space {t1 - t0:6.1f}s, join+smooth {t2 - t1:6.1f}s, cluster (k chosen: {r.k}) "
              f"{t3 - t2:6.1f}s, total {t3 - t0:6.1f}s; peak extra, whole path {peak / 2**20:,.0f} MiB, "
              f"cluster() alone {peak_cluster / 2**20:,.0f} MiB ({t5 - t4:.1f}s again) "
              f"(input {v.nbytes / 2**20:,.0f} MiB, one n x 384 float32 copy the same); "
              f"unassigned {(r.labels < 0).mean():.3f}; themes >= 2% of rows: "
              f"{int((np.bincount(r.labels[r.labels >= 0]) >= 0.02 * n).sum())}; max RSS so far {rss:,.0f} MiB")
        # recall of the neighbour index against exact search, on 500 random rows
        from letterworld.themes import nearest_neighbours

        t6 = time.perf_counter()
        got, _ = nearest_neighbours(x, 5)
        t7 = time.perf_counter()
        q = np.random.default_rng(1).choice(n, 500, replace=False)
        sims = x[q] @ x.T
        sims[np.arange(500), q] = -np.inf
        exact = np.argsort(-sims, axis=1)[:, :5]
        recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(got[q], exact)])
        print(f"           5 nearest neighbours ({'exact blocks' if n <= EXACT_NEIGHBOURS else 'index'}) "
              f"{t7 - t6:.1f}s, recall@5 vs exact on 500 rows {recall:.3f}")
        del v, x


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--cache", default="/tmp/letterworld-bench-cache/topics.sqlite")
    ap.add_argument("--explore", action="store_true", help="also print the candidates tried on the dev half")
    ap.add_argument("--scale", action="store_true", help="also time the clustering path on synthetic vectors")
    ap.add_argument("--scale-rows", default="100000,500000")
    ap.add_argument("--only-scale", action="store_true")
    ap.add_argument("--within", type=Path, nargs="+", default=[],
                    help="also cluster the held-out half inside these kept bench/scale.py stores")
    args = ap.parse_args()
    print(header())
    if not args.only_scale:
        if not TOPICS.is_dir() or not list(TOPICS.glob("sib200_train.*.tsv")):
            print(f"skipped: no topic-labelled sentences at {TOPICS}")
            return 0
        from letterworld.embedding import embed_with_cache_file

        texts, langs, ids, labels = load(TOPICS)
        t = time.perf_counter()
        vectors = embed_with_cache_file(texts, args.cache)
        print(f"{len(texts)} sentences, {len(set(langs))} languages, {len(set(ids))} index_ids, "
              f"{len(set(labels))} labels; embedded/cached in {time.perf_counter() - t:.0f}s")
        seeds = list(range(args.seeds))
        halves = np.array([half_of(i) for i in ids])
        names = sorted(set(labels))
        topics_all = np.array([names.index(lab) for lab in labels])
        ids_all = np.array([int(i) for i in ids])
        for half in ("dev", "held-out"):
            m = np.flatnonzero(halves == half)
            v, la, ii, tt = vectors[m], [langs[i] for i in m], ids_all[m], topics_all[m]
            note = ("every design choice was made on this half" if half == "dev"
                    else "held out: run with the settings chosen on the dev half")
            print(f"\n== {half} half: {len(set(ii.tolist()))} index_ids x {len(set(la))} languages = {len(m)} "
                  f"sentences; k={K}; {len(seeds)} seeds; {note} ==")
            results = [evaluate("baseline: KMeans on language-centred e5", baseline, v, la, ii, tt, seeds),
                       evaluate("letterworld before (kmeans, smooth 5)", before, v, la, ii, tt, seeds),
                       evaluate("letterworld default (now)", default, v, la, ii, tt, seeds)]
            table(results)
            per_language([results[0], results[2]])
            if half == "held-out" and args.within:
                within(args.within, v, la, ii, tt, seeds)
            if args.explore and half == "dev":
                print("\n  candidates tried on the dev half only (same seeds):")
                table([evaluate(name, fn, v, la, ii, tt, seeds) for name, fn in explore_variants().items()])
    if args.scale or args.only_scale:
        scale([int(r) for r in args.scale_rows.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
