"""Themes and excerpts, measured: cross-lingual consistency on Tatoeba, unassigned shares,
stability, coverage of the demo letter, and a BERTopic-style representative selection
side by side with letterworld's on the same clusters.

    .venv/bin/python bench/themes.py [--limit 1000] [--db demo-out/campaign.db] [--skip-tatoeba]

* Tatoeba (``../shared/eval/parallel/tatoeba.XXX-eng.{XXX,eng}``, 15 languages with
  English): every foreign sentence and its English side go into one mixed set, which is
  embedded (vectors cached in ``--cache``, default under /tmp), put into letterworld's
  meaning space (language centring, common direction removed; recipients are all "") and
  clustered with letterworld's defaults. Reported: the share of translation pairs whose
  two sides land in the same theme (an unassigned side counts as a miss), unassigned
  share, and top-1 translation retrieval (foreign -> its language file's English sides).
  The same figures for the raw e5 space, for language centring alone and for the theme
  space (meaning space + neighbour smoothing), side by side: on all 1000 pairs per
  language, and on each half (pairs 1-500 = "A", on which the smoothing's k was chosen;
  pairs 501-1000 = "B", held out). Also the calibration of the sentence threshold used to
  recognise translated sample texts (share of true translation pairs and of random pairs
  at or above it, on half A).
* Demo: with ``--db`` a store from ``letterworld demo``; otherwise the demo pipeline
  runs into a temporary folder (no rendering). Reported: k, stability and silhouette
  per k, unassigned share, theme stability when 20% of messages arrive later, coverage
  of the letter (eligible languages, all languages, countries), and the BERTopic-style
  baseline's coverage on the same clusters and the same candidate sentences; and every
  message flagged as a translation or paraphrase of a sample text (to compare with the
  planted ones listed in corpora/demo/parts/*.md).

Nothing is fitted on the evaluation data.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LETTERWORLD_NO_PROGRESS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
PARALLEL = REPO.parent / "shared" / "eval" / "parallel"
LANGS = {"ara": "ar", "cmn": "zh", "deu": "de", "fra": "fr", "hin": "hi", "ita": "it", "jpn": "ja", "kor": "ko",
         "nld": "nl", "pol": "pl", "por": "pt", "rus": "ru", "spa": "es", "tur": "tr", "vie": "vi"}

from machine import header  # bench/machine.py
from letterworld.themes import (
    SENTENCE_MATCH,
    UNASSIGNED,
    centre_groups,
    cluster,
    cross_lingual_partners,
    join_translations,
    remove_common_direction,
    smooth_neighbours,
)


# -- vectors ----------------------------------------------------------------------
def cached_vectors(texts: list[str], cache: Path, model: str | None = None) -> np.ndarray:
    """Vectors for texts, embedding only those missing from the cache file."""
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache, allow_pickle=True)
        known = dict(zip(data["texts"].tolist(), data["vectors"]))
    todo = sorted(set(texts) - set(known))
    if todo:
        from letterworld.embedding import load_embedder

        emb = load_embedder(model)
        t0 = time.perf_counter()
        for i in range(0, len(todo), 256):
            for t, v in zip(todo[i:i + 256], emb.encode(todo[i:i + 256])):
                known[t] = v
            print(f"  embedded {min(i + 256, len(todo))}/{len(todo)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        keys = sorted(known)
        np.savez(cache, texts=np.array(keys, dtype=object), vectors=np.stack([known[k] for k in keys]))
    return np.stack([known[t] for t in texts]).astype(np.float32)


# -- Tatoeba ----------------------------------------------------------------------
def load_pairs(limit: int) -> list[tuple[str, str, str]]:
    pairs = []
    for code, lang in LANGS.items():
        src = PARALLEL / f"tatoeba.{code}-eng.{code}"
        eng = PARALLEL / f"tatoeba.{code}-eng.eng"
        if not src.exists():
            continue
        a = src.read_text(encoding="utf-8").splitlines()[:limit]
        b = eng.read_text(encoding="utf-8").splitlines()[:limit]
        pairs += [(lang, x, y) for x, y in zip(a, b)]
    return pairs


def tatoeba(limit: int, cache: Path) -> None:
    pairs = load_pairs(limit)
    if not pairs:
        print("tatoeba: ../shared/eval/parallel not found, skipped")
        return
    n = len(pairs)
    texts = [p[1] for p in pairs] + [p[2] for p in pairs]
    langs = [p[0] for p in pairs] + ["en"] * n
    v = cached_vectors(texts, cache)
    print(f"\n## Tatoeba: {n} pairs in {len({p[0] for p in pairs})} languages with English (mixed set of {2 * n})")
    position: dict[str, int] = {}
    half = []  # "A": the first half of each language's pairs, "B": the second
    for p in pairs:
        position[p[0]] = position.get(p[0], 0) + 1
        half.append("A" if position[p[0]] <= limit // 2 else "B")
    half = np.array(half)
    sets = {"all": np.arange(n), "A": np.where(half == "A")[0], "B": np.where(half == "B")[0]}
    for set_name, idx in sets.items():
        sel = np.concatenate([idx, n + idx])
        sub_pairs = [pairs[i] for i in idx]
        sub_langs = [langs[i] for i in sel]
        lang_centred = centre_groups(v[sel], sub_langs)
        meaning = remove_common_direction(lang_centred)
        spaces = {
            "raw e5": v[sel],
            "language-centred": lang_centred,
            "meaning space": meaning,
            "meaning space + neighbour smoothing (before)": smooth_neighbours(meaning),
            "meaning space + translations joined": join_translations(meaning, sub_langs),
            "theme space: translations joined + neighbour smoothing (after)":
                smooth_neighbours(join_translations(meaning, sub_langs)),
        }
        partners = cross_lingual_partners(meaning, sub_langs)
        m_ = len(idx)
        linked = partners >= 0
        right = linked[:m_] & (partners[:m_] == m_ + np.arange(m_))
        print(f"\n{set_name}: cross-lingual mutual nearest pairs: {linked.mean():.3f} of sentences joined; "
              f"{right.mean():.3f} of foreign sentences joined to their own English side, "
              f"{(linked[:m_] & ~right).mean():.3f} to another sentence")
        if set_name == "A":
            calibrate_sentence_threshold(meaning, len(idx))
        if set_name != "all":
            spaces = {k: x for k, x in spaces.items() if k.startswith(("meaning space", "theme"))}
        print(f"\n### pairs: {set_name} ({len(idx)} pairs)")
        print("\ntop-1 translation retrieval (foreign -> English side among its file's English sentences)")
        codes = sorted({p[0] for p in sub_pairs})
        print("| space | " + " | ".join(codes) + " | mean |")
        print("|---|" + "---:|" * (len(codes) + 1))
        m = len(idx)
        for name, x in spaces.items():
            accs = []
            for lang in codes:
                li = np.array([i for i, p in enumerate(sub_pairs) if p[0] == lang])
                sims = x[li] @ x[m + li].T
                accs.append(float((sims.argmax(axis=1) == np.arange(len(li))).mean()))
            print(f"| {name} | " + " | ".join(f"{a:.3f}" for a in accs) + f" | {np.mean(accs):.3f} |")
        print("\nclustering the mixed set (letterworld defaults: k chosen in 4-12, max 10% unassigned)")
        print("| space | k | stability | same theme (all pairs) | same theme (both assigned) | unassigned | seconds |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, x in spaces.items():
            for n_themes in (0, 4, 8, 12):
                if n_themes == 4 and set_name == "all":
                    continue
                t0 = time.perf_counter()
                r = cluster(x, n_themes=n_themes, seed=0)
                secs = time.perf_counter() - t0
                a, b = r.labels[:m], r.labels[m:]
                same = (a == b) & (a != UNASSIGNED)
                both = (a != UNASSIGNED) & (b != UNASSIGNED)
                k = f"{r.k}" + ("" if n_themes else " (auto)")
                stab = f"{r.stability:.3f}" if not math.isnan(r.stability) else "-"
                print(f"| {name} | {k} | {stab} | {same.mean():.3f} | {same[both].mean():.3f} | "
                      f"{(r.labels == UNASSIGNED).mean():.3f} | {secs:.1f} |", flush=True)


def calibrate_sentence_threshold(x: np.ndarray, n: int) -> None:
    """How SENTENCE_MATCH separates translations from other sentences in the meaning space
    (half A only): true pairs at or above it, and random foreign-English pairs."""
    pair = np.sum(x[:n] * x[n:], axis=1)
    rand = np.concatenate([np.sum(x[:n] * x[n:][np.random.default_rng(s).permutation(n)], axis=1) for s in range(5)])
    print(f"\nsentence threshold {SENTENCE_MATCH} (translated sample texts), half A: "
          f"{(pair >= SENTENCE_MATCH).mean():.3f} of translation pairs at or above it, "
          f"{(rand >= SENTENCE_MATCH).mean():.4f} of random pairs; translation pairs' 5th/10th percentile "
          f"{np.percentile(pair, 5):.3f}/{np.percentile(pair, 10):.3f}, random pairs' 99th/99.9th "
          f"{np.percentile(rand, 99):.3f}/{np.percentile(rand, 99.9):.3f}")


# -- demo -------------------------------------------------------------------------
def demo_store(db: str | None) -> Path:
    if db:
        return Path(db)
    from letterworld.pipeline import demo_config, demo_inputs, run
    from letterworld.progress import set_quiet

    set_quiet(True)
    out = Path(tempfile.mkdtemp(prefix="lw-bench-themes-"))
    t0 = time.perf_counter()
    run(demo_inputs(), out, demo_config(), render=False)
    print(f"(demo pipeline ran into {out} in {time.perf_counter() - t0:.0f} s)")
    return out / "campaign.db"


def ctfidf_representatives(pool, per_theme: int) -> list:
    """BERTopic's representative documents on the same clusters and candidates: c-TF-IDF of
    each theme over all its messages (one bag of words for every language, CountVectorizer's
    default tokenisation as in BERTopic), then each candidate's c-TF-IDF vector compared by
    cosine with its theme's; the top `per_theme` per theme, one per message."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize


    theme_ids = list(pool.centroids)
    members = pool.theme_members
    docs = {t: [] for t in theme_ids}
    for m, text in zip(pool.el.messages, pool.el.texts):
        if m.id in members and members[m.id][0] in docs:
            docs[members[m.id][0]].append(text)
    vec = CountVectorizer()  # token_pattern (?u)\b\w\w+\b, BERTopic's default
    tf = vec.fit_transform([" ".join(docs[t]) for t in theme_ids]).toarray().astype(float)
    avg = tf.sum() / len(theme_ids)
    idf = np.log(1 + avg / np.maximum(tf.sum(axis=0), 1))
    topic = normalize(normalize(tf, norm="l1") * idf)
    picked = []
    for k, t in enumerate(theme_ids):
        idx = [i for i, c in enumerate(pool.cands) if c.theme_id == t]
        if not idx:
            continue
        d = vec.transform([pool.cands[i].text for i in idx]).toarray().astype(float)
        d = normalize(normalize(d, norm="l1") * idf)
        sims = d @ topic[k]
        used: set[int] = set()
        for j in np.argsort(-sims, kind="stable"):
            c = pool.cands[idx[j]]
            if c.message_id in used:
                continue
            used.add(c.message_id)
            picked.append(c)
            if len(used) == per_theme:
                break
    return picked


