"""Thin adapters between the stages' pure cores and the campaign store.

Each function reads what earlier stages wrote, runs one core, writes its own
results, and is safe to re-run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import excerpts as ex
from .config import Config
from .embedding import Embedder, EmbedStats, embed_cached
from .ingest import FileResult, expand_inputs, read_path
from .moderation import GROUPING_KINDS
from .moderation.queue import effective_flags
from .moderation.stage import redacted_texts
from .progress import say, task
from .records import APPROVED_STATUSES, Excerpt, Message
from .store import Store
from .themes import (
    UNASSIGNED,
    assign,
    centre_language_and_recipient,
    cluster,
    join_translations,
    keywords,
    remove_common_direction,
    smooth_neighbours,
)


# -- ingest ---------------------------------------------------------------------
@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    added: int = 0
    already: int = 0
    rejected: int = 0


def ingest(store: Store, inputs: Sequence[str | Path], *, column_map: dict[str, str] | None = None,
           defaults: dict[str, str] | None = None) -> IngestSummary:
    summary = IngestSummary()
    for path in expand_inputs(list(inputs)):
        result = read_path(path, column_map, defaults)
        with store.transaction():
            added, already = store.add_messages(result.messages)
            store.add_rejected(result.rejected)
            store.audit("ingest", str(path), detail={"added": added, "already_present": already,
                                                     "rejected": len(result.rejected),
                                                     "encoding": result.encoding, "columns": result.columns})
        summary.files.append(result)
        summary.added += added
        summary.already += already
        summary.rejected += len(result.rejected)
    return summary


# -- detect ---------------------------------------------------------------------
def detect(store: Store, config: Config) -> Counter:
    """Detect every message's language; manual corrections are kept."""
    from .language import detect_batch

    messages = store.messages()
    results = []
    with task("detect languages", len(messages)) as advance:
        for i in range(0, len(messages), 1000):
            chunk = messages[i:i + 1000]
            results += detect_batch([m.text for m in chunk], countries=[m.country or None for m in chunk],
                                    expected=config.campaign.expected_languages or None)
            advance(len(chunk))
    counts: Counter = Counter()
    with store.transaction():
        for m, d in zip(messages, results):
            others = [{"lang": s.lang, "start": s.start, "end": s.end} for s in getattr(d, "others", ())]
            store.set_language(m.id, d.lang, float(d.confidence), others)
        for row in store.languages().values():
            counts[row["lang"]] += 1
        store.audit("detect", "campaign", detail={"messages": len(messages), "languages": len(counts)})
    return counts


def correct_language(store: Store, message_id: int, lang: str, *, actor: str | None = None, why: str = "") -> None:
    """A moderator's correction: kept over every later automatic detection."""
    store.message(message_id)
    with store.transaction():
        old = store.languages().get(message_id)
        store.set_language(message_id, lang, 1.0, manual=True)
        store.audit("language", f"message:{message_id}", detail={"from": old["lang"] if old else None, "to": lang},
                    why=why, actor=actor)


# -- eligibility ------------------------------------------------------------------
@dataclass
class Eligible:
    """Approved messages that speak once each: duplicates collapse onto a representative."""

    messages: list[Message]
    texts: list[str]  # redacted
    langs: list[str]
    weights: np.ndarray
    templates: set[int]  # ids of representatives of campaign-template groups


def eligible(store: Store) -> Eligible:
    statuses = store.statuses()
    dups = store.duplicates()
    langs = store.languages()
    red = redacted_texts(store)
    flags = store.flags()
    group_size: Counter = Counter(r["group_id"] for mid, r in dups.items() if statuses.get(mid) in APPROVED_STATUSES)
    chosen, weights, templates = [], [], set()
    for m in store.messages():
        if statuses.get(m.id) not in APPROVED_STATUSES:
            continue
        d = dups.get(m.id)
        if d is not None and not d["is_representative"]:
            continue
        chosen.append(m)
        weights.append(group_size[d["group_id"]] if d is not None else 1)
        if d is not None and d["is_template"]:
            templates.add(m.id)
        if any(f.kind == "template" for f in flags.get(m.id, ())):
            templates.add(m.id)
    return Eligible(chosen, [red[m.id] for m in chosen],
                    [langs[m.id]["lang"] if m.id in langs else "und" for m in chosen],
                    np.asarray(weights, dtype=float), templates)


