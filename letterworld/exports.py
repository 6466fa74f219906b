"""Exports a campaign can use: a schema-2 letter (docs/contracts.md, "letter.json (schema 2)")
as Markdown, print HTML, plain text, JSON and PDF.

Every format shows the blocks in reading order. Campaign text (greeting, opening, connective,
closing, signoff) and message text (quotes) never look alike: a quote is a block quotation
(``<blockquote class="quote">`` / ``> `` / ``  │ ``) followed by its provenance line, and its
translation comes right after, as a labelled paragraph that is not part of the quote
("Translation (es) by Ana Ruiz"; a machine draft says "machine draft, not reviewed").
An appendix lists every quote (message id, quote id, language, country, channel, consent,
translator). A letter that is not final carries a visible "DRAFT — missing translations: ..."
notice.

Message text, names and ids are untrusted everywhere: Markdown escapes its syntax
(`md_escape`), HTML escapes and drops the characters that reorder or hide text
(`letterworld.textsafe.drawable`), plain text drops those and every control character, and the
PDF is WeasyPrint over the escaped HTML with a URL fetcher that refuses every URL.

Consent: an attribution is shown only for a quote with ``consent: true`` and not
``anonymous: true``; otherwise every format says "anonymous" (and `to_json` nulls it).
"""

from __future__ import annotations

import copy
import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable

from .letter import quotes
from .scripts import RTL_LANGS
from .textsafe import drawable

__all__ = ["to_markdown", "to_html", "to_text", "to_json", "to_pdf", "write_exports",
           "md_escape", "RTL_LANGS", "FORMATS"]

FORMATS = ("md", "html", "pdf", "txt", "json", "script")  # script: the reading script (.txt and .html)
_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"})
_LANG_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")
CAMPAIGN_KINDS = ("greeting", "opening", "connective", "closing", "signoff")


# ------------------------------------------------------------------------------ Markdown escaping
# (moved from letterworld/letter.py)
# Markdown syntax a message could use to step out of its quote: emphasis, code, links and images,
# tables, headings, escapes; "<" and "&" become entities (no raw HTML from a message)
_MD_INLINE = re.compile(r"([\\`*_\[\]{}|~#!])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+[.)]|[-+=>])", re.M)  # list items, setext rules, quotes


def md_escape(text: Any) -> str:
    """``text`` as literal Markdown: HTML escaped, Markdown syntax backslash-escaped, invisible
    characters that reorder or hide text removed (`textsafe.drawable`); line breaks stay."""
    t = html.escape(drawable(_lines(str(text))), quote=False)
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1],
                              _MD_INLINE.sub(r"\\\1", t))


def _md_quote(text: str) -> list[str]:
    """A quote that stays inside its ``>`` block: every line prefixed, blank ones too. Leading
    blanks of a line go (four of them would open a code block, which shows entities raw)."""
    return [f"> {line.lstrip()}" if line.strip() else ">" for line in md_escape(text).split("\n")]


def _md_inline(text: Any) -> str:
    """Escaped Markdown on one line (table cells, labels)."""
    return " ".join(md_escape(text).split())


def _md_paragraph(text: Any) -> str:
    """Escaped Markdown as one paragraph: its lines joined by hard breaks, blank lines dropped
    (so no line of it can start a paragraph of its own)."""
    lines = [ln.strip() for ln in md_escape(text).split("\n") if ln.strip()]
    return "  \n".join(lines)


# ------------------------------------------------------------------------------ shared helpers

def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")


