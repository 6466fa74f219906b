"""The review queue: risky messages first, decisions one at a time or in bulk, reversible
redactions, an optional two-person rule, and a CSV round trip for spreadsheet reviewers.

Every decision is audited (who, when, what, why) through `Store.set_status` and
`Store.audit`; nothing here edits an original text."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_RISK
from ..fields import known_language
from ..ingest import IngestError, read_table
from ..records import APPROVED_STATUSES, STATUSES, Decision, Flag, Rejected
from ..store import Store, current_actor
from . import GROUPING_KINDS, redact

# Reason codes a rejection (or a hold) must carry; the audit log keeps the free-text why.
REASON_CODES: dict[str, str] = {
    "abuse": "insults, slurs or threats",
    "hostile": "hostile to the recipient (not solidarity)",
    "safety": "could endanger the recipient (whereabouts, family, contact)",
    "personal_data": "personal data that redaction cannot make safe",
    "spam": "advertising, links or repeated characters",
    "off_topic": "about something else entirely",
    "duplicate": "a copy of another message",
    "illegible": "cannot be read or is empty",
    "no_consent": "the writer withdrew or refused consent",
    "other": "other (explain with --why)",
}

# Decisions a moderator can take, and the status each leads to.
ACTIONS: dict[str, str] = {
    "approve": "approved",  # becomes approved_redacted when redactions apply
    "reject": "rejected",
    "hold": "held",
    "translate": "needs_translation",
    "reset": "pending",
}
UNDECIDED = ("pending", "held", "needs_translation")

# How much each flag kind makes a message urgent to look at (highest first in the queue).
RISK = DEFAULT_RISK  # a campaign sets its own order with `[screen] risk`
# Kinds that a bulk approval never sweeps along unless the moderator insists: a listed insult
# or slur the classifier did not confirm may be quoted counter-speech, but someone must read it.
RISKY_KINDS = ("safety", "abuse", "hostility", "listed_term", "hidden_text")
TWO_PERSON_SETTING = "moderation.two_person_rule"
MANUAL_REDACTION = "redacted by a moderator"


class QueueError(ValueError):
    """A decision that cannot be taken (unknown action, missing reason code, same moderator twice)."""


@dataclass
class Item:
    """One message as a moderator sees it in the queue."""

    id: int
    status: str
    reason_code: str
    decided_by: str
    lang: str
    country: str
    recipient: str
    theme: int | None
    group: int | None
    group_size: int
    representative: bool
    flags: list[Flag]
    text: str  # original
    redacted: str
    risk: int
    approvals: list[str] = field(default_factory=list)

    @property
    def flag_kinds(self) -> list[str]:
        return sorted({f.kind for f in self.flags})


@dataclass
class Selection:
    """Which messages an action applies to; every given criterion must hold."""

    ids: Sequence[int] = ()
    statuses: Sequence[str] = ()
    flags: Sequence[str] = ()  # any of these kinds; "none" selects messages without blocking flags
    langs: Sequence[str] = ()
    themes: Sequence[int] = ()
    groups: Sequence[int] = ()
    recipient: str = ""

    def matches(self, item: Item) -> bool:
        if self.ids and item.id not in self.ids:
            return False
        if self.statuses and item.status not in self.statuses:
            return False
        if self.flags:
            kinds = set(item.flag_kinds)
            want = set(self.flags)
            unflagged = not (kinds - set(GROUPING_KINDS))
            if not (kinds & want or ("none" in want and unflagged)):
                return False
        if self.langs and item.lang not in self.langs:
            return False
        if self.themes and item.theme not in self.themes:
            return False
        if self.groups and item.group not in self.groups:
            return False
        if self.recipient and item.recipient != self.recipient:
            return False
        return True

    def describe(self) -> dict:
        return {k: list(v) if isinstance(v, (list, tuple)) else v
                for k, v in self.__dict__.items() if v}

    def validate(self, extra_kinds: Iterable[str] = ()) -> None:
        """A QueueError naming the valid values for any status, flag kind or language that is
        not one (a typo would otherwise select nothing, silently)."""
        problems = []
        bad = [s for s in self.statuses if s not in STATUSES]
        if bad:
            problems.append(f"unknown status(es) {', '.join(map(repr, bad))}; statuses: {', '.join(STATUSES)}")
        kinds = flag_kinds(extra_kinds)
        bad = [f for f in self.flags if f not in kinds]
        if bad:
            problems.append(f"unknown flag kind(s) {', '.join(map(repr, bad))}; kinds: {', '.join(kinds)}")
        bad = [lang for lang in self.langs if not known_language(lang)]
        if bad:
            problems.append(f"unknown language code(s) {', '.join(map(repr, bad))}; give ISO 639 codes "
                            f"such as es, pt, ar, zh (or und: not identified)")
        if problems:
            raise QueueError("; ".join(problems))


def flag_kinds(extra: Iterable[str] = ()) -> list[str]:
    """Flag kinds a selection may name: those the queue ranks, the grouping kinds, kinds found
    in the store, and "none" (no blocking flag)."""
    return list(dict.fromkeys([*RISK, *GROUPING_KINDS, *sorted(extra), "none"]))


# -- redactions -------------------------------------------------------------------
def effective_flags(store: Store, ids: Sequence[int] | None = None) -> dict[int, list[Flag]]:
    """Flags with the moderators' decisions applied, as the store's `effective_flags` view
    has them: a dismissed flag is gone (`dismiss_flag`), a 'keep' un-redacts the automatic
    flag at exactly that span (it stays in the store, shown but not hidden), a 'redact' adds
    a redaction span. Reversible: removing the row restores the automatic result."""
    return store.flags(ids, effective=True)


def redact_span(store: Store, message_id: int, start: int, end: int, *, label: str = "",
                actor: str | None = None, why: str = "") -> None:
    """Hide a span (a name the patterns missed); re-redacts a span a moderator had kept."""
    if label and not re.fullmatch(r"[a-z_]+", label):
        raise QueueError(f"a redaction label is lower-case letters and '_' (it shows as [{label}]), not {label!r}")
    with store.transaction():
        # re-redacting a span a moderator had kept brings the automatic redaction back
        if store.remove_redaction(message_id, start, end, actor=actor, why=why) != "keep":
            store.set_redaction(message_id, start, end, "redact", label=label, actor=actor, why=why)
        _refresh_approved(store, message_id, actor)


def unredact_span(store: Store, message_id: int, start: int, end: int, *, actor: str | None = None,
                  why: str = "") -> None:
    """Show a span again: undo a moderator's redaction, or keep an automatic one visible."""
    with store.transaction():
        undone = store.remove_redaction(message_id, start, end, actor=actor, why=why)
        if undone == "redact":
            _refresh_approved(store, message_id, actor)
            return
        auto = [f for f in store.flags([message_id]).get(message_id, []) if f.redact and (f.start, f.end) == (start, end)]
        if not auto:
            raise QueueError(f"message {message_id} has no redaction at {start}-{end}; "
                             f"see `letterworld queue show {message_id}`")
        store.set_redaction(message_id, start, end, "keep", actor=actor, why=why)
        _refresh_approved(store, message_id, actor)


