"""Composing the letter (pure) and exporting it as JSON, Markdown and HTML."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .textsafe import drawable

# The letter's own words, per campaign language; {name}, {messages}, {languages}, {countries}.
WORDING: dict[str, dict[str, str]] = {
    "en": {"greeting": "Dear {name},",
           "intro": "People all over the world wrote to you. These are their words.",
           "closing": "Written by {messages} people in {languages} languages from {countries} countries."},
    "es": {"greeting": "Querida/o {name}:",
           "intro": "Personas de todo el mundo te escribieron. Estas son sus palabras.",
           "closing": "Escrita por {messages} personas en {languages} idiomas desde {countries} países."},
    "fr": {"greeting": "Chère/Cher {name},",
           "intro": "Des personnes du monde entier vous ont écrit. Voici leurs mots.",
           "closing": "Écrite par {messages} personnes en {languages} langues depuis {countries} pays."},
    "pt": {"greeting": "Querida/o {name},",
           "intro": "Pessoas do mundo inteiro escreveram para você. Estas são as palavras delas.",
           "closing": "Escrita por {messages} pessoas em {languages} idiomas de {countries} países."},
    "de": {"greeting": "Liebe/r {name},",
           "intro": "Menschen aus aller Welt haben dir geschrieben. Das sind ihre Worte.",
           "closing": "Geschrieben von {messages} Menschen in {languages} Sprachen aus {countries} Ländern."},
}


def compose(recipient: str, themes: list[dict[str, Any]], excerpts: list[dict[str, Any]],
            counts: dict[str, int], *, lang: str = "en", campaign: str = "") -> dict[str, Any]:
    """The letter: greeting, one section per theme (in theme order) with its excerpts, closing."""
    words = WORDING.get(lang, WORDING["en"])
    order = {t["theme_id"]: i for i, t in enumerate(themes)}
    sections = []
    for t in themes:
        items = [e for e in excerpts if e["theme_id"] == t["theme_id"]]
        if items:
            sections.append({"theme_id": t["theme_id"], "label": t["label"], "title": t.get("title", ""),
                             "keywords": t.get("keywords", {}), "excerpts": items})
    sections.sort(key=lambda s: order[s["theme_id"]])
    for e in excerpts:
        if e["source_text"][e["start"]:e["end"]] != e["text"]:
            raise ValueError(f"excerpt {e['id']} breaks the provenance rule")
    return {
        "campaign": campaign,
        "recipient": recipient,
        "lang": lang,
        "greeting": words["greeting"].format(name=recipient),  # full name: not every culture has first names
        "intro": words["intro"],
        "sections": sections,
        "closing": words["closing"].format(**counts),
        "counts": counts,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }


def all_excerpts(letter: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for s in letter["sections"] for e in s["excerpts"]]


# Markdown syntax a message could use to step out of its quote: emphasis, code, links and images,
# tables, headings, escapes; "<" and "&" become entities (no raw HTML from a message)
_MD_INLINE = re.compile(r"([\\`*_\[\]{}|~#!])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+[.)]|[-+=>])", re.M)  # list items, setext rules, quotes


def md_escape(text: str) -> str:
    """``text`` as literal Markdown: HTML escaped, Markdown syntax backslash-escaped, invisible
    characters that reorder or hide text removed (`textsafe.drawable`); line breaks stay."""
    t = html.escape(drawable(str(text)), quote=False)
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], _MD_INLINE.sub(r"\\\1", t))


def _md_quote(text: str) -> list[str]:
    """A quote that stays inside its ``>`` block: every line prefixed, blank ones too."""
    return [f"> {line}" if line.strip() else ">" for line in md_escape(text).replace("\r\n", "\n").split("\n")]


def to_markdown(letter: dict[str, Any]) -> str:
    md = md_escape
    lines = [f"# Letter from the World to {md(letter['recipient'])}", "", md(letter["greeting"]), "",
             md(letter["intro"]), ""]
    for s in letter["sections"]:
        lines += [f"## {md(s['label'])}", ""]
        for e in s["excerpts"]:
            who = f" — {md(e['attribution'])}" if e.get("attribution") else ""
            lines += _md_quote(e["text"])
            lines.append(">")
            lines.append(f"> <sub>{md(e['lang'])}{who} · message {md(e['message_id'])}</sub>")
            lines.append("")
    lines += [md(letter["closing"]), ""]
    return "\n".join(lines)


def _html_escape(text: Any) -> str:
    """``text`` for HTML text and quoted attributes, without the characters that reorder or hide it."""
    return html.escape(drawable(str(text)))


def to_html(letter: dict[str, Any]) -> str:
    esc = _html_escape
    parts = [f"<!doctype html><html lang='{esc(letter['lang'])}'><head><meta charset='utf-8'>",
             f"<title>Letter from the World to {esc(letter['recipient'])}</title>",
             "<style>body{font-family:'Noto Sans',sans-serif;max-width:46rem;margin:2rem auto;line-height:1.5}"
             "blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #c33}"
             ".src{color:#666;font-size:.85rem}</style></head><body>",
             f"<h1>Letter from the World to {esc(letter['recipient'])}</h1>",
             f"<p>{esc(letter['greeting'])}</p><p>{esc(letter['intro'])}</p>"]
    for s in letter["sections"]:
        parts.append(f"<section><h2>{esc(s['label'])}</h2>")
        for e in s["excerpts"]:
            who = f" — {esc(e['attribution'])}" if e.get("attribution") else ""
            parts.append(f"<blockquote lang='{esc(e['lang'])}' dir='auto'><p>{esc(e['text'])}</p>"
                         f"<p class='src'>{esc(e['lang'])}{who} · message {esc(e['message_id'])}</p></blockquote>")
        parts.append("</section>")
    parts.append(f"<p>{esc(letter['closing'])}</p></body></html>")
    return "\n".join(parts)


def write_letter(letter: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "letter.json", out_dir / "letter.md", out_dir / "letter.html"]
    paths[0].write_text(json.dumps(letter, ensure_ascii=False, indent=2), encoding="utf-8")
    paths[1].write_text(to_markdown(letter), encoding="utf-8")
    paths[2].write_text(to_html(letter), encoding="utf-8")
    return paths
