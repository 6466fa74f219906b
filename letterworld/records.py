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
