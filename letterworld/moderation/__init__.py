"""Moderation: flags with spans, redaction, duplicate groups and queue statuses.

`screen(text)` is the pure core; `letterworld.moderation.stage` adapts it to the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Flag
from .pii import find_personal_data
from .rules import find_abuse, find_links, find_safety, find_spam

PLACEHOLDERS = {
    "email address": "[email]",
    "phone number": "[phone]",
    "payment card number": "[card]",
    "IBAN": "[iban]",
    "social media handle": "[handle]",
    "street address": "[address]",
    "contains a link": "[link]",
    "person name": "[name]",
    "national ID number": "[id]",
    "personal link": "[link]",
    "redacted by a moderator": "[redacted]",
}
# Flags that group messages rather than block them.
GROUPING_KINDS = ("duplicate", "template")


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


def placeholder(flag: Flag) -> str:
    """The visible stand-in for a redacted span: "[email]", "[phone]", "[name]", "[redacted]"."""
    if flag.kind == "redaction" and ": " in flag.reason:  # a moderator's redaction with a label
        return f"[{flag.reason.split(': ', 1)[1]}]"
    return PLACEHOLDERS.get(flag.reason, f"[{flag.kind}]")


def redact(text: str, flags: list[Flag] | tuple[Flag, ...]) -> str:
    """Replace each redacted span with a visible placeholder; the original stays in the store."""
    out, last = [], 0
    for f in sorted((f for f in flags if f.redact), key=lambda f: f.start):
        if f.start < last:
            continue
        out.append(text[last:f.start])
        out.append(placeholder(f))
        last = f.end
    out.append(text[last:])
    return "".join(out)


def screen(text: str, *, lang: str | None = None, dangerous_terms: tuple[str, ...] = (),
           protected_names: tuple[str, ...] = ()) -> Screening:
    """Flag personal data, links, spam, abuse, hostility and safety risks in one message.

    `protected_names` (the recipient, public figures a campaign lists) are never flagged
    as personal data."""
    personal = find_personal_data(text, lang=lang, protected_names=protected_names)
    links = [f for f in find_links(text)
             if all(f.end <= p.start or f.start >= p.end for p in personal)]
    flags = personal + links + find_spam(text) + find_abuse(text) + find_safety(text, dangerous_terms)
    flags.sort(key=lambda f: (f.start, f.end, f.kind))
    return Screening(text=text, flags=tuple(flags), redacted=redact(text, flags))


__all__ = ["Flag", "Screening", "screen", "redact", "GROUPING_KINDS", "PLACEHOLDERS"]