# -- embed ----------------------------------------------------------------------
def embed(store: Store, config: Config, embedder: Embedder, texts: list[str] | None = None,
          label: str = "embed messages") -> tuple[np.ndarray, EmbedStats]:
    if texts is None:
        texts = eligible(store).texts
    with task(label, len(set(texts))) as advance:
        return embed_cached(store, embedder, texts, batch_size=config.embed.batch_size, progress=advance)


# -- themes ---------------------------------------------------------------------
def themes(store: Store, config: Config, embedder: Embedder, *, recluster: bool = False) -> list[dict]:
    """Cluster eligible messages; existing themes are kept and new messages assigned to
    them unless `recluster` (or there are none yet)."""
    el = eligible(store)
    vectors, _ = embed(store, config, embedder, el.texts)
    x = theme_space(vectors, el.langs, [m.recipient for m in el.messages])
    existing = store.themes()
    if existing and not recluster and existing[0]["model"] == embedder.name:
        centroids = np.stack([t["centroid"] for t in existing])
        labels, scores = assign(x, centroids)
        ids = [t["theme_id"] for t in existing]
        labels = np.array([ids[i] for i in labels])
        say(f"themes: assigned {len(el.texts)} messages to {len(ids)} existing themes (use --recluster to rebuild)")
    else:
        tc = config.themes
        result = cluster(x, el.weights, n_themes=tc.n_themes, min_themes=tc.min_themes,
                         max_themes=tc.max_themes, seed=tc.seed, max_unassigned=tc.max_unassigned)
        labels, scores, centroids = result.labels, result.scores, result.centroids
        ids = list(range(result.k))
        say(f"themes: {result.k} themes (stability {result.stability:.2f}, silhouette {result.silhouette:.3f}), "
            f"{int((labels == UNASSIGNED).sum())} of {len(labels)} messages unassigned")
    # keywords describe what distinct voices say: a sample text sent 10,000 times is one voice
    # here, or its words would label every theme it touches
    kw = keywords(el.texts, el.langs, labels, exclude=name_words(store, config))
    out = []
    for k, theme_id in enumerate(ids):
        members = np.where(labels == theme_id)[0]
        if len(members) == 0:
            continue
        title = _title(el, members, scores, config)
        words = kw.get(theme_id, {})
        # the campaign's language, else the language most of the theme's messages are in
        spoken = Counter(el.langs[i] for i in members)
        main = words.get(config.campaign.lang) or next(
            iter(sorted(words.items(), key=lambda kv: (-spoken[kv[0]], -len(kv[1]), kv[0]))), ("", []))[1]
        out.append({"theme_id": int(theme_id), "label": " · ".join(main[:3]) or title[:40], "title": title,
                    "keywords": words, "size": int(len(members)), "weight": float(el.weights[members].sum()),
                    "centroid": centroids[k], "model": embedder.name})
    members_map = {m.id: (int(label), float(score)) for m, label, score in zip(el.messages, labels, scores)
                   if label != UNASSIGNED}
    with store.transaction():
        store.replace_themes(out, members_map)
        store.audit("themes", "campaign", detail={"themes": len(out), "assigned": len(members_map),
                                                  "eligible": len(el.messages), "recluster": recluster})
    return out


def meaning_space(vectors: np.ndarray, langs: list[str], recipients: list[str], min_count: int = 5) -> np.ndarray:
    """Vectors with the language and the recipient directions removed, then the direction all
    messages share: what is left is what distinguishes their meanings."""
    return remove_common_direction(centre_language_and_recipient(vectors, langs, recipients, min_count))


def theme_space(vectors: np.ndarray, langs: list[str], recipients: list[str], min_count: int = 5) -> np.ndarray:
    """The space themes are clustered and assigned in: the meaning space, cross-lingual
    translation pairs joined (`themes.join_translations`), then each message averaged with
    its nearest neighbours (`themes.smooth_neighbours`), so that a message and its
    translation are rarely cut apart by a theme boundary."""
    return smooth_neighbours(join_translations(meaning_space(vectors, langs, recipients, min_count), langs))


