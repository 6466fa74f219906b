"""The letter as a sequence of blocks (pure): the campaign's own words around real quotes.

A letter is `greeting, opening, (connective, quote, quote...)*, closing, signoff`. Only quote
blocks come from messages; every other block is written by the campaign (`written_by`), from
editable per-language templates (`TEMPLATES`, or the campaign's own in the config). Themes are
grouped into movements along an arc (solidarity -> admiration -> demand -> hope -> farewell by
default) and the composer fills the letter by the clock: quotes are taken theme by theme in arc
order, best-ranked first, until the estimated reading time meets the target.

Schema: docs/contracts.md, "letter.json (schema 2)"."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

SCHEMA = 2
ARC = ("solidarity", "admiration", "demand", "hope", "farewell")
BLOCK_KINDS = ("greeting", "opening", "connective", "quote", "closing", "signoff")
CAMPAIGN_TEXTS = ("greeting", "opening", "closing", "signoff")

# Per-language templates for the campaign's own words. {name} the recipient, {first_name} the
# first word of it, {messages}/{languages}/{countries} the letter's counts; in connectives
# {title} the theme's title and {count} how many people wrote in that theme. `intro` leads
# into a movement, `more` into each further theme of the same movement.
TEMPLATES: dict[str, dict[str, Any]] = {
    "en": {
        "greeting": "Dear {name},",
        "opening": "{messages} people wrote to you, in {languages} languages, from {countries} countries. "
                   "These are some of their words.",
        "connective": {
            "solidarity": {"intro": "From every corner of the world, people wrote to tell you they stand with you.",
                           "more": "{count} people wrote to you about this: “{title}”."},
            "admiration": {"intro": "Many told you how much your courage means to them.",
                           "more": "“{title}”, wrote {count} people."},
            "demand": {"intro": "They are angry at what is being done to you, and they say so.",
                       "more": "{count} people demand: “{title}”."},
            "hope": {"intro": "And they wrote to you about hope.",
                     "more": "“{title}”, {count} people tell you."},
            "farewell": {"intro": "Before saying goodbye, they left you these words.",
                         "more": "{count} people wrote: “{title}”."},
        },
        "closing": "Every word in this letter was written to you by someone, somewhere in the world.",
        "signoff": "With love, from the world",
    },
    "es": {
        "greeting": "Hola, {name}:",
        "opening": "{messages} personas te escribieron en {languages} idiomas, desde {countries} países. "
                   "Estas son algunas de sus palabras.",
        "connective": {
            "solidarity": {"intro": "Desde todos los rincones del mundo te escribieron para decirte que están contigo.",
                           "more": "{count} personas te escribieron sobre esto: «{title}»."},
            "admiration": {"intro": "Muchas personas te dijeron cuánto las inspira tu valentía.",
                           "more": "«{title}», escribieron {count} personas."},
            "demand": {"intro": "Les indigna lo que te están haciendo, y lo dicen con claridad.",
                       "more": "{count} personas exigen: «{title}»."},
            "hope": {"intro": "Y te escribieron sobre la esperanza.",
                     "more": "«{title}», te dicen {count} personas."},
            "farewell": {"intro": "Antes de despedirse, te dejaron estas palabras.",
                         "more": "{count} personas escribieron: «{title}»."},
        },
        "closing": "Cada palabra de esta carta te la escribió alguien, en algún lugar del mundo.",
        "signoff": "Con cariño, desde el mundo",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "opening": "{messages} personnes vous ont écrit, en {languages} langues, depuis {countries} pays. "
                   "Voici quelques-uns de leurs mots.",
        "connective": {
            "solidarity": {"intro": "Des quatre coins du monde, on vous a écrit pour vous dire : nous sommes avec vous.",
                           "more": "{count} personnes vous ont écrit à ce sujet : « {title} »."},
            "admiration": {"intro": "Beaucoup vous ont dit combien votre courage les inspire.",
                           "more": "« {title} », ont écrit {count} personnes."},
            "demand": {"intro": "Beaucoup disent leur colère face à ce qui vous est fait.",
                       "more": "{count} personnes exigent : « {title} »."},
            "hope": {"intro": "Beaucoup vous ont aussi écrit leur espoir.",
                     "more": "« {title} », vous disent {count} personnes."},
            "farewell": {"intro": "Pour finir, voici les mots qu'ils vous ont laissés.",
                         "more": "{count} personnes ont écrit : « {title} »."},
        },
        "closing": "Chaque mot de cette lettre vous a été écrit par quelqu'un, quelque part dans le monde.",
        "signoff": "Avec affection, le monde",
    },
    "pt": {
        "greeting": "Olá, {name},",
        "opening": "{messages} pessoas escreveram para você, em {languages} idiomas, de {countries} países. "
                   "Estas são algumas das palavras delas.",
        "connective": {
            "solidarity": {"intro": "De todos os cantos do mundo, as pessoas escreveram para dizer que estão com você.",
                           "more": "{count} pessoas escreveram sobre isto: “{title}”."},
            "admiration": {"intro": "Muitas disseram o quanto a sua coragem as inspira.",
                           "more": "“{title}”, escreveram {count} pessoas."},
            "demand": {"intro": "Muitas dizem a sua indignação com o que estão fazendo com você.",
                       "more": "{count} pessoas exigem: “{title}”."},
            "hope": {"intro": "E escreveram para você sobre esperança.",
                     "more": "“{title}”, dizem {count} pessoas."},
            "farewell": {"intro": "Antes de se despedir, deixaram estas palavras.",
                         "more": "{count} pessoas escreveram: “{title}”."},
        },
        "closing": "Cada palavra desta carta foi escrita para você por alguém, em algum lugar do mundo.",
        "signoff": "Com carinho, do mundo inteiro",
    },
    "de": {
        "greeting": "Hallo {name},",
        "opening": "{messages} Menschen haben dir geschrieben, in {languages} Sprachen, aus {countries} Ländern. "
                   "Das sind einige ihrer Worte.",
        "connective": {
            "solidarity": {"intro": "Aus allen Ecken der Welt haben dir Menschen geschrieben, dass sie an deiner Seite stehen.",
                           "more": "{count} Menschen schrieben dir darüber: „{title}“."},
            "admiration": {"intro": "Viele schrieben dir, wie sehr dein Mut sie bewegt.",
                           "more": "„{title}“, schrieben {count} Menschen."},
            "demand": {"intro": "Viele sind wütend über das, was dir angetan wird, und sagen es deutlich.",
                       "more": "{count} Menschen fordern: „{title}“."},
            "hope": {"intro": "Und sie schrieben dir von Hoffnung.",
                     "more": "„{title}“, sagen dir {count} Menschen."},
            "farewell": {"intro": "Zum Abschied haben sie dir diese Worte hinterlassen.",
                         "more": "{count} Menschen schrieben: „{title}“."},
        },
        "closing": "Jedes Wort in diesem Brief hat dir jemand geschrieben, irgendwo auf der Welt.",
        "signoff": "Mit Liebe, die Welt",
    },
}

class LetterError(ValueError):
    """A campaigner's choice that cannot apply (an unknown movement or theme, a bad template)."""


