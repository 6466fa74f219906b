"""The screen stage's adapter to the store: flags, duplicate groups, first statuses."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..config import Config
from ..language import stored_sample_languages
from ..parallel import map_chunks
from ..records import Flag
from ..store import Store
from . import GROUPING_KINDS, languages_of, screen_rules
from .duplicates import group_duplicates

RULE_ACTOR = "rule:auto-approve"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """What a message's screening depends on besides its text and the settings: the rules' and
    classifiers' code, the word and name lists, the model weights, the text folding."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    files = sorted([*root.joinpath("moderation").glob("*.py"), *root.joinpath("data").rglob("*"),
                    root / "textfold.py", root / "textsafe.py", root / "scripts.py", root / "segment.py"])
    for f in files:
        if f.is_file() and f.name != "langid_calibration.json":
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _flag_row(f: Flag) -> tuple:
    return f.kind, f.reason, f.start, f.end, f.redact


def screen_key(text: str, lang: str | None, settings: str) -> str:
    """The key of one message's per-message screening result in the store's `screen_cache`."""
    from ..store import text_hash

    return text_hash(f"{_code_fingerprint()}\0{settings}\0{lang}\0{text}")


@dataclass
class ScreenSummary:
    screened: int = 0
    flagged: Counter = field(default_factory=Counter)
    duplicate_groups: int = 0
    template_copies: int = 0
    statuses: Counter = field(default_factory=Counter)
    auto_approved: int = 0
    template_paraphrases: int = 0  # reworded or translated copies of the sample texts
    kept: bool = False  # nothing screening reads changed since the last screen: nothing was redone

    def detail(self) -> dict:
        return {"screened": self.screened, "flagged": dict(self.flagged), "duplicate_groups": self.duplicate_groups,
                "template_copies": self.template_copies, "template_paraphrases": self.template_paraphrases}


def _options(config: Config, auto_approve: bool | None, classify: bool | None, offtopic: bool | None,
             templates: bool) -> tuple[bool, bool | None, bool, str]:
    """A screen's switches with the config's defaults filled in, and all it reads from the
    settings as one string (part of `inputs_of_screen`)."""
    auto = config.screen.auto_approve if auto_approve is None else auto_approve
    classify = config.screen.classifier if classify is None else classify
    offtopic = config.screen.offtopic if offtopic is None else offtopic
    settings = json.dumps([auto, classify, offtopic, templates, repr(config.screen), repr(config.campaign),
                           config.embed.model], ensure_ascii=False)
    return auto, classify, offtopic, settings


def _kept(store: Store, settings: str) -> ScreenSummary | None:
    last = store.last_run("screen")
    if last is None or last["inputs"] != inputs_of_screen(store, settings):
        return None
    d = last["detail"]
    return ScreenSummary(screened=d["screened"], flagged=Counter(d["flagged"]), duplicate_groups=d["duplicate_groups"],
                         template_copies=d["template_copies"], template_paraphrases=d["template_paraphrases"],
                         statuses=Counter(store.statuses().values()), kept=True)


def screen_kept(store: Store, config: Config, *, auto_approve: bool | None = None, classify: bool | None = None,
                offtopic: bool | None = None, templates: bool = True) -> ScreenSummary | None:
    """The last screen's summary when nothing it reads changed since (`inputs_of_screen`), else
    None: the registry asks before it loads an embedder that a kept screen would not use."""
    return _kept(store, _options(config, auto_approve, classify, offtopic, templates)[3])


def inputs_of_screen(store: Store, settings: str) -> str:
    """The state a screen is derived from: every message (text, recipient, language), every
    moderation row (rules act on pending and non-manual ones), the code and the settings.
    Screening that state again gives that state back (the first screen's approvals and holds
    are its own fixed point), so a screen whose inputs are the last one's has nothing to do."""
    return store.state_hash(
        "SELECT m.id, m.text_hash, m.recipient, l.lang FROM messages m LEFT JOIN languages l ON l.message_id = m.id"
        " UNION ALL SELECT 'm', message_id, status, manual FROM moderation"
        " UNION ALL SELECT 's', ?, ?, ''", (_code_fingerprint(), settings))