def coverage(picked: list, pool) -> dict:
    langs = Counter(c.lang for c in picked)
    countries = Counter(c.country for c in picked if c.country)
    eligible_countries = {m.country for m, lang in zip(pool.el.messages, pool.el.langs)
                          if m.country and m.id in pool.recipient_ids}
    all_langs = {lang for lang in pool.message_langs if lang != "und"}
    return {"excerpts": len(picked), "languages": len(langs),
            "required covered": f"{len(pool.required & set(langs))}/{len(pool.required)}",
            "share of all languages": round(len(set(langs) & all_langs) / max(1, len(all_langs)), 3),
            "countries": len(countries),
            "share of countries": round(len(countries) / max(1, len(eligible_countries)), 3),
            "largest language share": f"{langs.most_common(1)[0][0]} {langs.most_common(1)[0][1] / len(picked):.2f}"
            if picked else "-"}


def stability_when_messages_arrive(x_all: np.ndarray, langs, recipients, weights, order, cfg) -> dict:
    """Cluster the first 80% (by id), then add the rest and re-run without re-clustering, as
    `letterworld themes` does: theme ids and centroids are kept by construction; report how
    many early messages keep their theme after the meaning space is recomputed with the
    newcomers, and the adjusted Rand index between seeds on the full set."""
    from sklearn.metrics import adjusted_rand_score

    from letterworld.stages import theme_space
    from letterworld.themes import assign

    n = len(order)
    early = np.sort(order[: int(0.8 * n)])
    xe = theme_space(x_all[early], [langs[i] for i in early], [recipients[i] for i in early])
    r = cluster(xe, weights[early], min_themes=cfg.min_themes, max_themes=cfg.max_themes, seed=cfg.seed)
    before, _ = assign(xe, r.centroids)
    xa = theme_space(x_all, langs, recipients)
    after, _ = assign(xa, r.centroids)
    kept = float((after[early] == before).mean())
    full = [cluster(xa, weights, n_themes=r.k, seed=s).labels for s in range(3)]
    ari = np.mean([adjusted_rand_score(full[i], full[j]) for i in range(3) for j in range(i + 1, 3)])
    return {"k on 80%": r.k, "early messages keeping their theme": round(kept, 3),
            "new messages": n - len(early), "ARI between seeds 0-2 at that k (full set)": round(float(ari), 3)}