@dataclass
class Plan:
    """The campaigner's choices for one recipient's letter (stored in `letter_plan`)."""

    arc: list[str] = field(default_factory=lambda: list(ARC))
    moves: dict[int, str] = field(default_factory=dict)  # theme -> movement
    positions: dict[int, int] = field(default_factory=dict)  # theme -> place within its movement (0 first)
    drops: set[int] = field(default_factory=set)
    connectives: dict[int, str] = field(default_factory=dict)  # theme -> the campaigner's own line
    texts: dict[str, str] = field(default_factory=dict)  # greeting/opening/closing/signoff edits
    swapped: set[str] = field(default_factory=set)  # quote ids swapped out
    swapped_in: set[str] = field(default_factory=set)  # the candidates that replace them (always in, like pins)

    @classmethod
    def from_store(cls, plan: dict[str, Any]) -> Plan:
        p = cls()
        for key, value in plan.items():
            kind, _, target = key.partition(":")
            if kind == "arc":
                p.arc = list(value)
            elif kind == "move":
                p.moves[int(target)] = str(value)
            elif kind == "position":
                p.positions[int(target)] = int(value)
            elif kind == "drop" and value:
                p.drops.add(int(target))
            elif kind == "connective":
                p.connectives[int(target)] = str(value)
            elif kind == "text":
                p.texts[target] = str(value)
            elif kind == "swap" and value:
                p.swapped.add(target)
                if isinstance(value, str):
                    p.swapped_in.add(value)
        return p


