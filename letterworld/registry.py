"""The pipeline as one ordered registry of named stages (as spaCy's pipeline of components).

    ingest -> detect -> embed -> screen -> themes -> excerpts -> compose -> render

Each stage is a `Stage`: a name, what it reads (the stages whose results it needs), and
one `run(store, ctx)` adapter over a pure core. `ctx` is the campaign `Config` plus what
one invocation brings (input files, output folder, recipient, the embedder, loaded once).
`letterworld <stage>`, `letterworld run` and the studio all go through `run_stage`, so
calling the stages one by one gives the same store as `run`.

Derived results know what they were derived from: themes and excerpts record a hash of
their inputs (`Store.record_run`); `compose` re-derives whatever is stale before it
writes, and re-checks every quote against the store at that moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import stages
from .config import Config
from .embedding import Embedder, load_embedder
from .progress import safe, say, task, warn
from .store import Store


@dataclass
class Context:
    """One invocation: the campaign's settings and what the caller asked for."""

    config: Config
    inputs: list[Path] = field(default_factory=list)
    column_map: dict[str, str] | None = None
    defaults: dict[str, str] | None = None
    sheets: list[str] | None = None  # XLSX sheets to read (None: every sheet)
    out_dir: Path | None = None
    recipient: str | None = None
    auto_approve: bool | None = None
    recluster: bool = False
    screen_again: bool = False  # screen every message anew even when nothing it reads changed
    render: bool = True
    video: bool | None = None  # None: a video when an encoder is installed; True: required
    embedder: Embedder | None = None
    # compose: the letter's language, length and readers over the config's [letter]; `final`
    # refuses a letter with untranslated quotes; `note` says what changed (the version's history)
    letter: dict[str, Any] = field(default_factory=dict)
    # filled translation sheets (XLSX/CSV) imported into the translation memory before composing
    translation_sheets: list[Path] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)  # what each stage returned, by name

    def get_embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = load_embedder(self.config.embed.model)
        return self.embedder


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Store, Context], Any]
    reads: tuple[str, ...]  # stages whose stored results this one reads
    help: str
    # a hash of the store state this stage's stored result is derived from (derived stages only)
    inputs: Callable[[Store, Context], str] | None = None


# -- adapters -------------------------------------------------------------------------
def _ingest(store: Store, ctx: Context) -> stages.IngestSummary:
    s = stages.ingest(store, ctx.inputs, column_map=ctx.column_map, defaults=ctx.defaults,
                      max_chars=ctx.config.ingest.max_chars, sheets=ctx.sheets)
    for note in s.skipped:
        warn(f"  [yellow]skipped[/yellow] {safe(note)}")
    for f in s.files:
        for note in f.notes:
            warn(f"  {safe(f.path)}: {safe(note)}")
        for r in f.rejected:
            warn(f"  [yellow]rejected[/yellow] {safe(r.source_file)}:{r.source_row}: {safe(r.reason)}")
    for e in s.errors:
        warn(f"  [red]not read[/red] {safe(e)}")
    say(f"ingest: {s.added} new messages, {s.already} already in the store, {s.rejected} rows rejected"
        + (f", {len(s.errors)} input(s) not read" if s.errors else ""))
    return s


def _detect(store: Store, ctx: Context):
    langs = stages.detect(store, ctx.config)
    say(f"detect: {len(langs)} languages; most common {', '.join(f'{k} {v}' for k, v in langs.most_common(8))}")
    return langs


def _embed(store: Store, ctx: Context):
    _, st = stages.embed(store, ctx.config, ctx.get_embedder(), vectors=False)
    say(f"embed: {st.texts} texts, {st.unique} distinct, {st.cached} from cache, {st.computed} computed")
    return st


def _screen(store: Store, ctx: Context):
    from .moderation.stage import screen_kept, screen_store

    cfg = ctx.config
    auto = cfg.screen.auto_approve if ctx.auto_approve is None else ctx.auto_approve
    s = None if ctx.screen_again else screen_kept(store, cfg, auto_approve=auto)
    if s is not None:
        say("screen: no message, language, decision or setting changed since the last screen; its flags, "
            "groups and statuses are kept as they are (--again screens everything anew)")
        return s
    with task("screen messages", store.count_messages()) as advance:
        s = screen_store(store, cfg, auto_approve=auto, progress=advance, embedder=ctx.get_embedder(), again=True)
    say(f"screen: flags {dict(s.flagged)}; {s.duplicate_groups} duplicate groups, {s.template_copies} copies "
        f"and {s.template_paraphrases} reworded or translated copies of the sample texts")
    if auto:
        say(f"[bold]screen: auto-approved {s.auto_approved} messages that had no flag[/bold] "
            "(the campaign chose this; flagged messages wait for a moderator)")
    say(f"screen: statuses {dict(s.statuses)}")
    return s


def _themes(store: Store, ctx: Context) -> list[dict]:
    if not ctx.recluster and store.themes() and not is_stale(store, ctx, "themes"):
        # nothing they are derived from changed (eligible voices, names, settings, embedder)
        say("themes: nothing they are derived from changed since they were made; kept as they are")
        return store.themes()
    out = stages.themes(store, ctx.config, ctx.get_embedder(), recluster=ctx.recluster)
    for t in out:
        say(f"theme {t['theme_id']}: {t['label']} ({t['size']} messages) — {t['title']}")
    return out


