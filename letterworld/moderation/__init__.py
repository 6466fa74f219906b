"""Moderation: flags with spans, redaction, duplicate groups and queue statuses.

`screen(text)` runs every per-message check the screen stage runs: the rules (`screen_rules`)
and the classifiers on the multilingual embeddings (abuse/hostility, narrowed to sentences, and
safety), loaded once, lazily. `letterworld.moderation.stage` adapts them to the store and adds
the corpus-level checks (duplicates, off-topic, sample-text copies).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import PLACEHOLDERS, Flag, placeholder
from .pii import find_personal_data
from ..textsafe import hidden_text
from .rules import find_abuse, find_links, find_safety, find_spam

# Flags that group messages rather than block them.
GROUPING_KINDS = ("duplicate", "template")
# Text hidden from a reader (bidi override, zero-width characters inside words, control characters):
# blocking, it waits for a person.
HIDDEN_TEXT = "hidden_text"


@dataclass(frozen=True)
class Screening:
    """Result of screening one message: flags on the original text and the redacted text."""

    text: str
    flags: tuple[Flag, ...]
    redacted: str

    @property
    def blocking(self) -> tuple[Flag, ...]:
        """Flags a person must look at before the message can be approved."""
        return tuple(f for f in self.flags if f.kind not in GROUPING_KINDS)


def redact(text: str, flags: list[Flag] | tuple[Flag, ...]) -> str:
    """Replace each redacted span with a visible placeholder; the original stays in the store.

    Spans are taken by start, the longest first; a span overlapping one already placed
    extends what is hidden, so no part of a redacted span ever shows (the store's
    `redacted_text` view applies the same rule)."""
    out, last = [], 0
    for f in sorted((f for f in flags if f.redact), key=lambda f: (f.start, -f.end, placeholder(f))):
        if f.start >= last:
            out.append(text[last:f.start])
            out.append(placeholder(f))
        last = max(last, f.end)
    out.append(text[last:])
    return "".join(out)


def screen_rules(text: str, *, lang: str | None = None, dangerous_terms: tuple[str, ...] = (),
                 protected_names: tuple[str, ...] = (), ner: bool = True) -> Screening:
    """The rules alone: personal data, links, spam, abuse and hostility word lists, safety
    patterns and hidden text in one message.

    Every rule reads the text through its invisible characters, compatibility forms and look-alike
    letters (`textfold.fold_offsets`, `textsafe.visible`); flag spans index the original text.

    `protected_names` (the recipient, public figures a campaign lists) are never flagged
    as personal data, and a listed label said of one of them ("Jani is a terrorist") is hostility
    (`rules.find_recipient_hostility`). `ner` (`[screen] ner`): person names also from spaCy NER where the
    language has a pipeline, `names.NerMissing` when it does not load; off, spaCy is never
    used and names come from patterns and name lists only."""
    personal = find_personal_data(text, lang=lang, protected_names=protected_names, ner=ner)
    links = [f for f in find_links(text)
             if all(f.end <= p.start or f.start >= p.end for p in personal)]
    flags = personal + links + find_spam(text) + find_abuse(text, protected_names) + find_safety(text, dangerous_terms)
    flags += [Flag(HIDDEN_TEXT, f"hidden text: {why}", start, end) for start, end, why in hidden_text(text)]
    flags.sort(key=lambda f: (f.start, f.end, f.kind))
    return Screening(text=text, flags=tuple(flags), redacted=redact(text, flags))


_MODELS: dict = {}  # the classifiers and their embedder, loaded on first use


def _models(embedder=None):
    """(abuse classifier, embedder) for `screen`: loaded once per process; (None, None) when the
    classifier's weights are not installed."""
    if "clf" not in _MODELS:
        from .classifier import load_classifier

        _MODELS["clf"] = load_classifier()
    clf = _MODELS["clf"]
    if clf is None:
        return None, None
    if embedder is not None:
        if embedder.name != clf.embedder:
            raise ValueError(f"the classifiers were trained on {clf.embedder} embeddings, not {embedder.name}")
        return clf, embedder
    if "embedder" not in _MODELS:
        from ..embedding import load_embedder

        _MODELS["embedder"] = load_embedder(clf.embedder)
    return clf, _MODELS["embedder"]


def languages_of(texts: list[str]) -> list[str]:
    """Each text's language as the detect stage finds it, read through its invisible characters
    (what the classifiers read): for messages the store has no detection for."""
    from ..language import detect_batch
    from ..textsafe import visible

    return [d.lang for d in detect_batch([visible(t)[0] for t in texts])]


def screen_many(texts: list[str], *, langs: list[str | None] | None = None, dangerous_terms: tuple[str, ...] = (),
                protected_names: tuple[str, ...] = (), ner: bool = True, classify: bool = True,
                safety: bool = True, safety_bar: str = "standard", embedder=None) -> list[Screening]:
    """`screen` for many messages at once (the embeddings in one batch). A language not given is
    detected, as the detect stage would."""
    from .stage import confirmed_terms, model_flags

    texts = list(texts)
    if langs is None or any(lang is None for lang in langs):
        found = languages_of(texts)
        langs = found if langs is None else [lang or f for lang, f in zip(langs, found)]
    rules = [screen_rules(t, lang=lang, dangerous_terms=dangerous_terms, protected_names=protected_names, ner=ner)
             for t, lang in zip(texts, langs)]
    clf, emb = _models(embedder) if classify else (None, None)
    if clf is None:
        return rules
    extra = model_flags(clf, texts, langs, emb.encode, emb.name, safety=safety, safety_bar=safety_bar)
    out = []
    for r, more in zip(rules, extra):
        flags = sorted(confirmed_terms(list(r.flags) + more), key=lambda f: (f.start, f.end, f.kind))
        out.append(Screening(text=r.text, flags=tuple(flags), redacted=redact(r.text, flags)))
    return out


def screen(text: str, *, lang: str | None = None, dangerous_terms: tuple[str, ...] = (),
           protected_names: tuple[str, ...] = (), ner: bool = True, classify: bool = True, safety: bool = True,
           safety_bar: str = "standard", embedder=None) -> Screening:
    """Every per-message check of the screen stage on one message: the rules (`screen_rules`) and,
    with `classify`, the abuse/hostility classifier and (with `safety`) the safety classifier on
    the message's embedding, as `letterworld screen` runs them. `lang`: the message's language
    (detected when not given). Corpus-level checks (duplicates, off-topic, copies of the
    campaign's sample texts) need the whole campaign and stay in the stage."""
    return screen_many([text], langs=[lang], dangerous_terms=dangerous_terms, protected_names=protected_names,
                       ner=ner, classify=classify, safety=safety, safety_bar=safety_bar, embedder=embedder)[0]


__all__ = ["Flag", "Screening", "screen", "screen_many", "screen_rules", "redact", "GROUPING_KINDS", "HIDDEN_TEXT",
           "PLACEHOLDERS"]
