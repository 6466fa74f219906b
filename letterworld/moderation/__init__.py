"""Moderation: flags with spans, redaction, duplicate groups and queue statuses.

`screen(text)` is the pure core; `letterworld.moderation.stage` adapts it to the store.
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


def screen(text: str, *, lang: str | None = None, dangerous_terms: tuple[str, ...] = (),
           protected_names: tuple[str, ...] = (), ner: bool = True) -> Screening:
    """Flag personal data, links, spam, abuse, hostility, safety risks and hidden text in one message.

    Every rule reads the text through its invisible characters, compatibility forms and look-alike
    letters (`textfold.fold_offsets`, `textsafe.visible`); flag spans index the original text.

    `protected_names` (the recipient, public figures a campaign lists) are never flagged
    as personal data. `ner` (`[screen] ner`): person names also from spaCy NER where the
    language has a pipeline, `names.NerMissing` when it does not load; off, spaCy is never
    used and names come from patterns and name lists only."""
    personal = find_personal_data(text, lang=lang, protected_names=protected_names, ner=ner)
    links = [f for f in find_links(text)
             if all(f.end <= p.start or f.start >= p.end for p in personal)]
    flags = personal + links + find_spam(text) + find_abuse(text) + find_safety(text, dangerous_terms)
    flags += [Flag(HIDDEN_TEXT, f"hidden text: {why}", start, end) for start, end, why in hidden_text(text)]
    flags.sort(key=lambda f: (f.start, f.end, f.kind))
    return Screening(text=text, flags=tuple(flags), redacted=redact(text, flags))


__all__ = ["Flag", "Screening", "screen", "redact", "GROUPING_KINDS", "HIDDEN_TEXT", "PLACEHOLDERS"]
