"""Records passed between stages: plain dataclasses, no store or I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHANNELS = ("letter", "postcard", "online", "sms", "social")
STATUSES = (
    "pending",
    "approved",
    "approved_redacted",
    "rejected",
    "held",
    "needs_translation",
)
APPROVED_STATUSES = ("approved", "approved_redacted")


@dataclass(frozen=True)
class Message:
    """One message as ingested. `text` is the original and is never modified."""

    text: str
    source_file: str
    source_row: int
    recipient: str = ""
    country: str = ""
    channel: str = ""
    date: str = ""
    author: str = ""
    consent: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class Rejected:
    """A row that could not become a message, kept aside with the reason."""

    source_file: str
    source_row: int
    reason: str
    raw: str


@dataclass(frozen=True)
class Flag:
    """A moderation finding on a span of a message (start/end index the original text)."""

    kind: str
    reason: str
    start: int = 0
    end: int = 0
    redact: bool = False


@dataclass(frozen=True)
class Excerpt:
    """A real quote: `source_text[start:end] == text` always holds."""

    message_id: int
    lang: str
    country: str
    text: str
    source_text: str
    start: int
    end: int
    theme_id: int
    attribution: str = ""
    why: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.message_id}:{self.start}-{self.end}"

    def __post_init__(self) -> None:
        if self.source_text[self.start : self.end] != self.text:
            raise ValueError(
                f"provenance broken for message {self.message_id}: "
                f"source_text[{self.start}:{self.end}] != excerpt text"
            )


# The visible stand-in for each kind of redacted personal data (by the flag's reason).
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


def placeholder(flag: Flag) -> str:
    """The visible stand-in for a redacted span: "[email]", "[phone]", "[name]", "[redacted]"."""
    if flag.kind == "redaction" and ": " in flag.reason:  # a moderator's redaction with a label
        return f"[{flag.reason.split(': ', 1)[1]}]"
    return PLACEHOLDERS.get(flag.reason, f"[{flag.kind}]")


# -- rows the store returns (typed, so no caller depends on column names) ----------------
@dataclass(frozen=True)
class Detection:
    """A message's language as stored: `others` are mixed-language spans; `manual` a person's correction."""

    message_id: int
    lang: str
    confidence: float
    others: list[dict[str, Any]] = field(default_factory=list)
    manual: bool = False


@dataclass(frozen=True)
class DuplicateRow:
    message_id: int
    group_id: int
    is_representative: bool
    is_template: bool


@dataclass(frozen=True)
class Decision:
    """A message's current moderation status and who set it (`manual`: a person, not a rule)."""

    message_id: int
    status: str
    reason_code: str
    decided_by: str
    decided_at: str
    manual: bool


@dataclass(frozen=True)
class RedactionRow:
    """A moderator's redaction ('redact') or an automatic redaction kept visible ('keep')."""

    message_id: int
    start: int
    end: int
    action: str
    label: str
    decided_by: str
    decided_at: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str  # JSON, as written
    why: str


@dataclass(frozen=True)
class RejectedRow:
    """A row kept aside at ingest; `raw` is the original row and may hold personal data."""

    source_file: str
    source_row: int
    reason: str
    raw: str
    rejected_at: str


@dataclass(frozen=True)
class EligibleMessage:
    """A row of the `eligible_messages` view: an approved voice the letter may draw on
    (`text` redacted; `weight` the approved copies it speaks for)."""

    message_id: int
    text: str
    lang: str
    recipient: str
    country: str
    weight: int
    is_template: bool