def screen_store(store: Store, config: Config, *, auto_approve: bool | None = None,
                 progress: Callable[[int], None] | None = None, classify: bool | None = None,
                 embedder=None, offtopic: bool | None = None, templates: bool = True,
                 again: bool = False) -> ScreenSummary:
    """Screen every message; re-running replaces rule flags but never a person's decision.

    When nothing it reads changed since the last screen (`inputs_of_screen`), the stored flags,
    groups and statuses are kept as they are (`kept`) unless `again`: the corpus-level checks
    (duplicate groups, off-topic, sample-text paraphrases) look at every message, and a
    campaign of 100,000 should not pay for them when nothing is new.

    `classify` runs the abuse/hostility classifier on the multilingual embeddings (default:
    `[screen] classifier`); `embedder` must be the one it was trained on (loaded when not
    given). `offtopic` flags messages about something else entirely for review (default:
    `[screen] offtopic`; see `offtopic.py`). `templates` finds reworded and translated
    copies of the campaign's sample texts (`template_paraphrases`). Vectors come from the
    store's cache, which the embed stage filled: every check reads the same ones."""
    auto, classify, offtopic, state_settings = _options(config, auto_approve, classify, offtopic, templates)
    if not again and (kept := _kept(store, state_settings)) is not None:
        if progress:
            progress(kept.screened)
        return kept
    messages = store.messages()
    langs = store.languages()
    summary = ScreenSummary()
    per_message: dict[int, list[Flag]] = {}
    # the people written to are never the writers' personal data, listed or not
    protected = tuple(sorted(set(config.campaign.protected_names) | set(store.recipients())))
    # per-message results are kept by what they were derived from: a re-run screens only what changed
    settings = json.dumps([protected, list(config.campaign.dangerous_terms), config.screen.ner, classify,
                           config.screen.safety_classifier, config.screen.safety_bar, getattr(embedder, "name", None)],
                          ensure_ascii=False)
    keys = {m.id: screen_key(m.text, langs[m.id].lang if m.id in langs else None, settings) for m in messages}
    cached = store.screen_cache(list(keys.values()))
    copies: dict[str, list] = {}  # key not cached -> its messages: copies of a text are screened once
    for m in messages:
        if keys[m.id] in cached:
            per_message[m.id] = list(cached[keys[m.id]])
            if progress:
                progress(1)
        else:
            copies.setdefault(keys[m.id], []).append(m)
    todo = [same[0] for same in copies.values()]
    if config.screen.ner and todo:
        from .names import check_ner

        check_ner()  # asked for: a missing pipeline stops the run here, naming the package
    dangerous = tuple(config.campaign.dangerous_terms)

    def rules(part: list) -> list[list[Flag]]:  # the rules and NER hold the GIL: on every core, in workers
        return [list(screen_rules(m.text, lang=langs[m.id].lang if m.id in langs else None, dangerous_terms=dangerous,
                                  protected_names=protected, ner=config.screen.ner).flags) for m in part]

    done = (lambda part: progress(sum(len(copies[keys[m.id]]) for m in part))) if progress else None
    for m, flags in zip(todo, map_chunks(rules, todo, progress=done)):
        per_message[m.id] = flags
    if classify is not False and todo:
        if embedder is None:
            from ..embedding import load_embedder
            from .classifier import load_classifier

            clf = load_classifier()
            if clf is not None:  # one embedder for the classifier and the off-topic check
                embedder = load_embedder(clf.embedder)
        for m, extra in zip(todo, classify_messages(store, todo, embedder, required=bool(classify),
                                                    safety=config.screen.safety_classifier, known=langs,
                                                    safety_bar=config.screen.safety_bar)):
            per_message[m.id] = confirmed_terms(per_message[m.id] + extra)
    for m in todo:  # same text, language and settings: the same flags, spans included
        for other in copies[keys[m.id]][1:]:
            per_message[other.id] = list(per_message[m.id])
    with store.transaction():
        store.put_screen_cache({keys[m.id]: per_message[m.id] for m in todo})
    index = store.near_copy_index()  # new messages are compared with the old ones, not all with all again
    groups = group_duplicates([m.text for m in messages], config.campaign.sample_texts,
                              threshold=config.screen.near_duplicate_threshold, index=index)
    dup_rows: dict[int, tuple[int, bool, bool]] = {}
    for g in groups:
        size = len(g.members)
        for i in g.members:
            mid = messages[i].id
            is_rep = i == g.representative
            dup_rows[mid] = (g.group_id, is_rep, g.template is not None)
            if g.template is not None:
                per_message[mid].append(Flag("template", f"copy of campaign sample text #{g.template + 1} "
                                             f"({size} copies)", 0, len(messages[i].text)))
                summary.template_copies += 1
            elif not is_rep:
                per_message[mid].append(Flag("duplicate", f"near copy of message {messages[g.representative].id} "
                                             f"({size} in group)", 0, len(messages[i].text)))
    summary.duplicate_groups = len(groups)
    if offtopic and messages:
        for mid, flag in offtopic_flags(store, config, messages, groups, embedder, langs).items():
            per_message[mid].append(flag)
    if templates and config.campaign.sample_texts and messages:
        if embedder is None:
            from ..embedding import load_embedder

            embedder = load_embedder(config.embed.model)
        found = template_paraphrases(store, config, embedder, messages, per_message, langs=langs)
        for mid, flag in found.items():
            per_message[mid].append(flag)
        summary.template_paraphrases = len(found)
    statuses = store.statuses()
    # written back where they changed: at campaign scale most messages' flags and groups are the
    # last screen's, and rewriting them all would cost more than screening the new ones
    stored_flags, stored_groups = store.flags(), store.duplicates()
    with store.transaction():
        store.update_duplicates({mid: row for mid, row in dup_rows.items()
                                 if (g := stored_groups.get(mid)) is None
                                 or (g.group_id, g.is_representative, g.is_template) != row},
                                removed=[mid for mid in stored_groups if mid not in dup_rows])
        store.put_near_copy_index(index)
        for m in messages:
            flags = per_message[m.id]
            if sorted(map(_flag_row, flags)) != sorted(map(_flag_row, stored_flags.get(m.id, ()))):
                store.replace_flags(m.id, flags)
            summary.screened += 1
            for f in flags:
                summary.flagged[f.kind] += 1
            blocking = [f for f in flags if f.kind not in GROUPING_KINDS]
            if any(f.kind == "safety" for f in blocking):
                if statuses.get(m.id) != "held":  # held already: by this rule or a person
                    store.set_status(m.id, "held", reason_code="safety", actor=RULE_ACTOR, manual=False,
                                     why="safety flag: held until a moderator looks")
            elif auto and not blocking and statuses.get(m.id) == "pending":
                if store.set_status(m.id, "approved", actor=RULE_ACTOR, manual=False,
                                    why="no flags; campaign chose auto-approval of unflagged messages"):
                    summary.auto_approved += 1
        store.audit("screen", "campaign", detail={"messages": summary.screened,
                                                  "flags": dict(summary.flagged),
                                                  "template_paraphrases": summary.template_paraphrases,
                                                  "auto_approve": auto})
        store.record_run("screen", inputs_of_screen(store, state_settings), summary.detail())
    summary.statuses = Counter(store.statuses().values())
    return summary