def templates_for(lang: str, custom: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The templates for `lang`: the campaign's own (config) over the built-in ones, falling back
    to English for any key neither has (a campaign in Swahili can write only what it needs)."""
    base = TEMPLATES.get(lang, TEMPLATES["en"])
    own = (custom or {}).get(lang, {})
    out = {**TEMPLATES["en"], **base, **{k: v for k, v in own.items() if k != "connective"}}
    conn = {m: dict(v) for m, v in TEMPLATES["en"]["connective"].items()}
    for src in (base.get("connective", {}), own.get("connective", {})):
        for m, v in src.items():
            conn.setdefault(m, {}).update(v)
    out["connective"] = conn
    return out


def fill(template: str, values: dict[str, Any]) -> str:
    """A template with its {fields}; an unknown field is a LetterError naming it and the known ones."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise LetterError(f"template {template!r}: {exc}; fields: {', '.join(sorted(values))}") from None


def place_on_arc(shares: dict[int, dict[str, float]], arc: Sequence[str], moves: dict[int, str]) -> dict[int, str]:
    """Each theme's movement: the campaigner's move, else the movement most of its messages read
    as (`shares`: theme -> movement -> share of its messages), limited to the arc's movements."""
    out = {}
    for theme, share in shares.items():
        if theme in moves:
            out[theme] = moves[theme]
            continue
        on_arc = {m: share.get(m, 0.0) for m in arc}
        out[theme] = max(on_arc, key=lambda m: (on_arc[m], -list(arc).index(m))) if on_arc else arc[0]
    return out


def quote_id(q: dict[str, Any]) -> str:
    return f"{q['message_id']}:{q['start']}-{q['end']}"


def compose(recipient: str, themes: list[dict[str, Any]], candidates: dict[int, list[dict[str, Any]]],
            counts: dict[str, int], *, lang: str = "en", campaign: str = "", plan: Plan | None = None,
            templates: dict[str, Any] | None = None, seconds: Callable[[dict[str, Any]], float] | None = None,
            target_seconds: float = 0.0, target_quotes: int = 0, per_theme: int = 4,
            tolerance: float = 0.10) -> dict[str, Any]:
    """The letter (schema 2) from the themes (each with `movement`), their ranked candidate quotes
    and the letter's counts.

    Quotes are taken round-robin over the themes in arc order (best-ranked first, swapped-out ones
    skipped): up to `target_quotes`, or until the estimated reading time (`seconds` per block)
    meets `target_seconds` within `tolerance`, or `per_theme` per theme when neither is set."""
    plan = plan or Plan()
    words = templates or templates_for(lang)
    seconds = seconds or (lambda b: 0.0)
    first = recipient.split()[0] if recipient.split() else recipient
    values = {**counts, "name": recipient, "first_name": first}

    def campaign_block(kind: str, text: str, **extra: Any) -> dict[str, Any]:
        b = {"kind": kind, "text": text, "lang": lang, "written_by": "campaign", **extra}
        b["seconds"] = round(seconds(b), 2)
        return b

    def own(kind: str) -> str:
        return plan.texts.get(kind) or fill(words[kind], values)

    for theme in plan.moves.values():
        if theme not in plan.arc:
            raise LetterError(f"movement {theme!r} is not on the arc ({', '.join(plan.arc)})")
    order = {m: i for i, m in enumerate(plan.arc)}
    live = [t for t in themes if t["theme_id"] not in plan.drops and t.get("movement") in order]
    by_weight = {t["theme_id"]: i for i, t in enumerate(themes)}
    live.sort(key=lambda t: (order[t["movement"]], plan.positions.get(t["theme_id"], 10_000),
                             by_weight[t["theme_id"]]))
    queues = {t["theme_id"]: [dict(q) for q in candidates.get(t["theme_id"], [])
                              if quote_id(q) not in plan.swapped] for t in live}
    for qs in queues.values():
        for q in qs:
            q.setdefault("kind", "quote")
            q["written_by"] = "message"
            q["seconds"] = round(seconds(q), 2)
    head = [campaign_block("greeting", own("greeting")), campaign_block("opening", own("opening"))]
    tail = [campaign_block("closing", own("closing")), campaign_block("signoff", own("signoff"))]
    connectives: dict[int, dict[str, Any]] = {}
    seen_movements: set[str] = set()
    for t in live:
        m = t["movement"]
        variant = "more" if m in seen_movements else "intro"
        seen_movements.add(m)
        tvals = {**values, "title": t.get("label") or t.get("title", ""), "count": t.get("size", 0)}
        text = plan.connectives.get(t["theme_id"]) or fill(words["connective"][m][variant], tvals)
        connectives[t["theme_id"]] = campaign_block("connective", text, movement=m, theme_id=t["theme_id"],
                                                    edited=t["theme_id"] in plan.connectives)
    chosen: dict[int, list[dict[str, Any]]] = {t["theme_id"]: [] for t in live}
    fixed = sum(b["seconds"] for b in head + tail)

    def total() -> float:
        return fixed + sum(connectives[t]["seconds"] + sum(q["seconds"] for q in qs)
                           for t, qs in chosen.items() if qs)

    def cost(theme: int, q: dict[str, Any]) -> float:
        return q["seconds"] + (0.0 if chosen[theme] else connectives[theme]["seconds"])

    # round-robin over the themes in arc order: every theme gets its best quote before any gets a second
    rounds = max((len(q) for q in queues.values()), default=0)
    picks: list[tuple[int, dict[str, Any]]] = [(t["theme_id"], queues[t["theme_id"]][r]) for r in range(rounds)
                                               for t in live if r < len(queues[t["theme_id"]])]
    pinned = [(t, q) for t, q in picks if str(q.get("why", {}).get("quota", "")).startswith("pinned")
              or quote_id(q) in plan.swapped_in]
    for t, q in pinned:
        chosen[t].append(q)
    pinned_ids = {id(q) for _, q in pinned}
    for t, q in picks:
        if id(q) in pinned_ids:
            continue
        if target_seconds > 0:
            now, after = total(), total() + cost(t, q)
            low, high = target_seconds * (1 - tolerance), target_seconds * (1 + tolerance)
            if after > high or now >= low and abs(after - target_seconds) >= abs(now - target_seconds):
                if now >= low:
                    break  # on target: stop here, so the themes keep their round-robin shares
                continue  # still short: a shorter quote further on may fit
        elif target_quotes > 0:
            if sum(len(v) for v in chosen.values()) >= target_quotes:
                break
        elif len(chosen[t]) >= per_theme:
            continue
        chosen[t].append(q)
    rank = {id(q): i for i, (_, q) in enumerate(picks)}
    for qs in chosen.values():  # a theme's quotes in their rank order, pins included
        qs.sort(key=lambda q: rank[id(q)])
    blocks = list(head)
    for t in live:
        if chosen[t["theme_id"]]:
            blocks.append(connectives[t["theme_id"]])
            for q in chosen[t["theme_id"]]:
                blocks.append({**q, "movement": t["movement"]})
    blocks += tail
    for b in blocks:
        if b["kind"] == "quote" and b["source_text"][b["start"]:b["end"]] != b["text"]:
            raise ValueError(f"quote {b['id']} breaks the provenance rule")
    used = {quote_id(b) for b in blocks if b["kind"] == "quote"}
    alternates = [{**q, "movement": t["movement"]} for t in live for q in queues[t["theme_id"]]
                  if quote_id(q) not in used]
    spent = round(sum(b["seconds"] for b in blocks), 1)
    return {
        "schema": SCHEMA, "campaign": campaign, "recipient": recipient, "lang": lang, "arc": list(plan.arc),
        "themes": [{"theme_id": t["theme_id"], "title": t.get("label") or t.get("title", ""),
                    "movement": t.get("movement"), "placed_by": "campaigner" if t["theme_id"] in plan.moves else
                    "meaning", "size": t.get("size", 0), "arc_scores": t.get("arc_scores", {}),
                    "dropped": t["theme_id"] in plan.drops} for t in themes],
        "blocks": blocks, "alternates": alternates, "counts": counts,
        "target": {"seconds": target_seconds or None, "quotes": target_quotes or None, "tolerance": tolerance},
        "seconds": spent,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }


def quotes(letter: dict[str, Any]) -> list[dict[str, Any]]:
    """The quote blocks of a letter (schema 2), or the excerpts of a schema 1 letter."""
    if "blocks" in letter:
        return [b for b in letter["blocks"] if b.get("kind") == "quote"]
    return [e for s in letter.get("sections", []) for e in s.get("excerpts", [])]


def sections_of(letter: dict[str, Any]) -> list[dict[str, Any]]:
    """Schema 2 blocks as the sections render draws (one per theme, labelled with its title)."""
    if "blocks" not in letter:
        return letter.get("sections", [])
    titles = {t["theme_id"]: t.get("title", "") for t in letter.get("themes", [])}  # the readable label
    out: list[dict[str, Any]] = []
    for b in letter["blocks"]:
        if b.get("kind") != "quote":
            continue
        if not out or out[-1]["theme_id"] != b.get("theme_id"):
            out.append({"theme_id": b.get("theme_id"), "label": titles.get(b.get("theme_id"), ""), "excerpts": []})
        out[-1]["excerpts"].append(b)
    return out


def text_of(letter: dict[str, Any], kind: str) -> str:
    """The first block of `kind`'s text ("" when none)."""
    return next((b["text"] for b in letter.get("blocks", []) if b.get("kind") == kind), letter.get(kind, ""))


def _signature(b: dict[str, Any]) -> str:
    if b.get("kind") == "quote":
        tr = b.get("translation") or {}
        return f"quote {b['id']} [{b.get('lang')}] {b['text']!r}" + (f" / {tr.get('text')!r}" if tr else "")
    return f"{b['kind']}{' theme ' + str(b['theme_id']) if 'theme_id' in b else ''}: {b['text']!r}"


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What changed from letter `a` to letter `b`, block by block ('-' removed, '+' added), then
    themes that moved on the arc or were dropped, then the estimated time."""
    out = [line for line in difflib.unified_diff([_signature(x) for x in a.get("blocks", [])],
                                                 [_signature(x) for x in b.get("blocks", [])],
                                                 f"version {a.get('version')}", f"version {b.get('version')}",
                                                 lineterm="", n=0)
           if not line.startswith("@@")]
    ta = {t["theme_id"]: t for t in a.get("themes", [])}
    for t in b.get("themes", []):
        old = ta.get(t["theme_id"])
        if old and old.get("movement") != t.get("movement"):
            out.append(f"~ theme {t['theme_id']} moved: {old.get('movement')} -> {t.get('movement')}")
        if old and old.get("dropped") != t.get("dropped"):
            out.append(f"~ theme {t['theme_id']} {'dropped' if t.get('dropped') else 'back in the letter'}")
    if a.get("seconds") != b.get("seconds"):
        out.append(f"~ reading time {a.get('seconds')} s -> {b.get('seconds')} s")
    return out
