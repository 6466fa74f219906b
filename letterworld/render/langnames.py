"""Language and country names in the excerpt's own language ("Español · Colombia").

Uses Babel (CLDR) when it is installed; otherwise a small autonym table and
pycountry's English country names.
"""

from __future__ import annotations

from functools import lru_cache

AUTONYMS = {
    "ar": "العربية", "bn": "বাংলা", "de": "Deutsch", "el": "Ελληνικά", "en": "English",
    "es": "Español", "fa": "فارسی", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "id": "Bahasa Indonesia",
    "it": "Italiano", "ja": "日本語", "ko": "한국어", "my": "မြန်မာ", "ne": "नेपाली", "nl": "Nederlands",
    "pl": "Polski", "pt": "Português", "ru": "Русский", "sw": "Kiswahili", "ta": "தமிழ்", "th": "ไทย",
    "tr": "Türkçe", "uk": "Українська", "ur": "اردو", "vi": "Tiếng Việt", "zh": "中文", "am": "አማርኛ",
    "hy": "Հայերեն", "ka": "ქართული", "km": "ខ្មែរ", "lo": "ລາວ", "si": "සිංහල", "tl": "Tagalog",
    "ms": "Bahasa Melayu", "sv": "Svenska", "da": "Dansk", "no": "Norsk", "nb": "Norsk bokmål", "fi": "Suomi",
    "cs": "Čeština", "ro": "Română", "hu": "Magyar", "ca": "Català", "eu": "Euskara", "gl": "Galego",
    "mr": "मराठी", "gu": "ગુજરાતી", "pa": "ਪੰਜਾਬੀ", "te": "తెలుగు", "kn": "ಕನ್ನಡ", "ml": "മലയാളം",
}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


@lru_cache(maxsize=512)
def language_label(lang: str | None, country: str | None = None) -> str:
    """"Español · Colombia": language autonym, then the country in that language."""
    tag = (lang or "").replace("-", "_")
    base = tag.split("_")[0].lower()
    country = (country or "").upper()
    lname = cname = ""
    try:
        from babel import Locale

        loc = Locale.parse(tag or "en")
        lname = (loc.get_language_name(loc) or "") if tag else ""
        if country:
            cname = loc.territories.get(country, "")
    except Exception:
        pass
    if not lname:
        lname = AUTONYMS.get(base, "")
        if not lname and base:
            try:
                import pycountry

                lg = pycountry.languages.get(alpha_2=base) or pycountry.languages.get(alpha_3=base)
                lname = lg.name if lg else ""
            except Exception:
                lname = ""
    if country and not cname:
        try:
            import pycountry

            c = pycountry.countries.get(alpha_2=country)
            cname = getattr(c, "common_name", None) or (c.name if c else country)
        except Exception:
            cname = country
    parts = [p for p in (_cap(lname), cname) if p]
    return " · ".join(parts)
