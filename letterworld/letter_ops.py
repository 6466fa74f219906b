"""The campaigner's operations on a composed letter, as a library: pins and bans (checked with
`stages.check_choice`), swaps, moving and dropping themes, the arc, the campaign's own lines,
removing pins, versions, diffs and restore. Each change is stored in the store's plan for the
recipient (audited with `store.current_actor()`: the login name on the command line, the
signed-in user in the studio) and saved at once as a new letter version, composed by the
compose stage, whose note says what changed.

Every refusal raises `LetterOpError` with the reason, worded for the person who asked; the
command line (cli_letter.py) prints it, the studio (studio/pages/compose.py) flashes it.

`compose` (every op that writes a version takes it): how a new version is composed,
`compose(recipient, letter_options) -> letter`; by default the compose stage runs here
(`registry.run_stage`); the studio passes one that runs it as a background job."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import letter as lt
from .config import Config
from .registry import Context, run_stage
from .stages import StageError, check_choice, choose_recipient
from .store import Store, StoreError

REF = re.compile(r"^(\d+)(?::(\d+)-(\d+))?$")
Composer = Callable[[str, dict[str, Any]], dict[str, Any]]


class LetterOpError(ValueError):
    """A letter operation that cannot apply, with the reason."""


def recipient(store: Store, config: Config, who: str | None = None) -> str:
    """Whose letter (`stages.choose_recipient`: the campaign's recipient by default)."""
    try:
        return choose_recipient(store, config, who or None)
    except StageError as exc:
        raise LetterOpError(str(exc)) from exc


def stage_composer(store: Store, config: Config, out: Path | None = None, embedder=None) -> Composer:
    """The compose stage run here, in this thread, over `store`."""

    def run(who: str, options: dict[str, Any]) -> dict[str, Any]:
        ctx = Context(config, recipient=who, out_dir=out, letter=dict(options), embedder=embedder)
        return run_stage("compose", store, ctx)

    return run


def recompose(store: Store, config: Config, who: str, note: str, out: Path | None = None, *,
              compose: Composer | None = None, **options: Any) -> dict[str, Any]:
    """A new letter version after a change (the compose stage, re-deriving what is stale);
    `options` (lang, minutes, quotes, readers, final) go to the compose stage with the note."""
    run = compose or stage_composer(store, config, out)
    try:
        return run(who, {**options, "note": note})
    except LetterOpError:
        raise
    except (StageError, ValueError, KeyError, RuntimeError) as exc:
        raise LetterOpError(str(exc)) from exc


def latest(store: Store, who: str) -> dict[str, Any]:
    letter = store.latest_letter(who)
    if letter is None:
        raise LetterOpError(f"no letter to {who!r} yet: run `letterworld compose` first")
    return letter


def version(store: Store, number: int | None = None) -> dict[str, Any]:
    """One saved version (the latest when `number` is None)."""
    try:
        letter = store.letter(number) if number is not None else store.latest_letter()
    except StoreError as exc:
        raise LetterOpError(str(exc)) from exc
    if letter is None:
        raise LetterOpError("no letters yet: run `letterworld compose` first")
    return letter


def parse_ref(ref: str) -> tuple[int, int | None, int | None]:
    """'412' (a whole message) or '412:0-38' (a span of its redacted text)."""
    m = REF.match(ref.strip())
    if not m:
        raise LetterOpError(f"{ref!r}: expected a message id (412) or a span of it (412:0-38)")
    mid, a, b = m.groups()
    return int(mid), None if a is None else int(a), None if b is None else int(b)


def theme_of(letter: dict[str, Any], theme: int) -> dict[str, Any]:
    for t in letter.get("themes", []):
        if t["theme_id"] == theme:
            return t
    raise LetterOpError(f"no theme {theme} in the letter; themes: "
                        + ", ".join(f"{t['theme_id']} ({t['title']})" for t in letter.get("themes", [])))


# -- pins and bans ----------------------------------------------------------------
def add_choices(store: Store, config: Config, who: str, action: str, refs: list[str]) -> list[str]:
    """Store pins or bans after checking each (`stages.check_choice`); the first refused one
    stops with its reason (those before it stay stored). Returns the stored spans."""
    done = []
    for ref in refs:
        mid, a, b = parse_ref(ref)
        try:
            a, b = check_choice(store, config, who, mid, a, b, action)
        except StageError as exc:
            raise LetterOpError(str(exc)) from exc
        with store.transaction():
            store.set_excerpt_choice(mid, a, b, action)
        done.append(f"{mid}:{a}-{b}")
    return done


@dataclass
class ChoiceResult:
    action: str
    done: list[str]  # the stored spans, ID:START-END
    letter: dict[str, Any]
    states: list[str] = field(default_factory=list)  # one line per span: is it (still) in the letter


def choose(store: Store, config: Config, who: str, action: str, refs: list[str], *,
           compose: Composer | None = None, out: Path | None = None, **options: Any) -> ChoiceResult:
    """Pin (always quote) or ban (never quote) spans or whole messages, then a new version."""
    if action not in ("pin", "ban"):
        raise LetterOpError(f"{action!r}: pin or ban")
    if not refs:
        raise LetterOpError(f"nothing to {action}: give a message id or a span (412:0-38)")
    done = add_choices(store, config, who, action, refs)
    letter = recompose(store, config, who, f"{action} {', '.join(done)}", out, compose=compose, **options)
    shown = {q["id"] for q in lt.quotes(letter)}
    states = []
    for ref in done:
        mid = int(ref.split(":")[0])
        inside = [q for q in shown if int(q.split(":")[0]) == mid]
        state = ("in the letter" if inside else "not in the letter") if action == "pin" else (
            "no quote of it left in the letter" if not inside else f"still quoted as {', '.join(inside)}")
        states.append(f"{action} {ref}: {state} (version {letter['version']})")
    return ChoiceResult(action, done, letter, states)


def choices(store: Store) -> list[dict[str, Any]]:
    """Every pin and ban (action, message_id, start, end, decided_by, decided_at) with its text."""
    rows = [dict(r) for r in store.db.execute("SELECT * FROM excerpt_choices ORDER BY message_id, start")]
    texts = store.redacted_texts(sorted({r["message_id"] for r in rows})) if rows else {}
    for r in rows:
        r["text"] = texts.get(r["message_id"], "")[r["start"]:r["end"]]
        r["id"] = f"{r['message_id']}:{r['start']}-{r['end']}"
    return rows


def remove_choices(store: Store, config: Config, who: str | None, refs: list[str], *,
                   compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Remove pins or bans (ID: every one of that message; ID:START-END: that one), then a new
    version of `who`'s letter (None: the campaign's recipient)."""
    if not refs:
        raise LetterOpError("nothing to remove: give ID:START-END of a pin or ban")
    rows = store.db.execute("SELECT * FROM excerpt_choices ORDER BY message_id, start").fetchall()
    have = {(r["message_id"], r["start"], r["end"]): r["action"] for r in rows}
    for ref in refs:
        mid, a, b = parse_ref(ref)
        keys = [k for k in have if k[0] == mid and (a is None or k[1:] == (a, b))]
        if not keys:
            raise LetterOpError(f"no pin or ban {ref!r}; `letterworld letter pins` lists them")
        with store.transaction():
            for k in keys:
                store.remove_excerpt_choice(*k)
    who = recipient(store, config, who)
    return recompose(store, config, who, f"removed {', '.join(refs)}", out, compose=compose, **options)


# -- swaps, the arc, themes, the campaign's lines ------------------------------
def swap(store: Store, config: Config, who: str, quote: str, *, undo: bool = False,
         compose: Composer | None = None, out: Path | None = None,
         **options: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Replace a quote with the next-best candidate of its theme (which stays in like a pin), or
    with `undo` let the swapped-out quote back. Returns (the new letter, the candidate swapped in)."""
    before = latest(store, who)
    ids = {q["id"]: q for q in lt.quotes(before)}
    if not undo and quote not in ids:
        raise LetterOpError(f"{quote!r} is not a quote of letter version {before['version']}; quotes: "
                            f"{', '.join(ids)}")
    nxt = None if undo else next((q for q in before.get("alternates", [])
                                  if q["theme_id"] == ids[quote]["theme_id"]), None)
    if not undo and nxt is None:
        raise LetterOpError(f"{quote}: its theme has no other candidate to swap in (ban it instead: "
                            f"`letterworld letter ban {quote}`)")
    with store.transaction():
        store.set_plan(who, f"swap:{quote}", None if undo else nxt["id"])
    letter = recompose(store, config, who, f"{'unswap' if undo else 'swap'} {quote}"
                       + ("" if undo else f" for {nxt['id']}"), out, compose=compose, **options)
    return letter, nxt


def move(store: Store, config: Config, who: str, theme: int, to: str, position: int | None = None, *,
         compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Move a theme to another movement of the arc (and to a place within it, 1 = first)."""
    letter = latest(store, who)
    theme_of(letter, theme)
    if to not in letter["arc"]:
        raise LetterOpError(f"--to {to!r}: the arc is {', '.join(letter['arc'])}")
    if position is not None and position < 1:
        raise LetterOpError("--position counts from 1")
    with store.transaction():
        store.set_plan(who, f"move:{theme}", to)
        store.set_plan(who, f"position:{theme}", None if position is None else position - 1)
    return recompose(store, config, who, f"move theme {theme} to {to}" + (f" #{position}" if position else ""),
                     out, compose=compose, **options)


def drop(store: Store, config: Config, who: str, theme: int, *, undo: bool = False,
         compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Leave a theme out of the letter (or with `undo` bring it back)."""
    theme_of(latest(store, who), theme)
    with store.transaction():
        store.set_plan(who, f"drop:{theme}", None if undo else True)
    return recompose(store, config, who, f"{'restore' if undo else 'drop'} theme {theme}", out,
                     compose=compose, **options)


def parse_arc(movements: str | list[str]) -> list[str]:
    order = [m.strip() for m in (movements.split(",") if isinstance(movements, str) else movements) if m.strip()]
    bad = [m for m in order if m not in lt.ARC]
    if bad or not order or len(set(order)) != len(order):
        shown = movements if isinstance(movements, str) else ",".join(movements)
        raise LetterOpError(f"{shown!r}: name distinct movements of {', '.join(lt.ARC)}")
    return order


def set_arc(store: Store, config: Config, who: str, movements: str | list[str], *,
            compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Choose the arc: which movements, in which order (themes outside it are left out)."""
    order = parse_arc(movements)
    with store.transaction():
        store.set_plan(who, "arc", order)
    return recompose(store, config, who, f"arc {' > '.join(order)}", out, compose=compose, **options)


def edit_key(store: Store, who: str, target: str) -> str:
    """The plan key of an editable line: greeting, opening, closing, signoff or a theme id."""
    target = str(target).strip()
    if target.isdigit():
        theme_of(latest(store, who), int(target))
        return f"connective:{int(target)}"
    if target in lt.CAMPAIGN_TEXTS:
        return f"text:{target}"
    raise LetterOpError(f"{target!r}: edit greeting, opening, closing, signoff or a theme id's connective line")


def edit(store: Store, config: Config, who: str, target: str, text: str = "", *, reset: bool = False,
         compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Write the campaign's own line for a block (quotes are never edited), or `reset` it to the
    template."""
    if not reset and not text.strip():
        raise LetterOpError("give --text \"...\" or --reset")
    key = edit_key(store, who, target)
    with store.transaction():
        store.set_plan(who, key, None if reset else text.strip())
    return recompose(store, config, who, f"{'reset' if reset else 'edit'} {str(target).strip()}", out,
                     compose=compose, **options)


def set_length(store: Store, config: Config, who: str, minutes: float, *,
               compose: Composer | None = None, out: Path | None = None, **options: Any) -> dict[str, Any]:
    """Compose again to a read-aloud length of `minutes`."""
    try:
        minutes = float(minutes)
    except (TypeError, ValueError):
        raise LetterOpError(f"{minutes!r}: the length is a number of minutes") from None
    if not 0.5 <= minutes <= 120:
        raise LetterOpError(f"{minutes:g} minutes: choose a length between 0.5 and 120 minutes")
    return recompose(store, config, who, f"length {minutes:g} min", out, compose=compose,
                     **{**options, "minutes": minutes})


# -- versions ---------------------------------------------------------------------
def diff(store: Store, a: int, b: int) -> list[str]:
    """What changed from version `a` to version `b` (`letter.diff`)."""
    return lt.diff(version(store, a), version(store, b))


def restore(store: Store, number: int) -> tuple[int, dict[str, str]]:
    """Go back to version `number`: its plan becomes current and it is saved again as the newest
    version, every quote re-checked. Returns (the new version, {quote id: why left out})."""
    from .pipeline import check_quotes

    old = version(store, number)
    who = old["recipient"]
    kept, dropped = check_quotes(store, who, lt.quotes(old))
    ok = {q["id"] for q in kept}
    letter = {**old, "blocks": [b for b in old["blocks"] if b.get("kind") != "quote" or b["id"] in ok]}
    with store.transaction():
        store.replace_plan(who, old.get("plan", {}), why=f"restore of version {number}")
        new = store.add_letter(letter, note=f"restore of version {number}"
                               + (f" ({len(dropped)} quote(s) left out)" if dropped else ""))
        store.audit("restore", f"letter:{new}", detail={"from": number, "left_out": dropped})
    return new, dropped