def confirmed_terms(flags: list[Flag]) -> list[Flag]:
    """Drop a `listed_term` flag that an `abuse` flag now covers: the classifier confirmed
    the word, and the moderator should see it once, as abuse."""
    abuse = [(f.start, f.end) for f in flags if f.kind == "abuse"]
    return [f for f in flags
            if not (f.kind == "listed_term" and any(a <= f.start and f.end <= b for a, b in abuse))]


def classify_messages(store: Store, messages, embedder=None, *, required: bool = False, known=None,
                      sentence_spans: bool = True, safety: bool = True, safety_bar: str = "standard") -> list[list[Flag]]:
    """Classifier flags for each message (none when the weights are missing, unless required).

    With `sentence_spans`, a flagged message's sentences are scored too and the flag narrowed
    to the sentences that pass on their own (`narrow_to_sentences`); only flagged messages
    are segmented and embedded again, so the extra cost is small."""
    from ..embedding import embed_cached, load_embedder
    from .classifier import load_classifier

    clf = load_classifier()
    if clf is None:
        if required:
            raise RuntimeError("the abuse classifier's weights are not installed (letterworld/data/abuse_classifier.npz)")
        return [[] for _ in messages]
    if embedder is None:
        embedder = load_embedder(clf.embedder)
    if embedder.name != clf.embedder:
        raise ValueError(f"the abuse classifier was trained on {clf.embedder} embeddings, not {embedder.name}")

    from ..progress import task

    known = store.languages() if known is None else known  # detected earlier; the rest are detected here
    missing = [i for i, m in enumerate(messages) if m.id not in known]
    detected = {}
    if missing:
        detected = dict(zip(missing, languages_of([messages[i].text for i in missing])))
    langs = [detected[i] if i in detected else known[m.id].lang for i, m in enumerate(messages)]
    with task("classify messages (embedding)", len({m.text for m in messages})) as advance:
        first = [True]

        def embed(texts: list[str]) -> np.ndarray:  # the first call is the messages: with progress
            bar, first[0] = (advance if first[0] else None), False
            return embed_cached(store, embedder, texts, progress=bar)[0]

        return model_flags(clf, [m.text for m in messages], langs, embed, embedder.name,
                           sentence_spans=sentence_spans, safety=safety, safety_bar=safety_bar)