# Flags a person may dismiss as false findings. Personal data is shown or hidden with
# redact/unredact instead; duplicate and template groups are regrouped by screening.
DISMISSIBLE_KINDS = ("off_topic", "hostility", "abuse", "listed_term", "spam", "link", "safety", "hidden_text")


def dismiss_flag(store: Store, message_id: int, kind: str, *, actor: str | None = None, why: str = "",
                 undo: bool = False) -> int:
    """A moderator says a rule's flag on this message is wrong (or, with `undo`, takes that back).

    Every flag of `kind` on the message is dismissed; it no longer counts for the queue's
    risk, for bulk actions or for excerpts (which never quote a flagged span), and re-running
    the screen stage does not bring it back at the same span. `why` is required: the audit log
    says who decided a finding was false and why. Returns how many flags changed."""
    if kind not in DISMISSIBLE_KINDS:
        raise QueueError(f"flag kind {kind!r} cannot be dismissed; dismissible: {', '.join(DISMISSIBLE_KINDS)}"
                         + (" (personal data: use `queue unredact`)" if kind == "personal_data" else ""))
    if not why.strip():
        raise QueueError("say why the flag is wrong (--why): the audit log keeps it")
    with store.transaction():
        if undo:
            return store.remove_dismissals(message_id, kind, actor=actor, why=why)
        current = [f for f in effective_flags(store, [message_id]).get(message_id, []) if f.kind == kind]
        if not current:
            raise QueueError(f"message {message_id} has no {kind} flag; see `letterworld queue show {message_id}`")
        for f in current:
            store.set_dismissal(message_id, kind, f.start, f.end, actor=actor, why=why)
        return len(current)