def name_words(store: Store, config: Config) -> set[str]:
    """Words of the recipients' and protected names, and greetings: never a theme keyword."""
    names = set(config.campaign.protected_names) | {m.recipient for m in store.messages() if m.recipient}
    from .moderation.rules import wordlist

    return {w.lower() for n in names for w in n.split()} | set(wordlist("letter_words"))


def _title(el: Eligible, members: np.ndarray, scores: np.ndarray, config: Config) -> str:
    """The most central short sentence, in the campaign's language when one is there."""
    order = sorted(members, key=lambda i: -scores[i])
    from .moderation.rules import wordlist

    salutations = {w.lower() for w in wordlist("letter_words")}
    for prefer_campaign_lang in (True, False):
        for i in order:
            if el.messages[i].id in el.templates:
                continue
            if prefer_campaign_lang and el.langs[i] != config.campaign.lang:
                continue
            for c in ex.candidates(el.messages[i].id, el.texts[i], el.langs[i], "", 0, min_chars=20, max_chars=90,
                                   max_sentences=1):
                first = c.text.split(maxsplit=1)[0].strip(",.!:").lower() if c.text.split() else ""
                if c.readability > 0.5 and first not in salutations:
                    return c.text  # "Dear Thant Zin, stay strong." names a person, not an idea
    return ""


# -- excerpts ---------------------------------------------------------------------
def choose_recipient(store: Store, config: Config) -> str:
    if config.campaign.recipient:
        return config.campaign.recipient
    counts = Counter(m.recipient for m in store.messages() if m.recipient)
    return counts.most_common(1)[0][0] if counts else ""


@dataclass
class ExcerptPool:
    """Everything excerpt selection works on; `bench/themes.py` runs other selectors on it."""

    el: Eligible
    cands: list[ex.Candidate]
    vectors: np.ndarray  # candidates in the themes' meaning space
    centroids: dict[int, np.ndarray]
    required: set[str]  # languages with at least min_lang_messages approved messages
    pinned: set[tuple[int, int, int]]
    message_langs: Counter  # eligible messages to the recipient per language


def excerpt_pool(store: Store, config: Config, embedder: Embedder, recipient: str) -> ExcerptPool:
    el = eligible(store)
    members = store.theme_members()
    theme_rows = store.themes()
    flags = effective_flags(store)  # a flag a moderator dismissed no longer blocks its span
    choices = store.excerpt_choices()
    banned = {k for k, v in choices.items() if v == "ban"}
    pinned = {k for k, v in choices.items() if v == "pin"}
    xc = config.excerpts
    # theme order: by weight; the letter keeps the strongest themes
    theme_rows = sorted(theme_rows, key=lambda t: -t["weight"])[: xc.max_themes]
    keep = {t["theme_id"] for t in theme_rows}
    cands: list[ex.Candidate] = []
    for m, text, lang in zip(el.messages, el.texts, el.langs):
        if m.id in el.templates or m.id not in members or members[m.id][0] not in keep:
            continue
        if recipient and m.recipient and m.recipient != recipient:
            continue
        blocked = [(f.start, f.end) for f in flags.get(m.id, []) if f.kind not in UNBLOCKING_KINDS]
        # spans in the original text: only usable when nothing was redacted before them
        for c in ex.candidates(m.id, text, lang, m.country, members[m.id][0], min_chars=xc.min_chars,
                               max_chars=xc.max_chars, max_sentences=xc.max_sentences,
                               blocked=blocked if text == m.text else [(0, len(text))] if blocked else []):
            if (c.message_id, c.start, c.end) not in banned:
                cands.append(c)
    message_langs = Counter(lang for m, lang in zip(el.messages, el.langs)
                            if not recipient or not m.recipient or m.recipient == recipient)
    required = {lang for lang, n in message_langs.items() if n >= xc.min_lang_messages and lang != "und"}
    vectors, _ = embed(store, config, embedder, [c.text for c in cands], label="embed excerpt candidates")
    by_msg = {m.id: m for m in el.messages}
    vectors = meaning_space(vectors, [c.lang for c in cands], [by_msg[c.message_id].recipient for c in cands], 3)
    centroids = {t["theme_id"]: t["centroid"] for t in theme_rows}
    return ExcerptPool(el, cands, vectors, centroids, required, pinned, message_langs)