def model_flags(clf, originals: list[str], langs: list[str | None], embed: Callable[[list[str]], np.ndarray],
                embedder_name: str, *, sentence_spans: bool = True, safety: bool = True,
                safety_bar: str = "standard") -> list[list[Flag]]:
    """The classifiers' flags for each text (the abuse/hostility classifier, narrowed to sentences,
    and the safety classifier), with spans in the original texts: what the screen stage adds to
    the rules, and what `moderation.screen` adds for a library user. `embed` turns texts into the
    vectors of the embedder the classifiers were trained on."""
    from ..textsafe import span_back, visible

    # the classifiers read what a person sees: invisible characters inside words are gone
    # (a zero-width space must not move a threat's embedding); spans map back to the original
    views = [visible(t) for t in originals]
    texts = [v[0] for v in views]
    vectors = np.asarray(embed(texts), dtype=np.float32)
    langs = [None if lang in (None, "und") else lang for lang in langs]
    langs = clf.route(langs, texts)  # Arabizi to the Arabic model: its sentences too
    flags = clf.flags(texts, vectors, langs)
    if sentence_spans:
        flags = sentence_flags(clf, embed, texts, langs, flags)
    if safety:  # threats and safety risks (moderation/safety.py): same vectors, a `safety` flag holds the message
        from .safety import safety_flags

        flags = [a + b for a, b in zip(flags, safety_flags(texts, vectors, langs, embedder_name, safety_bar))]
    out = []
    for original, (view, index), fl in zip(originals, views, flags):
        if view == original:
            out.append(fl)
            continue
        whole = (0, len(view))
        out.append([Flag(f.kind, f.reason, *((0, len(original)) if (f.start, f.end) == whole
                                              else span_back(index, f.start, f.end)), f.redact) for f in fl])
    return out