def _refresh_approved(store: Store, message_id: int, actor: str | None) -> None:
    """An approved message's status says whether redactions apply (approved vs approved_redacted)."""
    row = store.moderation_rows([message_id]).get(message_id)
    if row is None or row.status not in APPROVED_STATUSES:
        return
    status = _approved_status(effective_flags(store, [message_id]).get(message_id, []))
    if status != row.status:
        store.set_status(message_id, status, reason_code=row.reason_code, actor=actor or current_actor(),
                         why="redactions changed")


def _approved_status(flags: Sequence[Flag]) -> str:
    return "approved_redacted" if any(f.redact for f in flags) else "approved"


def flag_spans(store: Store, message_id: int, kind: str) -> list[tuple[int, int]]:
    """The spans a message's flags of one kind concern and that are not hidden yet (for
    `queue redact ID --flag hostility`: hide the hostile sentence, keep the rest)."""
    return sorted({(f.start, f.end) for f in effective_flags(store, [message_id]).get(message_id, [])
                   if f.kind == kind and not f.redact})


def span_text(text: str, flags: Sequence[Flag], start: int, end: int, *, original: bool = False) -> str:
    """What a flag's span says, as a moderator may see it: the redacted text of that span
    (personal data inside it shows as its placeholder) unless `original`."""
    if original:
        return text[start:end]
    inside = [Flag(f.kind, f.reason, f.start - start, f.end - start, True) for f in flags
              if f.redact and f.start >= start and f.end <= end]
    clipped = any(f.redact and f.start < end and f.end > start and not (f.start >= start and f.end <= end)
                  for f in flags)
    return "[redacted]" if clipped else redact(text[start:end], inside)


def find_span(text: str, match: str, occurrence: int = 1) -> tuple[int, int]:
    """The span of the n-th occurrence of `match` in `text` (for `queue redact --match`)."""
    start = -1
    for _ in range(max(1, occurrence)):
        start = text.find(match, start + 1)
        if start < 0:
            raise QueueError(f"{match!r} does not occur {occurrence} time(s) in the message")
    return start, start + len(match)


