"""The whole path, ingest to render, on one campaign store: `run()` iterates the stage
registry (`letterworld.registry`); the CLI's `run` and `demo` are thin layers over it.
Also the outputs that compose writes beside the letter (messages.jsonl, themes.json, report)."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .embedding import Embedder
from .letter import compose, write_letter
from .progress import say
from .registry import STAGES, Context, run_stage
from .records import Message
from .report import build_report
from .stages import StageError
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
    row = store.db.execute(
        "SELECT count(*), count(DISTINCT CASE WHEN l.lang != 'und' THEN l.lang END),"
        " count(DISTINCT CASE WHEN m.country != '' THEN m.country END)"
        " FROM messages m JOIN moderation s ON s.message_id = m.id LEFT JOIN languages l ON l.message_id = m.id"
        " WHERE s.status IN ('approved', 'approved_redacted') AND (? = '' OR m.recipient IN ('', ?))",
        (recipient, recipient)).fetchone()
    return {"messages": row[0], "languages": row[1], "countries": row[2]}


def message_rows(store: Store) -> list[dict[str, Any]]:
    """One row per message for the outputs; `text` has personal data redacted (report.html is
    shared with campaigners, who never need a writer's email or address)."""
    red = store.redacted_texts()
    langs = store.languages()
    statuses = store.statuses()
    flags = store.flags()
    members = store.theme_members()
    rows = []
    for m in store.messages():
        lang = langs.get(m.id)
        rows.append({"id": m.id, "lang": lang.lang if lang else "und",
                     "lang_confidence": round(lang.confidence, 3) if lang else 0.0,
                     "status": statuses.get(m.id, "pending"),
                     "flags": [{"kind": f.kind, "reason": f.reason, "start": f.start, "end": f.end}
                               for f in flags.get(m.id, [])],
                     "theme": members[m.id][0] if m.id in members else None,
                     "recipient": m.recipient, "country": m.country, "channel": m.channel,
                     "source_file": m.source_file, "source_row": m.source_row, "text": red[m.id]})
    return rows


def rejected_rows(store: Store, *, ner: bool = True) -> list[dict[str, Any]]:
    """Rows kept aside at ingest, for people to see: their raw text with personal data
    redacted (a malformed row's email or phone is still a writer's personal data)."""
    from .moderation import redact
    from .moderation.pii import find_personal_data

    return [{"source_file": r.source_file, "source_row": r.source_row, "reason": r.reason,
             "raw": redact(r.raw, find_personal_data(r.raw, ner=ner))} for r in store.rejected()]


def current_quotes(store: Store, config: Config, recipient: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The stored excerpts that still hold at this moment: written to `recipient`, from a
    message eligible now (approved, two-person rule when on, not a sample-text copy), its
    redacted text unchanged since the excerpt was cut, no blocking flag on the quoted span.
    Returns (quotes, dropped excerpt id -> why)."""
    from .stages import blocked_spans

    stored_for = store.db.execute("SELECT DISTINCT recipient FROM excerpts").fetchall()
    if stored_for and {r[0] for r in stored_for} != {recipient}:
        raise StageError(f"the stored excerpts were chosen for {stored_for[0][0]!r}, not {recipient!r}: "
                         f"run `letterworld excerpts --recipient {recipient!r}`")
    stored = store.excerpts()
    ids = {e["message_id"] for e in stored}
    eligible = {r.message_id: r for r in store.eligible(recipient) if r.message_id in ids}
    originals = {m.id: m.text for m in store.messages(ids)}
    flags = store.flags(ids, effective=True)
    quotes, dropped = [], {}
    for e in stored:
        r = eligible.get(e["message_id"])
        if r is None:
            dropped[e["id"]] = "message no longer eligible (decision, two-person rule or recipient)"
        elif r.is_template:
            dropped[e["id"]] = "message is a copy of a sample text"
        elif r.text != e["source_text"]:
            dropped[e["id"]] = "redactions changed since the excerpt was chosen"
        elif any(a < e["end"] and e["start"] < b
                 for a, b in blocked_spans(originals[r.message_id], r.text, flags.get(r.message_id, []))):
            dropped[e["id"]] = "a flag now covers the quoted span"
        else:
            quotes.append(e)
    return quotes, dropped


def compose_letter(store: Store, config: Config, recipient: str) -> dict[str, Any]:
    """Write a new letter version from the excerpts as they hold now (`current_quotes`)."""
    themes = sorted(store.themes(), key=lambda t: -t["weight"])
    quotes, dropped = current_quotes(store, config, recipient)
    for eid, why in dropped.items():
        say(f"[yellow]compose: left out excerpt {eid}: {why}[/yellow]")
    letter = compose(recipient, [{k: v for k, v in t.items() if k != "centroid"} for t in themes],
                     quotes, letter_counts(store, recipient), lang=config.campaign.lang,
                     campaign=config.campaign.name)
    with store.transaction():
        version = store.add_letter(letter)
        store.audit("compose", f"letter:{version}", detail={"recipient": recipient, "excerpts": len(quotes),
                                                            "left_out": dropped})
    letter["version"] = version
    return letter


def write_outputs(store: Store, out_dir: Path, letter: dict[str, Any], *, ner: bool = True) -> dict[str, Path]:
    """The letter's files and the campaign's: messages.jsonl, themes.json, report.html."""
    out: dict[str, Path] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
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
    path = out_dir / "report.html"
    path.write_text(build_report(rows, themes, rejected_rows(store, ner=ner), campaign=letter.get("campaign", "")),
                    encoding="utf-8")
    out["report"] = path
    return out


def run(inputs: list[str | Path], out_dir: str | Path, config: Config | str | Path | None = None, *,
        recipient: str | None = None, auto_approve: bool | None = None, embedder: Embedder | None = None,
        render: bool = True, column_map: dict[str, str] | None = None, video: bool | None = None) -> RunResult:
    """Ingest `inputs` into out_dir/campaign.db and run every stage of the registry in order."""
    if not isinstance(config, Config):
        config = load_config(config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "campaign.db"
    ctx = Context(config, inputs=[Path(p) for p in inputs], column_map=column_map, out_dir=out_dir,
                  recipient=recipient, auto_approve=auto_approve, render=render, video=video, embedder=embedder)
    summary: dict[str, Any] = {"seconds": {}}
    with Store(db) as store:
        for stage in STAGES:
            clock = time.perf_counter()
            run_stage(stage.name, store, ctx)
            summary["seconds"][stage.name] = round(time.perf_counter() - clock, 3)
    res = ctx.results
    ing, scr = res["ingest"], res["screen"]
    summary["ingest"] = {"added": ing.added, "already": ing.already, "rejected": ing.rejected,
                         "errors": list(ing.errors), "skipped": list(ing.skipped)}
    summary["screen"] = {"flags": dict(scr.flagged), "statuses": dict(scr.statuses), "auto_approved": scr.auto_approved}
    summary["themes"] = len(res["themes"])
    summary["languages"] = dict(Counter(res["detect"]))
    outputs = dict(res.get("outputs", {}))
    if res.get("render"):
        outputs["slides"] = out_dir / "slides" / "manifest.json"
    outputs["db"] = db
    say(f"wrote {', '.join(str(p) for p in outputs.values())}")
    return RunResult(out_dir, db, res["compose"], outputs, summary)


def demo_config() -> Config:
    return load_config(DEMO_DIR / "campaign.toml")


def demo_inputs() -> list[Path]:
    return [DEMO_DIR]


def demo_detected() -> list[tuple[Message, str]]:
    """The demo corpus ingested and language-detected in a temporary store: each message with
    its language (for benchmarks and training scripts that measure on real messages)."""
    import tempfile

    from . import stages
    from .progress import set_quiet

    set_quiet(True)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "demo.db") as store:
        stages.ingest(store, demo_inputs())
        stages.detect(store, demo_config())
        langs = store.languages()
        return [(m, langs[m.id].lang if m.id in langs else "und") for m in store.messages()]