def sentence_flags(clf, embed: Callable[[list[str]], np.ndarray], texts: list[str], langs: list[str | None],
                   flags: list[list[Flag]]) -> list[list[Flag]]:
    """Narrow each message's classifier flag to the sentences it concerns.

    `clf` needs `proba(vectors, texts, langs)` and `threshold_for(lang)` (an `AbuseClassifier`),
    `embed` turns sentences into vectors. Only messages with a flag are segmented (ICU) and
    their sentences embedded in one batch and scored with the message's language and
    threshold."""
    from ..segment import sentences
    from .classifier import REASON

    spans: dict[int, list[tuple[int, int]]] = {}
    for i, fl in enumerate(flags):
        if not any(f.kind == "hostility" and f.reason.startswith(REASON) for f in fl):
            continue
        segs = sentences(texts[i], langs[i])
        if len(segs) > 1:
            spans[i] = list(segs)
    if not spans:
        return flags
    batch = [(i, texts[i][a:b]) for i, segs in spans.items() for a, b in segs]
    vectors = np.asarray(embed([t for _, t in batch]), dtype=np.float32)
    p = clf.proba(vectors, [t for _, t in batch], [langs[i] for i, _ in batch])
    out = [list(fl) for fl in flags]
    pos = 0
    for i, segs in spans.items():
        probs = p[pos:pos + len(segs)]
        pos += len(segs)
        narrowed = []
        for f in out[i]:
            if f.kind == "hostility" and f.reason.startswith(REASON) and (f.start, f.end) == (0, len(texts[i])):
                narrowed += narrow_to_sentences(f, segs, probs, clf.threshold_for(langs[i]))
            else:
                narrowed.append(f)
        out[i] = narrowed
    return out


def narrow_to_sentences(flag: Flag, spans: list[tuple[int, int]], probs, threshold: float) -> list[Flag]:
    """A whole-message classifier flag narrowed to its sentences at or over `threshold`
    (consecutive ones joined into one span); the whole message, saying so, when no single
    sentence passes (hostility can need the whole context)."""
    over = [(j, a, b, float(pr)) for j, ((a, b), pr) in enumerate(zip(spans, probs)) if pr >= threshold]
    if not over:
        return [Flag(flag.kind, f"{flag.reason}; no single sentence passes alone: read the whole message",
                     flag.start, flag.end, flag.redact)]
    runs: list[list[tuple[int, int, int, float]]] = []
    for sentence in over:
        if runs and runs[-1][-1][0] == sentence[0] - 1:  # the next sentence: same run
            runs[-1].append(sentence)
        else:
            runs.append([sentence])
    out = []
    for run in runs:
        top = max(pr for *_, pr in run)
        what = "sentence" if len(run) == 1 else f"{len(run)} sentences, highest"
        out.append(Flag(flag.kind, f"{flag.reason}; {what} p={top:.2f}", run[0][1], run[-1][2], flag.redact))
    return out


REFIT_GROWTH = 1.25  # the off-topic check is fitted anew when a campaign has this many times its fitted messages


