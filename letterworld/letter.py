"""Composing the letter (pure) and exporting it as JSON, Markdown and HTML."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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


def to_markdown(letter: dict[str, Any]) -> str:
    lines = [f"# Letter from the World to {letter['recipient']}", "", letter["greeting"], "", letter["intro"], ""]
    for s in letter["sections"]:
        lines += [f"## {s['label']}", ""]
        for e in s["excerpts"]:
            who = f" — {e['attribution']}" if e.get("attribution") else ""
            lines.append(f"> {e['text']}")
            lines.append(">")
            lines.append(f"> <sub>{e['lang']}{who} · message {e['message_id']}</sub>")
            lines.append("")
    lines += [letter["closing"], ""]
    return "\n".join(lines)


def to_html(letter: dict[str, Any]) -> str:
    esc = html.escape
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
                         f"<p class='src'>{esc(e['lang'])}{who} · message {e['message_id']}</p></blockquote>")
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