# -- the queue --------------------------------------------------------------------
def risk(flags: Iterable[Flag], order: dict[str, int] | None = None) -> int:
    """Urgency of a message: its riskiest flag, plus a little for each other kind
    (`order`: the campaign's `[screen] risk`, default RISK)."""
    kinds = {f.kind for f in flags}
    if not kinds:
        return 0
    order = RISK if order is None else order
    scores = sorted((order.get(k, 20) for k in kinds), reverse=True)
    return scores[0] + sum(s // 10 for s in scores[1:])


def _narrowed(store: Store, selection: Selection) -> list[int] | None:
    """The ids that can match a selection's status, language, recipient and theme criteria,
    found in SQL (None: no such criterion, every message). At 100,000 messages the queue of
    the 2,000 held ones must not build 100,000 items to show 50; `Selection.matches` still
    decides, so this only has to leave nothing out."""
    where, args = [], []
    for column, values in (("coalesce(d.status, 'pending')", selection.statuses),
                           ("coalesce(l.lang, 'und')", selection.langs),
                           ("t.theme_id", selection.themes)):
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args += list(values)
    if selection.recipient:
        where.append("m.recipient = ?")
        args.append(selection.recipient)
    if not where:
        return None
    sql = ("SELECT m.id FROM messages m LEFT JOIN moderation d ON d.message_id = m.id "
           "LEFT JOIN languages l ON l.message_id = m.id LEFT JOIN theme_members t ON t.message_id = m.id "
           "WHERE " + " AND ".join(where))
    return [r[0] for r in store.db.execute(sql, args)]


def items(store: Store, selection: Selection | None = None, *, risk_order: dict[str, int] | None = None) -> list[Item]:
    """The queue, riskiest first (then held, then by id)."""
    selection = selection or Selection()
    if selection.flags or selection.statuses or selection.langs:
        selection.validate(r[0] for r in store.db.execute("SELECT DISTINCT kind FROM flags"))
    ids = list(selection.ids) or _narrowed(store, selection)  # only the rows the selection can match are read
    mods = store.moderation_rows(ids)
    langs = store.languages(ids)
    flags = effective_flags(store, ids)
    red = store.redacted_texts(ids)
    dups = store.duplicates(ids)
    members = store.theme_members(ids)
    approvals = store.approvals(ids)
    group_size = store.group_sizes(None if ids is None else sorted({d.group_id for d in dups.values()}))
    out = []
    for m in store.messages(ids):
        row = mods.get(m.id)
        fl = flags.get(m.id, [])
        d = dups.get(m.id)
        item = Item(
            id=m.id, status=row.status if row else "pending", reason_code=row.reason_code if row else "",
            decided_by=row.decided_by if row else "",
            lang=langs[m.id].lang if m.id in langs else "und", country=m.country, recipient=m.recipient,
            theme=members[m.id][0] if m.id in members else None,
            group=d.group_id if d is not None else None,
            group_size=group_size.get(d.group_id, 1) if d is not None else 1,
            representative=d.is_representative if d is not None else True,
            flags=fl, text=m.text, redacted=red.get(m.id, m.text), risk=risk(fl, risk_order),
            approvals=approvals.get(m.id, []))
        if selection.matches(item):
            out.append(item)
    out.sort(key=lambda i: (-i.risk, i.status != "held", i.id))
    return out


def two_person_rule(store: Store) -> bool:
    return bool(store.setting(TWO_PERSON_SETTING, False))


def set_two_person_rule(store: Store, on: bool, *, actor: str | None = None, why: str = "") -> None:
    with store.transaction():
        store.set_setting(TWO_PERSON_SETTING, bool(on))
        store.audit("two-person-rule", "campaign", detail={"on": bool(on)}, why=why, actor=actor)


@dataclass
class Outcome:
    decided: list[int] = field(default_factory=list)
    awaiting_second: list[int] = field(default_factory=list)  # first approval under the two-person rule
    skipped: dict[int, str] = field(default_factory=dict)  # id -> why it was not decided
    # id -> who got there first: decided by another person, changed since it was shown, or claimed
    conflicts: dict[int, str] = field(default_factory=dict)
    batch: str = ""  # the audit records of this decision carry it (undo takes a batch back whole)

    def summary(self) -> str:
        parts = [f"{len(self.decided)} decided"]
        if self.awaiting_second:
            parts.append(f"{len(self.awaiting_second)} await a second moderator")
        if self.skipped:
            why = Counter(self.skipped.values())
            parts.append(f"{len(self.skipped)} skipped (" + "; ".join(f"{n}: {w}" for w, n in why.most_common()) + ")")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} refused: someone else decided or claimed them first")
        return ", ".join(parts)


def stamp(row: Decision | None) -> str:
    """What a moderator saw of a message's decision; a decision made on an older stamp is refused
    (`decide(..., seen=...)`), so two people never both decide the same message unknowingly."""
    return "" if row is None else f"{row.status}|{row.decided_by}|{row.decided_at}"