def _clean(text: Any) -> str:
    """Untrusted text as it may be shown: no bidi controls, invisible or control characters
    (tab and newline stay), one kind of line break."""
    t = drawable(_lines(str(text)))
    return "".join(ch for ch in t if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _one_line(text: Any) -> str:
    return " ".join(_clean(text).split())


def _lang(tag: Any, default: str = "und") -> str:
    """A BCP 47-looking tag (anything else is "und"): it goes into attributes."""
    t = str(tag or "").strip()
    return t.replace("_", "-") if _LANG_TAG.match(t) else default


def _base(tag: str) -> str:
    return tag.split("-")[0].lower()


def is_rtl(tag: Any) -> bool:
    t = _lang(tag)
    parts = t.split("-")
    return parts[0].lower() in RTL_LANGS or any(p.title() in _RTL_SCRIPTS for p in parts[1:])


def _check(letter: dict[str, Any]) -> None:
    if "blocks" not in letter:
        raise ValueError("exports need a schema 2 letter (blocks); schema 1 letters (sections) "
                         "are not supported")


def shown_attribution(q: dict[str, Any]) -> str | None:
    """The attribution a quote may show: only with consent and not anonymous."""
    if q.get("anonymous") or q.get("consent") is not True:
        return None
    a = _one_line(q.get("attribution") or "")
    return a or None


def language_name(tag: Any) -> str:
    from .fields import language_name as name_of

    return name_of(_base(_lang(tag)))


def country_name(code: Any) -> str:
    c = _one_line(code or "").upper()
    if not c:
        return ""
    name = ""
    try:
        from babel import Locale

        name = Locale("en").territories.get(c, "")
    except Exception:  # pragma: no cover
        pass
    return name or c


def _translation(q: dict[str, Any]) -> dict[str, Any] | None:
    t = q.get("translation")
    if not isinstance(t, dict) or not str(t.get("text") or "").strip():
        return None
    return t


def _is_machine(t: dict[str, Any]) -> bool:
    return t.get("status") != "accepted"


def translation_label(t: dict[str, Any]) -> str:
    """"Translation (es) by Ana Ruiz" or "Translation (es) — machine draft, not reviewed"."""
    lang = _lang(t.get("lang"))
    if _is_machine(t):
        by = _one_line(t.get("by") or "")
        return f"Translation ({lang}){' by ' + by if by else ''} — machine draft, not reviewed"
    by = _one_line(t.get("by") or "") or "unnamed translator"
    return f"Translation ({lang}) by {by}"


def provenance(q: dict[str, Any]) -> str:
    """"Maria, Polonia — Polish · Poland · message 412" (no name for an anonymous quote)."""
    parts = [f"{language_name(q.get('lang'))} ({_lang(q.get('lang'))})"]
    if q.get("country"):
        parts.append(country_name(q["country"]))
    parts.append(f"message {_one_line(q.get('message_id', '?'))}")
    who = shown_attribution(q)
    return (f"{who} — " if who else "Anonymous — ") + " · ".join(parts)


def consent_label(q: dict[str, Any]) -> str:
    c = q.get("consent")
    if c is True:
        return "yes" if not q.get("anonymous") else "yes (quoted anonymously)"
    if c is False:
        return "no → quoted anonymously"
    return "unknown" + (" (quoted anonymously)" if shown_attribution(q) is None else "")


def translator_label(q: dict[str, Any]) -> str:
    t = _translation(q)
    if t is None:
        return "none"
    if _is_machine(t):
        return "machine draft"
    return _one_line(t.get("by") or "") or "unnamed translator"


def appendix_rows(letter: dict[str, Any]) -> list[dict[str, str]]:
    """One row per quote, in reading order (the columns of every format's appendix)."""
    rows = []
    for q in quotes(letter):
        rows.append({
            "message": _one_line(q.get("message_id", "")),
            "quote": _one_line(q.get("id", "")),
            "language": f"{language_name(q.get('lang'))} ({_lang(q.get('lang'))})",
            "country": (f"{country_name(q['country'])} ({_one_line(q['country']).upper()})"
                        if q.get("country") else "unknown"),
            "channel": _one_line(q.get("channel") or "") or "unknown",
            "consent": consent_label(q),
            "attribution": shown_attribution(q) or "anonymous",
            "translator": translator_label(q),
        })
    return rows


APPENDIX_COLUMNS = [("message", "Message"), ("quote", "Quote id"), ("language", "Language"),
                    ("country", "Country"), ("channel", "Channel"), ("consent", "Consent"),
                    ("attribution", "Attribution"), ("translator", "Translator")]


def draft_notice(letter: dict[str, Any]) -> str | None:
    if letter.get("final", False):
        return None
    missing = [_one_line(m) for m in letter.get("missing_translations") or []]
    return "DRAFT — missing translations: " + (", ".join(missing) if missing else "none listed")


def _title(letter: dict[str, Any]) -> str:
    return f"Letter from the World to {_one_line(letter.get('recipient') or '')}".strip()


# ------------------------------------------------------------------------------ Markdown

def to_markdown(letter: dict[str, Any]) -> str:
    _check(letter)
    out: list[str] = []
    notice = draft_notice(letter)
    if notice:
        out += [f"**{_md_inline(notice)}**", ""]
    for b in letter["blocks"]:
        if b.get("kind") == "quote":
            out += _md_quote(b.get("text", ""))
            out.append("")  # the blank line ends the quote: nothing below is part of it
            out += [f"<sub>{_md_inline(provenance(b))}</sub>", ""]
            t = _translation(b)
            if t is not None:
                out += [f"*{_md_inline(translation_label(t))}:*  ", _md_paragraph(t["text"]), ""]
        else:
            text = _md_paragraph(b.get("text", ""))
            if text:
                out += [text, ""]
    out += ["---", "", "## Appendix: quotes", ""]
    rows = appendix_rows(letter)
    out.append("| " + " | ".join(h for _k, h in APPENDIX_COLUMNS) + " |")
    out.append("|" + "---|" * len(APPENDIX_COLUMNS))
    for r in rows:
        out.append("| " + " | ".join(_md_inline(r[k]) for k, _h in APPENDIX_COLUMNS) + " |")
    out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------ HTML

def _esc(text: Any) -> str:
    """Untrusted text for HTML text and quoted attributes, without the characters that reorder
    or hide it."""
    return html.escape(_clean(text))


# Noto families per script (Debian fonts-noto-core / fonts-noto-cjk); Pango falls back along the
# stack character by character, the :lang() rules put the right face first.
_STACK_BASE = ['"Noto Sans"', '"Noto Naskh Arabic"', '"Noto Sans Arabic"', '"Noto Sans Hebrew"',
               '"Noto Sans Devanagari"', '"Noto Sans Bengali"', '"Noto Sans Tamil"',
               '"Noto Sans Thai"', '"Noto Sans Lao"', '"Noto Sans Myanmar"', '"Noto Sans Khmer"',
               '"Noto Sans Ethiopic"', '"Noto Sans Georgian"', '"Noto Sans Armenian"',
               '"Noto Sans Sinhala"', '"Noto Sans CJK SC"', '"Noto Sans CJK JP"',
               '"Noto Sans CJK KR"', '"Noto Sans CJK TC"', '"Noto Sans Symbols"',
               '"Noto Sans Symbols 2"', "sans-serif"]
_LANG_FIRST = {
    "ar": ['"Noto Naskh Arabic"'], "fa": ['"Noto Naskh Arabic"'], "ps": ['"Noto Naskh Arabic"'],
    "sd": ['"Noto Naskh Arabic"'], "ug": ['"Noto Naskh Arabic"'],
    "ur": ['"Noto Nastaliq Urdu"', '"Noto Naskh Arabic"'],
    "he": ['"Noto Sans Hebrew"'], "yi": ['"Noto Sans Hebrew"'], "dv": ['"Noto Sans Thaana"'],
    "hi": ['"Noto Sans Devanagari"'], "mr": ['"Noto Sans Devanagari"'], "ne": ['"Noto Sans Devanagari"'],
    "th": ['"Noto Sans Thai"'], "my": ['"Noto Sans Myanmar"'], "km": ['"Noto Sans Khmer"'],
    "am": ['"Noto Sans Ethiopic"'], "ti": ['"Noto Sans Ethiopic"'],
    "ja": ['"Noto Sans CJK JP"'], "ko": ['"Noto Sans CJK KR"'], "zh": ['"Noto Sans CJK SC"'],
    "zh-Hant": ['"Noto Sans CJK TC"'], "zh-TW": ['"Noto Sans CJK TC"'], "zh-HK": ['"Noto Sans CJK HK"'],
    "yue": ['"Noto Sans CJK HK"'],
}


def _stack(first: list[str]) -> str:
    return ", ".join(first + [f for f in _STACK_BASE if f not in first])


def _css(draft: str | None) -> str:
    rules = [
        "@page { size: A4; margin: 22mm 20mm 24mm 20mm;"
        " @bottom-center { content: counter(page) \" / \" counter(pages); font-size: 8pt; color: #666; }"
        + (" @top-center { content: \"DRAFT — not final\"; font-size: 8pt; color: #b00; }" if draft else "")
        + " }",
        f"html {{ font-family: {_stack([])}; font-size: 11pt; line-height: 1.5; color: #111; }}",
        "body { max-width: 46rem; margin: 0 auto; }",
        ".campaign { margin: 0 0 0.8em 0; }",
        ".quote-block { margin: 1.1em 0; break-inside: avoid; }",
        "blockquote.quote { margin: 0; padding: 0.3em 0; padding-inline-start: 0.9em;"
        " border-inline-start: 3pt solid #c33; font-size: 12.5pt; white-space: pre-line;"
        " text-align: start; }",
        ".provenance { margin: 0.2em 0 0 0; font-size: 8.5pt; color: #555; }",
        "p.translation { margin: 0.4em 0 0 0; margin-inline-start: 1.2em; font-size: 10.5pt; color: #333; white-space: pre-line; }",
        ".translation-label { display: block; font-size: 8.5pt; font-style: italic; color: #555; }",
        ".translation.machine .translation-label { color: #b00; }",
        ".draft-notice { border: 1.5pt solid #b00; color: #b00; padding: 0.4em 0.6em; font-weight: bold; }",
        "section.appendix { break-before: page; font-size: 8.5pt; }",
        "section.appendix table { border-collapse: collapse; width: 100%; }",
        "section.appendix th, section.appendix td { border: 0.5pt solid #999; padding: 2pt 3pt;"
        " text-align: start; vertical-align: top; }",
        ":lang(ur) { line-height: 2.2; }",
    ]
    for tag, first in _LANG_FIRST.items():
        rules.append(f":lang({tag}) {{ font-family: {_stack(first)}; }}")
    return "\n".join(rules)


def to_html(letter: dict[str, Any]) -> str:
    """The letter as one print HTML document (what `to_pdf` renders)."""
    _check(letter)
    esc = _esc
    llang = _lang(letter.get("lang"), "en")
    ldir = "rtl" if is_rtl(llang) else "ltr"
    notice = draft_notice(letter)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(llang)}" dir="{ldir}">',
        '<head><meta charset="utf-8">',
        f'<title>{esc(_title(letter))}</title>',
        f"<style>\n{_css(notice)}\n</style></head>",
        f'<body lang="{esc(llang)}" dir="{ldir}">',
    ]
    if notice:
        parts.append(f'<p class="draft-notice" lang="en" dir="ltr" role="note">{esc(notice)}</p>')
    parts.append(f'<main class="letter" lang="{esc(llang)}" dir="{ldir}">')
    for b in letter["blocks"]:
        kind = str(b.get("kind", ""))
        if kind == "quote":
            qlang = _lang(b.get("lang"))
            qdir = "rtl" if is_rtl(qlang) else "auto"
            qid = esc(b.get("id", ""))
            parts.append(f'<div class="quote-block" lang="{esc(llang)}" dir="{ldir}" data-quote-id="{qid}">')
            parts.append(f'<blockquote class="quote" lang="{esc(qlang)}" dir="{qdir}" '
                         f'data-written-by="message">{esc(b.get("text", ""))}</blockquote>')
            who = shown_attribution(b)
            prov = esc(provenance(b))
            if who:  # the name isolated, so an RTL name cannot reorder the line around it
                e = esc(who)
                prov = f"<bdi>{e}</bdi>" + prov[len(e):]
            parts.append(f'<p class="provenance" lang="en" dir="ltr">{prov}</p>')
            t = _translation(b)
            if t is not None:
                tlang = _lang(t.get("lang"), llang)
                tdir = "rtl" if is_rtl(tlang) else "ltr"
                machine = " machine" if _is_machine(t) else ""
                parts.append(f'<p class="translation{machine}" lang="{esc(tlang)}" dir="{tdir}">'
                             f'<span class="translation-label" lang="en" dir="ltr">{esc(translation_label(t))}</span>'
                             f'<span class="translation-text">{esc(t["text"])}</span></p>')
            parts.append("</div>")
        else:
            blang = _lang(b.get("lang"), llang)
            bdir = "rtl" if is_rtl(blang) else "ltr"
            cls = re.sub(r"[^a-z]", "", kind.lower()) or "text"
            parts.append(f'<p class="campaign {cls}" lang="{esc(blang)}" dir="{bdir}" '
                         f'data-written-by="campaign">{esc(b.get("text", ""))}</p>')
    parts.append("</main>")
    parts.append('<section class="appendix" lang="en" dir="ltr"><h2>Appendix: quotes</h2><table>')
    parts.append("<thead><tr>" + "".join(f"<th>{h}</th>" for _k, h in APPENDIX_COLUMNS) + "</tr></thead><tbody>")
    for r in appendix_rows(letter):
        parts.append("<tr>" + "".join(f"<td><bdi>{esc(r[k])}</bdi></td>" for k, _h in APPENDIX_COLUMNS) + "</tr>")
    parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------------------ plain text

