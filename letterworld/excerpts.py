"""Excerpts: whole sentences (or short runs of them) from approved messages, scored by
meaning and chosen with diversity across languages and countries.

The provenance rule holds by construction: every excerpt is a slice of its message's
redacted text, and `Excerpt` refuses to exist otherwise."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .moderation import PLACEHOLDERS
from .scripts import wide_chars
from .segment import sentences

PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in set(PLACEHOLDERS.values())) + r"|\[[a-z_]+\]")
GREETING_END = re.compile(r"[,:،，：]\s*$")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\u00A0]*\n")
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def reading_length(text: str) -> float:
    """Length in Latin-character equivalents: one Han, kana or Hangul character reads like ~3 Latin ones."""
    wide = wide_chars(text)
    return (len(text) - wide) + 3 * wide


@dataclass(frozen=True)
class Candidate:
    message_id: int
    start: int
    end: int
    text: str
    lang: str
    country: str
    theme_id: int
    readability: float


@dataclass
class Selection:
    candidate: Candidate
    centrality: float
    distinct: float
    score: float
    why: dict = field(default_factory=dict)


def readability(text: str, min_chars: int, max_chars: int) -> float:
    """1 for a comfortable read-aloud length and clean writing, lower for shouting,
    emoji strings and runs of punctuation."""
    n = reading_length(text)
    ideal = (min_chars + max_chars) / 2.5
    score = 1.0 - min(1.0, abs(n - ideal) / ideal) * 0.5
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6 and len(letters) > 8:
        score -= 0.3
    if len(EMOJI.findall(text)) > 3:
        score -= 0.2
    if re.search(r"([!?.])\1{2,}", text):
        score -= 0.1
    if not any(unicodedata.category(c).startswith("L") for c in text):
        score -= 1.0
    if GREETING_END.search(text) and n < 60:
        score -= 0.6  # "Dear Thant Zin," is a salutation, not something people said
    return max(0.0, score)


def candidates(message_id: int, text: str, lang: str, country: str, theme_id: int, *,
               min_chars: int = 20, max_chars: int = 220, max_sentences: int = 3,
               blocked: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """Sentence runs of `text` (a redacted message) within the length window, never crossing
    a placeholder or a blocked span (a flag on the message)."""
    spans = sentences(text, lang)
    blocked = list(blocked or []) + [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    out = []
    for i in range(len(spans)):
        for j in range(i, min(len(spans), i + max_sentences)):
            start, end = spans[i][0], spans[j][1]
            piece = text[start:end]
            n = reading_length(piece)
            if n > max_chars:
                break
            if n < min_chars:
                continue
            if any(a < end and b > start for a, b in blocked):
                continue
            if j > i and any(GREETING_END.search(text[a:b]) for a, b in spans[i:j + 1]):
                continue  # a run holding "Dear Jani," or "Love," quotes the salutation, not the thought
            if j > i and PARAGRAPH_BREAK.search(piece):
                continue  # a quote stays within one paragraph
            out.append(Candidate(message_id, start, end, piece, lang, country, theme_id,
                                 readability(piece, min_chars, max_chars)))
    return out


def select(cands: list[Candidate], vectors: np.ndarray, centroids: dict[int, np.ndarray], *,
           per_theme: int = 4, mmr_lambda: float = 0.7, required_langs: set[str] | None = None,
           pinned: set[tuple[int, int, int]] | None = None, weight_distinct: float = 0.5,
           weight_readability: float = 0.3, bonus_required_language: float = 0.25,
           bonus_new_language: float = 0.1, bonus_new_country: float = 0.08) -> list[Selection]:
    """Pick excerpts per theme by maximal marginal relevance, with coverage quotas.

    Quality = centrality in the theme + distinctiveness from other themes + readability.
    Each pick is penalised by its similarity to picks already made (diversity) and gets a
    bonus when it brings a language or country not yet in the letter; languages listed
    in `required_langs` (enough approved messages) get a larger bonus until represented.
    One excerpt per message. Pinned excerpts are chosen first."""
    required_langs = set(required_langs or ())
    pinned = pinned or set()
    theme_ids = list(centroids)
    c_matrix = np.stack([centroids[t] for t in theme_ids]) if theme_ids else np.zeros((0, vectors.shape[1]))
    sims = vectors @ c_matrix.T if len(cands) else np.zeros((0, len(theme_ids)))
    own = np.array([sims[i, theme_ids.index(c.theme_id)] for i, c in enumerate(cands)]) if len(cands) else np.zeros(0)
    other = np.array([max([sims[i, k] for k, t in enumerate(theme_ids) if t != c.theme_id], default=0.0)
                      for i, c in enumerate(cands)]) if len(cands) else np.zeros(0)
    quality = own + weight_distinct * (own - other) + weight_readability * np.array([c.readability for c in cands])

    chosen: list[Selection] = []
    chosen_idx: list[int] = []
    used_messages: set[int] = set()
    langs: Counter = Counter()
    countries: Counter = Counter()

    def take(i: int, score: float, quota: str) -> None:
        c = cands[i]
        chosen.append(Selection(c, float(own[i]), float(own[i] - other[i]), float(score), {
            "centrality": round(float(own[i]), 3), "distinct": round(float(own[i] - other[i]), 3),
            "readability": round(c.readability, 3), "score": round(float(score), 3), "quota": quota}))
        chosen_idx.append(i)
        used_messages.add(c.message_id)
        langs[c.lang] += 1
        if c.country:
            countries[c.country] += 1

    for i, c in enumerate(cands):
        if (c.message_id, c.start, c.end) in pinned and c.message_id not in used_messages:
            take(i, float(quality[i]), "pinned by campaigner")

    total = per_theme * len(theme_ids)
    for theme in theme_ids:
        in_theme = [i for i, c in enumerate(cands) if c.theme_id == theme]
        while sum(1 for s in chosen if s.candidate.theme_id == theme) < per_theme:
            best, best_score, best_quota = None, -np.inf, ""
            for i in in_theme:
                c = cands[i]
                if c.message_id in used_messages:
                    continue
                redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen_idx), default=0.0)
                score = mmr_lambda * quality[i] - (1 - mmr_lambda) * redundancy
                quota = "quality"
                if c.lang in required_langs and langs[c.lang] == 0:
                    score += bonus_required_language
                    quota = f"language {c.lang} not yet represented"
                elif langs[c.lang] == 0:
                    score += bonus_new_language
                    quota = f"new language {c.lang}"
                if c.country and countries[c.country] == 0:
                    score += bonus_new_country
                    quota = quota if quota != "quality" else f"new country {c.country}"
                # no language or country dominates: penalise shares above a fair part
                if langs[c.lang] >= max(2, total // 4):
                    score -= 0.2
                if c.country and countries[c.country] >= max(2, total // 5):
                    score -= 0.1
                if score > best_score:
                    best, best_score, best_quota = i, score, quota
            if best is None:
                break
            take(best, best_score, best_quota)
    return chosen
