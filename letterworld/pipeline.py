"""The whole path, ingest to render, on one campaign store: `run()` iterates the stage
registry (`letterworld.registry`); the CLI's `run` and `demo` are thin layers over it.
Also the outputs that compose writes beside the letter (messages.jsonl, themes.json, report)."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .embedding import Embedder
from .letter import Plan, compose, place_on_arc, templates_for
from .progress import say, warn
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


def message_rows(store: Store, *, texts: bool = True) -> Iterator[dict[str, Any]]:
    """One row per message for the outputs, in id order; `text` has personal data redacted
    (report.html is shared with campaigners, who never need a writer's email or address).
    Streamed from one SQL join with the flags merged in id order, so a campaign of 500,000 is
    never held as records; `texts=False` leaves the text out (messages.jsonl has none, and the
    report shows only the few whose language needs a look)."""
    flags = store.db.execute("SELECT message_id, kind, reason, start, end FROM flags"
                             " ORDER BY message_id, start, end, kind")
    flags.row_factory = None
    pending = flags.fetchone()
    cur = store.db.execute(
        "SELECT m.id, COALESCE(l.lang, 'und'), COALESCE(l.confidence, 0.0), COALESCE(s.status, 'pending'),"
        " CASE WHEN tm.theme_id >= 0 THEN tm.theme_id END, m.recipient, m.country, m.channel, m.source_file,"
        " m.source_row" + (", rt.text" if texts else "") + " FROM messages m"
        " LEFT JOIN languages l ON l.message_id = m.id LEFT JOIN moderation s ON s.message_id = m.id"
        " LEFT JOIN theme_members tm ON tm.message_id = m.id"
        + (" LEFT JOIN redacted_text rt ON rt.message_id = m.id" if texts else "") + " ORDER BY m.id")
    cur.row_factory = None
    for row in cur:
        mid = row[0]
        own = []
        while pending is not None and pending[0] <= mid:
            if pending[0] == mid:
                own.append({"kind": pending[1], "reason": pending[2], "start": pending[3], "end": pending[4]})
            pending = flags.fetchone()
        out = {"id": mid, "lang": row[1], "lang_confidence": round(row[2], 3), "status": row[3], "flags": own,
               "theme": row[4], "recipient": row[5], "country": row[6], "channel": row[7],
               "source_file": row[8], "source_row": row[9]}
        if texts:
            out["text"] = row[10]
        yield out


def rejected_rows(store: Store, *, ner: bool = True) -> list[dict[str, Any]]:
    """Rows kept aside at ingest, for people to see: their raw text with personal data
    redacted (a malformed row's email or phone is still a writer's personal data)."""
    from .moderation import redact
    from .moderation.pii import find_personal_data

    return [{"source_file": r.source_file, "source_row": r.source_row, "reason": r.reason,
             "raw": redact(r.raw, find_personal_data(r.raw, ner=ner))} for r in store.rejected()]


def current_quotes(store: Store, config: Config, recipient: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The stored excerpts that still hold at this moment (`check_quotes`). Returns (quotes,
    dropped excerpt id -> why)."""
    stored_for = store.db.execute("SELECT DISTINCT recipient FROM excerpts").fetchall()
    if stored_for and {r[0] for r in stored_for} != {recipient}:
        raise StageError(f"the stored excerpts were chosen for {stored_for[0][0]!r}, not {recipient!r}: "
                         f"run `letterworld excerpts --recipient {recipient!r}`")
    return check_quotes(store, recipient, store.excerpts())


def check_quotes(store: Store, recipient: str, quotes: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                                         dict[str, str]]:
    """The quotes that may be shown now: written to `recipient`, from a message eligible now
    (approved, two-person rule when on, not a sample-text copy), its redacted text unchanged
    since the quote was cut, no blocking flag on the quoted span, no ban overlapping it."""
    from .stages import blocked_spans, overlaps

    ids = {e["message_id"] for e in quotes}
    eligible = {r.message_id: r for r in store.eligible(recipient) if r.message_id in ids}
    originals = {m.id: m.text for m in store.messages(ids)}
    flags = store.flags(ids, effective=True)
    bans = [k for k, v in store.excerpt_choices().items() if v == "ban"]
    kept, dropped = [], {}
    for e in quotes:
        r = eligible.get(e["message_id"])
        if r is None:
            dropped[e["id"]] = "message no longer eligible (decision, two-person rule or recipient)"
        elif r.is_template:
            dropped[e["id"]] = "message is a copy of a sample text"
        elif r.text != e["source_text"]:
            dropped[e["id"]] = "redactions changed since the excerpt was chosen"
        elif any(overlaps((a, b), (e["start"], e["end"]))
                 for a, b in blocked_spans(originals[r.message_id], r.text, flags.get(r.message_id, []))):
            dropped[e["id"]] = "a flag now covers the quoted span"
        elif any(m == e["message_id"] and overlaps((a, b), (e["start"], e["end"])) for m, a, b in bans):
            dropped[e["id"]] = "a campaigner banned this span"
        else:
            kept.append(e)
    return kept, dropped


def quote_seconds(config: Config, letter_lang: str) -> Any:
    """A block's estimated reading time (letterworld.reading); a quote in another language with
    no translation yet counts its original twice: the translation will carry about as much
    information, and speech information rates are close across languages (Pellegrino et al. 2011)."""
    from . import reading

    def seconds(block: dict[str, Any]) -> float:
        t = reading.block_seconds(block, letter_lang, pace=config.letter.pace)
        if block.get("kind") == "quote" and block.get("lang") != letter_lang and not block.get("translation"):
            t += reading.seconds(block["text"], block.get("lang") or "und", pace=config.letter.pace, pause=0.0)
        return t

    return seconds


def letter_candidates(store: Store, config: Config, quotes: list[dict[str, Any]], lang: str,
                      ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The quotes with what the letter shows of them: consent (a writer who did not consent is
    quoted without a name, or not at all, as the campaign chose), channel, and the translation
    into the letter's language from the translation memory. Returns (kept, left out -> why)."""
    from . import translations

    msgs = {m.id: m for m in store.messages({q["message_id"] for q in quotes})}
    found = translations.lookup(store, quotes, lang)
    kept, left = [], {}
    for q in quotes:
        m = msgs[q["message_id"]]
        q = {**q, "kind": "quote", "consent": m.consent, "channel": m.channel, "anonymous": m.consent is not True}
        if q["anonymous"]:
            if config.letter.unconsented == "exclude":
                left[q["id"]] = "the writer did not consent to be quoted ([letter] unconsented = \"exclude\")"
                continue
            q["attribution"] = ""
        t = found.get(q["id"]) if q["lang"] != lang else None
        q["translation"] = translations.as_block(t) if t else None
        kept.append(q)
    return kept, left


def compose_letter(store: Store, config: Config, recipient: str, embedder: Embedder | None = None, *,
                   lang: str | None = None, minutes: float | None = None, quotes: int | None = None,
                   readers: str | None = None, final: bool = False, note: str = "compose",
                   actor: str | None = None) -> dict[str, Any]:
    """Write a new letter version from the excerpts as they hold now (`current_quotes`), placed on
    the arc, filled to the reading-time target, with translations from the memory. `final`:
    refuse (StageError) while a quote has no accepted translation into the letter's language."""
    from . import reading
    from .arc import arc_shares
    from .embedding import load_embedder
    from .letter import LetterError

    lang = lang or config.campaign.lang
    lc = config.letter
    themes = sorted(store.themes(), key=lambda t: -t["weight"])[: config.excerpts.max_themes]
    stored, dropped = current_quotes(store, config, recipient)
    cands, left = letter_candidates(store, config, stored, lang)
    dropped.update(left)
    for eid, why in dropped.items():
        say(f"[yellow]compose: left out excerpt {eid}: {why}[/yellow]")
    stored_plan = store.plan(recipient)
    plan = Plan.from_store({"arc": lc.arc, **stored_plan})
    shares = arc_shares(store, config, embedder or load_embedder(config.embed.model))
    placed = place_on_arc({t["theme_id"]: shares.get(t["theme_id"], {}) for t in themes}, plan.arc, plan.moves)
    written = dict(store.db.execute(  # people who wrote to this recipient in each theme (copies count)
        "SELECT tm.theme_id, count(*) FROM theme_members tm JOIN messages m ON m.id = tm.message_id"
        " JOIN moderation s ON s.message_id = m.id WHERE s.status IN ('approved', 'approved_redacted')"
        " AND m.recipient IN ('', ?) GROUP BY tm.theme_id", (recipient,)).fetchall())
    rows = [{**{k: v for k, v in t.items() if k != "centroid"}, "movement": placed[t["theme_id"]],
             "size": written.get(t["theme_id"], 0), "arc_scores": shares.get(t["theme_id"], {})} for t in themes]
    by_theme: dict[int, list[dict[str, Any]]] = {}
    for q in cands:
        by_theme.setdefault(q["theme_id"], []).append(q)
    minutes = lc.minutes if minutes is None else minutes
    try:
        letter = compose(recipient, rows, by_theme, letter_counts(store, recipient), lang=lang,
                         campaign=config.campaign.name, plan=plan, templates=templates_for(lang, lc.templates),
                         seconds=quote_seconds(config, lang), target_seconds=minutes * 60,
                         target_quotes=lc.quotes if quotes is None else quotes, per_theme=config.excerpts.per_theme,
                         tolerance=lc.tolerance)
    except LetterError as exc:
        raise StageError(str(exc)) from None
    missing = [b["id"] for b in letter["blocks"] if b["kind"] == "quote" and b["lang"] != lang
               and (b.get("translation") or {}).get("status") != "accepted"]
    letter.update(final=not missing, missing_translations=missing, consent_policy=lc.unconsented,
                  plan=stored_plan, left_out=dropped)
    if final and missing:
        raise StageError(f"not final: {len(missing)} quote(s) have no accepted translation into {lang}: "
                         f"{', '.join(missing)}; export a sheet (`letterworld letter sheet export --lang {lang} "
                         "sheet.xlsx`), fill it and import it")
    spec = lc.readers if readers is None else readers
    if spec:
        letter["readers"] = reading.assign_readers(letter, reading.parse_readers(spec), by_language=lc.by_language)
    target = letter["target"]["seconds"]
    if target and not reading.within(letter["seconds"], target, lc.tolerance):
        warn(f"compose: the letter reads in {letter['seconds']:.0f} s, not within {lc.tolerance:.0%} of the "
             f"{target:.0f} s asked for (not enough eligible quotes, or quotes too long to fit)")
    last = store.latest_letter(recipient)
    if last is not None and _same_letter(letter, last):
        # a re-run with nothing new changes nothing: no new version of the same letter
        say(f"compose: the letter is the same as version {last['version']}; kept (no new version)")
        return last
    with store.transaction():
        version = store.add_letter(letter, actor=actor, note=note)
        store.audit("compose", f"letter:{version}", actor=actor,
                    detail={"recipient": recipient, "quotes": len(letter["blocks"]), "note": note,
                            "left_out": dropped, "missing_translations": missing})
    letter["version"] = version
    return letter


# what the outputs are made of: every table that message_rows, rejected_rows, themes.json and
# the report read (the redacted text and the effective flags are views over these)
OUTPUT_SOURCES = ("messages", "languages", "moderation", "flags", "dismissals", "redactions", "theme_members",
                  "themes", "rejected")
OUTPUTS_MANIFEST = ".letterworld-outputs.json"


@lru_cache(maxsize=1)
def _package_fingerprint() -> str:
    """The code and data the outputs are written with: another version of letterworld rewrites them."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def outputs_key(store: Store, letter: dict[str, Any], *, ner: bool = True) -> str:
    """A hash of everything `write_outputs` writes from: the rows of OUTPUT_SOURCES (every column;
    a message's text by its hash), the letter, the NER switch and the code. SQL concatenates the
    rows, so this costs a fraction of writing the outputs."""
    h = hashlib.sha256(f"{_package_fingerprint()}\0{ner}\0".encode())
    h.update(json.dumps(letter, sort_keys=True, ensure_ascii=False, default=str).encode())
    for table in OUTPUT_SOURCES:
        cols = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})") if r[1] != "text" or table != "messages"]
        row = " || char(31) || ".join(f"quote({c})" for c in cols)
        count, rows = store.db.execute(f"SELECT count(*), group_concat(r, char(30)) FROM "
                                       f"(SELECT {row} AS r FROM {table} ORDER BY rowid)").fetchone()
        h.update(f"\0{table}\0{count}\0".encode() + (rows or "").encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _kept_outputs(out_dir: Path, key: str) -> dict[str, Path] | None:
    """The outputs a previous compose wrote into out_dir from the same key, when every file is
    still there as it was written (same size and modification time); else None."""
    try:
        manifest = json.loads((out_dir / OUTPUTS_MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("key") != key:
            return None
        out = {}
        for name, (rel, size, mtime) in manifest["files"].items():
            st = (out_dir / rel).stat()
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return None
            out[name] = out_dir / rel
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _same_letter(new: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a letter just composed says what a stored version says (its time and number aside)."""
    def strip(d: dict[str, Any]) -> str:
        return json.dumps({k: v for k, v in d.items() if k not in ("created", "version")}, sort_keys=True,
                          ensure_ascii=False, default=str)
    return strip(new) == strip(stored)


def write_outputs(store: Store, out_dir: Path, letter: dict[str, Any], *, ner: bool = True) -> dict[str, Path]:
    """The letter's files and the campaign's: messages.jsonl, themes.json, report.html. When
    nothing they are written from changed (`outputs_key`) and the files written last time are
    untouched, they are kept as they are."""
    out_dir.mkdir(parents=True, exist_ok=True)
    key = outputs_key(store, letter, ner=ner)
    kept = _kept_outputs(out_dir, key)
    if kept is not None:
        say(f"compose: nothing the outputs in {out_dir} are written from changed; kept as they are")
        return kept
    out = _write_outputs(store, out_dir, letter, ner=ner)
    files = {}
    for name, path in out.items():
        st = path.stat()
        files[name] = [path.relative_to(out_dir).as_posix(), st.st_size, st.st_mtime_ns]
    (out_dir / OUTPUTS_MANIFEST).write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")
    return out


def _write_outputs(store: Store, out_dir: Path, letter: dict[str, Any], *, ner: bool = True) -> dict[str, Path]:
    out: dict[str, Path] = {}
    themes = [{k: v for k, v in t.items() if k != "centroid"} for t in store.themes()]
    path = out_dir / "messages.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        def written() -> Iterator[dict[str, Any]]:  # one pass: each row to messages.jsonl, then the report
            for r in message_rows(store, texts=False):
                fh.write(json.dumps({k: r[k] for k in ("id", "lang", "lang_confidence", "status", "flags", "theme")},
                                    ensure_ascii=False) + "\n")
                yield r

        report = build_report(written(), themes, rejected_rows(store, ner=ner), campaign=letter.get("campaign", ""),
                              texts=store.redacted_texts)
    out["messages"] = path
    path = out_dir / "themes.json"
    path.write_text(json.dumps(themes, ensure_ascii=False, indent=2), encoding="utf-8")
    out["themes"] = path
    from .exports import write_exports

    for p in write_exports(letter, out_dir).values():
        out[p.name] = p
    path = out_dir / "report.html"
    path.write_text(report, encoding="utf-8")
    out["report"] = path
    return out


def run(inputs: list[str | Path], out_dir: str | Path, config: Config | str | Path | None = None, *,
        recipient: str | None = None, auto_approve: bool | None = None, embedder: Embedder | None = None,
        render: bool = True, column_map: dict[str, str] | None = None, video: bool | None = None,
        translation_sheets: list[Path] | None = None) -> RunResult:
    """Ingest `inputs` into out_dir/campaign.db and run every stage of the registry in order."""
    if not isinstance(config, Config):
        config = load_config(config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "campaign.db"
    ctx = Context(config, inputs=[Path(p) for p in inputs], column_map=column_map, out_dir=out_dir,
                  recipient=recipient, auto_approve=auto_approve, render=render, video=video, embedder=embedder,
                  translation_sheets=list(translation_sheets or []))
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


def demo_translations() -> list[Path]:
    """The demo's filled translation sheet (Spanish), written for letterworld like the corpus."""
    return [DEMO_DIR.parent / "translations" / "demo_es.csv"]


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