def to_text(letter: dict[str, Any]) -> str:
    """Plain text: campaign paragraphs flush left, quote lines behind "  │ ", the provenance
    line after "  — ", a translation under its label, indented."""
    _check(letter)
    out: list[str] = []
    notice = draft_notice(letter)
    if notice:
        out += ["*** " + notice + " ***", ""]
    for b in letter["blocks"]:
        if b.get("kind") == "quote":
            for line in _clean(b.get("text", "")).split("\n"):
                out.append(("  │ " + line.strip()).rstrip())
            out.append("  — " + provenance(b))
            t = _translation(b)
            if t is not None:
                out.append("  " + translation_label(t) + ":")
                out += ["      " + ln.strip() for ln in _clean(t["text"]).split("\n") if ln.strip()]
            out.append("")
        else:
            lines = [ln.strip() for ln in _clean(b.get("text", "")).split("\n") if ln.strip()]
            if lines:
                out += lines + [""]
    out += ["-" * 40, "Appendix: quotes", ""]
    for i, r in enumerate(appendix_rows(letter), 1):
        out.append(f"{i}. quote {r['quote']} (message {r['message']})")
        for k, h in APPENDIX_COLUMNS[2:]:
            out.append(f"   {h}: {r[k]}")
    out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------ JSON

def to_json(letter: dict[str, Any]) -> str:
    """The letter as JSON (UTF-8 text, not ASCII-escaped); the attribution of a quote that may
    not show one (anonymous or without consent) is null."""
    _check(letter)
    data = copy.deepcopy(letter)
    for q in quotes(data):
        if shown_attribution(q) is None and q.get("attribution") is not None:
            q["attribution"] = None
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------ PDF

