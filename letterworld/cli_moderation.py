"""`letterworld queue ...`: the moderators' review queue on the command line.

Mounted from cli.py with `app.add_typer(queue_app, name="queue")`. Every decision is
audited; `letterworld audit` prints the log."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Optional

import typer

from .cli_common import CONFIG, DB, echo, fail, open_store, read_config
from .moderation import queue as q
from .store import Store

queue_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="Review queue: list risky messages first, decide one by one or in bulk, "
                             "redact, export to CSV and re-import.")

MODERATOR = typer.Option(None, "--moderator", "--as", help="who decides (default: your login name)")
WHY = typer.Option("", "--why", help="why, for the audit log")


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _selection(ids: list[int], status: list[str], flag: list[str], lang: list[str], theme: list[int],
               group: list[int], recipient: str) -> q.Selection:
    return q.Selection(ids=tuple(ids), statuses=tuple(_split(status)), flags=tuple(_split(flag)),
                       langs=tuple(_split(lang)), themes=tuple(theme), groups=tuple(group), recipient=recipient)


STATUS = typer.Option([], "--status", help="statuses, e.g. pending,held (list: undecided by default)")
FLAG = typer.Option([], "--flag", help="flag kinds: safety, abuse, hostility, listed_term, personal_data, spam, link, "
                                       "off_topic, duplicate, template, redaction; 'none' = no blocking flag")
LANG = typer.Option([], "--lang", help="languages, e.g. es,pt")
THEME = typer.Option([], "--theme", help="theme id (repeatable)")
GROUP = typer.Option([], "--group", help="duplicate group id (repeatable)")
RECIPIENT = typer.Option("", "--recipient", help="messages to this recipient")


@queue_app.command("list")
def list_(db: Path = DB, status: list[str] = STATUS, flag: list[str] = FLAG, lang: list[str] = LANG,
          theme: list[int] = THEME, group: list[int] = GROUP, recipient: str = RECIPIENT,
          limit: int = typer.Option(50, help="rows to show (0 = all)"), config: Optional[Path] = CONFIG,
          as_json: bool = typer.Option(False, "--json", help="one JSON object a line")) -> None:
    """Messages to review, riskiest first (safety, abuse, hostility, personal data, spam...;
    the order is the campaign's `[screen] risk`).

    Example: letterworld queue list --flag safety,abuse --lang es --db campaign.db"""
    sel = _selection([], status or list(q.UNDECIDED), flag, lang, theme, group, recipient)
    risk_order = read_config(config).screen.risk
    with open_store(db) as store:
        try:
            rows = q.items(store, sel, risk_order=risk_order)
        except q.QueueError as exc:
            fail(str(exc))
        shown = rows if limit <= 0 else rows[:limit]
        for i in shown:
            if as_json:
                echo(q.item_json(i))
                continue
            extra = f" group {i.group} x{i.group_size}" if i.group is not None else ""
            waits = f" approved by {', '.join(i.approvals)}, awaits 2nd" if i.approvals else ""
            echo(f"{i.id:>6}  {i.status:<17} risk {i.risk:>3}  {i.lang:<4} {i.country:<3} "
                       f"[{', '.join(i.flag_kinds) or '-'}]{extra}{waits}")
            echo(f"        {i.redacted[:160].replace(chr(10), ' ')}")
        if not as_json:
            echo(f"{len(shown)} of {len(rows)} shown")


@queue_app.command()
def show(message_id: int = typer.Argument(..., help="message id"), db: Path = DB) -> None:
    """One message: original, redacted text, flags with their spans, and its history."""
    with open_store(db) as store:
        found = q.items(store, q.Selection(ids=(message_id,)))
        if not found:
            fail(f"no message with id {message_id}")
        i = found[0]
        echo(f"message {i.id}  status {i.status} {i.reason_code}  lang {i.lang}  country {i.country}  "
                   f"recipient {i.recipient}  theme {i.theme}  group {i.group} (x{i.group_size})")
        echo(f"original: {i.text}")
        echo(f"redacted: {i.redacted}")
        for f in i.flags:
            mark = " [redacted]" if f.redact else ""
            where = "whole message" if (f.start, f.end) == (0, len(i.text)) else f"{f.start}-{f.end}"
            quote = i.text[f.start:f.end]
            quote = quote if len(quote) <= 160 else quote[:160] + "…"
            echo(f"  {where} {f.kind}: {f.reason}{mark}  «{quote}»")
        if i.approvals:
            echo(f"approved by {', '.join(i.approvals)} (two-person rule)")
        for r in store.audit_log(target=f"message:{message_id}"):
            echo(f"  {r.at} {r.actor} {r.action} {r.detail} {r.why}")


@queue_app.command()
def decide(action: str = typer.Argument(..., help="approve, reject, hold, translate or reset"),
           ids: list[int] = typer.Argument(None, help="message ids (or select with the options)"),
           db: Path = DB, reason: str = typer.Option("", "--reason", help="reason code (see `queue reasons`)"),
           why: str = WHY, moderator: Optional[str] = MODERATOR,
           status: list[str] = typer.Option([], "--status", help="restrict to statuses (bulk)"),
           flag: list[str] = FLAG, lang: list[str] = LANG, theme: list[int] = THEME, group: list[int] = GROUP,
           recipient: str = RECIPIENT,
           include_risky: bool = typer.Option(False, "--include-risky",
                                              help="let a bulk approval include safety/abuse/hostility/listed_term flags")) -> None:
    """Decide messages by id, or in bulk by flag, language, theme or duplicate group.

    A bulk action (any selection option) only touches undecided messages unless --status says
    otherwise, and a bulk approval skips risky flags unless --include-risky."""
    bulk = bool(flag or lang or theme or group or recipient or status)
    if not ids and not bulk:
        fail("give message ids, or select messages with --flag/--lang/--theme/--group/--status")
    with open_store(db) as store:
        try:
            if bulk:
                sel = _selection(ids or [], status or list(q.UNDECIDED), flag, lang, theme, group, recipient)
                out = q.decide_selection(store, sel, action, reason_code=reason, why=why, actor=moderator,
                                         include_risky=include_risky)
            else:
                out = q.decide(store, ids, action, reason_code=reason, why=why, actor=moderator)
        except q.QueueError as exc:
            fail(str(exc))
        echo(f"{action}: {out.summary()}")
        for mid, reason_skipped in list(out.skipped.items())[:20]:
            echo(f"  skipped {mid}: {reason_skipped}")


def _span(store: Store, message_id: int, span: str, match: str, occurrence: int) -> tuple[int, int]:
    if match:
        return q.find_span(store.message(message_id).text, match, occurrence)
    try:
        start, end = (int(x) for x in span.split("-"))
    except ValueError:
        fail(f"span {span!r}: expected START-END (character offsets in the original), or use --match")
        raise
    return start, end


@queue_app.command("redact")
def redact_cmd(message_id: int = typer.Argument(...), span: str = typer.Argument("", help="START-END"),
               db: Path = DB, match: str = typer.Option("", "--match", help="redact this text instead of a span"),
               occurrence: int = typer.Option(1, help="which occurrence of --match"),
               flag: str = typer.Option("", "--flag", help="redact the span(s) of this flag kind, e.g. hostility "
                                                           "(the sentence the classifier flagged)"),
               label: str = typer.Option("", help="placeholder word, e.g. name -> [name] (default [redacted])"),
               why: str = WHY, moderator: Optional[str] = MODERATOR) -> None:
    """Hide a span of a message behind a visible placeholder (the original stays in the store)."""
    with open_store(db) as store:
        try:
            if flag:
                if flag not in q.flag_kinds():
                    fail(f"--flag {flag!r} is not a flag kind; kinds: {', '.join(q.flag_kinds()[:-1])}")
                spans = q.flag_spans(store, message_id, flag)
                if not spans:
                    fail(f"message {message_id} has no {flag} flag to redact; see `letterworld queue show {message_id}`")
            else:
                spans = [_span(store, message_id, span, match, occurrence)]
            for start, end in spans:
                q.redact_span(store, message_id, start, end, label=label, actor=moderator, why=why)
        except (q.QueueError, KeyError, ValueError) as exc:
            fail(str(exc))
        echo(f"message {message_id}: {', '.join(f'{a}-{b}' for a, b in spans)} redacted")


@queue_app.command("unredact")
def unredact_cmd(message_id: int = typer.Argument(...), span: str = typer.Argument("", help="START-END"),
                 db: Path = DB, match: str = typer.Option("", "--match"), occurrence: int = typer.Option(1),
                 why: str = WHY, moderator: Optional[str] = MODERATOR) -> None:
    """Show a redacted span again (undo a moderator's redaction or keep an automatic one)."""
    with open_store(db) as store:
        try:
            start, end = _span(store, message_id, span, match, occurrence)
            q.unredact_span(store, message_id, start, end, actor=moderator, why=why)
        except (q.QueueError, KeyError, ValueError) as exc:
            fail(str(exc))
        echo(f"message {message_id}: {start}-{end} shown")


@queue_app.command("dismiss")
def dismiss_cmd(message_id: int = typer.Argument(...),
                flag: str = typer.Option(..., "--flag", help="the flag kind that is wrong here, e.g. off_topic, "
                                                             "hostility, listed_term"),
                why: str = typer.Option(..., "--why", help="why the finding is false (kept in the audit log)"),
                undo: bool = typer.Option(False, "--undo", help="take a dismissal back: the flag counts again"),
                db: Path = DB, moderator: Optional[str] = MODERATOR) -> None:
    """Dismiss a rule's flag as a false finding (it stops blocking quotes; re-screening keeps it dismissed)."""
    with open_store(db) as store:
        try:
            n = q.dismiss_flag(store, message_id, flag, actor=moderator, why=why, undo=undo)
        except (q.QueueError, KeyError, ValueError) as exc:
            fail(str(exc))
        echo(f"message {message_id}: {n} {flag} flag(s) " + ("restored" if undo else "dismissed"))


@queue_app.command()
def groups(db: Path = DB, limit: int = typer.Option(20, help="groups to show (0 = all)")) -> None:
    """Duplicate and template groups, largest first, with their representative."""
    with open_store(db) as store:
        gs = q.groups(store)
        for g in gs if limit <= 0 else gs[:limit]:
            kind = "copies of the sample text" if g.template else "near-identical messages"
            echo(f"group {g.group_id}: {g.size:,} people sent {kind}; representative {g.representative}; "
                       f"{dict(g.statuses)}")
            echo(f"        {g.text[:160]}")


@queue_app.command()
def stats(db: Path = DB) -> None:
    """Counts by status, and undecided messages by flag and language."""
    with open_store(db) as store:
        s = q.stats(store)
        for key, value in s.items():
            echo(f"{key}: {value}")


@queue_app.command()
def reasons() -> None:
    """The reason codes a rejection can carry."""
    for code, text in q.REASON_CODES.items():
        echo(f"{code:<14} {text}")


@queue_app.command("two-person")
def two_person(state: str = typer.Argument(..., help="on or off"), db: Path = DB, why: str = WHY,
               moderator: Optional[str] = MODERATOR) -> None:
    """Require a second, different moderator to approve before a message can be featured."""
    if state not in ("on", "off"):
        fail("say on or off")
    with open_store(db) as store:
        q.set_two_person_rule(store, state == "on", actor=moderator, why=why)
        echo(f"two-person rule {state}")


@queue_app.command("export")
def export(out: Path = typer.Argument(..., help="CSV file to write"), db: Path = DB, status: list[str] = STATUS,
           flag: list[str] = FLAG, lang: list[str] = LANG, theme: list[int] = THEME, group: list[int] = GROUP,
           recipient: str = RECIPIENT,
           original: bool = typer.Option(False, "--original", help="export original texts (personal data!)")) -> None:
    """Write the queue as CSV for spreadsheet review (fill decision, new_reason_code, why)."""
    with open_store(db) as store:
        sel = _selection([], status, flag, lang, theme, group, recipient)
        try:
            data = q.export_csv(store, out, sel, original=original)
        except q.QueueError as exc:
            fail(str(exc))
        rows = sum(1 for _ in csv.reader(io.StringIO(data))) - 1  # a text may span lines
        echo(f"wrote {out}: {rows} rows (riskiest first)")


@queue_app.command("import")
def import_(path: Path = typer.Argument(..., help="a reviewed export"), db: Path = DB,
            moderator: Optional[str] = MODERATOR,
            dry_run: bool = typer.Option(False, "--dry-run", help="check every row, apply nothing"),
            force: bool = typer.Option(False, "--force", help="apply rows whose status changed since export")) -> None:
    """Apply a reviewed CSV: all rows are checked first; any error applies nothing."""
    if not path.is_file():
        fail(f"{path}: no such file" if not path.exists() else f"{path} is not a file; give the reviewed CSV")
    with open_store(db) as store:
        r = q.import_csv(store, path, actor=moderator, dry_run=dry_run, force=force)
        for e in r.errors:
            echo(f"error: {e}", err=True)
        for mid, why in r.conflicts.items():
            echo(f"conflict: message {mid}: {why} (skipped; --force to apply)")
        if r.errors:
            raise typer.Exit(2)
        verb = "would apply" if dry_run else "applied"
        echo(f"{verb} {len(r.applied)} decisions; {len(r.awaiting_second)} await a second moderator; "
                   f"{r.unchanged} rows without a decision; {len(r.conflicts)} conflicts")
