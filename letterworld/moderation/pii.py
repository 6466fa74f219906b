"""Personal data of writers: spans to redact.

Patterns work offline in every script (emails, phones, cards with the Luhn check, IBANs
with the mod-97 check, national ID numbers, IP addresses, handles, personal links, street
addresses in many languages). Names of private persons come from signature and
self-introduction patterns in any language, plus spaCy's NER where a pipeline for the
message's language is installed (see `letterworld.moderation.names`). Names a campaign
lists (`protected_names`: the recipient, public figures) are never flagged."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ..records import Flag
from ..scripts import char_class
from ..textsafe import span_back, visible

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'，。、]+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|ly|me|xyz|info|biz|co|app|link|top|site|online|club|vip)/[^\s<>\"']*")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,29}(?![\w@])")
# A phone number: optional +country code, then digits in groups separated by spaces,
# dots, dashes or brackets. Counted digits decide (dates and years are excluded below).
# Only Latin letters and digits glue to a number: Japanese, Korean and Chinese particles follow it
# directly ("090-1234-5678までご連絡ください", "010-1234-5678로 연락 주세요").
PHONE = re.compile(r"(?<![0-9A-Za-z_+.])(?:\+|00)?\(?\d[\d \t().\-]{5,18}\d(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
                   r"(?![\w.]\d)(?![0-9A-Za-z_])")
DATE_LIKE = re.compile(r"^\d{1,4}[./-] ?\d{1,2}[./-] ?\d{1,4}(?:\s+\d{1,2})?$|^\d{4}\s*[-–]\s*\d{4}$"
                       r"|^(?:1[5-9]\d\d|20\d\d)(?:\s+(?:1[5-9]\d\d|20\d\d))+$")  # "06.08. 2013", "1966 1970"
LOCAL7 = re.compile(r"^\(?\d{3}\)?[\s.-]\d{4}$")
IBAN = re.compile(r"(?i)\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
IP = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.]*\d)")
# national ID numbers with a fixed shape: US SSN, Spanish DNI/NIE, Brazilian CPF, Indian Aadhaar (grouped)
NATIONAL_ID = re.compile(r"(?<![\w-])(?:\d{3}-\d{2}-\d{4}|[XYZ]?\d{7,8}-?[A-HJ-NP-TV-Z]|\d{3}\.\d{3}\.\d{3}-\d{2}"
                         r"|\d{4}\s\d{4}\s\d{4})(?![\w-])")
CARD_CUE = re.compile(r"(?i)(?:card|tarjeta|carte|karte|cart[ãa]o|carta|kart)\w*\W+(?:\w+\W+){0,3}$")
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


def iban_ok(value: str) -> bool:
    v = re.sub(r"\s", "", value).upper()
    if not 15 <= len(v) <= 34:
        return False
    n = "".join(str(int(c, 36)) for c in v[4:] + v[:4])
    return int(n) % 97 == 1


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in PHONE.finditer(text):
        value = m.group().strip()
        ascii_value = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in value)  # "۱۹۶۶" -> "1966"
        main = re.split(r"\s?(?:x|ext\.?)\s?(?=\d+$)", value)[0]
        digits = re.sub(r"\D", "", main)
        international = value.startswith(("+", "00"))
        if DATE_LIKE.match(ascii_value.strip("()[] ")) or DATE_LIKE.match(main):
            continue
        if not (8 if not international else 7) <= len(digits) <= 15 and not (len(digits) == 7 and LOCAL7.match(main)):
            continue
        if len(digits) >= 13 and luhn_ok(digits) and not international:
            continue  # a card number, reported as such
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        spans.append((start, start + len(value)))
    return spans


def find_personal_data(text: str, *, lang: str | None = None, protected_names: tuple[str, ...] = (),
                       ner: bool = True) -> list[Flag]:
    """Flags (with redact=True) for emails, phones, cards, IBANs, handles, personal URLs, street addresses
    and names of private persons (`ner`: with spaCy NER, see `names.find_names`). The patterns read the
    text without its invisible characters ("ana\u200b@example.org" is an email), and each span covers
    the original characters, the invisible ones inside it too."""
    view, index = visible(text)
    flags = _find_personal_data(view, lang=lang, protected_names=protected_names, ner=ner)
    if view is text:
        return flags
    return [replace(f, start=a, end=b) for f in flags for a, b in [span_back(index, f.start, f.end)]]


def _find_personal_data(text: str, *, lang: str | None, protected_names: tuple[str, ...], ner: bool) -> list[Flag]:
    flags: list[Flag] = []
    for m in EMAIL.finditer(text):
        flags.append(Flag("personal_data", "email address", m.start(), m.end(), True))
    for m in IBAN.finditer(text):
        if m.group()[:2].isupper() or iban_ok(m.group()):
            flags.append(Flag("personal_data", "IBAN", m.start(), m.end(), True))
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            flags.append(Flag("personal_data", "payment card number", m.start(), m.end(), True))
    for m in re.finditer(r"(?<![\d-])\d{12}(?![\d-])", text):  # 12-digit cards (Maestro) only after "card"
        if CARD_CUE.search(text[max(0, m.start() - 40):m.start()]):
            flags.append(Flag("personal_data", "payment card number", m.start(), m.end(), True))
    for m in IP.finditer(text):
        flags.append(Flag("personal_data", "IP address", m.start(), m.end(), True))
    for m in NATIONAL_ID.finditer(text):
        flags.append(Flag("personal_data", "national ID number", m.start(), m.end(), True))
    addresses = address_spans(text)
    for start, end in addresses:  # before phones: "40213 1187 Oak St" is not a phone number
        flags.append(Flag("personal_data", "street address", start, end, True))
    for start, end in _phone_spans(text):
        flags.append(Flag("personal_data", "phone number", start, end, True))
    for m in HANDLE.finditer(text):
        flags.append(Flag("personal_data", "social media handle", m.start(), m.end(), True))
    from .names import find_names

    flags += find_names(text, lang=lang, protected_names=protected_names, ner=ner)
    return _drop_overlaps(flags)


# -- street addresses -------------------------------------------------------------------
STREET_WORDS = (
    "street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|place|pl|way|court|ct|square|sq|"
    "terrace|crescent|close|highway|hwy|parkway|row|walk|"
    "calle|c/|carrera|cra|avenida|avda|paseo|plaza|camino|carretera|callejón|diagonal|transversal|"
    "rua|travessa|praça|estrada|alameda|largo|"
    "rue|boulevard|bd|allée|chemin|impasse|quai|cours|"
    "via|viale|piazza|corso|vicolo|"
    "straße|strasse|str|gasse|weg|platz|allee|ring|damm|"
    "straat|laan|gracht|plein|"
    "ulica|ul|utca|u|út|ulitsa|prospekt|"
    "sokak|sok|sokağı|cadde|caddesi|cad|mahallesi|mah|"
    "jalan|jl|soi|thanon|đường|duong|phố|"
    "katu|tie|vej|gade|gatan|gata|vägen|veien|vei|"
    "odos|odós|str|tér|útja|tere|gate|vegur|stræti|torg|plads|coves?|isle|gateway|parks?|fort|courts?|"
    "heights|gardens|grove|view|hill|mews|green|rise|park|point|ridge|run|trail|loop|pike|alley|plaza")
STREET_SUFFIXES = ("straße", "strasse", "str.", "gasse", "weg", "platz", "allee", "katu", "tie", "vej", "gade",
                   "vænget", "gatan", "vägen", "veien", "laan", "straat", "gracht", "utca", "ulica", "sokak",
                   "caddesi", "sokağı", "stræti", "straeti", "vegur", "gata", "gate", "stien", "vegen", "bakken",
                   "torget", "torg", "plads", "polku", "kuja", "dreef", "kade", "singel", "ulice", "cesta", "brücke")
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*"
_LINK = r"(?:de|del|da|do|dos|das|di|della|la|le|les|von|van|der|den|du|des|of|the|y|e)"
_NAME_RUN = rf"{_CAP}(?:\s+(?:{_LINK}\s+)?{_CAP}){{0,3}}"
_FUNCTION = r"(?i:of|the|and|in|for|to|from|with|at|on|by|during|since|until|in|de|la|el|le|les|der|die|das|und)"
# dates and times look like "number, name, number" ("31 Jul 2015", "10 55 AM 4"): never a street name
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|am|pm|a\.m|p\.m|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
          r"septiembre|octubre|noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
          r"octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|janeiro|fevereiro|março|"
          r"maio|junho|julho|setembro|outubro|novembro|dezembro)")
_STREET_TOKEN = rf"(?:{_CAP}|[a-zà-ÿ]{{1,6}}\.?)"
_NUMBER = r"\d{1,5}(?:\s?[A-Za-z](?![\w]))?(?:\s*(?:#|no\.?|nº|n°|n\.)\s*\d+(?:-\d+)?)?"
# the scripts the Asian address patterns read (kana: letters and marks, not its punctuation)
_HAN = char_class("Han")
_KATAKANA = char_class("Katakana", categories=("L", "M"), extensions=True)
_KANA = char_class("Hiragana", "Katakana", categories=("L", "M"), extensions=True)
_HANGUL = char_class("Hangul")
_THAI = char_class("Thai")
ADDRESS_PATTERNS = [
    STREET,
    # "512 Elm Street", "4417 Rua das Acácias 208", "9 Mill Road", "Calle 5 #12-30"
    re.compile(rf"(?:\b\d{{1,6}}[A-Za-z]?,?[ \t]+){{0,2}}(?:{_NAME_RUN}\s+)?\b(?i:{STREET_WORDS})\b\.?"
               rf"(?:\s+(?:{_LINK}\s+)?{_CAP}){{0,3}}(?:\s*,?\s*{_NUMBER})?"),
    # "Rantakatu 8", "Lindenstrasse 12", "Birkevænget 4"
    re.compile(rf"(?:\b\d{{1,6}}[ \t]+){{0,2}}(?:{_CAP}\s+)?[A-ZÀ-ÖØ-ÞĀ-ſ\w][\w-]*(?i:{'|'.join(re.escape(x) for x in STREET_SUFFIXES)})"
               rf"\s*{_NUMBER}"),
    # apartment, suite, box and military addresses
    # "3407 Kulla 12", "0412 Palmas 3390", "18 Kossuth tér 4.": number, name, number
    re.compile(rf"(?<![\w.,-])\d{{1,6}}[ \t]+(?!(?:{_FUNCTION}|{_MONTH})\b){_STREET_TOKEN}(?:[ \t]+(?!{_FUNCTION}\b){_STREET_TOKEN}){{0,3}}"
               rf"[ \t]+\d{{1,5}}(?:[A-Za-z](?![A-Za-z]))?(?![\w,/:-])\.?"),
    # "at 4417 31 Odos Ermou", "is on Nové Sady 318"
    re.compile(rf"(?:(?<=\bat )|(?<=\bon ))(?:\d{{1,6}}[ \t]+){{1,2}}(?!{_FUNCTION}\b){_CAP}[ \t]+(?!{_FUNCTION}\b){_CAP}\b"
               rf"|(?:(?<=\bis on )|(?<=\blives on ))(?!{_FUNCTION}\b){_CAP}(?:[ \t]+(?!{_FUNCTION}\b){_CAP}){{0,2}}[ \t]+\d{{1,5}}\b"),
    # a "Name 12" line directly above a unit, box or suite line: "Joaquin Suarez 2906\n Suite 4"
    re.compile(rf"(?m)^[>?\s]*{_STREET_TOKEN}(?:[ \t]+{_STREET_TOKEN}){{0,3}}[ \t]+\d{{1,5}}[A-Za-z]?\.?"
               rf"(?=[ \t]*\n[>?\s]*(?i:apt|apartment|suite|unit|flat|p\.?\s?o\.?\s+box|box)\b)"),
    # Korean road-name addresses: "서울특별시 마포구 망원로12길 34, 201호"
    re.compile(rf"(?:[{_HANGUL}]+(?:특별시|광역시|특별자치시|특별자치도|도|시)\s+)?[{_HANGUL}]+(?:구|군|시)\s+(?:[{_HANGUL}]+(?:동|읍|면)\s+)?"
               rf"[{_HANGUL}0-9]+(?:로|길)\s*\d+(?:-\d+)?(?:\s*,?\s*(?:\d+동\s*)?\d+호)?"),
    # Thai: "88/12 ซอยสุขุมวิท 39 แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพฯ 10110"
    re.compile(rf"\d{{1,5}}(?:/\d{{1,4}})?\s*(?:หมู่(?:ที่)?\s*\d+\s*)?(?:ซอย|ซ\.|ถนน|ถ\.)\s*[{_THAI}]+(?:\s*\d+)?"
               rf"(?:\s+(?:แขวง|ตำบล|ต\.|เขต|อำเภอ|อ\.|จังหวัด|จ\.)\s*[{_THAI}]+){{0,3}}(?:\s+กรุงเทพ(?:ฯ|มหานคร))?(?:\s+\d{{5}})?"),
    # Japanese: "東京都世田谷区北沢2丁目10-5", "大阪市北区梅田1-2-3"
    re.compile(rf"(?:[{_HAN}]{{1,3}}[都道府県])?[{_HAN}{_KATAKANA}]{{1,6}}[市区町村郡]"
               rf"[{_HAN}{_KANA}]{{0,8}}[0-9０-９]{{1,3}}(?:丁目|[-－ー])[0-9０-９]{{1,4}}(?:(?:番地?|[-－ー])[0-9０-９]{{1,4}}号?)?"),
    # Chinese: "上海市徐汇区漕溪北路88号", "台北市大安區和平東路二段106號3樓"
    re.compile(rf"[{_HAN}]{{1,6}}(?:市|区|區|县|縣|镇|鎮)[{_HAN}]{{0,10}}(?:路|街|大道|巷|弄)"
               rf"[一二三四五六七八九十]{{0,2}}段?[0-9０-９]{{1,5}}(?:号|號)(?:[0-9０-９]{{1,4}}(?:室|楼|樓))?"),
    re.compile(r"(?i)\b(?:apt|apartment|suite|ste|unit|flat|piso|apto|depto|dpto|bloco|wohnung)\.?\s*#?\s*\d+[A-Za-z]?"
               r"|\bPSC\s+\d+,?\s+Box\s+\d+(?:\s+APO\s+[A-Z]{2}\s+\d{5})?|\b(?:APO|FPO|DPO)\s+[A-Z]{2}\s+\d{5}"
               r"|\b(?:P\.?\s?O\.?\s+Box|Box|Apartado|Caixa Postal|Postfach)\s+\d+"),
]
# words before a Chinese or Japanese address that the address patterns take in (no spaces to stop them)
_LEADING_CUE = re.compile(r"(?:请|請)?(?:寄|送)(?:到|给|給|至)|(?:我的)?(?:地址|住址|住所)(?:是|为|為|は)?[:：]?|住在|私の住所は")
# what follows "my address is", "lives at", "send it to": the rest of the line is the address
ADDRESS_CUE = re.compile(
    r"(?i)(?:address(?:\s+is)?|addr\.|lives? at|living at|send (?:it|them|a new one|letters?|one) to|"
    r"write to me at|moved to|located at|office is at|"
    r"dirección(?:\s+es)?|domicilio|vivo en|direcci[oó]n:|endereço(?:\s+é)?|moro na|moro em|adresse(?:\s+est)?|"
    r"j'habite au|wohne in der|anschrift|adres(?:im)?|(?:the )?corner of|lives on(?: the \w+ side of)?|sent to\? \w+:)\s*:?\s+")
# a new sentence after the address ends it: "..., São Paulo - SP. Um abraço forte!", "... Utrecht. Hartelijke groet"
# (a full stop, then a capitalised word and a lower-case one; "Av. Paulista 1000" and "St. John St" go on)
_SENTENCE_AFTER = r"[.!?]\s+[A-ZÀ-Þ][a-zà-ÿ]+\s+[a-zà-ÿ]"
_CUE_TAIL = re.compile(r"(?:(?!\b(?i:phone|tel|e-?mail|call|ph)\b)[^\n.;!?]){0,60}?\d"
                       rf"(?:(?!\b(?i:phone|tel|e-?mail|call|ph)\b|{_SENTENCE_AFTER})[^\n;!?]){{0,60}}")


def address_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in ADDRESS_PATTERNS:
        for m in pattern.finditer(text):
            value = m.group()
            if not re.search(r"\d", value):
                continue  # "Bay Street" alone is a place, not an address
            lead = len(value) - len(value.lstrip())
            cue = _LEADING_CUE.match(value, lead)  # "请寄到上海市...": the request is not the address
            spans.append((m.start() + (cue.end() if cue else lead), m.end()))
    for m in ADDRESS_CUE.finditer(text):
        tail = _CUE_TAIL.match(text, m.end())
        if tail and tail.group().strip():
            end = m.end() + len(tail.group().rstrip(" ,?."))
            # "my address, in case you write back: Kerkstraat 12": the address starts after the colon
            colon = text.rfind(":", m.end(), m.end() + re.search(r"\d", tail.group()).start())
            start = m.end() if colon < 0 else re.compile(r"\s*").match(text, colon + 1).end()
            spans.append((start, end))
    # merge overlapping or adjacent pieces (street, suite, city and postcode on following lines)
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 2 and re.fullmatch(r"[\s,]*", text[merged[-1][1]:a]):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    # an address goes on over the next short lines: suite, city, region, country, postcode
    out = []
    for a, b in merged:
        for _ in range(4):
            m = _NEXT_LINE.match(text, b)
            if (not m or not re.search(r"\d|[A-ZÀ-Þ]", m.group()) or "@" in m.group()
                    or len(re.findall(r"\d", m.group())) >= 7
                    or re.search(r"(?i)\b(?:phone|tel|e-?mail|web|website|fax|mobile|cell)\b", m.group())):
                break
            b = m.end()
        out.append((a, b))
    return out


_NEXT_LINE = re.compile(r"[ \t]*,?[ \t]*\n(?:[ \t>?]*\n)?[ \t>?]*,?[ \t]*[\w'’.,()-]+(?:[ \t]+[\w'’.,()-]+){0,4}[ \t]*(?=\n|$|\?)")


def _drop_overlaps(flags: list[Flag]) -> list[Flag]:
    """Keep the earliest-listed flag where spans overlap (emails beat handles and phones)."""
    kept: list[Flag] = []
    for f in flags:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)