class FetchRefused(Exception):
    pass


def _refusing_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing (no file, http or data URL)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: a plain callable
        def refuse(url, *args, **kwargs):
            raise FetchRefused(f"letterworld exports fetch nothing: {url[:80]}")

        return refuse

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise FetchRefused(f"letterworld exports fetch nothing: {url[:80]}")

    return RefusingFetcher()


def to_pdf(letter: dict[str, Any], path: str | Path) -> Path:
    """The print HTML as an A4 PDF (WeasyPrint, Pango shaping, Noto fonts embedded as subsets,
    real text). Needs Pango (Debian libpango-1.0-0, libpangoft2-1.0-0) and the Noto fonts."""
    from weasyprint import HTML

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = HTML(string=to_html(letter), base_url=None, url_fetcher=_refusing_fetcher())
    doc.write_pdf(str(path))
    return path


# ------------------------------------------------------------------------------ all of them

def write_exports(letter: dict[str, Any], out_dir: str | Path,
                  formats: Iterable[str] = FORMATS, *, stem: str = "letter") -> dict[str, Path]:
    """Write ``<stem>.<format>`` for each format into ``out_dir``; returns format -> path."""
    _check(letter)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {"md": to_markdown, "html": to_html, "txt": to_text, "json": to_json}
    paths: dict[str, Path] = {}
    for fmt in formats:
        p = out_dir / f"{stem}.{fmt}"
        if fmt == "pdf":
            to_pdf(letter, p)
        elif fmt == "script":
            from .reading import script_html, script_text

            p = out_dir / f"{stem}-script.txt"
            p.write_text(script_text(letter), encoding="utf-8")
            paths["script.html"] = out_dir / f"{stem}-script.html"
            paths["script.html"].write_text(script_html(letter), encoding="utf-8")
        elif fmt in writers:
            p.write_text(writers[fmt](letter), encoding="utf-8")
        else:
            raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
        paths[fmt] = p
    return paths
