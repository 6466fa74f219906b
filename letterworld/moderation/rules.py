"""Rule-based flags: links, spam, abuse word lists, hostility phrases, safety terms."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..records import Flag
from ..scripts import char_class
from ..textfold import fold_offsets as fold
from ..textsafe import span_back, visible
from .pii import URL

REPEATED = re.compile(r"(.)\1{7,}", re.S)
# one message goes through several lists in a row (spam, abuse, hostility, safety): fold it once
_fold_recent = lru_cache(maxsize=16)(fold)


@lru_cache(maxsize=None)
def wordlist(name: str) -> tuple[str, ...]:
    """A bundled word list (letterworld/data/lists/NAME.txt): one term a line, '#' comments."""
    text = resources.files("letterworld").joinpath("data", "lists", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Arabic writes conjunctions, prepositions and the article onto the word ("والخونة", "بالكلاب") and
# inflects it ("خائن", "خائنة", "خائنين"): a listed Arabic word matches with these around it, and
# not inside another word ("خول" is no part of "دخول"). Folded forms (ة is ه).
_ARABIC_LETTER = char_class("Arabic", categories="L", extensions=True)
_ARABIC_PREFIX = "(?:[وف]?(?:[بلك]|لل)?(?:ال)?)"
_ARABIC_SUFFIX = "(?:ه|ات|ين|ون|ان|يه)?"


@lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...], arabic_words: bool = False) -> re.Pattern[str] | None:
    """One pattern for a list of folded terms, each with the boundaries its script allows: whole words
    for Latin-like terms (\\b fails for scripts without spaces), whole words with their clitics for
    Arabic-script terms when `arabic_words` (the bundled lists), a plain substring otherwise (scripts
    without spaces, and a campaign's dangerous terms: a town's name inside any word is worth a
    moderator's look). Each kind is one group, so a boundary is tested once per position, not once
    per term."""
    if not terms:
        return None
    latin, arabic, plain = [], [], []
    for a in sorted({re.escape(fold(t)[0]) for t in terms}, key=len, reverse=True):
        if re.match(r"^[\w\\ ]+$", a) and a[:1].isascii():
            latin.append(a)
        elif arabic_words and re.match(f"[{_ARABIC_LETTER}]", a):
            arabic.append(a)
        else:
            plain.append(a)
    groups = []
    if latin:
        groups.append(rf"(?<!\w)(?:{'|'.join(latin)})(?!\w)")
    if arabic:
        groups.append(rf"(?<![{_ARABIC_LETTER}]){_ARABIC_PREFIX}(?:{'|'.join(arabic)}){_ARABIC_SUFFIX}(?![{_ARABIC_LETTER}])")
    groups += plain
    return re.compile("|".join(groups), re.I)


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern[str] | None:
    return _term_pattern(wordlist(name), arabic_words=True)


def find_terms(text: str, list_name: str, kind: str, reason: str, skip=None) -> list[Flag]:
    return _matches(text, _pattern(list_name), kind, reason, skip)


def _matches(text: str, pattern: re.Pattern[str] | None, kind: str, reason: str, skip=None) -> list[Flag]:
    """Flags where `pattern` (built from folded terms) matches the folded text, on the original's spans;
    `skip(folded, start, end)` drops a match by what is around it in the folded text (read in the
    order a screen shows it, so a negation inside a bidi override is where a reader sees it)."""
    if pattern is None:
        return []
    folded, index = _fold_recent(text)
    flags = []
    for m in pattern.finditer(folded):
        if skip is not None and skip(folded, m.start(), m.end()):
            continue
        start, end = span_back(index, m.start(), m.end())
        flags.append(Flag(kind, f"{reason}: {text[start:end]!r}", start, end))
    return flags


def find_links(text: str) -> list[Flag]:
    view, index = visible(text)  # "exa\u200bmple.com" is a link too
    return [Flag("link", "contains a link", *span_back(index, m.start(), m.end()), True) for m in URL.finditer(view)]


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
    hostile = find_terms(text, "hostility", "hostility", "hostile to the recipient", skip=negated)
    return find_listed_terms(text) + hostile


# a negation just before a wish of punishment turns it around: "she does not deserve prison", "no merece
# la cárcel", "لا تستحق السجن", "说真话的人不应该坐牢"; German, French and Turkish put it after. Read on
# the folded text (`fold_offsets`: lower case, no accents on Latin letters, no Arabic vowel marks).
_NEG_BEFORE = re.compile(r"(?:(?<!\w)(?:not|never|no|nunca|jamas|jamais|nem|nao|non|mai|kein|keine|не|ни|нет|لا|ما|ليس|ليست|مش|مو|"
                         r"नहीं|न|ไม่|안|못)|n't|[不没沒別别])\W*(?:\w+\W+){0,1}$", re.I)
_NEG_AFTER = re.compile(r"^\W*(?:\w+\W+){0,1}(?:nicht|pas|degil|degildir)(?!\w)", re.I)


def negated(folded: str, start: int, end: int) -> bool:
    """Whether a phrase of a folded text is negated at most one word before it (or a word after it
    in de, fr, tr)."""
    return bool(_NEG_BEFORE.search(folded[max(0, start - 30):start]) or _NEG_AFTER.match(folded[end:end + 20]))


def find_safety(text: str, dangerous_terms: tuple[str, ...] = ()) -> list[Flag]:
    flags = find_terms(text, "safety", "safety", "reveals whereabouts or seeks contact")
    return flags + _matches(text, _term_pattern(tuple(dangerous_terms)), "safety", "campaign-listed dangerous term")
