"""Personal data of writers: spans to redact. Pattern-based, so it works offline in
every script; names of private persons come with issue 4 (NER)."""

from __future__ import annotations

import re

from ..records import Flag

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'，。、]+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|ly|me|xyz|info|biz|co|app|link|top|site|online|club|vip)/[^\s<>\"']*")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,29}(?![\w@])")
# A phone number: optional +country code, then digits in groups separated by spaces,
# dots, dashes or brackets. Counted digits decide (dates and years are excluded below).
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-]{5,18}\d(?!\w)")
DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$|^\d{4}\s*[-–]\s*\d{4}$")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
STREET = re.compile(
    r"(?i)\b(?:calle|carrera|avenida|av\.|rua|avenue|street|st\.|road|rd\.|rue|via|strasse|straße|"
    r"ulica|cadde(?:si)?|sokak|sok\.|jalan|soi|thanon|calle|cra\.?|cl\.?)\s+[^\n,;]{0,40}?\d+[A-Za-z]?"
    r"(?:\s*(?:#|no\.?|nº|n°)\s*\d+(?:-\d+)?)?"
    r"|\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd)\b\.?")


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in PHONE.finditer(text):
        value = m.group().strip()
        digits = re.sub(r"\D", "", value)
        international = value.startswith(("+", "00"))
        if DATE_LIKE.match(value) or not (8 if not international else 7) <= len(digits) <= 15:
            continue
        if len(digits) >= 13 and luhn_ok(digits) and not international:
            continue  # a card number, reported as such
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        spans.append((start, start + len(value)))
    return spans


def find_personal_data(text: str) -> list[Flag]:
    """Flags (with redact=True) for emails, phones, cards, IBANs, handles, personal URLs, street addresses."""
    flags: list[Flag] = []
    for m in EMAIL.finditer(text):
        flags.append(Flag("personal_data", "email address", m.start(), m.end(), True))
    for m in IBAN.finditer(text):
        flags.append(Flag("personal_data", "IBAN", m.start(), m.end(), True))
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            flags.append(Flag("personal_data", "payment card number", m.start(), m.end(), True))
    for start, end in _phone_spans(text):
        flags.append(Flag("personal_data", "phone number", start, end, True))
    for m in HANDLE.finditer(text):
        flags.append(Flag("personal_data", "social media handle", m.start(), m.end(), True))
    for m in STREET.finditer(text):
        flags.append(Flag("personal_data", "street address", m.start(), m.end(), True))
    return _drop_overlaps(flags)


def _drop_overlaps(flags: list[Flag]) -> list[Flag]:
    """Keep the earliest-listed flag where spans overlap (emails beat handles and phones)."""
    kept: list[Flag] = []
    for f in flags:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)
