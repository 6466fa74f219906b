"""Rule-based flags: links, spam, abuse word lists, hostility phrases, safety terms."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..records import Flag
from .pii import URL

REPEATED = re.compile(r"(.)\1{7,}", re.S)


@lru_cache(maxsize=None)
def wordlist(name: str) -> tuple[str, ...]:
    """A bundled word list (letterworld/data/lists/NAME.txt): one term a line, '#' comments."""
    text = resources.files("letterworld").joinpath("data", "lists", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = sorted({re.escape(t) for t in terms}, key=len, reverse=True)
    # \b does not work for scripts without spaces; use word-character lookarounds for Latin-like terms only
    parts = [rf"(?<!\w){a}(?!\w)" if re.match(r"^[\w\\ ]+$", a) and a[:1].isascii() else a for a in alternatives]
    return re.compile("|".join(parts), re.I)


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern[str] | None:
    return _term_pattern(wordlist(name))


def find_terms(text: str, list_name: str, kind: str, reason: str) -> list[Flag]:
    pattern = _pattern(list_name)
    if pattern is None:
        return []
    return [Flag(kind, f"{reason}: {m.group()!r}", m.start(), m.end()) for m in pattern.finditer(text)]


def find_links(text: str) -> list[Flag]:
    return [Flag("link", "contains a link", m.start(), m.end(), True) for m in URL.finditer(text)]


def find_spam(text: str) -> list[Flag]:
    flags = find_terms(text, "spam", "spam", "advertising term")
    for m in REPEATED.finditer(text):
        if not m.group(1).isspace() and len(m.group()) * 2 >= len(text.strip()):
            flags.append(Flag("spam", "mostly one repeated character", m.start(), m.end()))
    return flags


# Kind of a word-list insult, slur or label that the classifier did not confirm: it waits for a
# person (never approved automatically) but is not an abuse finding by itself.
LISTED_TERM = "listed_term"
LISTED_TERM_REASON = "listed insult or slur, read in context"


def find_listed_terms(text: str) -> list[Flag]:
    """Insults, slurs and labels from the abuse list ("traitor", "terrorist", "puta"), as
    `listed_term` flags on their spans. A word alone does not say whether a message is abusive:
    counter-speech and reports quote them ("they call her a terrorist, but she is a hero")."""
    return find_terms(text, "abuse", LISTED_TERM, LISTED_TERM_REASON)


def find_abuse(text: str) -> list[Flag]:
    """Word-list findings in one message.

    * Wishes of harm or punishment and threats ("should be shot", "deserves prison", "lock her
      up"; `hostility` list) are `hostility` flags: blocking, whatever the classifier says.
    * Insults, slurs and labels (`abuse` list) are `listed_term` flags (see `find_listed_terms`).
      The classifier turns such a term into an `abuse` flag on the same span when it scores the
      message at or above its language's list bar (`AbuseClassifier.flags`); below it the term
      stays a `listed_term` flag, which still keeps the message from automatic approval and
      shows the moderator the word."""
    return find_listed_terms(text) + find_terms(text, "hostility", "hostility", "hostile to the recipient")


def find_safety(text: str, dangerous_terms: tuple[str, ...] = ()) -> list[Flag]:
    flags = find_terms(text, "safety", "safety", "reveals whereabouts or seeks contact")
    pattern = _term_pattern(tuple(t.lower() for t in dangerous_terms))
    if pattern is not None:
        flags += [Flag("safety", f"campaign-listed dangerous term: {m.group()!r}", m.start(), m.end())
                  for m in pattern.finditer(text)]
    return flags
