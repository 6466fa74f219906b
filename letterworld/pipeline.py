"""The whole path, ingest to render, on one campaign store. The CLI's `run` and
`demo` are thin layers over `run()`."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import stages
from .config import Config, load_config
from .embedding import Embedder, load_embedder
from .letter import all_excerpts, compose, write_letter
from .moderation.stage import mark_template_paraphrases, screen_store
from .progress import say, task
from .records import APPROVED_STATUSES
from .report import build_report
from .store import Store

DEMO_DIR = Path(__file__).resolve().parent.parent / "corpora" / "demo"


@dataclass
class RunResult:
    out_dir: Path
    db: Path
    letter: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def letter_counts(store: Store, recipient: str) -> dict[str, int]:
    """Approved messages to the recipient (every copy of a template counts: each is a person)."""
    statuses = store.statuses()
    langs = store.languages()
    chosen = [m for m in store.messages() if statuses.get(m.id) in APPROVED_STATUSES
              and (not recipient or not m.recipient or m.recipient == recipient)]
    return {"messages": len(chosen),
            "languages": len({langs[m.id]["lang"] for m in chosen if m.id in langs and langs[m.id]["lang"] != "und"}),
            "countries": len({m.country for m in chosen if m.country})}


def message_rows(store: Store) -> list[dict[str, Any]]:
    """One row per message for the outputs; `text` has personal data redacted (report.html is
    shared with campaigners, who never need a writer's email or address)."""
    from .moderation.stage import redacted_texts

    red = redacted_texts(store)
    langs = store.languages()
    statuses = store.statuses()
    flags = store.flags()
    members = store.theme_members()
    rows = []
    for m in store.messages():
        lang = langs.get(m.id)
        rows.append({"id": m.id, "lang": lang["lang"] if lang else "und",
                     "lang_confidence": round(float(lang["confidence"]), 3) if lang else 0.0,
                     "status": statuses.get(m.id, "pending"),
                     "flags": [{"kind": f.kind, "reason": f.reason, "start": f.start, "end": f.end}
                               for f in flags.get(m.id, [])],
                     "theme": members[m.id][0] if m.id in members else None,
                     "recipient": m.recipient, "country": m.country, "channel": m.channel,
                     "source_file": m.source_file, "source_row": m.source_row, "text": red[m.id]})
    return rows


def compose_letter(store: Store, config: Config, recipient: str) -> dict[str, Any]:
    themes = sorted(store.themes(), key=lambda t: -t["weight"])
    letter = compose(recipient, [{k: v for k, v in t.items() if k != "centroid"} for t in themes],
                     store.excerpts(), letter_counts(store, recipient), lang=config.campaign.lang,
                     campaign=config.campaign.name)
    with store.transaction():
        version = store.add_letter(letter)
        store.audit("compose", f"letter:{version}", detail={"recipient": recipient,
                                                            "excerpts": len(all_excerpts(letter))})
    letter["version"] = version
    return letter


def write_outputs(store: Store, out_dir: Path, letter: dict[str, Any], *, render_preset: str | None,
                  theme: str = "dark") -> dict[str, Path]:
    out: dict[str, Path] = {}
    rows = message_rows(store)
    path = out_dir / "messages.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "lang", "lang_confidence", "status", "flags", "theme")},
                                ensure_ascii=False) + "\n")
    out["messages"] = path
    themes = [{k: v for k, v in t.items() if k != "centroid"} for t in store.themes()]
    path = out_dir / "themes.json"
    path.write_text(json.dumps(themes, ensure_ascii=False, indent=2), encoding="utf-8")
    out["themes"] = path
    for p in write_letter(letter, out_dir):
        out[p.stem + p.suffix] = p
    rejected = [dict(r) for r in store.rejected()]
    path = out_dir / "report.html"
    path.write_text(build_report(rows, themes, rejected, campaign=letter.get("campaign", "")), encoding="utf-8")
    out["report"] = path
    if render_preset:
        from .render import render_letter

        slides = out_dir / "slides"
        render_letter(letter, slides, preset=render_preset, theme=theme)
        out["slides"] = slides / "manifest.json"
    return out


def run(inputs: list[str | Path], out_dir: str | Path, config: Config | str | Path | None = None, *,
        recipient: str | None = None, auto_approve: bool | None = None, embedder: Embedder | None = None,
        render: bool = True, column_map: dict[str, str] | None = None) -> RunResult:
    """Ingest `inputs` into out_dir/campaign.db and produce every output of the pipeline."""
    if not isinstance(config, Config):
        config = load_config(config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "campaign.db"
    with Store(db) as store:
        summary: dict[str, Any] = {"seconds": {}}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            summary["seconds"][stage] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()

        ing = stages.ingest(store, inputs, column_map=column_map)
        say(f"ingest: {ing.added} new messages, {ing.already} already in the store, {ing.rejected} rows rejected")
        for f in ing.files:
            for r in f.rejected:
                say(f"  [yellow]rejected[/yellow] {r.source_file}:{r.source_row}: {r.reason}")
        summary["ingest"] = {"added": ing.added, "already": ing.already, "rejected": ing.rejected}
        lap("ingest")
        langs = stages.detect(store, config)
        lap("detect")
        say(f"detect: {len(langs)} languages; most common {', '.join(f'{k} {v}' for k, v in langs.most_common(8))}")
        embedder = embedder or load_embedder(config.embed.model)
        with task("screen messages", store.count_messages()) as advance:
            scr = screen_store(store, config, auto_approve=auto_approve, progress=advance,
                               classify=config.screen.classifier or False, embedder=embedder)
        auto = config.screen.auto_approve if auto_approve is None else auto_approve
        say(f"screen: flags {dict(scr.flagged)}; {scr.duplicate_groups} duplicate groups, "
            f"{scr.template_copies} copies of sample texts")
        if auto:
            say(f"[bold]screen: auto-approved {scr.auto_approved} messages that had no flag[/bold] "
                "(the campaign chose this; flagged messages wait for a moderator)")
        say(f"screen: statuses {dict(scr.statuses)}")
        summary["screen"] = {"flags": dict(scr.flagged), "statuses": dict(scr.statuses),
                             "auto_approved": scr.auto_approved}
        lap("screen")
        paraphrases = mark_template_paraphrases(store, config, embedder)
        say(f"screen: {paraphrases} reworded or translated copies of the sample texts grouped with them")
        lap("embed+templates")
        themes = stages.themes(store, config, embedder)
        summary["themes"] = len(themes)
        lap("themes")
        who = recipient or stages.choose_recipient(store, config)
        chosen = stages.excerpts(store, config, embedder, who)
        say(f"excerpts: {len(chosen)} chosen for {who or 'all recipients'} in "
            f"{len({e.lang for e in chosen})} languages from {len({e.country for e in chosen if e.country})} countries")
        lap("excerpts")
        letter = compose_letter(store, config, who)
        outputs = write_outputs(store, out_dir, letter,
                                render_preset=config.render.preset if render else None, theme=config.render.theme)
        lap("compose+render")
        outputs["db"] = db
        say(f"wrote {', '.join(str(p) for p in outputs.values())}")
        summary["languages"] = dict(Counter(langs))
    return RunResult(out_dir, db, letter, outputs, summary)


def demo_config() -> Config:
    return load_config(DEMO_DIR / "campaign.toml")


def demo_inputs() -> list[Path]:
    return [DEMO_DIR]