def _conflict(row: Decision | None, actor: str, seen: str | None, first_wins: bool,
              claim: tuple[str, str] | None) -> str:
    if claim is not None and claim[0] != actor:
        return f"claimed by {claim[0]} until {claim[1]}"
    if row is None:
        return ""
    by_person = row.manual and not row.decided_by.startswith("rule:")
    if first_wins and by_person and row.decided_by != actor and row.status not in UNDECIDED:
        return f"already decided by {row.decided_by} at {row.decided_at} ({row.status})"
    if seen is not None and seen != stamp(row):
        return f"changed by {row.decided_by} at {row.decided_at} ({row.status}) since it was shown to you"
    return ""


def decide(store: Store, ids: Sequence[int], action: str, *, reason_code: str = "", why: str = "",
           actor: str | None = None, include_risky: bool = False, bulk: dict | None = None,
           seen: dict[int, str] | None = None, first_wins: bool = False) -> Outcome:
    """Apply one decision to messages. Audited per message; a bulk action also gets one audit
    record naming its selection.

    - approve: `approved`, or `approved_redacted` when redactions apply. Every person's
      approval is recorded, so the two-person rule covers approvals made before it was
      switched on: under it a message is featured only once two different people approved it
      (a rule's auto-approval counts for nobody; the `eligible_messages` view applies this),
      and a first approval leaves it waiting for a second. A bulk approval skips messages with
      safety, abuse or hostility flags unless `include_risky`.
    - reject needs a reason code (REASON_CODES); hold and translate may carry one.

    Several moderators at once (the studio): the check and the write are one immediate
    transaction. A message claimed by someone else is refused; with `seen` (id -> `stamp` the
    moderator was shown) a message whose decision changed since is refused; with `first_wins`
    a message another person already decided is refused. Refusals are in `Outcome.conflicts`
    with who decided. Every audit record of the call carries `Outcome.batch` (see `undo_last`).
    """
    if action not in ACTIONS:
        raise QueueError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    if reason_code and reason_code not in REASON_CODES:
        raise QueueError(f"unknown reason code {reason_code!r}; use one of {', '.join(REASON_CODES)}")
    if action == "reject" and not reason_code:
        raise QueueError("a rejection needs a reason code (--reason), one of " + ", ".join(REASON_CODES))
    actor = actor or current_actor()
    if actor.startswith("rule:"):
        raise QueueError("moderator names starting with 'rule:' are reserved for automatic rules")
    outcome = Outcome(batch=uuid.uuid4().hex[:12])
    tag = {"batch": outcome.batch}
    two_person = two_person_rule(store)
    flags = effective_flags(store, ids)
    with store.transaction(immediate=True):
        mods = store.moderation_rows(ids)
        approvals = store.approvals(ids)
        claims = store.claims(ids)
        for mid in ids:
            if mid not in mods:
                outcome.skipped[mid] = "no such message"
                continue
            conflict = _conflict(mods[mid], actor, None if seen is None else seen.get(mid), first_wins,
                                 claims.get(mid))
            if conflict:
                outcome.conflicts[mid] = conflict
                continue
            fl = flags.get(mid, [])
            old = mods[mid].status
            prev = {"prev": {k: getattr(mods[mid], k) for k in ("status", "reason_code", "decided_by",
                                                                 "decided_at", "manual")}}
            note = why
            if action == "approve":
                if bulk is not None and not include_risky and any(f.kind in RISKY_KINDS for f in fl):
                    outcome.skipped[mid] = "risky flag: decide one by one or use --include-risky"
                    continue
                status = _approved_status(fl)
                others = [a for a in approvals.get(mid, []) if a != actor and not a.startswith("rule:")]
                store.add_approval(mid, actor)
                if two_person and not others:
                    store.audit("first-approval", f"message:{mid}", detail={"awaiting": "second moderator", **tag},
                                why=why, actor=actor)
                    outcome.awaiting_second.append(mid)
                    continue
                if two_person:
                    note = why or f"second approval (first: {', '.join(others)})"
            else:
                status = ACTIONS[action]
                store.clear_approvals(mid)
            if old == status:
                # a person confirming a rule's decision (or their own) is a decision too
                store.set_status(mid, status, reason_code=reason_code, actor=actor, why=note)
                store.audit("confirm", f"message:{mid}", detail={"status": status, "reason_code": reason_code,
                                                                  **prev, **tag}, why=note, actor=actor)
            else:
                store.set_status(mid, status, reason_code=reason_code, actor=actor, why=note, detail=tag)
            outcome.decided.append(mid)
        if bulk is not None:
            store.audit("bulk-" + action, "queue", detail={"selection": bulk, "decided": len(outcome.decided),
                                                           "awaiting_second": len(outcome.awaiting_second),
                                                           "skipped": len(outcome.skipped),
                                                           "refused": len(outcome.conflicts),
                                                           "reason_code": reason_code, **tag}, why=why, actor=actor)
    return outcome