def offtopic_flags(store: Store, config: Config, messages, groups, embedder=None, langs=None) -> dict[int, Flag]:
    """Review flags for messages about something else entirely (`offtopic.find_offtopic`).

    One row per distinct message: a duplicate group speaks through its representative (and
    its members share the verdict); copies of the campaign's sample texts are on topic by
    definition and are not scored. The sample texts themselves count as campaign messages.

    The check is fitted once (`offtopic.OffTopicModel`, the store's `fitted` table, with each
    fitted message's verdict kept by its text, language and recipient): a later screen scores
    only the messages the fit has not seen, against the campaign as it was fitted, and fits
    anew when the settings, the embedder or the sample texts changed or the campaign has grown
    past REFIT_GROWTH times its fitted size."""
    from . import offtopic as ot

    rep_of: dict[int, int] = {}  # message index -> representative index
    template_members: set[int] = set()
    for g in groups:
        for i in g.members:
            rep_of[i] = g.representative
            if g.template is not None:
                template_members.add(i)
    units = [i for i in range(len(messages)) if i not in template_members and rep_of.get(i, i) == i]
    if len(units) < ot.MIN_MESSAGES:
        return {}
    from ..embedding import embed_cached, load_embedder
    from ..store import text_hash

    if embedder is None:
        embedder = load_embedder(config.embed.model)
    langs = store.languages() if langs is None else langs
    samples = list(config.campaign.sample_texts)
    unit_langs = [langs[messages[i].id].lang if messages[i].id in langs else "und" for i in units]
    keys = [text_hash(f"{lang}\0{messages[i].recipient}\0{messages[i].text}") for i, lang in zip(units, unit_langs)]
    settings = [embedder.name, config.screen.offtopic_spread, ot.NEIGHBOURS, ot.MIN_MESSAGES, samples,
                _code_fingerprint()]
    model, fit_id = None, ""
    stored = store.fitted("offtopic")
    if stored is not None and stored[2].get("settings") == settings and len(units) <= REFIT_GROWTH * stored[2]["n"]:
        model, fit_id = ot.OffTopicModel.from_arrays(stored[1], stored[2]["model"]), stored[2]["fit"]
    from ..progress import task

    def cache_key(key: str) -> str:  # a message's verdict under one fit
        return text_hash(f"offtopic\0{fit_id}\0{key}")

    if model is None:  # fit on every distinct message, as find_offtopic
        with task("off-topic check (embedding)", len(set([messages[i].text for i in units] + samples))) as advance:
            vectors, _ = embed_cached(store, embedder, [messages[i].text for i in units] + samples, progress=advance)
        model = ot.OffTopicModel.fit(vectors[: len(units)], unit_langs, [messages[i].recipient for i in units],
                                     sample_vectors=vectors[len(units):],
                                     sample_langs=list(stored_sample_languages(store, tuple(samples))),
                                     spread=config.screen.offtopic_spread)
        del vectors
        fit_id = text_hash(json.dumps([settings, keys], ensure_ascii=False))
        hits = {h.index: h for h in model.hits()}
        verdicts = {key: [Flag(ot.KIND, hits[j].reason, 0, 0)] if j in hits else [] for j, key in enumerate(keys)}
        new = list(range(len(keys)))
        arrays, meta = model.to_arrays()
        with store.transaction():
            store.put_fitted("offtopic", embedder.name, arrays,
                             {"settings": settings, "n": len(units), "model": meta, "fit": fit_id})
    else:
        cached = store.screen_cache([cache_key(k) for k in keys])
        verdicts = {k: cached[cache_key(k)] for k in keys if cache_key(k) in cached}
        new = [j for j, key in enumerate(keys) if key not in verdicts]
        if new:  # messages the fit has not seen: scored against it
            vectors, _ = embed_cached(store, embedder, [messages[units[j]].text for j in new])
            hits = {h.index: h for h in model.score_new(vectors, [unit_langs[j] for j in new],
                                                        [messages[units[j]].recipient for j in new])}
            verdicts.update({keys[j]: [Flag(ot.KIND, hits[n].reason, 0, 0)] if n in hits else []
                             for n, j in enumerate(new)})
    if new:
        with store.transaction():
            store.put_screen_cache({cache_key(keys[j]): verdicts[keys[j]] for j in new})
    reason_of = {units[j]: verdicts[key][0].reason for j, key in enumerate(keys) if verdicts[key]}
    out: dict[int, Flag] = {}
    for i, m in enumerate(messages):
        reason = reason_of.get(rep_of.get(i, i))
        if reason is not None and i not in template_members:
            reason = reason if rep_of.get(i, i) == i else f"{reason}; as its group's representative"
            out[m.id] = Flag(ot.KIND, reason, 0, len(m.text))
    return out


