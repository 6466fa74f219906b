"""Moderation benchmark: personal data (Presidio synthetic set) and abuse (HateCheck).

    .venv/bin/python bench/moderation.py [--pii] [--abuse] [--demo] [--scripts] [--out FILE]

With no part named, all four run; `--pii` alone takes under a minute on 2 cores, `--abuse` the
longest (its leave-one-language-out retraining). The first output line is `machine.header()`.

Reads ../shared/eval/ (skips a part whose file is absent). Personal data: a gold span is
found when a predicted span of the matching kind overlaps it (recall); a predicted span is
right when it overlaps a gold span of that kind (precision); reported on the whole file and on
each half: a sentence's half is the parity of its 0-based position in presidio_synth_dev.json,
even = the half whose errors were read while writing the name and address rules, odd = held
out. The held-out figures are printed again without any sentence that tests/ or letterworld/
quote, and on the held-out sentences whose template is absent from the even half (see
`quoted_in_project` below).
Abuse: recall on hateful cases and flag rate on non-hateful ones, per language and per
functionality, for the word lists, the classifier and both together, on the HateCheck
templates the classifier was not trained on, beside leave-one-language-out runs (the
classifier retrained without the language). Demo: false flags on the bundled corpus."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "abuse"))

from machine import header  # noqa: E402  (bench/machine.py)
from letterworld.moderation.pii import find_personal_data  # noqa: E402
from letterworld.moderation.rules import find_abuse  # noqa: E402

RISKY = ("abuse", "hostility")  # flag kinds that count as an abuse finding
EVAL = ROOT.parent / "shared" / "eval"
# presidio entity type -> letterworld flag reason(s)
PII_KINDS = {
    "PERSON": ("person name",),
    "STREET_ADDRESS": ("street address",),
    "PHONE_NUMBER": ("phone number",),
    "EMAIL_ADDRESS": ("email address",),
    "CREDIT_CARD": ("payment card number",),
    "IBAN_CODE": ("IBAN",),
    "US_SSN": ("national ID number",),
    "IP_ADDRESS": ("IP address",),
}


# -- personal data: the Presidio synthetic set -------------------------------------------
# The held-out half. presidio_synth_dev.json is a list of 750 sentences; a sentence's half is
# the parity of its 0-based position in that list: even positions (0, 2, 4, ...) are the half
# the name and address rules were written on (their errors were read), odd positions (1, 3,
# 5, ...) the held-out half. The split depends only on the file's order, so anyone can rebuild
# it. Two checks keep it honest, and the bench prints both:
#   * quoted: held-out sentences of which a test or a rule holds a piece (any 20-character run
#     of the sentence, or one of its personal-data values of 8 characters or more, searched
#     case- and space-insensitively in tests/ and letterworld/); the figures are printed again
#     without them.
#   * unseen templates: the set is generated from templates (template_id), and the two halves
#     share most of them; the held-out sentences whose template has no sentence in the even half
#     are the strictest test, and a small one.
QUOTE_RUN = 20
QUOTE_KINDS = ("PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
               "IP_ADDRESS", "ORGANIZATION")
QUOTE_DIRS = ("tests", "letterworld")
QUOTE_SUFFIXES = (".py", ".txt", ".md", ".toml", ".tsv", ".json", ".csv")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=1)
def _project_text() -> tuple[str, frozenset[str]]:
    """The text of tests/ and letterworld/ (normalised) and its QUOTE_RUN-character runs at
    word starts. The bundled name lists (letterworld/data/names/*.txt, one Faker name or place a
    line) are left out: single words, no sentences."""
    parts = []
    for d in QUOTE_DIRS:
        for p in sorted((ROOT / d).rglob("*")):
            if p.is_file() and p.suffix in QUOTE_SUFFIXES and "__pycache__" not in p.parts \
                    and p.parent != ROOT / "letterworld" / "data" / "names":
                parts.append(_norm(p.read_text(encoding="utf-8", errors="replace")))
    text = "\n".join(parts)
    runs = {text[i:i + QUOTE_RUN] for i in range(len(text) - QUOTE_RUN + 1) if i == 0 or not text[i - 1].isalnum()}
    return text, frozenset(runs)


def quoted_in_project(record: dict) -> str | None:
    """The piece of this sentence that tests/ or letterworld/ holds, or None."""
    text, runs = _project_text()
    sentence = _norm(record["full_text"])
    for i in range(len(sentence) - QUOTE_RUN + 1):
        if sentence[i:i + QUOTE_RUN] in runs:
            return sentence[i:i + QUOTE_RUN]
    for span in record["spans"]:
        value = _norm(span["entity_value"])
        if span["entity_type"] in QUOTE_KINDS and len(value) >= 8 and value in text:
            return value
    return None


def ner_pipeline_name() -> str:
    from letterworld.moderation.names import spacy_pipeline

    try:
        nlp = spacy_pipeline("en")
    except Exception as err:  # missing or broken: letterworld says which
        return f"none ({err})"
    return "none (patterns and name lists only)" if nlp is None else \
        f"{nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')} (NER component only)"


def bench_pii(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    lines = [f"English NER pipeline: {ner_pipeline_name()}. Halves: a sentence's 0-based position in the file, even "
             "(the name and address rules were written reading its errors) or odd (held out).", ""]
    lines += _bench_pii(data, f"`{path.name}`, all {len(data)} English sentences")
    even, odd = data[0::2], data[1::2]
    lines += [""] + _bench_pii(even, f"even positions, {len(even)} sentences (the rules were fitted by reading "
                                     "its errors)", brief=True)
    lines += [""] + _bench_pii(odd, f"odd positions, {len(odd)} sentences: **held out**", brief=True)
    quoted = {i: q for i, r in enumerate(odd) if (q := quoted_in_project(r)) is not None}
    clean = [r for i, r in enumerate(odd) if i not in quoted]
    lines += ["", f"Held-out sentences a test or a rule quotes (a {QUOTE_RUN}-character run or a personal-data "
                  f"value searched in {', '.join(d + '/' for d in QUOTE_DIRS)}): {len(quoted)}"
              + (": " + "; ".join(f"position {2 * i + 1} ({q!r})" for i, q in quoted.items()) if quoted else ".")]
    if quoted:
        lines += [""] + _bench_pii(clean, f"held out, without the {len(quoted)} quoted, {len(clean)} sentences",
                                   brief=True)
    even_templates = {r["template_id"] for r in even}
    unseen = [r for r in odd if r["template_id"] not in even_templates]
    lines += [""] + _bench_pii(unseen, f"held out, templates with no sentence in the even half, {len(unseen)} "
                                       f"sentences of {len({r['template_id'] for r in unseen})} templates",
                               brief=True)
    lines += [""] + person_name_variants(data)
    return lines


def _person_scores(data: list[dict], **kw) -> tuple[float, float]:
    tp_gold = n_gold = tp_pred = n_pred = 0
    for r in data:
        gold = [(s["start_position"], s["end_position"]) for s in r["spans"] if s["entity_type"] == "PERSON"]
        pred = [(f.start, f.end) for f in find_personal_data(r["full_text"], lang="en", **kw)
                if f.reason == "person name"]
        n_gold += len(gold)
        n_pred += len(pred)
        tp_gold += sum(any(p[0] < g[1] and p[1] > g[0] for p in pred) for g in gold)
        tp_pred += sum(any(p[0] < g[1] and p[1] > g[0] for g in gold) for p in pred)
    return tp_gold / n_gold if n_gold else float("nan"), tp_pred / n_pred if n_pred else float("nan")


def person_name_variants(data: list[dict]) -> list[str]:
    """Person names with spaCy's NER switched off, with its PERSON entities taken raw (the
    name filters bypassed), and as shipped: recall / precision on the whole file and each half."""
    import inspect

    from letterworld.moderation import names

    pipeline, filters = names.spacy_pipeline, names.entity_name_span
    if "ner" in inspect.signature(find_personal_data).parameters:
        off = ({}, dict(ner=False))  # screening without NER, as `ner = false` under [screen] does
    else:
        off = (dict(spacy_pipeline=lambda lang: None), {})
    variants = [("patterns + name lists only (NER off; no dictionary either)", *off),
                ("plus raw spaCy PERSON entities (the name filters bypassed)",
                 dict(entity_name_span=lambda text, start, end, lang: (start, end)), {}),
                ("plus spaCy PERSON entities through the name filters (as shipped)", {}, {})]
    parts = (("whole", data), ("even half, read", data[0::2]), ("odd half, held out", data[1::2]))
    rows = []
    for label, patch, kw in variants:
        try:
            loaded = pipeline("en") is not None
        except Exception:  # a pipeline that is missing or does not load
            loaded = False
        if (patch or kw) and not loaded:
            rows.append(f"| {label} | no English spaCy pipeline installed | | |")
            continue
        for attr, value in patch.items():
            setattr(names, attr, value)
        try:
            cells = []
            for _, part in parts:
                rec, prec = _person_scores(part, **kw)
                cells.append(f"{rec:.3f} / {prec:.3f}")
        finally:
            names.spacy_pipeline, names.entity_name_span = pipeline, filters
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    head = " | ".join(f"{name} ({sum(s['entity_type'] == 'PERSON' for r in part for s in r['spans'])})"
                      for name, part in parts)
    return ["Person names, recall / precision (overlap match), spaCy's contribution:", "",
            f"| person names | {head} |", "|---|---|---|---|"] + rows



def _bench_pii(data: list[dict], title: str, brief: bool = False) -> list[str]:
    tp_gold = defaultdict(int)
    n_gold = defaultdict(int)
    tp_pred = defaultdict(int)
    n_pred = defaultdict(int)
    t0 = time.perf_counter()
    preds_all = [find_personal_data(r["full_text"], lang="en") for r in data]
    secs = time.perf_counter() - t0
    misses = defaultdict(list)
    for r, preds in zip(data, preds_all):
        for etype, reasons in PII_KINDS.items():
            gold = [(s["start_position"], s["end_position"]) for s in r["spans"] if s["entity_type"] == etype]
            pred = [(f.start, f.end) for f in preds if f.reason in reasons]
            n_gold[etype] += len(gold)
            n_pred[etype] += len(pred)
            for g in gold:
                if any(p[0] < g[1] and p[1] > g[0] for p in pred):
                    tp_gold[etype] += 1
                else:
                    misses[etype].append(r["full_text"][g[0]:g[1]])
            for p in pred:
                if any(p[0] < g[1] and p[1] > g[0] for g in gold):
                    tp_pred[etype] += 1
    lines = [f"Presidio synthetic set ({title}), {secs / len(data) * 1000:.2f} ms a sentence. Overlap match.", "",
             "| entity | gold spans | recall | predicted | precision | goal (recall) |", "|---|---|---|---|---|---|"]
    goals = {"EMAIL_ADDRESS": 0.95, "PHONE_NUMBER": 0.95, "CREDIT_CARD": 0.95, "PERSON": 0.85, "STREET_ADDRESS": 0.85}
    for etype in (("PERSON", "STREET_ADDRESS") if brief else PII_KINDS):
        rec = tp_gold[etype] / n_gold[etype] if n_gold[etype] else float("nan")
        prec = tp_pred[etype] / n_pred[etype] if n_pred[etype] else float("nan")
        goal = goals.get(etype)
        mark = "" if goal is None else (f">= {goal} {'met' if rec >= goal else 'NOT met'}")
        lines.append(f"| {etype} | {n_gold[etype]} | {rec:.3f} | {n_pred[etype]} | {prec:.3f} | {mark} |")
    if os.environ.get("BENCH_VERBOSE"):
        for etype, ms in misses.items():
            print(etype, ms[:25], file=sys.stderr)
    return lines


def bench_abuse(path: Path) -> list[str]:
    from train_abuse import HATECHECK_LANGS, embed, leave_one_language_out, read_hatecheck, test_rows

    from letterworld.moderation.classifier import load_classifier

    all_rows = read_hatecheck(path)
    rows = test_rows(all_rows)
    clf = load_classifier()
    texts = [r["test_case"] for r in rows]
    langs = [r["lang"] for r in rows]
    t0 = time.perf_counter()
    vectors = embed(texts)
    secs = time.perf_counter() - t0
    p = clf.proba(vectors, texts, langs)
    by_clf = np.array([pi >= clf.threshold_for(lang) for pi, lang in zip(p, langs)])
    list_flags = [find_abuse(t) for t in texts]
    clf_flags = clf.flags(texts, vectors, langs)
    by_phrase = np.array([any(f.kind in RISKY for f in fl) for fl in list_flags])
    by_term = np.array([any(f.kind == "listed_term" for f in fl) for fl in list_flags])
    # as shipped: abuse/hostility flags from the lists and the classifier (a listed term counts when the
    # classifier scores the message at or above the language's list bar); listed_term alone does not
    shipped = by_phrase | np.array([any(f.kind in RISKY for f in fl) for fl in clf_flags])
    systems = {"word lists (all terms)": by_phrase | by_term, "classifier": by_clf,
               "lists + classifier (abuse/hostility flags)": shipped,
               "any flag, listed_term included": shipped | by_term}
    hateful = np.array([r["label_gold"] == "hateful" for r in rows])
    t0 = time.perf_counter()
    lolo = leave_one_language_out(all_rows)
    lolo_secs = time.perf_counter() - t0
    th = ", ".join(f"{k} {v:.2f}" for k, v in clf.lang_thresholds.items())
    bars = ", ".join(f"{k} {clf.list_bar_for(k):.2f}" for k in clf.lang_thresholds)
    lines = [f"HateCheck dev (`{path.name}`): {len(rows)} test cases, the half of the **templates** (7 consecutive "
             "case ids: one sentence, seven target groups) never used in training; the other half trained the "
             f"classifier. Classifier thresholds (embedding + character n-grams): {th}; other languages "
             f"(embedding only): {clf.threshold:.2f}. List bars (a listed insult or slur is an `abuse` flag at "
             f"or above them, a `listed_term` flag below): {bars}; other languages {clf.list_bar_for(None):.2f}. "
             "Embedding took "
             f"{secs:.0f} s (cached after the first run); the leave-one-language-out runs {lolo_secs:.0f} s.", "",
             "Recall on hateful cases / flag rate on non-hateful cases (goal: recall >= 0.85 with flag rate <= 0.15). "
             "*Language unseen* is the classifier retrained without that language at all (no HateCheck case "
             "and no hand-written sentence in it), scoring it as it scores any language without a threshold of "
             "its own (embedding-only model, leave-one-language-out threshold):", "",
             "| language | cases | " + " | ".join(f"{s} recall / flag rate" for s in systems)
             + " | classifier, language unseen | lists + classifier, language unseen |",
             "|---|---|" + "---|" * (len(systems) + 2)]
    for lang in HATECHECK_LANGS:
        m = np.array([x == lang for x in langs])
        cells = [f"{pred[m & hateful].mean():.3f} / {pred[m & ~hateful].mean():.3f}" for pred in systems.values()]
        u = lolo[lang]
        lines.append(f"| {lang} | {int(m.sum())} | " + " | ".join(cells) + f" | {u['recall']:.3f} / {u['flag_rate']:.3f} "
                     f"| {u['recall_lists']:.3f} / {u['flag_rate_lists']:.3f} |")
    cells = [f"{pred[hateful].mean():.3f} / {pred[~hateful].mean():.3f}" for pred in systems.values()]
    u_rec = np.mean([u["recall"] for u in lolo.values()])
    u_fpr = np.mean([u["flag_rate"] for u in lolo.values()])
    l_rec = np.mean([u["recall_lists"] for u in lolo.values()])
    l_fpr = np.mean([u["flag_rate_lists"] for u in lolo.values()])
    lines.append(f"| **all** | {len(rows)} | " + " | ".join(cells) + f" | {u_rec:.3f} / {u_fpr:.3f} (mean) "
                 f"| {l_rec:.3f} / {l_fpr:.3f} (mean) |")
    lines += ["", "Per functionality (lists + classifier, abuse/hostility flags; share flagged; `_h` hateful: higher is better, "
              "`_nh` non-hateful: lower is better):", "", "| functionality | cases | flagged |", "|---|---|---|"]
    funcs = [r["functionality"] for r in rows]
    both = systems["lists + classifier (abuse/hostility flags)"]
    for func in sorted(set(funcs), key=lambda f: (f.endswith("_nh"), f)):
        m = np.array([f == func for f in funcs])
        lines.append(f"| {func} | {int(m.sum())} | {both[m].mean():.3f} |")
    return (lines + [""] + template_intervals(rows, both, hateful) + [""] + translation_overlap(all_rows, rows, both, hateful)
            + [""] + arabizi_routing(clf, rows, texts, vectors))


def template_intervals(rows: list[dict], flagged: np.ndarray, hateful: np.ndarray, draws: int = 2000) -> list[str]:
    """How far a language's figures could move with other templates: a bootstrap over the test half's
    templates (a template's seven cases differ only in the target group, so they go together), 95%
    percentile intervals, and the share of draws that meet the goal."""
    from train_abuse import HATECHECK_LANGS, template_of

    rng = np.random.default_rng(0)
    langs = np.array([r["lang"] for r in rows])
    templates = np.array([template_of(r["case_id"]) for r in rows])
    lines = ["Uncertainty of these figures (lists + classifier, abuse/hostility flags): a bootstrap over the test "
             f"half's templates ({draws} draws; a template's cases go together), 95% intervals, and the share of draws "
             "with recall >= 0.85 and flag rate <= 0.15:", "",
             "| language | templates | recall | flag rate | draws meeting the goal |", "|---|---|---|---|---|"]
    for lang in HATECHECK_LANGS:
        m = langs == lang
        names, inverse = np.unique(templates[m], return_inverse=True)
        # per template: hateful cases flagged, hateful cases, non-hateful flagged, non-hateful cases
        sums = np.zeros((len(names), 4))
        for col, values in enumerate((flagged[m] & hateful[m], hateful[m], flagged[m] & ~hateful[m], ~hateful[m])):
            np.add.at(sums[:, col], inverse, values)
        totals = sums[rng.integers(0, len(names), size=(draws, len(names)))].sum(1)
        recall = totals[:, 0] / np.maximum(totals[:, 1], 1)
        rate = totals[:, 2] / np.maximum(totals[:, 3], 1)
        lo_r, hi_r = np.percentile(recall, [2.5, 97.5])
        lo_f, hi_f = np.percentile(rate, [2.5, 97.5])
        lines.append(f"| {lang} | {len(names)} | {lo_r:.3f}-{hi_r:.3f} | {lo_f:.3f}-{hi_f:.3f} | "
                     f"{((recall >= 0.85) & (rate <= 0.15)).mean():.2f} |")
    return lines


def translated_in_training(all_rows: list[dict], test: list[dict]) -> np.ndarray:
    """For each test case: whether a translation of it sits in another language's training half.

    Multilingual HateCheck's cases are largely translations of the same templates ("I hate women",
    "Odio a las mujeres"), and the template split is made per language, so a test case's twin in
    another language may have been trained on. A translation is taken to be a mutual nearest neighbour
    (e5 cosine) between two languages' cases with the same functionality and target group."""
    from collections import defaultdict

    from train_abuse import embed, in_train_half

    E = embed([r["test_case"] for r in all_rows])
    train = np.array([in_train_half(r["case_id"]) for r in all_rows])
    langs = np.array([r["lang"] for r in all_rows])
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(all_rows):
        buckets[(r["functionality"], r["target_ident"])].append(i)
    linked = set()
    for idx in map(np.array, buckets.values()):
        for a_lang in set(langs[idx]):
            a = idx[langs[idx] == a_lang]
            for b_lang in set(langs[idx]) - {a_lang}:
                b = idx[langs[idx] == b_lang]
                sims = E[a] @ E[b].T
                best_b, best_a = sims.argmax(1), sims.argmax(0)
                linked |= {all_rows[a[i]]["case_id"] for i, j in enumerate(best_b)
                           if best_a[j] == i and not train[a[i]] and train[b[j]]}
    return np.array([r["case_id"] in linked for r in test])


def translation_overlap(all_rows: list[dict], rows: list[dict], flagged: np.ndarray, hateful: np.ndarray) -> list[str]:
    """Lists + classifier on test cases with and without a translation in another language's training half."""
    from train_abuse import HATECHECK_LANGS

    linked = translated_in_training(all_rows, rows)
    langs = np.array([r["lang"] for r in rows])
    lines = ["Test cases with a translation in another language's training half (a mutual nearest neighbour with "
             "the same functionality and target group) against those without one; lists + classifier, abuse/hostility "
             "flags, recall / flag rate:", "", "| language | share with a translation | with a translation | without |",
             "|---|---|---|---|"]
    for lang in HATECHECK_LANGS:
        m = langs == lang
        cells = [f"{flagged[m & sub & hateful].mean():.3f} / {flagged[m & sub & ~hateful].mean():.3f} "
                 f"({int((m & sub).sum())})" for sub in (linked, ~linked)]
        lines.append(f"| {lang} | {linked[m].mean():.2f} | " + " | ".join(cells) + " |")
    return lines


def arabizi_routing(clf, rows: list[dict], texts: list[str], vectors: np.ndarray) -> list[str]:
    """The table above scores every case with its gold language; letterworld detects it. Arabizi (Arabic in
    Latin letters) is detected as Tagalog, Malay and the like: scored with the detected language, as the
    pipeline does, without and with the classifier's re-routing of Arabizi to the Arabic model; and how many
    other test cases the re-routing touches."""
    from collections import Counter

    from letterworld.language import detect_batch
    from letterworld.moderation.classifier import looks_arabizi

    detected = [d.lang for d in detect_batch(texts)]
    idx = [i for i, r in enumerate(rows) if r["functionality"] == "spell_sent_arabazi_h"]
    if not idx:
        return []
    t, v, d = [texts[i] for i in idx], vectors[idx], [detected[i] for i in idx]
    full = np.array([clf.uses_full_model(lang) for lang in d])
    p_before = np.where(full, clf.proba(v, t, d), clf.proba(v))  # no texts: the embedding-only model
    before = p_before >= np.array([clf.threshold_for(lang) for lang in d])
    after = np.array([any(f.kind == "hostility" for f in fl) for fl in clf.flags(t, v, d)])
    routed = [i for i, (x, lang) in enumerate(zip(texts, detected))
              if rows[i]["functionality"] != "spell_sent_arabazi_h" and not clf.uses_full_model(lang) and looks_arabizi(x)]
    langs = ", ".join(f"{k} {n}" for k, n in Counter(d).most_common())
    return [f"Arabizi with the **detected** language, as the pipeline scores it: the {len(idx)} test-half "
            f"spell_sent_arabazi_h cases are detected as {langs}; classifier recall {before.mean():.3f} scored as "
            f"detected (embedding-only model, other-languages threshold) and {after.mean():.3f} with Arabizi re-routed "
            f"to the Arabic model (`looks_arabizi`; {int(sum(clf.route(d, t)[i] == 'ar' for i in range(len(t))))} of "
            f"{len(idx)} re-routed). Other test cases re-routed: {len(routed)} of {len(rows) - len(idx)}."]


# planted hostile and safety rows of the demo corpus (corpora/demo/parts/*.md): file, row, what
PLANTED = [("online_form.csv", 76, "hostile en"), ("online_form.csv", 139, "hostile en"),
           ("online_form.csv", 185, "hostile tr"), ("online_form.csv", 269, "SAFETY es"),
           ("online_form.csv", 350, "hostile en"), ("sms_social.jsonl", 17, "hostile en"),
           ("sms_social.jsonl", 121, "hostile ru"), ("sms_social.jsonl", 194, "SAFETY en"),
           ("sms_social.jsonl", 199, "hostile ar"), ("letters_asia.xlsx", 73, "hostile my"),
           ("letters_asia.xlsx", 116, "hostile zh"), ("letters_asia.xlsx", 96, "SAFETY my")]
BLOCKING = ("safety", "abuse", "hostility", "listed_term")


def bench_planted() -> list[str]:
    """Each planted hostile or safety row of the demo corpus, and the blocking flags it gets (word lists with
    the campaign's dangerous terms, and the classifier): a row without one would be approved automatically."""
    from train_abuse import embed

    from letterworld.moderation.classifier import load_classifier
    from letterworld.moderation.rules import find_safety
    from letterworld.pipeline import demo_config

    rows = demo_rows_by_source()
    dangerous = tuple(demo_config().campaign.dangerous_terms)
    picked = [(f, r, what, rows[(f, r)]) for f, r, what in PLANTED if (f, r) in rows]
    texts = [m["text"] for *_, m in picked]
    clf = load_classifier()
    clf_flags = clf.flags(texts, embed(texts), [m["lang"] for *_, m in picked])
    lines = ["| row | planted | blocking flags |", "|---|---|---|"]
    held = 0
    for (f, r, what, m), cf in zip(picked, clf_flags):
        flags = sorted({x.kind for x in find_abuse(m["text"]) + find_safety(m["text"], dangerous) + cf} & set(BLOCKING))
        held += bool(flags)
        lines.append(f"| {f}:{r} | {what} | {', '.join(flags) or '**none: approved automatically**'} |")
    return [f"Planted hostile and safety rows with a blocking flag: {held} of {len(picked)}.", ""] + lines


# planted personal data of the demo corpus (corpora/demo/parts/*.md): file, row, the values that must be hidden
PLANTED_PII = [
    ("online_form.csv", 50, ("anapaula.souza@example.org", "+55 11 98765-4321")),
    ("online_form.csv", 64, ("Michael O'Brien", "m.obrien@example.org")),
    ("online_form.csv", 98, ("Calle 5 #12-30",)), ("online_form.csv", 108, ("+44 7700 900123", "hannah.clarke@example.com")),
    ("online_form.csv", 120, ("claire.dubois@example.com",)), ("online_form.csv", 170, ("Rua das Flores 123",)),
    ("online_form.csv", 213, ("0176 12345678",)), ("online_form.csv", 235, ("(212) 555-0147",)),
    ("online_form.csv", 273, ("giulia.rossi@mail.example.net",)), ("online_form.csv", 321, ("Maria López", "Calle 5 #12")),
    ("online_form.csv", 340, ("Kerkstraat 12",)), ("sms_social.jsonl", 1, ("+971 50 123 4567",)),
    ("sms_social.jsonl", 43, ("0300-1234567",)), ("sms_social.jsonl", 65, ("+7 912 345-67-89",)),
    ("sms_social.jsonl", 86, ("12 Palm Grove Close",)), ("sms_social.jsonl", 94, ("leyla.kaya@example.org",)),
    ("sms_social.jsonl", 125, ("+92 300 1234567",)), ("sms_social.jsonl", 135, ("098765 43210",)),
    ("sms_social.jsonl", 170, ("ravi.sharma@example.com",)), ("sms_social.jsonl", 193, ("@maryam_hosseini",)),
    ("letters_asia.xlsx", 72, ("+66 81 234 5678", "88/12 ซอยสุขุมวิท 39")), ("letters_asia.xlsx", 76, ("010-1234-5678",)),
    ("letters_asia.xlsx", 89, ("linh.nguyen@example.org",)), ("letters_asia.xlsx", 118, ("mei.tan@example.com",)),
    ("letters_asia.xlsx", 127, ("090-1234-5678",)), ("letters_asia.xlsx", 132, ("서울특별시 마포구 망원로12길 34, 201호", "김지수")),
    ("letter-016.txt", 1, ("1427 Maple Street", "+1 217 555 0143")), ("letter-027.txt", 1, ("+49 30 1234 5678",)),
]


def bench_planted_pii() -> list[str]:
    """Each planted piece of a writer's personal data in the demo corpus, and whether redaction hides all of it."""
    from letterworld.pipeline import demo_config

    rows = demo_rows_by_source()
    protected = tuple(demo_config().campaign.protected_names)
    values = hidden = 0
    missed = []
    for f, r, wanted in PLANTED_PII:
        m = rows.get((f, r))
        if m is None:
            missed += [f"{f}:{r} (row not found)"]
            continue
        spans = [(x.start, x.end) for x in find_personal_data(m["text"], lang=m["lang"], protected_names=protected)]
        for value in wanted:
            values += 1
            at = m["text"].find(value)
            covered = at >= 0 and all(any(a <= i < b for a, b in spans) for i in range(at, at + len(value)))
            hidden += covered
            if not covered:
                missed.append(f"{f}:{r} {value!r}")
    return [f"Planted personal data (emails, phones, addresses, names; {len(PLANTED_PII)} rows): {hidden} of {values} "
            "values wholly redacted" + (f"; not: {'; '.join(missed)}" if missed else ".")]


def demo_rows_by_source() -> dict[tuple[str, int], dict]:
    """`demo_rows` by (file name, row), as the planted rows are listed in corpora/demo/parts/*.md."""
    return {(Path(m["file"]).name, m["row"]): m for m in demo_rows()}


@lru_cache(maxsize=1)
def demo_rows() -> list[dict]:
    """The demo corpus's messages (text, detected language, source file and row), ingested into a scratch store
    once per run (several sections read them; callers do not modify them)."""
    from letterworld.pipeline import demo_detected

    return [{"text": m.text, "lang": lang, "file": m.source_file, "row": m.source_row} for m, lang in demo_detected()]


def demo_messages() -> list[tuple[str, str]]:
    """(text, detected language) of the demo corpus's messages."""
    return [(m["text"], m["lang"]) for m in demo_rows()]


def bench_demo() -> list[str]:
    """False flags on the demo corpus: solidarity messages, none hostile."""
    from train_abuse import embed

    from letterworld.moderation.classifier import load_classifier
    from letterworld.pipeline import demo_config

    msgs = demo_messages()
    protected = tuple(demo_config().campaign.protected_names)
    texts = [t for t, _ in msgs]
    clf = load_classifier()
    flags = clf.flags(texts, embed(texts), [lang for _, lang in msgs])
    hostile = sum(any(f.kind == "hostility" for f in fl) for fl in flags)
    list_flags = [find_abuse(t) for t in texts]
    phrases = sum(any(f.kind in RISKY for f in fl) for fl in list_flags)
    terms = sum(any(f.kind == "listed_term" for f in fl) for fl in list_flags)
    upgraded = sum(any(f.kind == "abuse" for f in fl) for fl in flags)
    flagged = sum(any(f.kind in RISKY for f in a + b) for a, b in zip(list_flags, flags))
    names = [f for t, lang in msgs for f in find_personal_data(t, lang=lang, protected_names=protected)
             if f.reason == "person name"]
    with_names = sum(any(f.reason == "person name" for f in find_personal_data(t, lang=lang, protected_names=protected))
                     for t, lang in msgs)
    return [f"Demo corpus ({len(msgs)} messages in 30+ languages; its README plants about 13 hostile or abusive "
            f"ones among the solidarity messages): the classifier flags {hostile} ({hostile / len(msgs):.1%}); the "
            f"word lists find hostile phrases in {phrases} and listed insults or slurs in {terms}, of which the "
            f"classifier's list bar makes {upgraded} `abuse` flags; abuse or hostility flags in all: {flagged} "
            f"({flagged / len(msgs):.1%}). Person names: {len(names)} spans "
            f"in {with_names} messages (protected names {', '.join(protected)} exempt)."]


UNCASED_LANGS = ("ar", "fa", "ur", "he", "hi", "mr", "ne", "bn", "th", "my", "zh", "ja", "ko")
SELF_INTRO_EN = r"(?i)\b(?:my name is|my name's|i'm called|i am called)\s+[A-Z]\w+|\b[A-Z]\w+ is my name\b"


def bench_scripts() -> list[str]:
    """Writers' names and addresses in scripts without capital letters (`names_uncased`, the East Asian
    address patterns). No labelled data exists for them here, so: false finds on the lingua language-id dev
    texts of those languages (sentences from the web, almost none introducing their writer), self-introductions
    on Tatoeba (foreign side of pairs whose English side says "my name is ..."), and the demo corpus's finds."""
    import csv
    import re

    from letterworld.moderation.names_uncased import uncased_names
    from letterworld.moderation.pii import address_spans

    lines = []
    lingua = EVAL / "langid" / "lingua_dev.tsv"
    if lingua.exists():
        with lingua.open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["lang"] in UNCASED_LANGS]
        hits = [(r["lang"], r["text"], [r["text"][a:b] for a, b in uncased_names(r["text"]) + address_spans(r["text"])])
                for r in rows]
        hits = [h for h in hits if h[2]]
        lines += [f"lingua dev texts in {', '.join(UNCASED_LANGS)} ({len(rows)} texts, words to paragraphs): "
                  f"{len(hits)} with a name or address found" + (": " + "; ".join(f"{lang} {found}" for lang, _, found in hits[:10])
                                                                  if hits else "."), ""]
    tatoeba = sorted((EVAL / "parallel").glob("tatoeba.*-eng.eng"))
    if tatoeba:
        lines += ["Tatoeba pairs whose English side introduces its speaker (\"My name is Jack.\"), foreign side scored with "
                  "`find_personal_data` (person names), and every other foreign sentence with a name found:", "",
                  "| language | introductions | name found | other sentences with a name |", "|---|---|---|---|"]
        for eng_path in tatoeba:
            code = eng_path.name.split(".")[1].split("-")[0]
            eng = eng_path.read_text(encoding="utf-8").splitlines()
            foreign = (eng_path.parent / f"tatoeba.{code}-eng.{code}").read_text(encoding="utf-8").splitlines()
            intro = {i for i, e in enumerate(eng) if re.search(SELF_INTRO_EN, e)}
            named = {i for i, t in enumerate(foreign) if any(f.reason == "person name" for f in find_personal_data(t))}
            lines.append(f"| {code} | {len(intro)} | {len(intro & named)} | {len(named - intro)} |")
        lines.append("")
    found = [(lang, t, [t[a:b] for a, b in uncased_names(t) + address_spans(t)]) for t, lang in demo_messages()
             if lang in UNCASED_LANGS]
    found = [f for f in found if f[2]]
    lines.append(f"Demo corpus, messages in those languages with a name or address found: {len(found)}: "
                 + "; ".join(f"{lang} {names}" for lang, _, names in found))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pii", action="store_true")
    ap.add_argument("--abuse", action="store_true")
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--scripts", action="store_true", help="names and addresses in scripts without capitals")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    both = not (args.pii or args.abuse or args.demo or args.scripts)
    when = header()
    print(when, flush=True)
    out = ["## Moderation (bench/moderation.py)", "", when + ".", ""]
    if args.pii or both:
        path = EVAL / "pii" / "presidio_synth_dev.json"
        out += ["### Personal data", ""] + (bench_pii(path) if path.exists() else [f"skipped: {path} absent"]) + [""]
    if args.abuse or both:
        path = EVAL / "abuse" / "hatecheck_dev.csv"
        out += ["### Abuse and hostility", ""] + (bench_abuse(path) if path.exists() else [f"skipped: {path} absent"])
    if args.demo or both:
        out += ["", "### Demo corpus", ""] + bench_demo() + [""] + bench_planted() + [""] + bench_planted_pii()
    if args.scripts or both:
        out += ["", "### Names and addresses in scripts without capital letters", ""] + bench_scripts()
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