DECISION_ACTIONS = ("status", "confirm", "first-approval")


def undo_last(store: Store, actor: str, *, why: str = "") -> Outcome:
    """Take back this person's last decision (one message or a whole bulk action): each message
    gets back the decision it had before, unless someone else decided it since (then it is left
    alone and named in `conflicts`). Audited as `undo`; undoing again goes one decision further back."""
    with store.transaction(immediate=True):
        rows = store.db.execute(
            "SELECT id, action, target, detail FROM audit WHERE actor = ? AND action IN ('status', 'confirm', "
            "'first-approval', 'undo') ORDER BY id DESC LIMIT 5000", (actor,)).fetchall()
        undone = {b for r in rows if r["action"] == "undo" for b in json.loads(r["detail"]).get("batches", [])}
        batch = next((json.loads(r["detail"]).get("batch") for r in rows if r["action"] != "undo"
                      and json.loads(r["detail"]).get("batch") and json.loads(r["detail"])["batch"] not in undone), None)
        out = Outcome(batch=batch or "")
        if batch is None:
            raise QueueError(f"{actor} has no decision left to undo")
        entries = [r for r in rows if r["action"] in DECISION_ACTIONS and json.loads(r["detail"]).get("batch") == batch]
        mods = store.moderation_rows([int(r["target"].split(":")[1]) for r in entries])
        for r in entries:
            mid = int(r["target"].split(":")[1])
            detail = json.loads(r["detail"])
            row = mods.get(mid)
            if r["action"] == "first-approval":
                store.remove_approval(mid, actor)
                out.decided.append(mid)
                continue
            if row is not None and row.decided_by != actor:
                out.conflicts[mid] = f"decided by {row.decided_by} at {row.decided_at} ({row.status}) since"
                continue
            prev = detail.get("prev")
            store.restore_decision(mid, prev)
            if not (prev and prev["status"] in APPROVED_STATUSES):
                store.remove_approval(mid, actor)
            out.decided.append(mid)
        store.audit("undo", "queue", detail={"batches": [batch], "restored": out.decided,
                                             "left": sorted(out.conflicts)}, why=why, actor=actor)
    return out


def decide_selection(store: Store, selection: Selection, action: str, **kw) -> Outcome:
    """Bulk decision on every message the selection matches (by flag, language, theme, group...)."""
    chosen = [i.id for i in items(store, selection)]
    return decide(store, chosen, action, bulk=selection.describe(), **kw)


# -- duplicate groups -----------------------------------------------------------------
@dataclass
class Group:
    group_id: int
    size: int
    representative: int
    template: bool
    text: str
    statuses: Counter