def demo(db: str | None) -> None:
    from letterworld.embedding import load_embedder
    from letterworld.pipeline import demo_config
    from letterworld.stages import (
        choose_recipient,
        eligible,
        embed,
        excerpt_pool,
        theme_space,
    )
    from letterworld.store import Store

    path = demo_store(db)
    cfg = demo_config()
    embedder = load_embedder(cfg.embed.model)
    with Store(path) as store:
        print(f"\n## Demo corpus ({path})\n\nflagged as a paraphrase or translation of a sample text "
              "(besides shingle copies):")
        all_flags = store.flags()
        for m in store.messages():
            for f in all_flags.get(m.id, ()):
                if f.kind == "template" and f.reason.startswith(("translation", "close paraphrase")):
                    print(f"- {Path(m.source_file).name}:{m.source_row} {f.reason}: {m.text[:70]!r}")
        el = eligible(store)
        members = store.theme_members()
        themes = store.themes()
        v, _ = embed(store, cfg, embedder, el.texts)
        recips = [m.recipient for m in el.messages]
        x = theme_space(v, el.langs, recips)
        un = sum(1 for m in el.messages if m.id not in members)
        print(f"eligible messages (duplicate groups as one): {len(el.messages)}; themes: {len(themes)}; "
              f"unassigned {un} ({un / max(1, len(el.messages)):.3f})")
        r = cluster(x, el.weights, min_themes=cfg.themes.min_themes, max_themes=cfg.themes.max_themes,
                    seed=cfg.themes.seed)
        print(f"re-clustered here: k={r.k}, stability {r.stability:.3f}, silhouette {r.silhouette:.3f}")
        print("| k | stability (ARI across seeds) | smallest theme share | silhouette |")
        print("|---:|---:|---:|---:|")
        for k, row in r.curve.items():
            print(f"| {k} | {row['stability']:.3f} | {row['min_share']:.3f} | {row['silhouette']:.3f} |")
        print("\nthemes in the store:")
        for t in sorted(themes, key=lambda t: -t["weight"]):
            print(f"- {t['theme_id']}: size {t['size']}, weight {t['weight']:.0f}; {t['label']} — {t['title']!r}")
        order = np.argsort([m.id for m in el.messages], kind="stable")
        st = stability_when_messages_arrive(v, el.langs, recips, el.weights, order, cfg.themes)
        print("\nstability when 20% of messages arrive later: " + "; ".join(f"{k}: {v}" for k, v in st.items()))

        who = choose_recipient(store, cfg)
        pool = excerpt_pool(store, cfg, embedder, who)
        pool.theme_members = members
        pool.recipient_ids = {m.id for m in el.messages if not who or not m.recipient or m.recipient == who}
        letter = store.excerpts()
        from letterworld import excerpts as ex

        mine = ex.select(pool.cands, pool.vectors, pool.centroids, per_theme=cfg.excerpts.per_theme,
                         mmr_lambda=cfg.excerpts.mmr_lambda, required_langs=pool.required, pinned=pool.pinned)
        mine = [s.candidate for s in mine]
        by_key = {(c.message_id, c.start, c.end): c for c in pool.cands}
        stored = [by_key[k] for k in ((e["message_id"], e["start"], e["end"]) for e in letter) if k in by_key]
        base = ctfidf_representatives(pool, cfg.excerpts.per_theme)
        print(f"\ncoverage of the letter to {who}: {len(pool.cands)} candidate sentences in {len(pool.centroids)} themes; "
              f"languages with >= {cfg.excerpts.min_lang_messages} eligible messages: {sorted(pool.required)}")
        rows = {"BERTopic-style c-TF-IDF representatives": coverage(base, pool),
                "letterworld (centrality, MMR, quotas)": coverage(mine, pool)}
        if len(stored) != len(letter) or set(stored) != set(mine):
            rows["the letter in the store (another version?)"] = coverage(
                [ex.Candidate(e["message_id"], e["start"], e["end"], e["text"], e["lang"], e["country"],
                              e["theme_id"], 0.0) for e in letter], pool)
        keys = list(next(iter(rows.values())))
        print("| selector | " + " | ".join(keys) + " |")
        print("|---|" + "---:|" * len(keys))
        for name, row in rows.items():
            print(f"| {name} | " + " | ".join(str(row[k]) for k in keys) + " |")
        print(f"(eligible languages for this recipient: {len([l for l in pool.message_langs if l != 'und'])}; "
              f"countries: {len({m.country for m in el.messages if m.id in pool.recipient_ids and m.country})})")
        for name, picked in (("BERTopic-style", base), ("letterworld", mine)):
            print(f"\n{name} picks:")
            for c in picked:
                print(f"  [{c.theme_id}] {c.lang} {c.country or '--'}: {c.text[:100]!r}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=1000, help="Tatoeba pairs per language")
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "letterworld-bench-tatoeba.npz"))
    ap.add_argument("--db", help="a demo campaign store to measure instead of running the demo")
    ap.add_argument("--skip-tatoeba", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    print(header(), flush=True)
    if not args.skip_tatoeba:
        tatoeba(args.limit, Path(args.cache))
    if not args.skip_demo:
        demo(args.db)


if __name__ == "__main__":
    main()