def excerpts(store: Store, config: Config, embedder: Embedder, recipient: str) -> list[Excerpt]:
    """Candidates from approved, non-template messages to `recipient`, scored and selected."""
    pool = excerpt_pool(store, config, embedder, recipient)
    el, cands, required, xc = pool.el, pool.cands, pool.required, config.excerpts
    picked = ex.select(cands, pool.vectors, pool.centroids, per_theme=xc.per_theme, mmr_lambda=xc.mmr_lambda,
                       required_langs=required, pinned=pool.pinned)
    by_id = {m.id: (m, text) for m, text in zip(el.messages, el.texts)}
    out = []
    for s in picked:
        c = s.candidate
        m, text = by_id[c.message_id]
        out.append(Excerpt(message_id=c.message_id, lang=c.lang, country=c.country, text=c.text, source_text=text,
                           start=c.start, end=c.end, theme_id=c.theme_id,
                           attribution=attribution(m, config.campaign.lang, config.campaign.attribution),
                           why=s.why))
    with store.transaction():
        store.replace_excerpts([excerpt_dict(e) for e in out])
        store.audit("excerpts", "campaign", detail={"recipient": recipient, "candidates": len(cands),
                                                    "chosen": len(out), "required_languages": sorted(required)})
    return out


# flags whose span may still be quoted: groupings, and personal data, which is redacted (or shown
# by a moderator's decision) in the text candidates come from
UNBLOCKING_KINDS = (*GROUPING_KINDS, "personal_data", "redaction")

ARTICLES = {"the", "la", "el", "los", "las", "les", "le", "die", "der", "das", "a", "o", "os", "família",
            "familia", "famille", "family"}
# titles before a name: "Dr Jane Smith" signs as Jane; "Pastor Ray" (one name) as the writer signed
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "pastor", "father", "sister", "brother", "fr",
          "sr", "sra", "srta", "dra", "don", "doña", "herr", "frau", "mme", "mlle", "m", "sig", "padre", "imam",
          "rabbi"}


ATTRIBUTION_POLICIES = ("first_name_country", "country", "none")


def attribution(m: Message, lang: str = "en", policy: str = "first_name_country") -> str:
    """Who is named under a quote: first name and country by default, only with consent."""
    if policy not in ATTRIBUTION_POLICIES:
        raise ValueError(f"unknown attribution policy {policy!r}; use one of {', '.join(ATTRIBUTION_POLICIES)}")
    if m.consent is not True or policy == "none":
        return ""
    if policy == "country":
        return country_name(m.country, lang)
    parts = m.author.split()
    first = ""
    while len(parts) > 2 and parts[0].lower().strip(".") in TITLES:
        parts = parts[1:]
    if parts:
        lead = parts[0].lower().strip(".")
        # "The Hendersons", "Família Souza": a family signs as a family
        if lead in ARTICLES:
            first = " ".join(parts[:3])
        elif lead in TITLES:
            first = " ".join(parts[:2])
        else:
            first = parts[0]
        first = first.strip(",.;:")
    country = country_name(m.country, lang)
    return ", ".join(p for p in (first, country) if p)


def country_name(code: str, lang: str = "en") -> str:
    if not code:
        return ""
    from babel import Locale

    try:
        return Locale.parse(lang).territories.get(code, code)
    except Exception:
        return code


def excerpt_dict(e: Excerpt) -> dict:
    return {"id": e.id, "message_id": e.message_id, "lang": e.lang, "country": e.country, "text": e.text,
            "source_text": e.source_text, "start": e.start, "end": e.end, "attribution": e.attribution,
            "theme_id": e.theme_id, "why": e.why}
