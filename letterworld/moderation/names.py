"""Full names of private persons: signatures, self-introductions, titles, and spaCy NER
where a pipeline for the message's language is installed.

A campaign lists the names that stay (`protected_names`: the recipient, public figures);
every other person's name a writer puts in a message is flagged and redacted as [name].
Attribution is separate: the letter names writers by first name and country, and only
with consent (see stages.attribution)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..records import Flag

REASON = "person name"
_UP = r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩА-Я]"
_NAME_WORD = rf"{_UP}[a-zà-öø-ÿā-ſα-ωа-я'’-]+"
_PARTICLE = r"(?:de|del|da|do|dos|das|di|la|van|von|der|den|y|e|bin|al|el|ibn)"
NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME_WORD}|{_UP}\.))" + r"{0,3}"
SINGLE_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME_WORD}|{_UP}\.))" + r"{0,3}"

# "— Maria López, Calle 5 #12", "- Ana", at the start of a line or after a sentence
SIGNATURE_DASH = re.compile(rf"(?:^|(?<=\n)|(?<=[.!?…]\s))[ \t]*[—–―-]{{1,2}}[ \t]*(?P<name>{NAME})", re.M)
CLOSINGS = ("love|with love|all my love|best|best wishes|regards|kind regards|warm regards|cheers|yours|sincerely|"
            "in solidarity|solidarity|hugs|un abrazo|abrazos|saludos|cariños|besos|con cariño|atentamente|"
            "cordialement|bisous|amitiés|bien à vous|grüße|liebe grüße|viele grüße|herzliche grüße|alles liebe|"
            "abraços|beijos|um abraço|saudações|un abbraccio|saluti|baci|groetjes|groeten|sevgiler|saygılar|"
            "pozdrawiam|pozdrowienia|salam|signed|firmado|signé|assinado|from")
SIGNATURE_CLOSING = re.compile(rf"(?i:\b(?:{CLOSINGS}))[ \t]*[,:!]?[ \t]*\n?[ \t]*(?P<name>{NAME})")
SELF_INTRO = re.compile(
    rf"(?i:\b(?:my name is|my name's|me llamo|mi nombre es|je m'appelle|moi c'est|"
    rf"ich heiße|ich heisse|mein name ist|meu nome é|me chamo|chamo-me|mi chiamo|il mio nome è|"
    rf"mijn naam is|benim adım|nama saya|nazywam się))[ \t]+(?P<name>{SINGLE_NAME})")
TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Sr|Sra|Srta|Dña|Don|M|Mme|Mlle|Herr|Frau|Sig|Sig\.ra)\.?[ \t]+(?P<name>{NAME})")
# words that look like a name after "I am"/"soy"/"sono" but are not one
NOT_NAMES = {
    "a", "an", "the", "from", "brazilian", "mexican", "spanish", "french", "german", "english", "american",
    "italian", "turkish", "colombian", "argentinian", "chilean", "peruvian", "portuguese", "dutch", "polish",
    "very", "so", "here", "with", "proud", "happy", "sad", "sorry", "writing", "thinking", "praying", "a",
    "una", "un", "de", "muy", "estudiante", "student", "teacher", "profesora", "profesor", "mother", "madre",
    "mãe", "mère", "mutter", "father", "padre", "pai", "père", "vater", "amnesty", "amnistía", "amnistia",
    "dear", "querida", "querido", "chère", "cher", "liebe", "lieber", "cara", "caro", "jani", "god", "dios",
    "deus", "dieu", "gott", "the", "hope", "freedom", "justice", "libertad", "liberdade", "liberté", "freiheit",
    "you", "we", "i", "thank", "thanks", "gracias", "obrigado", "obrigada", "merci", "danke", "grazie",
    "stay", "keep", "fuerza", "força", "courage", "mut", "coraggio", "strength", "solidarity", "solidaridad",
}
SPACY_PERSON_LABELS = ("PERSON", "PER")


def _clean(text: str, start: int, end: int) -> tuple[int, int] | None:
    value = text[start:end]
    words = value.split()
    while words and words[-1].lower().strip(".,") in NOT_NAMES:
        words.pop()
    if not words or words[0].lower().strip(".,") in NOT_NAMES:
        return None
    value = " ".join(words)
    # re-find the trimmed value at the start of the span
    if not text.startswith(words[0], start):
        return None
    end = start + len(text[start:end].split(words[-1], 1)[0]) + len(words[-1]) if len(words) > 1 else start + len(words[0])
    return start, end


@lru_cache(maxsize=None)
def spacy_pipeline(lang: str | None):
    """An installed spaCy pipeline with NER for this language, or None (no download, ever)."""
    if not lang:
        return None
    try:
        import spacy
        from spacy.util import get_installed_models
    except Exception:  # spaCy missing or broken: patterns only
        return None
    for name in sorted(get_installed_models()):
        try:
            nlp = spacy.load(name)
        except Exception:
            continue
        if nlp.lang == lang and "ner" in nlp.pipe_names:
            for pipe in [p for p in nlp.pipe_names if p not in ("ner", "tok2vec", "transformer")]:
                nlp.disable_pipe(pipe)
            return nlp
    return None


def _protected(text: str, protected_names: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for name in protected_names:
        parts = [name] + [p for p in name.split() if len(p) > 2]
        for part in parts:
            for m in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.I):
                spans.append((m.start(), m.end()))
    return spans


def find_names(text: str, *, lang: str | None = None, protected_names: tuple[str, ...] = ()) -> list[Flag]:
    """Flags (redact=True) for names of private persons."""
    found: list[tuple[int, int]] = []
    for pattern in (SIGNATURE_DASH, SIGNATURE_CLOSING, SELF_INTRO, TITLE):
        for m in pattern.finditer(text):
            span = _clean(text, m.start("name"), m.end("name"))
            if span:
                found.append(span)
    nlp = spacy_pipeline(lang)
    if nlp is not None:
        for ent in nlp(text).ents:
            if ent.label_ in SPACY_PERSON_LABELS and any(c.isupper() for c in ent.text[:1]):
                found.append((ent.start_char, ent.end_char))
    keep = _protected(text, protected_names)
    flags = []
    for a, b in sorted(set(found)):
        if any(a < pb and b > pa for pa, pb in keep):
            continue
        flags.append(Flag("personal_data", REASON, a, b, True))
    return flags
