"""Thin adapters between the stages' pure cores and the campaign store.

Each function reads what earlier stages wrote, runs one core, writes its own
results, and is safe to re-run."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import excerpts as ex
from .config import Config
from .embedding import Embedder, EmbedStats, embed_cached
from .ingest import DEFAULT_MAX_CHARS, FileResult, IngestError, expand_inputs, read_path
from .moderation import GROUPING_KINDS
from .progress import safe, say, task, warn
from .records import Excerpt, Message
from .space import ThemeSpace
from .store import Store, text_hash
from .themes import UNASSIGNED, assign, cluster, keywords, phrases, rank_titles, theme_vectors, title_case


class StageError(ValueError):
    """A stage cannot run as asked (an unknown recipient, missing earlier results); the
    message says what to do."""


# -- ingest ---------------------------------------------------------------------
@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    added: int = 0
    already: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)  # inputs that could not be read, and why
    skipped: list[str] = field(default_factory=list)  # entries of input folders left out, and why


def ingest(store: Store, inputs: Sequence[str | Path], *, column_map: dict[str, str] | None = None,
           defaults: dict[str, str] | None = None, max_chars: int = DEFAULT_MAX_CHARS,
           sheets: list[str] | None = None) -> IngestSummary:
    """Read every input; one that cannot be read is an error in the summary and the others
    go on."""
    summary = IngestSummary()
    for path in expand_inputs(list(inputs), summary.skipped):
        counts = [0, 0]  # added, already present

        def write(batch: list) -> None:  # messages go to the store in batches as they are read
            added, already = store.add_messages(batch)
            counts[0] += added
            counts[1] += already

        try:
            with store.transaction():  # one file is read whole or not at all
                result = read_path(path, column_map, defaults, max_chars=max_chars, sheets=sheets, sink=write)
                store.add_rejected(result.rejected)
                store.audit("ingest", str(path), detail={"added": counts[0], "already_present": counts[1],
                                                         "rejected": len(result.rejected),
                                                         "encoding": result.encoding, "columns": result.columns,
                                                         "notes": result.notes})
        except IngestError as exc:
            summary.errors.append(str(exc))
            continue
        added, already = counts
        summary.files.append(result)
        summary.added += added
        summary.already += already
        summary.rejected += len(result.rejected)
    return summary


# -- detect ---------------------------------------------------------------------
def detect(store: Store, config: Config) -> Counter:
    """Detect each message's language; manual corrections are kept, and a message whose text,
    country, the campaign's expected languages and the detector (code and calibration) are what
    its stored detection was derived from is not detected again (a re-run with nothing new costs
    a hash per message)."""
    from .language import detect_batch, fingerprint, stored_sample_languages
    from .textsafe import span_back, visible

    stored = store.detection_inputs()
    expected = config.campaign.expected_languages or None
    base = f"{fingerprint()}\0{json.dumps(expected, sort_keys=True)}"
    keys = {}
    messages = []  # the messages to detect
    firsts: dict[str, Message] = {}  # key -> the first message with it: copies are detected once
    total = 0
    for m in store.messages():
        total += 1
        key = text_hash(f"{base}\0{m.country}\0{m.text}")
        if stored.get(m.id) not in (key, "manual"):
            keys[m.id] = key
            firsts.setdefault(key, m)
            messages.append(m)
    distinct = list(firsts.values())
    # what a person reads: zero-width characters inside words must not change the language
    views = {key: visible(m.text) for key, m in firsts.items()}
    found: dict[str, object] = {}
    with task("detect languages", len(distinct)) as advance:
        for i in range(0, len(distinct), 1000):
            chunk = distinct[i:i + 1000]
            got = detect_batch([views[keys[m.id]][0] for m in chunk], countries=[m.country or None for m in chunk],
                               expected=expected)
            found.update((keys[m.id], d) for m, d in zip(chunk, got))
            advance(len(chunk))
    # the sample texts' languages (screen's off-topic and template checks) while the models are loaded
    stored_sample_languages(store, tuple(config.campaign.sample_texts))
    counts: Counter = Counter()
    with store.transaction():
        for m in messages:
            d = found[keys[m.id]]
            view, index = views[keys[m.id]]
            others = [{"lang": s.lang, **dict(zip(("start", "end"), (s.start, s.end) if view == m.text
                                                  else span_back(index, s.start, s.end)))}
                      for s in getattr(d, "others", ())]
            store.set_language(m.id, d.lang, float(d.confidence), others, inputs=keys[m.id])
        for row in store.languages().values():
            counts[row.lang] += 1
        store.audit("detect", "campaign", detail={"messages": len(messages), "unchanged": total - len(messages),
                                                  "languages": len(counts)})
    return counts


def correct_language(store: Store, message_id: int, lang: str, *, actor: str | None = None, why: str = "") -> None:
    """A moderator's correction: kept over every later automatic detection."""
    store.message(message_id)
    with store.transaction():
        old = store.languages([message_id]).get(message_id)
        store.set_language(message_id, lang, 1.0, manual=True)
        store.audit("language", f"message:{message_id}", detail={"from": old.lang if old else None, "to": lang},
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


def eligible(store: Store, recipient: str | None = None) -> Eligible:
    """The store's `eligible_messages` view (approved, two-person rule applied, one row per
    duplicate group), with each message's record."""
    rows = store.eligible(recipient)
    messages = store.messages([r.message_id for r in rows])
    return Eligible(messages, [r.text for r in rows], [r.lang for r in rows],
                    np.asarray([r.weight for r in rows], dtype=float), {r.message_id for r in rows if r.is_template})


def inputs_of_themes(store: Store, config: Config, model: str) -> str:
    """The state themes are derived from: the eligible voices, the embedder, the settings."""
    return store.state_hash("SELECT message_id, text, lang, recipient, weight, is_template FROM eligible_messages"
                            " UNION ALL SELECT 'name', theme_id, name, '', 0, 0 FROM theme_names"
                            " UNION ALL SELECT ?, ?, ?, '', 0, 0", (model, repr(config.themes), config.campaign.lang))


def inputs_of_excerpts(store: Store, config: Config, recipient: str) -> str:
    """The state excerpts are derived from: eligible voices and their effective flags, theme
    memberships, pins and bans, the recipient, the settings and writers' consent."""
    return store.state_hash(
        "SELECT 'e', e.message_id, e.text, e.lang, e.recipient, e.weight, e.is_template, m.author, m.consent"
        " FROM eligible_messages e JOIN messages m ON m.id = e.message_id"
        " UNION ALL SELECT 'f', message_id, kind, start, end, redact, '', '', '' FROM effective_flags"
        " WHERE message_id IN (SELECT message_id FROM eligible_messages)"
        " UNION ALL SELECT 'm', message_id, theme_id, '', '', '', '', '', '' FROM theme_members"
        " UNION ALL SELECT 't', theme_id, weight, hex(centroid), '', '', '', '', '' FROM themes"
        " UNION ALL SELECT 'c', message_id, start, end, action, '', '', '', '' FROM excerpt_choices"
        " UNION ALL SELECT 's', ?, ?, ?, ?, '', '', '', ''",
        (recipient, repr(config.excerpts), config.campaign.attribution, config.campaign.lang))


# -- embed ----------------------------------------------------------------------
def embed(store: Store, config: Config, embedder: Embedder, texts: list[str] | None = None,
          label: str = "embed messages", *, vectors: bool = True) -> tuple[np.ndarray | None, EmbedStats]:
    """Vectors for `texts` (default: every message and sample text) through the store's cache;
    `vectors=False` (the embed stage) only fills the cache."""
    if texts is None:  # every message: screening, themes and excerpts read the same cached vectors
        texts = [m.text for m in store.messages()] + list(config.campaign.sample_texts)
    with task(label, len(set(texts))) as advance:
        return embed_cached(store, embedder, texts, batch_size=config.embed.batch_size, progress=advance,
                            vectors=vectors)


# -- themes ---------------------------------------------------------------------
def themes(store: Store, config: Config, embedder: Embedder, *, recluster: bool = False) -> list[dict]:
    """Cluster eligible messages; existing themes are kept unless `recluster` (or there are
    none yet): every message keeps the theme it was given, and new messages are placed in
    the fitted theme space (`space.ThemeSpace`, stored in the `fitted` table) and assigned
    to the nearest existing theme, or left unassigned below the fitted outlier cut."""
    el = eligible(store)
    existing = store.themes()
    if not el.messages:
        if not existing or recluster:
            raise StageError("no approved messages to cluster: approve messages first (`letterworld queue`)")
        say("themes: no message may be featured now (approvals, two-person rule); existing themes kept")
        with store.transaction():
            store.record_run("themes", inputs_of_themes(store, config, embedder.name))
        return existing
    vectors, _ = embed(store, config, embedder, el.texts)
    recipients = [m.recipient for m in el.messages]
    fitted = store.fitted("theme_space")
    if existing and not recluster and fitted is not None and fitted[0] == embedder.name:
        space = ThemeSpace.from_arrays(fitted[1], fitted[2])
        cut = float(fitted[2]["outlier_cut"])
        centroids = np.stack([t["centroid"] for t in existing])
        ids = [t["theme_id"] for t in existing]
        before = store.theme_assignments()
        x = theme_vectors(space.transform(vectors, el.langs, recipients), el.langs, in_place=True)
        new = [i for i, m in enumerate(el.messages) if m.id not in before]
        labels = np.array([before[m.id][0] if m.id in before else UNASSIGNED for m in el.messages])
        scores = np.array([before[m.id][1] if m.id in before else 0.0 for m in el.messages])
        if new:
            got, sc = assign(x[new], centroids)
            labels[new] = np.where(sc >= cut, np.array([ids[i] for i in got]), UNASSIGNED)
            scores[new] = sc
        say(f"themes: kept {len(el.messages) - len(new)} messages' themes, assigned {len(new)} new ones to "
            f"{len(ids)} existing themes (use --recluster to rebuild)")
    else:
        space = ThemeSpace()
        x = theme_vectors(space.fit_transform(vectors, el.langs, recipients), el.langs, in_place=True)
        tc = config.themes
        result = cluster(x, el.weights, n_themes=tc.n_themes, min_themes=tc.min_themes,
                         max_themes=tc.max_themes, seed=tc.seed, max_unassigned=tc.max_unassigned)
        labels, scores, centroids = result.labels, result.scores, result.centroids
        ids = list(range(result.k))
        dropped = store.clear_theme_names()
        if dropped:
            say(f"themes: rebuilt, so {dropped} campaigner theme name(s) were dropped (theme ids changed); "
                "rename again with `letterworld themes --rename ID=NAME`")
        kept = scores[labels != UNASSIGNED]
        cut = float(kept.min()) if len(kept) and (labels == UNASSIGNED).any() else -1.0
        arrays, meta = space.to_arrays()
        store.put_fitted("theme_space", embedder.name, arrays, {**meta, "outlier_cut": cut, "k": result.k,
                                                                "fitted_on": len(el.messages)})
        say(f"themes: {result.k} themes (stability {result.stability:.2f}, silhouette {result.silhouette:.3f}), "
            f"{int((labels == UNASSIGNED).sum())} of {len(labels)} messages unassigned")
    # keywords describe what distinct voices say: a sample text sent 10,000 times is one voice
    # here, or its words would label every theme it touches
    kw = keywords(el.texts, el.langs, labels, exclude=name_words(store, config))
    names = store.theme_names()
    auto = _phrase_titles(store, config, embedder, el, vectors, labels, ids)
    out = []
    for k, theme_id in enumerate(ids):
        members = np.where(labels == theme_id)[0]
        if len(members) == 0:
            continue
        title = _title(el, members, scores, config)
        words = kw.get(theme_id, {})
        label = names.get(int(theme_id)) or auto.get(int(theme_id)) or title_case(title) or " · ".join(
            next(iter(words.values()), [])[:3])
        out.append({"theme_id": int(theme_id), "label": label, "title": title,
                    "keywords": words, "size": int(len(members)), "weight": float(el.weights[members].sum()),
                    "centroid": centroids[k], "model": embedder.name})
    members_map = {m.id: (int(label), float(score)) for m, label, score in zip(el.messages, labels, scores)}
    with store.transaction():
        store.replace_themes(out, members_map)
        store.audit("themes", "campaign", detail={"themes": len(out), "eligible": len(el.messages),
                                                  "assigned": int((labels != UNASSIGNED).sum()),
                                                  "recluster": recluster})
        store.record_run("themes", inputs_of_themes(store, config, embedder.name))
    return out


def meaning_space(vectors: np.ndarray, langs: list[str], recipients: list[str], min_count: int = 5) -> np.ndarray:
    """Vectors with the language and the recipient directions removed, then the direction all
    messages share: what is left is what distinguishes their meanings (`space.ThemeSpace`)."""
    if len(vectors) == 0:
        return np.asarray(vectors, dtype=np.float32)
    return ThemeSpace(min_count).fit_transform(vectors, langs, recipients)


def theme_space(vectors: np.ndarray, langs: list[str], recipients: list[str], min_count: int = 5) -> np.ndarray:
    """The space themes are clustered and assigned in: the meaning space, cross-lingual
    translation pairs joined (`themes.join_translations`), then each message averaged with
    its nearest neighbours (`themes.smooth_neighbours`), so that a message and its
    translation are rarely cut apart by a theme boundary."""
    return theme_vectors(meaning_space(vectors, langs, recipients, min_count), langs, in_place=True)


def name_words(store: Store, config: Config) -> set[str]:
    """Words of the recipients' and protected names, and greetings: never a theme keyword."""
    names = set(config.campaign.protected_names) | set(store.recipients())
    from .moderation.rules import wordlist

    return {w.lower() for n in names for w in n.split()} | set(wordlist("letter_words"))


MAX_TITLE_CANDIDATES = 60  # per theme: the most written phrases are embedded and ranked
TITLE_FREQUENCY_BONUS = 0.05  # per log of the messages a phrase is in: what several people wrote


def _phrase_titles(store: Store, config: Config, embedder: Embedder, el: Eligible, vectors: np.ndarray,
                   labels: np.ndarray, ids: list[int]) -> dict[int, str]:
    """A short title per theme, a phrase its own messages use in the campaign's language:
    candidate phrases (`themes.phrases`, recipients' names left out) ranked by closeness to
    the theme's centre, with diversity across themes (`themes.rank_titles`). Phrases and
    centres are compared with the shared direction of each removed (the mean of all
    candidate phrases; of all eligible messages), so what ranks is what is particular to
    the theme. Themes with no such phrase get none here (the caller falls back)."""
    lang = config.campaign.lang or "en"
    exclude = name_words(store, config)
    counts: dict[int, Counter] = {}
    forms: dict[str, Counter] = {}
    for theme_id in ids:
        c: Counter = Counter()
        for i in np.where(labels == theme_id)[0]:
            if el.langs[i] != lang or el.messages[i].id in el.templates:
                continue
            for p in phrases(el.texts[i], lang, exclude=exclude):
                c[p.lower()] += 1
                forms.setdefault(p.lower(), Counter())[p] += 1
        if c:
            counts[int(theme_id)] = c
    if not counts:
        return {}
    cands: dict[int, list[tuple[str, float]]] = {}
    for theme_id, c in counts.items():
        top = sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[:MAX_TITLE_CANDIDATES]
        cands[theme_id] = [(p, TITLE_FREQUENCY_BONUS * np.log(n)) for p, n in top]
    texts = sorted({p for v in cands.values() for p, _ in v})
    pv, _ = embed(store, config, embedder, texts, label="embed theme title candidates")
    pv = np.asarray(pv, dtype=np.float32)
    pv = pv - pv.mean(axis=0) if len(pv) > 1 else pv
    pv /= np.maximum(np.linalg.norm(pv, axis=1, keepdims=True), 1e-12)
    vecs = dict(zip(texts, pv))
    raw = np.asarray(vectors, dtype=np.float32)
    mean = raw.mean(axis=0)
    centres = {int(t): raw[labels == t].mean(axis=0) - mean for t in ids if (labels == t).any()}
    weight = {int(t): float(el.weights[labels == t].sum()) for t in ids}
    order = sorted(cands, key=lambda t: (-weight.get(t, 0.0), t))
    # each phrase as it is most often written ("the Amazon" stays capitalised)
    return {t: title_case(forms[p].most_common(1)[0][0]) for t, p in rank_titles(cands, vecs, centres, order).items()}


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
def choose_recipient(store: Store, config: Config, recipient: str | None = None) -> str:
    """Whose letter: the one asked for, else the config's, else the most written-to. A
    recipient nobody wrote to is an error (a letter "to Nobody" from 0 people helps no one)."""
    counts = store.recipients()
    who = recipient or config.campaign.recipient
    if not who:
        return next(iter(counts), "")
    if who not in counts:
        known = ", ".join(f"{k} ({v})" for k, v in counts.items()) or "none: no message names a recipient"
        raise StageError(f"no message is written to {who!r}; recipients in this store: {known}")
    return who


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


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def check_choice(store: Store, config: Config, recipient: str, message_id: int, start: int | None,
                 end: int | None, action: str) -> tuple[int, int]:
    """A pin or ban as it can be stored: the span (the whole message when none is given) in the
    message's redacted text. Refused (StageError, with the reason) when the message does not
    exist, the span is outside the text or empty; a pin also when the message is not eligible
    for this recipient's letter (pending, rejected, another recipient, a sample-text copy) or a
    flag blocks the span."""
    try:
        m = store.message(message_id)
    except KeyError:
        raise StageError(f"{action} {message_id}: no message {message_id} in this store") from None
    text = store.redacted_texts([message_id])[message_id]
    start, end = (0, len(text)) if start is None else (start, end)
    if not 0 <= start < end <= len(text):
        raise StageError(f"{action} {message_id}:{start}-{end}: the span must lie inside the message's "
                         f"text (0-{len(text)}, after redactions) and not be empty")
    if action == "pin":
        row = next((r for r in store.eligible(recipient or None) if r.message_id == message_id), None)
        if row is None:
            status = store.statuses().get(message_id, "pending")
            why = (f"it is {status}" if status not in ("approved", "approved_redacted") else
                   "it is a copy grouped under another message, or the two-person rule is waiting")
            raise StageError(f"pin {message_id}: the message cannot be quoted ({why}); approve it first")
        if row.is_template:
            raise StageError(f"pin {message_id}: the message is a copy of a campaign sample text")
        if recipient and m.recipient and m.recipient != recipient:
            raise StageError(f"pin {message_id}: the message is written to {m.recipient!r}, not {recipient!r}")
        flags = store.flags([message_id], effective=True).get(message_id, [])
        if any(overlaps((start, end), b) for b in blocked_spans(m.text, text, flags)):
            raise StageError(f"pin {message_id}:{start}-{end}: a moderation flag covers part of this span")
    return start, end


def excerpt_pool(store: Store, config: Config, embedder: Embedder, recipient: str) -> ExcerptPool:
    el = eligible(store)
    members = store.theme_members()
    theme_rows = store.themes()
    if not theme_rows:
        raise StageError("no themes yet: run `letterworld themes` first")
    flags = store.flags(effective=True)  # a flag a moderator dismissed no longer blocks its span
    choices = store.excerpt_choices()
    bans: dict[int, list[tuple[int, int]]] = {}
    for (mid, a, b), v in choices.items():
        if v == "ban":
            bans.setdefault(mid, []).append((a, b))
    pinned = {k for k, v in choices.items() if v == "pin"}
    xc = config.excerpts
    # theme order: by weight; the letter keeps the strongest themes
    theme_rows = sorted(theme_rows, key=lambda t: -t["weight"])[: xc.max_themes]
    keep = {t["theme_id"] for t in theme_rows}
    cands: list[ex.Candidate] = []
    by_msg = {m.id: (m, text, lang) for m, text, lang in zip(el.messages, el.texts, el.langs)}

    def banned(mid: int, a: int, b: int) -> bool:
        return any(overlaps((a, b), span) for span in bans.get(mid, ()))

    for m, text, lang in zip(el.messages, el.texts, el.langs):
        if m.id in el.templates or m.id not in members or members[m.id][0] not in keep:
            continue
        if recipient and m.recipient and m.recipient != recipient:
            continue
        for c in ex.candidates(m.id, text, lang, m.country, members[m.id][0], min_chars=xc.min_chars,
                               max_chars=xc.max_chars, max_sentences=xc.max_sentences,
                               blocked=blocked_spans(m.text, text, flags.get(m.id, []))):
            if not banned(c.message_id, c.start, c.end):
                cands.append(c)
    # a pin names any span: one that is not a sentence-cut candidate joins as its own candidate
    # (its theme: the message's, else the nearest kept one); a pin that no longer holds is said
    have = {(c.message_id, c.start, c.end) for c in cands}
    for mid, a, b in sorted(pinned - have):
        try:
            check_choice(store, config, recipient, mid, a, b, "pin")
        except StageError as exc:
            warn(f"[yellow]excerpts: pin not used: {safe(exc)}[/yellow]")
            continue
        if banned(mid, a, b):
            warn(f"[yellow]excerpts: pin {mid}:{a}-{b} not used: a ban overlaps it[/yellow]")
            continue
        m, text, lang = by_msg[mid]
        theme = members[mid][0] if mid in members and members[mid][0] in keep else -2
        cands.append(ex.Candidate(mid, a, b, text[a:b], lang, m.country, theme,
                                  ex.readability(text[a:b], xc.min_chars, xc.max_chars)))
    message_langs = Counter(lang for m, lang in zip(el.messages, el.langs)
                            if not recipient or not m.recipient or m.recipient == recipient)
    required = {lang for lang, n in message_langs.items() if n >= xc.min_lang_messages and lang != "und"}
    vectors, _ = embed(store, config, embedder, [c.text for c in cands], label="embed excerpt candidates")
    vectors = meaning_space(vectors, [c.lang for c in cands], [by_msg[c.message_id][0].recipient for c in cands], 3)
    centroids = {t["theme_id"]: t["centroid"] for t in theme_rows}
    ids = list(centroids)
    for i, c in enumerate(cands):
        if c.theme_id == -2:
            nearest = ids[int(np.argmax([vectors[i] @ centroids[t] for t in ids]))]
            cands[i] = ex.Candidate(c.message_id, c.start, c.end, c.text, c.lang, c.country, nearest, c.readability)
    return ExcerptPool(el, cands, vectors, centroids, required, pinned, message_langs)


def blocked_spans(original: str, text: str, flags) -> list[tuple[int, int]]:
    """Spans of `text` (a message's redacted text) that may not be quoted: blocking flags
    point into the original, so they can be used only when nothing was redacted before
    them; otherwise any blocking flag blocks the whole message."""
    blocked = [(f.start, f.end) for f in flags if f.kind not in UNBLOCKING_KINDS]
    return blocked if text == original else [(0, len(text))] if blocked else []


def excerpts(store: Store, config: Config, embedder: Embedder, recipient: str) -> list[Excerpt]:
    """Candidates from approved, non-template messages to `recipient`, scored and selected."""
    inputs = inputs_of_excerpts(store, config, recipient)
    pool = excerpt_pool(store, config, embedder, recipient)
    el, cands, required, xc = pool.el, pool.cands, pool.required, config.excerpts
    picked = ex.select(cands, pool.vectors, pool.centroids, per_theme=xc.per_theme + xc.alternates, mmr_lambda=xc.mmr_lambda,
                       required_langs=required, pinned=pool.pinned, weight_distinct=xc.weight_distinct,
                       weight_readability=xc.weight_readability, bonus_required_language=xc.bonus_required_language,
                       bonus_new_language=xc.bonus_new_language, bonus_new_country=xc.bonus_new_country)
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
        store.replace_excerpts([excerpt_dict(e) for e in out], recipient)
        store.audit("excerpts", "campaign", detail={"recipient": recipient, "candidates": len(cands),
                                                    "chosen": len(out), "required_languages": sorted(required)})
        store.record_run("excerpts", inputs, {"recipient": recipient})
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


def stored_excerpts(store: Store) -> list[Excerpt]:
    """The excerpts the store holds, as records (the provenance check runs again on each)."""
    return [Excerpt(**{k: v for k, v in d.items() if k != "id"}) for d in store.excerpts()]


def excerpt_dict(e: Excerpt) -> dict:
    return {"id": e.id, "message_id": e.message_id, "lang": e.lang, "country": e.country, "text": e.text,
            "source_text": e.source_text, "start": e.start, "end": e.end, "attribution": e.attribution,
            "theme_id": e.theme_id, "why": e.why}
