"""Normalising the fields people put next to a message: column names, countries,
channels, dates and consent, in the many languages campaign exports use."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateutil import parser as dateparser

from .textfold import fold_key

# Canonical field -> header names seen in campaign exports (normalised: lowercase,
# no accents, letters and digits only).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "messages", "body", "content", "mensaje", "mensagem", "message_text",
             "messagetext", "texto", "texte", "nachricht", "testo", "bericht", "wiadomosc", "mesaj",
             "sporocilo", "letter", "comment", "comments", "note", "your message", "yourmessage",
             "post", "tweet", "sms", "msg"),
    "country": ("country", "countrycode", "country_code", "pais", "pays", "land", "paese", "kraj",
                "ulke", "drzava", "nation", "location", "country of residence", "countryofresidence"),
    "author": ("name", "firstname", "first name", "first_name", "author", "sender", "from", "nombre",
               "nome", "nom", "prenom", "vorname", "signature", "signed", "writer", "display name",
               "displayname", "username", "handle", "isim", "ime", "imie"),
    "date": ("date", "created", "createdat", "created_at", "timestamp", "received", "receivedat",
             "received_at", "sent", "sentat", "fecha", "data", "datum", "tarih", "submitted",
             "submittedat", "time", "datetime"),
    "channel": ("channel", "canal", "source", "medium", "kanal", "type", "via"),
    "recipient": ("recipient", "case", "casename", "destinataria", "destinatario", "destinataire",
                  "empfanger", "for", "to", "addressee", "person", "individual", "case_name"),
    "consent": ("consent", "consenttoquote", "consent to quote", "canquote", "publish", "permission",
                "consentimiento", "consentement", "einwilligung", "agree", "optin", "quote ok", "quoteok"),
}

CHANNEL_ALIASES: dict[str, str] = {
    "letter": "letter", "carta": "letter", "lettre": "letter", "brief": "letter", "mail": "letter",
    "postcard": "postcard", "card": "postcard", "postal": "postcard", "tarjeta": "postcard",
    "tarjeta postal": "postcard", "carte": "postcard", "carte postale": "postcard", "postkarte": "postcard",
    "cartao": "postcard", "cartao postal": "postcard",
    "online": "online", "web": "online", "form": "online", "webform": "online", "website": "online",
    "petition": "online", "email": "online", "e-mail": "online", "formulario": "online",
    "sms": "sms", "text": "sms", "whatsapp": "sms", "signal": "sms", "telegram": "sms",
    "social": "social", "twitter": "social", "x": "social", "facebook": "social", "instagram": "social",
    "tiktok": "social", "mastodon": "social", "bluesky": "social",
}

TRUE_WORDS = {"yes", "y", "true", "1", "si", "sí", "oui", "ja", "sim", "evet", "tak", "da", "x", "ok", "agree"}
FALSE_WORDS = {"no", "n", "false", "0", "non", "nein", "nao", "não", "hayir", "hayır", "nie", "ne", "disagree"}


def fold(text: str) -> str:
    """Lowercase, strip accents and punctuation: how headers and names are compared."""
    return fold_key(text)


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for field, names in COLUMN_ALIASES.items():
        for name in names:
            index.setdefault(fold(name), field)
            index.setdefault(fold(name).replace(" ", ""), field)
    return index


_ALIASES = _alias_index()


def map_columns(headers: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map canonical fields to the headers that hold them.

    Overrides ({"text": "Your words"}) win; otherwise the first header whose folded
    name is a known alias is used. Unknown columns are kept as extras by the caller.
    """
    mapping: dict[str, str] = {}
    overrides = overrides or {}
    for field, header in overrides.items():
        if field not in COLUMN_ALIASES:
            raise ValueError(f"unknown field {field!r} in column map; known: {', '.join(COLUMN_ALIASES)}")
        if header not in headers:
            raise ValueError(f"column {header!r} (given for {field}) not in the file; columns: {headers}")
        mapping[field] = header
    for header in headers:
        key = fold(header)
        field = _ALIASES.get(key) or _ALIASES.get(key.replace(" ", ""))
        if field and field not in mapping:
            mapping[field] = header
    return mapping


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Country names in the languages campaigns use -> ISO 3166-1 alpha-2 (from CLDR via babel)."""
    import pycountry
    from babel import Locale

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "official_name", ""), getattr(c, "common_name", ""), c.alpha_3):
            if name:
                index.setdefault(fold(name), c.alpha_2)
    for loc in ("en", "es", "fr", "pt", "de", "it", "nl", "tr", "sl", "pl", "ar", "ru", "zh", "ja", "ko", "th"):
        for code, name in Locale(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                index.setdefault(fold(name), code)
    index.update({"usa": "US", "us": "US", "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                  "holland": "NL", "turkiye": "TR", "burma": "MM", "south korea": "KR", "korea": "KR"})
    return index


def normalise_country(value: str) -> str:
    """ISO alpha-2 for a code or a name in a common language; "" when unknown."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 2 and value.isalpha():
        import pycountry
        code = value.upper()
        return code if pycountry.countries.get(alpha_2=code) else ""
    return _country_index().get(fold(value), "")


def normalise_channel(value: str, default: str = "") -> str:
    return CHANNEL_ALIASES.get(fold(value), default) if value else default


def normalise_consent(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def normalise_date(value: object) -> str:
    """ISO date (YYYY-MM-DD) or "" when it cannot be read. Day-first when ambiguous,
    as most of the world writes dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if _ISO.match(text):
            return dateparser.isoparse(text).date().isoformat()
        return dateparser.parse(text, dayfirst=True).date().isoformat()
    except (ValueError, OverflowError):
        return ""


@lru_cache(maxsize=1024)
def language_name(code: str, locale: str = "en") -> str:
    """The language's name in `locale` (CLDR via Babel), else its ISO 639 name (pycountry: the
    languages CLDR lacks, e.g. Central Bikol), else the code itself."""
    base = (code or "").replace("-", "_").split("_")[0].lower()
    if not base:
        return ""
    from babel import Locale

    try:
        name = Locale.parse(locale).languages.get(base, "")
    except Exception:  # an unknown locale: the English name
        name = Locale("en").languages.get(base, "")
    if not name:
        import pycountry

        lg = pycountry.languages.get(alpha_2=base) if len(base) == 2 else pycountry.languages.get(alpha_3=base)
        name = lg.name if lg else ""
    return name or base


def known_language(code: str) -> str:
    """The language code as stored ("pt", "pt-BR", "und"), or "" when it names no language:
    one letterworld identifies, or one CLDR (Babel) knows."""
    code = (code or "").strip()
    if not code:
        return ""
    from .language import SUPPORTED, UND

    if code.lower() in SUPPORTED or code.lower() == UND:
        return code.lower()
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return ""
    return locale.language if "-" not in code and "_" not in code else code