def redacted_texts(store: Store) -> dict[int, str]:
    """Each message's text as the store's `redacted_text` view has it: personal data replaced
    by placeholders, with the moderators' redactions applied."""
    return store.redacted_texts()


def mark_template_paraphrases(store: Store, config: Config, embedder, **kw) -> int:
    """Find and store template paraphrases on their own (the screen stage does this as part
    of screening; kept for re-checking with other thresholds)."""
    messages = store.messages()
    current = store.flags()
    per_message = {m.id: list(current.get(m.id, [])) for m in messages}
    found = template_paraphrases(store, config, embedder, messages, per_message, **kw)
    with store.transaction():
        for mid, flag in found.items():
            store.replace_flags(mid, [*per_message[mid], flag])
    return len(found)


def template_paraphrases(store: Store, config: Config, embedder, messages, per_message: dict[int, list[Flag]], *,
                         threshold: float | None = None, sentence_threshold: float | None = None,
                         langs=None) -> dict[int, Flag]:
    """Flag messages whose meaning is a sample text's: reworded or translated.

    Character shingles catch copies. Two more rules, on messages not grouped yet:
    * reworded in the sample's language: whole-message embedding similarity >= threshold
      ("People everywhere stand with you" for "People all over the world stand with you");
      deliberately high, as multilingual-e5 puts unrelated solidarity messages near 0.9;
    * translated: sentence by sentence in the meaning space (each language's mean and the
      common direction removed), every sentence of the sample has a counterpart in the
      message and every substantive sentence of the message has one in the sample
      (`themes.sample_coverage` >= sentence_threshold, default `themes.SENTENCE_MATCH`,
      calibrated on Tatoeba translations, not on a campaign). A message that repeats one
      slogan of the sample ("journalism is not a crime") and adds its own words is kept."""
    samples = list(config.campaign.sample_texts)
    if not samples:
        return {}
    from ..space import SENTENCE_MATCH

    threshold = config.screen.paraphrase_threshold if threshold is None else threshold
    tau = SENTENCE_MATCH if sentence_threshold is None else sentence_threshold
    langs = store.languages() if langs is None else langs
    todo = [m for m in messages if not any(f.kind in GROUPING_KINDS for f in per_message.get(m.id, ()))]
    if not todo:
        return {}
    # a message's verdict depends on its text and language, the sample texts, the settings and the
    # fitted sentence space: kept in the screen cache, so a later screen judges only new messages
    sample_langs = list(stored_sample_languages(store, tuple(samples)))
    from ..space import ThemeSpace
    from ..store import text_hash

    settings = [samples, sample_langs, threshold, tau, getattr(embedder, "name", None), _code_fingerprint()]
    stored, space = store.fitted("paraphrase_space"), None
    if stored is not None and stored[2].get("settings") == settings and len(todo) <= REFIT_GROWTH * stored[2]["n"]:
        space, fit_id = ThemeSpace.from_arrays(stored[1], stored[2]["space"]), stored[2]["fit"]
    else:
        fit_id = text_hash(json.dumps([settings, len(todo)], ensure_ascii=False))
    keys = {m.id: text_hash(f"paraphrase\0{fit_id}\0{langs[m.id].lang if m.id in langs else 'und'}\0{m.text}")
            for m in todo}
    cached = store.screen_cache(list(set(keys.values()))) if space is not None else {}
    by_key = {}  # copies of a text in one language are judged once
    for m in todo:
        if keys[m.id] not in cached:
            by_key.setdefault(keys[m.id], m)
    if by_key:
        new, fitted = _paraphrases_of(store, embedder, list(by_key.values()), samples, sample_langs, threshold, tau,
                                      langs, space)
        with store.transaction():
            cached.update({k: [new[m.id]] if m.id in new else [] for k, m in by_key.items()})
            store.put_screen_cache({k: cached[k] for k in by_key})
            if space is None and fitted is not None:
                arrays, meta = fitted.to_arrays()
                store.put_fitted("paraphrase_space", getattr(embedder, "name", ""), arrays,
                                 {"settings": settings, "n": len(todo), "space": meta, "fit": fit_id})
    out = {}
    for m in todo:
        if cached[keys[m.id]]:
            f = cached[keys[m.id]][0]
            out[m.id] = Flag(f.kind, f.reason, 0, len(m.text))
    return out