def groups(store: Store) -> list[Group]:
    """Duplicate and template groups, largest first ("12,304 people sent the sample message")."""
    dups = store.duplicates()
    statuses = store.statuses()
    by_group: dict[int, list] = {}
    for r in dups.values():
        by_group.setdefault(r.group_id, []).append(r)
    reps = {gid: next((r.message_id for r in rows if r.is_representative), rows[0].message_id)
            for gid, rows in by_group.items()}
    red = store.redacted_texts(list(reps.values()))
    out = []
    for gid, rows in by_group.items():
        rep = reps[gid]
        out.append(Group(gid, len(rows), rep, any(r.is_template for r in rows), red.get(rep, ""),
                         Counter(statuses.get(r.message_id, "pending") for r in rows)))
    out.sort(key=lambda g: (-g.size, g.group_id))
    return out


# -- CSV round trip ---------------------------------------------------------------------
CSV_COLUMNS = ["id", "status", "reason_code", "decided_by", "risk", "flags", "lang", "country", "recipient",
               "theme", "group", "group_size", "text", "decision", "new_reason_code", "why"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def flags_cell(flags: Iterable[Flag], text: str | None = None, *, original: bool = False) -> str:
    """Each flag with its span (character offsets in the original text); with `text`, a flag
    on part of the message (a hostile sentence, a link) also quotes that part, redacted
    unless `original`, since the offsets do not line up with the redacted text."""
    flags = list(flags)
    out = []
    for f in flags:
        cell = f"{f.kind}: {f.reason} @{f.start}-{f.end}"
        if text is not None and not f.redact and (f.start, f.end) != (0, len(text)):
            quote = span_text(text, flags, f.start, f.end, original=original)
            cell += f" «{quote[:120]}{'…' if len(quote) > 120 else ''}»"
        out.append(cell)
    return "; ".join(out)


def export_csv(store: Store, path: Path | None, selection: Selection | None = None, *,
               original: bool = False) -> str:
    """The queue as CSV (UTF-8 with BOM so spreadsheets read it): one row per message,
    riskiest first; reviewers fill `decision`, `new_reason_code`, `why` and re-import it.
    `text` is the redacted text unless `original` (personal data then leaves the store: the
    export is audited)."""
    if path is not None:
        path = Path(path)
        if path.is_dir():
            raise QueueError(f"{path} is a folder; give the CSV file to write, e.g. {path / 'queue.csv'}")
        if not path.parent.is_dir():
            raise QueueError(f"{path}: the folder {path.parent} does not exist; create it or write elsewhere")
    rows = items(store, selection)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for i in rows:
        w.writerow([i.id, i.status, i.reason_code, i.decided_by, i.risk,
                    _cell(flags_cell(i.flags, i.text, original=original)), i.lang,
                    i.country, _cell(i.recipient), "" if i.theme is None else i.theme,
                    "" if i.group is None else i.group, i.group_size,
                    _cell(i.text if original else i.redacted), "", "", ""])
    data = buf.getvalue()
    if path is not None:
        try:
            path.write_text(data, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise QueueError(f"{path}: cannot write the export ({exc.strerror or exc})") from None
    with store.transaction():
        store.audit("export", str(path) if path else "stdout",
                    detail={"rows": len(rows), "original_text": original,
                            "selection": (selection or Selection()).describe()})
    return data


@dataclass
class ImportResult:
    applied: list[int] = field(default_factory=list)
    awaiting_second: list[int] = field(default_factory=list)
    unchanged: int = 0
    conflicts: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


DECISION_WORDS = {"approve": "approve", "approved": "approve", "ok": "approve", "yes": "approve",
                  "reject": "reject", "rejected": "reject", "no": "reject",
                  "hold": "hold", "held": "hold", "translate": "translate", "needs_translation": "translate",
                  "reset": "reset", "pending": "reset"}


def import_csv(store: Store, path: Path, *, actor: str | None = None, dry_run: bool = False,
               force: bool = False) -> ImportResult:
    """Apply the decisions of a reviewed export. Every row is checked first; if any row is
    wrong nothing is applied. A row whose message was decided by someone else since the
    export (its status changed) is a conflict and is skipped unless `force`."""
    result = ImportResult()
    try:  # what `ingest` reads: any encoding Excel writes, comma or semicolon or tab
        table = read_table(Path(path))
    except IngestError as exc:
        result.errors.append(str(exc))
        return result
    missing = {"id", "status", "decision"} - set(table.headers)
    if missing:
        result.errors.append(f"{path}: missing column(s) {', '.join(sorted(missing))}; "
                             f"columns found: {', '.join(table.headers)}")
        return result
    mods = store.moderation_rows()
    plans: list[tuple[int, str, str, str]] = []
    for line, values in table.rows:
        if isinstance(values, Rejected):
            result.errors.append(f"{path}:{values.source_row}: {values.reason}")
            continue
        row = dict(zip(table.headers, values))
        word = (row.get("decision") or "").strip().lower()
        if not word:
            result.unchanged += 1
            continue
        try:
            mid = int(row["id"])
        except (TypeError, ValueError):
            result.errors.append(f"{path}:{line}: id {row.get('id')!r} is not a message id")
            continue
        if mid not in mods:
            result.errors.append(f"{path}:{line}: no message {mid} in this store")
            continue
        action = DECISION_WORDS.get(word)
        if action is None:
            result.errors.append(f"{path}:{line}: decision {word!r} is not one of {', '.join(ACTIONS)}")
            continue
        code = (row.get("new_reason_code") or "").strip() or (
            (row.get("reason_code") or "").strip() if action == "reject" else "")
        if code and code not in REASON_CODES:
            result.errors.append(f"{path}:{line}: reason code {code!r} is not one of {', '.join(REASON_CODES)}")
            continue
        if action == "reject" and not code:
            result.errors.append(f"{path}:{line}: rejecting message {mid} needs new_reason_code")
            continue
        exported = (row.get("status") or "").strip()
        if exported and exported != mods[mid].status and not force:
            result.conflicts[mid] = (f"status changed since export ({exported} -> {mods[mid].status}, "
                                     f"by {mods[mid].decided_by})")
            continue
        plans.append((mid, action, code, (row.get("why") or "").strip()))
    if result.errors or dry_run:
        if dry_run and not result.errors:
            result.applied = [p[0] for p in plans]
        return result
    actor = actor or current_actor()
    for mid, action, code, why in plans:
        o = decide(store, [mid], action, reason_code=code, why=why or f"spreadsheet review ({Path(path).name})",
                   actor=actor)
        result.applied += o.decided
        result.awaiting_second += o.awaiting_second
    with store.transaction():
        store.audit("import", str(path), detail={"applied": len(result.applied),
                                                 "awaiting_second": len(result.awaiting_second),
                                                 "conflicts": sorted(result.conflicts),
                                                 "unchanged": result.unchanged}, actor=actor)
    return result


def stats(store: Store) -> dict:
    its = items(store)
    return {"statuses": dict(Counter(i.status for i in its)),
            "undecided_by_flag": dict(Counter(k for i in its if i.status in UNDECIDED for k in i.flag_kinds)),
            "undecided_by_lang": dict(Counter(i.lang for i in its if i.status in UNDECIDED)),
            "awaiting_second": sum(1 for i in its if awaits_second(i, two_person_rule(store)))}


def awaits_second(item: Item, two_person: bool) -> bool:
    """Under the two-person rule: approved once (or auto-approved) and waiting for a second person."""
    people = {a for a in item.approvals if not a.startswith("rule:")}
    if not two_person or len(people) >= 2 or item.status in ("rejected",):
        return False
    return bool(people) or item.status in APPROVED_STATUSES


def item_json(i: Item) -> str:
    return json.dumps({"id": i.id, "status": i.status, "reason_code": i.reason_code, "risk": i.risk,
                       "lang": i.lang, "country": i.country, "theme": i.theme, "group": i.group,
                       "group_size": i.group_size, "approvals": i.approvals,
                       "flags": [{"kind": f.kind, "reason": f.reason, "start": f.start, "end": f.end,
                                  "redact": f.redact} for f in i.flags],
                       "text": i.redacted}, ensure_ascii=False)


assert set(ACTIONS.values()) <= set(STATUSES)