def _excerpts(store: Store, ctx: Context):
    who = stages.choose_recipient(store, ctx.config, ctx.recipient)
    ensure_fresh(store, ctx, "themes")
    if not is_stale(store, ctx, "excerpts"):
        # nothing they are derived from changed (voices, flags, themes, pins and bans, recipient, settings)
        say("excerpts: nothing they are derived from changed since they were chosen; kept as they are")
        return stages.stored_excerpts(store)
    chosen = stages.excerpts(store, ctx.config, ctx.get_embedder(), who)
    say(f"excerpts: {len(chosen)} ranked quotes (with alternates) for {who or 'all recipients'} in {len({e.lang for e in chosen})} "
        f"languages from {len({e.country for e in chosen if e.country})} countries")
    return chosen


def _compose(store: Store, ctx: Context) -> dict:
    from .pipeline import compose_letter, write_outputs

    who = stages.choose_recipient(store, ctx.config, ctx.recipient)
    ctx.recipient = who
    ensure_fresh(store, ctx, "excerpts")
    if ctx.translation_sheets:
        from .translations import import_sheet

        lang = ctx.letter.get("lang") or ctx.config.campaign.lang
        for path in ctx.translation_sheets:
            rep = import_sheet(store, path, lang, translator_default="")
            say(f"translations: {safe(rep.summary(str(path)))}")
            for line in rep.problem_lines():
                warn(f"  [yellow]{safe(path)}[/yellow] {safe(line)}")
    letter = compose_letter(store, ctx.config, who, ctx.get_embedder(), **ctx.letter)
    say(f"compose: letter version {letter['version']} to {who}: "
        f"{sum(b['kind'] == 'quote' for b in letter['blocks'])} quotes, about {letter['seconds'] / 60:.1f} min; "
        + ("final" if letter["final"] else f"draft, {len(letter['missing_translations'])} quote(s) without an "
           "accepted translation"))
    if ctx.out_dir is not None:
        ctx.results["outputs"] = write_outputs(store, ctx.out_dir, letter, ner=ctx.config.screen.ner)
    return letter


def _render(store: Store, ctx: Context):
    from .render import render_letter

    if not ctx.render or ctx.out_dir is None:
        return None
    letter = ctx.results.get("compose") or store.latest_letter()
    if letter is None:
        raise stages.StageError("no letter yet: run `letterworld compose` first")
    return render_letter(letter, ctx.out_dir / "slides", preset=ctx.config.render.preset,
                         theme=ctx.config.render.theme, video=ctx.video)


def _themes_inputs(store: Store, ctx: Context) -> str:
    return stages.inputs_of_themes(store, ctx.config, ctx.get_embedder().name)


def _excerpts_inputs(store: Store, ctx: Context) -> str:
    return stages.inputs_of_excerpts(store, ctx.config, stages.choose_recipient(store, ctx.config, ctx.recipient))


STAGES: tuple[Stage, ...] = (
    Stage("ingest", _ingest, (), "read messages into the store; bad rows are kept aside"),
    Stage("detect", _detect, ("ingest",), "identify each message's language"),
    Stage("embed", _embed, ("ingest",), "embed every distinct text once (cached in the store)"),
    Stage("screen", _screen, ("detect", "embed"), "flags, duplicate and template groups, first statuses"),
    Stage("themes", _themes, ("screen", "embed"), "cluster approved messages into themes", _themes_inputs),
    Stage("excerpts", _excerpts, ("themes",), "choose quotes per theme for one recipient", _excerpts_inputs),
    Stage("compose", _compose, ("excerpts",), "write the letter, re-checking every quote"),
    Stage("render", _render, ("compose",), "slides, contact sheet, PDF and video"),
)
REGISTRY: dict[str, Stage] = {s.name: s for s in STAGES}


def run_stage(name: str, store: Store, ctx: Context) -> Any:
    """Run one stage by name and keep its result in `ctx.results`."""
    if name not in REGISTRY:
        raise KeyError(f"unknown stage {name!r}; stages: {', '.join(REGISTRY)}")
    result = REGISTRY[name].run(store, ctx)
    ctx.results[name] = result
    return result


def is_stale(store: Store, ctx: Context, name: str) -> bool:
    """Whether a derived stage's stored result was derived from another state of the store."""
    stage = REGISTRY[name]
    if stage.inputs is None:
        return False
    last = store.last_run(name)
    return last is None or last["inputs"] != stage.inputs(store, ctx)


def ensure_fresh(store: Store, ctx: Context, name: str) -> bool:
    """Re-run a derived stage (and the derived stages it reads) when its inputs changed since
    its result was stored; returns whether anything was re-run."""
    rerun = False
    for upstream in REGISTRY[name].reads:
        if REGISTRY[upstream].inputs is not None:
            rerun |= ensure_fresh(store, ctx, upstream)
    if rerun or is_stale(store, ctx, name):
        say(f"{name}: what it was derived from changed (decisions, redactions, recipient or settings); re-running")
        run_stage(name, store, ctx)
        return True
    return False


def run_all(store: Store, ctx: Context, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every stage in order (or those named), as `letterworld run` does."""
    for stage in STAGES:
        if names is None or stage.name in names:
            run_stage(stage.name, store, ctx)
    return ctx.results