def _paraphrases_of(store: Store, embedder, todo, samples: list[str], sample_langs: list[str], threshold: float,
                    tau: float, langs, space=None) -> tuple[dict[int, Flag], object]:
    """`template_paraphrases` for messages it has not judged before; the sentences' meaning
    space (each language's mean and the common direction removed) is fitted on them when no
    fitted `space` (a `space.ThemeSpace`) is given. Returns the flags and the space."""
    from ..embedding import embed_cached
    from ..excerpts import reading_length
    from ..segment import sentences
    from ..space import SHORT_SEGMENT, ThemeSpace, sample_coverage

    def vectors_of(texts):
        return embed_cached(store, embedder, texts)[0]

    vectors = vectors_of([m.text for m in todo] + samples)
    sims = vectors[: len(todo)] @ vectors[len(todo):].T
    found: dict[int, tuple[str, float, int]] = {}
    for m, row in zip(todo, sims):
        k = int(row.argmax())
        if row[k] >= threshold:
            found[m.id] = ("close paraphrase", float(row[k]), k)

    # translations: sentence by sentence
    sample_sents = [[s[a:b] for a, b in sentences(s, lang) if reading_length(s[a:b]) >= SHORT_SEGMENT]
                    for s, lang in zip(samples, sample_langs)]
    longest = max(len(s) for s in sample_sents)
    msg_sents: dict[int, list[str]] = {}
    msg_lang = {m.id: langs[m.id].lang if m.id in langs else "und" for m in todo}
    for m in todo:
        if m.id in found:
            continue
        segs = [m.text[a:b] for a, b in sentences(m.text, msg_lang[m.id])]
        segs = [t for t in segs if reading_length(t) >= SHORT_SEGMENT]
        if 0 < len(segs) <= 2 * longest:  # a long letter is not a sample text with a greeting added
            msg_sents[m.id] = segs
    rows = [(mid, t) for mid, segs in msg_sents.items() for t in segs]
    cols = [(j, t) for j, segs in enumerate(sample_sents) for t in segs]
    if rows and cols:
        v = vectors_of([t for _, t in rows] + [t for _, t in cols])
        groups = [msg_lang[mid] for mid, _ in rows] + [sample_langs[j] for j, _ in cols]
        if space is None:
            space = ThemeSpace()
            x = space.fit_transform(v, groups, [""] * len(groups))
        else:
            x = space.transform(v, groups, [""] * len(groups))
        xm, xs = x[: len(rows)], x[len(rows):]
        col_of = np.array([j for j, _ in cols])
        row_start: dict[int, list[int]] = {}
        for i, (mid, _) in enumerate(rows):
            row_start.setdefault(mid, []).append(i)
        for mid, idx in row_start.items():
            block = xm[idx] @ xs.T
            best = max((sample_coverage(block[:, col_of == j]), j) for j in range(len(samples)) if sample_sents[j])
            if best[0] >= tau:
                found[mid] = ("translation", best[0], best[1])
    by_id = {m.id: m for m in todo}
    out = {}
    for mid, (how, score, k) in found.items():
        what = (f"close paraphrase of campaign sample text #{k + 1} (similarity {score:.3f})" if how != "translation"
                else f"translation of campaign sample text #{k + 1} (every sentence matched; weakest {score:.2f})")
        out[mid] = Flag("template", what, 0, len(by_id[mid].text))
    return out, space
