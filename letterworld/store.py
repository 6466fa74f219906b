"""The campaign store: one SQLite file per campaign, schema versioned by migrations.

SQLite is the honest default (as in Datasette): one file a campaigner can copy,
inspect with any tool, and back up. Originals are never updated; every decision
goes to an append-only audit log that triggers protect from UPDATE and DELETE.
"""

from __future__ import annotations

import contextvars
import getpass
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .records import (
    AuditEntry,
    Decision,
    Detection,
    DuplicateRow,
    EligibleMessage,
    Flag,
    Message,
    RedactionRow,
    Rejected,
    RejectedRow,
    placeholder,
)

MIGRATIONS: list[str] = [
    # 1: the foundation schema
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        source_key TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        source_file TEXT NOT NULL,
        source_row INTEGER NOT NULL,
        recipient TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        consent INTEGER,
        extra TEXT NOT NULL DEFAULT '{}',
        ingested_at TEXT NOT NULL
    );
    CREATE TRIGGER messages_text_immutable BEFORE UPDATE OF text ON messages
    BEGIN SELECT RAISE(ABORT, 'original message text is never modified'); END;
    CREATE TABLE rejected (
        id INTEGER PRIMARY KEY,
        source_key TEXT NOT NULL UNIQUE,
        source_file TEXT NOT NULL,
        source_row INTEGER NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        rejected_at TEXT NOT NULL
    );
    CREATE TABLE languages (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        lang TEXT NOT NULL,
        confidence REAL NOT NULL,
        others TEXT NOT NULL DEFAULT '[]',
        manual INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        redact INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX flags_message ON flags(message_id);
    CREATE TABLE duplicates (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        group_id INTEGER NOT NULL,
        is_representative INTEGER NOT NULL,
        is_template INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE moderation (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        status TEXT NOT NULL,
        reason_code TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        manual INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        why TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    );
    CREATE TABLE themes (
        theme_id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        keywords TEXT NOT NULL DEFAULT '{}',
        size INTEGER NOT NULL,
        weight REAL NOT NULL,
        centroid BLOB NOT NULL,
        model TEXT NOT NULL
    );
    CREATE TABLE theme_members (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        theme_id INTEGER NOT NULL,
        score REAL NOT NULL
    );
    CREATE TABLE excerpt_choices (
        message_id INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('pin', 'ban')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (message_id, start, end)
    );
    CREATE TABLE excerpts (
        id TEXT PRIMARY KEY,
        message_id INTEGER NOT NULL,
        theme_id INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE letters (
        version INTEGER PRIMARY KEY,
        recipient TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: moderation queue: reversible redactions beside the original, and approvals
    # for the two-person rule (both audited by the methods that write them)
    """
    CREATE TABLE redactions (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('redact', 'keep')),
        label TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        UNIQUE (message_id, start, end)
    );
    CREATE TABLE approvals (
        message_id INTEGER NOT NULL REFERENCES messages(id),
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (message_id, actor)
    );
    """,
    # 3: a moderator's dismissal of a rule's flag (a false finding), kept beside the flags so
    # that re-screening never brings it back and undoing it restores the flag
    """
    CREATE TABLE dismissals (
        message_id INTEGER NOT NULL REFERENCES messages(id),
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        why TEXT NOT NULL,
        PRIMARY KEY (message_id, kind, start, end)
    );
    """,
    # 4: what the pipeline derives, visible in the store. Each flag carries its placeholder so
    # that redaction can be a view; stage_runs records the state of the inputs each stored
    # result was derived from; fitted holds fitted state (the theme space); excerpts know
    # their recipient. The views are what every stage, the queue and the studio read.
    """
    ALTER TABLE flags ADD COLUMN placeholder TEXT NOT NULL DEFAULT '';
    ALTER TABLE excerpts ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
    CREATE TABLE stage_runs (
        stage TEXT PRIMARY KEY,
        inputs TEXT NOT NULL,
        audit_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE fitted (
        name TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        data BLOB NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        fitted_at TEXT NOT NULL
    );
    CREATE INDEX approvals_message ON approvals(message_id);
    CREATE INDEX redactions_message ON redactions(message_id);

    -- flags with the moderators' decisions applied: dismissed flags gone, 'keep' un-redacts
    -- the automatic flag at exactly that span, 'redact' adds a moderator's redaction
    CREATE VIEW effective_flags AS
    SELECT f.message_id, f.kind, f.reason, f.start, f.end,
           CASE WHEN f.redact AND NOT EXISTS (
               SELECT 1 FROM redactions r WHERE r.message_id = f.message_id AND r.start = f.start
               AND r.end = f.end AND r.action = 'keep') THEN 1 ELSE 0 END AS redact,
           CASE WHEN f.placeholder != '' THEN f.placeholder ELSE '[' || f.kind || ']' END AS placeholder,
           'rule' AS source
    FROM flags f
    WHERE NOT EXISTS (SELECT 1 FROM dismissals d WHERE d.message_id = f.message_id AND d.kind = f.kind
                      AND d.start = f.start AND d.end = f.end)
    UNION ALL
    SELECT r.message_id, 'redaction',
           CASE WHEN r.label != '' THEN 'redacted by a moderator: ' || r.label ELSE 'redacted by a moderator' END,
           r.start, r.end, 1,
           CASE WHEN r.label != '' THEN '[' || r.label || ']' ELSE '[redacted]' END, 'moderator'
    FROM redactions r WHERE r.action = 'redact';

    -- each message's text with its redacted spans replaced by their placeholders; spans are
    -- taken by start (longest first) and an overlapping span extends what is hidden, so no
    -- part of a redacted span ever shows (the same rule as moderation.redact)
    CREATE VIEW redacted_text AS
    WITH RECURSIVE spans AS (
        SELECT message_id, start, end, placeholder,
               ROW_NUMBER() OVER (PARTITION BY message_id ORDER BY start, end DESC, placeholder) AS n
        FROM effective_flags WHERE redact
    ), walk(message_id, n, pos, out) AS (
        SELECT DISTINCT message_id, 0, 0, '' FROM spans
        UNION ALL
        SELECT w.message_id, s.n,
               CASE WHEN s.end > w.pos THEN s.end ELSE w.pos END,
               w.out || CASE WHEN s.start >= w.pos
                             THEN substr(m.text, w.pos + 1, s.start - w.pos) || s.placeholder ELSE '' END
        FROM walk w JOIN spans s ON s.message_id = w.message_id AND s.n = w.n + 1
        JOIN messages m ON m.id = w.message_id
    ), last AS (
        SELECT message_id, max(n) AS n FROM walk GROUP BY message_id
    )
    SELECT m.id AS message_id,
           CASE WHEN w.message_id IS NULL THEN m.text ELSE w.out || substr(m.text, w.pos + 1) END AS text,
           w.message_id IS NOT NULL AS redacted
    FROM messages m LEFT JOIN last l ON l.message_id = m.id
    LEFT JOIN walk w ON w.message_id = l.message_id AND w.n = l.n;

    -- approvals by people (a rule's auto-approval is no person's)
    CREATE VIEW human_approvals AS
    SELECT message_id, count(DISTINCT actor) AS approvers FROM approvals
    WHERE actor NOT LIKE 'rule:%' GROUP BY message_id;

    -- approved messages that may be featured: with the two-person rule on, only those two
    -- different people approved, whenever they did; one row per voice (a duplicate group
    -- speaks through its representative, weighted by its approved members)
    CREATE VIEW eligible_messages AS
    SELECT m.id AS message_id, rt.text AS text, COALESCE(l.lang, 'und') AS lang, m.recipient, m.country,
           CASE WHEN d.message_id IS NULL THEN 1 ELSE (
               SELECT count(*) FROM duplicates d2 JOIN moderation s2 ON s2.message_id = d2.message_id
               WHERE d2.group_id = d.group_id AND s2.status IN ('approved', 'approved_redacted')) END AS weight,
           (COALESCE(d.is_template, 0) = 1 OR EXISTS (
               SELECT 1 FROM flags f WHERE f.message_id = m.id AND f.kind = 'template')) AS is_template
    FROM messages m
    JOIN moderation s ON s.message_id = m.id AND s.status IN ('approved', 'approved_redacted')
    JOIN redacted_text rt ON rt.message_id = m.id
    LEFT JOIN languages l ON l.message_id = m.id
    LEFT JOIN duplicates d ON d.message_id = m.id
    WHERE (d.message_id IS NULL OR d.is_representative = 1)
      AND (COALESCE((SELECT value FROM settings WHERE key = 'moderation.two_person_rule'), 'false') != 'true'
           OR COALESCE((SELECT approvers FROM human_approvals h WHERE h.message_id = m.id), 0) >= 2);
    """,
    # 5: campaigners' names for themes (`letterworld themes --rename ID=NAME`), kept over the
    # automatic titles while the theme ids last (a --recluster drops them)
    """
    CREATE TABLE theme_names (
        theme_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 6: the letter as campaigners shape it. A translation memory keyed by the exact source span
    # (message, start, end in the redacted text, and a checksum of the span's text) so translations
    # survive re-composition and serve every letter and recipient; the campaigner's composition
    # choices (arc, theme moves and drops, connective edits, swaps) per recipient; who wrote each
    # letter version and what changed.
    """
    CREATE TABLE translations (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        source_sha TEXT NOT NULL,
        source_lang TEXT NOT NULL,
        lang TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'machine_draft')),
        translator TEXT NOT NULL,
        origin TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX translations_span ON translations (message_id, start, end, lang);
    CREATE VIEW current_translations AS
    SELECT t.* FROM translations t
    WHERE t.id = (SELECT max(t2.id) FROM translations t2 WHERE t2.message_id = t.message_id
                  AND t2.start = t.start AND t2.end = t.end AND t2.lang = t.lang);
    CREATE TABLE letter_plan (
        recipient TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (recipient, key)
    );
    ALTER TABLE letters ADD COLUMN actor TEXT NOT NULL DEFAULT '';
    ALTER TABLE letters ADD COLUMN note TEXT NOT NULL DEFAULT '';
    """,
    # 7: the studio (letterworld/studio): accounts with roles (argon2 hashes, never passwords),
    # sessions (only a hash of the cookie's token is stored, so a copy of the store opens no
    # session), failed logins for rate limiting, and moderators' claims on batches of messages.
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users(name),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        client TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX login_failures_name ON login_failures (name, at);
    CREATE TABLE claims (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        user TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    """,
    # 8: what each automatic language detection was derived from (a hash of the text, the
    # country, the campaign's expected languages and the detector's code and calibration), so a
    # re-run detects only what changed (`stages.detect`); the per-message screening results by
    # the same kind of key (text, language, settings, the rules' code and models), so a re-run
    # screens only what changed (`moderation.stage.screen_store`; corpus-level checks always run).
    """
    ALTER TABLE languages ADD COLUMN inputs TEXT NOT NULL DEFAULT '';
    CREATE TABLE screen_cache (
        key TEXT PRIMARY KEY,
        flags TEXT NOT NULL
    );
    """,
    # 9: indexes the views need at campaign scale: a duplicate group's weight in
    # `eligible_messages` counts its approved members (without an index on group_id, a scan of
    # every duplicate row per eligible message: 29 s at 100,000 messages), and
    # `effective_flags` looks for a dismissal per flag.
    """
    CREATE INDEX duplicates_group ON duplicates(group_id);
    CREATE INDEX dismissals_message ON dismissals(message_id);
    """,
    # 10: the near-copy index (moderation/duplicates.py `NearCopyIndex`): each distinct
    # normalised text's MinHash band keys and near-copy component, so that screening new
    # messages compares them with the old ones instead of grouping every message again.
    """
    CREATE TABLE near_copies (
        norm_key TEXT PRIMARY KEY,
        component TEXT NOT NULL,
        bands BLOB NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# who is acting, when it is not the login name: the studio's signed-in user, for this request's
# thread (every audit record, letter version and decision names them)
ACTOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("letterworld_actor", default=None)


def current_actor() -> str:
    if ACTOR.get():
        return ACTOR.get()
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _source_key(message: Message | Rejected) -> str:
    """Identity of a source row: file name (not path), row and content.

    Re-ingesting the same file, from anywhere, adds nothing; an edited row
    becomes a new message and the old one stays (originals are never changed).
    """
    content = message.raw if isinstance(message, Rejected) else json.dumps(
        [message.text, message.recipient, message.country, message.channel,
         message.date, message.author, message.consent], ensure_ascii=False)
    name = Path(message.source_file).name
    return text_hash(f"{name}\x1f{message.source_row}\x1f{content}")


class StoreError(RuntimeError):
    """The store file cannot be opened or written (read-only, not a database...)."""


class Store:
    """A campaign store. Open with `Store(path)`; use as a context manager to close."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # a writer waits up to 30 s for another (the studio serves many people at once)
            self.db = sqlite3.connect(self.path, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except (OSError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise StoreError(f"{self.path}: cannot open the campaign store for writing ({exc}); check that "
                             "the file and its folder are writable (the store also writes -wal and -shm "
                             "files next to it) and that it is a letterworld store") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction. `immediate` takes the write lock before the first read, so a
        check-then-write (is this message still undecided?) cannot interleave with another
        writer's (the studio's concurrent moderators)."""
        if immediate and not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
        with self.db:
            yield self.db

    # -- schema ---------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} was written by a newer letterworld (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); upgrade letterworld"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db:
                self.db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
            if number == 4:  # flags written before schema 4 get their placeholders
                with self.db:
                    rows = self.db.execute("SELECT id, kind, reason FROM flags WHERE redact = 1").fetchall()
                    self.db.executemany("UPDATE flags SET placeholder = ? WHERE id = ?",
                                        [(placeholder(Flag(k, r, redact=True)), i) for i, k, r in rows])

    # -- audit ----------------------------------------------------------------
    def audit(self, action: str, target: str, *, detail: dict[str, Any] | None = None,
              why: str = "", actor: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO audit (at, actor, action, target, detail, why) VALUES (?,?,?,?,?,?)",
            (now(), actor or current_actor(), action, target,
             json.dumps(detail or {}, ensure_ascii=False), why),
        )

    def audit_log(self, *, target: str | None = None, actor: str | None = None) -> list[AuditEntry]:
        where, args = [], []
        for column, value in (("target", target), ("actor", actor)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT id, at, actor, action, target, detail, why FROM audit"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [AuditEntry(*r) for r in self.db.execute(sql, args)]

    def last_audit_id(self) -> int:
        return self.db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]

    # -- settings -------------------------------------------------------------
    def set_setting(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value)))

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    # -- ingest ---------------------------------------------------------------
    def add_messages(self, messages: Iterable[Message]) -> tuple[int, int]:
        """Insert messages not seen before; returns (added, already present)."""
        added = seen = 0
        stamp = now()
        for m in messages:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO messages (source_key, text, text_hash, source_file, source_row,"
                " recipient, country, channel, date, author, consent, extra, ingested_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (_source_key(m), m.text, text_hash(m.text), m.source_file, m.source_row,
                 m.recipient, m.country, m.channel, m.date, m.author,
                 None if m.consent is None else int(m.consent),
                 json.dumps(m.extra, ensure_ascii=False), stamp),
            )
            if cur.rowcount:
                added += 1
                self.db.execute(
                    "INSERT INTO moderation (message_id, status, decided_at) VALUES (?, 'pending', ?)",
                    (cur.lastrowid, stamp))
            else:
                seen += 1
        return added, seen

    def add_rejected(self, rows: Iterable[Rejected]) -> int:
        added = 0
        stamp = now()
        for r in rows:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO rejected (source_key, source_file, source_row, reason, raw, rejected_at)"
                " VALUES (?,?,?,?,?,?)",
                (_source_key(r), r.source_file, r.source_row, r.reason, r.raw, stamp))
            added += cur.rowcount
        return added

    def rejected(self) -> list[RejectedRow]:
        """Rows kept aside at ingest; `raw` is the original row: redact it before showing it."""
        return [RejectedRow(*r) for r in self.db.execute(
            "SELECT source_file, source_row, reason, raw, rejected_at FROM rejected ORDER BY source_file, source_row")]

    @staticmethod
    def _message(row: sqlite3.Row) -> Message:
        return Message(
            id=row["id"], text=row["text"], source_file=row["source_file"],
            source_row=row["source_row"], recipient=row["recipient"], country=row["country"],
            channel=row["channel"], date=row["date"], author=row["author"],
            consent=None if row["consent"] is None else bool(row["consent"]),
            extra=json.loads(row["extra"]),
        )

    def messages(self, ids: Sequence[int] | None = None) -> list[Message]:
        if ids is not None and not ids:
            return []
        return [self._message(r) for r in self._rows("SELECT * FROM messages", ids, " ORDER BY id", key="id")]

    def _rows(self, sql: str, ids: Sequence[int] | None, order: str = "", key: str = "message_id") -> Iterable:
        """`sql` over every row, or only the rows of these message ids (filtered in SQL)."""
        if ids is None:
            return self.db.execute(sql + order)
        return self._in(sql + f" WHERE {key} IN ({{q}})" + order, ids)

    def _in(self, sql: str, ids: Iterable[int], args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run `sql` (with `{q}` where the id list goes) in chunks under SQLite's variable limit,
        in id order."""
        ids = sorted(set(ids))
        rows: list[sqlite3.Row] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows += self.db.execute(sql.format(q=",".join("?" * len(chunk))), [*args, *chunk]).fetchall()
        return rows

    def message(self, message_id: int) -> Message:
        row = self.db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise KeyError(f"no message with id {message_id}")
        return self._message(row)

    def count_messages(self) -> int:
        return self.db.execute("SELECT count(*) FROM messages").fetchone()[0]

    # -- languages ------------------------------------------------------------
    def set_language(self, message_id: int, lang: str, confidence: float,
                     others: list[dict[str, Any]] | None = None, *, manual: bool = False, inputs: str = "") -> bool:
        """Store a detection; automatic results never overwrite a manual correction. `inputs`:
        what an automatic detection was derived from (`stages.detect` skips it while unchanged)."""
        row = self.db.execute("SELECT manual FROM languages WHERE message_id = ?", (message_id,)).fetchone()
        if row is not None and row[0] and not manual:
            return False
        self.db.execute(
            "INSERT OR REPLACE INTO languages (message_id, lang, confidence, others, manual, inputs) VALUES (?,?,?,?,?,?)",
            (message_id, lang, confidence, json.dumps(others or [], ensure_ascii=False), int(manual), inputs))
        return True

    def screen_cache(self, keys: Sequence[str]) -> dict[str, list[Flag]]:
        """Stored per-message screening results for these keys (`moderation.stage.screen_key`)."""
        return {k: [Flag(*x) for x in json.loads(f)]
                for k, f in self._in("SELECT key, flags FROM screen_cache WHERE key IN ({q})", keys)}

    def put_screen_cache(self, results: dict[str, Sequence[Flag]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO screen_cache VALUES (?, ?)",
                            [(k, json.dumps([[f.kind, f.reason, f.start, f.end, f.redact] for f in v],
                                            ensure_ascii=False)) for k, v in results.items()])

    def detection_inputs(self) -> dict[int, str]:
        """Each message's detection: what it was derived from ('manual' for a person's correction)."""
        return {r[0]: "manual" if r[2] else r[1] for r in self.db.execute("SELECT message_id, inputs, manual FROM languages")}

    def languages(self, ids: Sequence[int] | None = None) -> dict[int, Detection]:
        sql = "SELECT message_id, lang, confidence, others, manual FROM languages"
        rows = self._rows(sql, ids)
        return {r[0]: Detection(r[0], r[1], float(r[2]), json.loads(r[3]), bool(r[4])) for r in rows}

    # -- moderation -----------------------------------------------------------
    def replace_flags(self, message_id: int, flags: Sequence[Flag]) -> None:
        self.db.execute("DELETE FROM flags WHERE message_id = ?", (message_id,))
        self.db.executemany(
            "INSERT INTO flags (message_id, kind, reason, start, end, redact, placeholder) VALUES (?,?,?,?,?,?,?)",
            [(message_id, f.kind, f.reason, f.start, f.end, int(f.redact), placeholder(f) if f.redact else "")
             for f in flags])

    def flags(self, ids: Sequence[int] | None = None, *, effective: bool = False) -> dict[int, list[Flag]]:
        """Each message's flags as screening wrote them, or with `effective` as the
        `effective_flags` view has them (the moderators' dismissals and redactions applied)."""
        table = "effective_flags" if effective else "flags"
        sql = f"SELECT message_id, kind, reason, start, end, redact FROM {table}"
        order = " ORDER BY message_id, start, end, kind"
        rows = self._rows(sql, ids, order)
        out: dict[int, list[Flag]] = {}
        for mid, kind, reason, start, end, red in rows:
            out.setdefault(mid, []).append(Flag(kind, reason, start, end, bool(red)))
        return out

    def redacted_texts(self, ids: Sequence[int] | None = None) -> dict[int, str]:
        """Each message's text as the `redacted_text` view has it (placeholders for personal
        data and for the moderators' redactions)."""
        sql = "SELECT message_id, text FROM redacted_text"
        rows = self._rows(sql, ids)
        return {mid: text for mid, text in rows}

    def eligible(self, recipient: str | None = None) -> list[EligibleMessage]:
        """The `eligible_messages` view (in id order): approved voices the letter may draw on,
        under the two-person rule when it is on; with `recipient`, those written to them (or
        to nobody in particular)."""
        sql = ("SELECT message_id, text, lang, recipient, country, weight, is_template FROM eligible_messages")
        args: list[Any] = []
        if recipient:
            sql += " WHERE recipient IN ('', ?)"
            args.append(recipient)
        return [EligibleMessage(r[0], r[1], r[2], r[3], r[4], int(r[5]), bool(r[6]))
                for r in self.db.execute(sql + " ORDER BY message_id", args)]

    def recipients(self) -> dict[str, int]:
        """Every recipient written to, with how many messages name them."""
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT recipient, count(*) FROM messages WHERE recipient != '' GROUP BY recipient ORDER BY 2 DESC, 1")}

    def state_hash(self, sql: str, args: Sequence[Any] = ()) -> str:
        """A hash of what a query returns: the state of a stage's inputs, to tell whether a
        stored result was derived from what the store holds now."""
        h = hashlib.sha256()
        cur = self.db.execute(sql, args)
        cur.row_factory = None  # plain tuples, hashed a batch at a time: repr is exact for SQLite's
        while rows := cur.fetchmany(10000):  # types, and half the cost of a json.dumps per row
            h.update(repr(rows).encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:16]

    # -- what each stored result was derived from (schema 4) --------------------
    def record_run(self, stage: str, inputs: str, detail: dict[str, Any] | None = None) -> None:
        self.db.execute("INSERT OR REPLACE INTO stage_runs VALUES (?,?,?,?,?)",
                        (stage, inputs, self.last_audit_id(), now(), json.dumps(detail or {}, ensure_ascii=False)))

    def last_run(self, stage: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT inputs, audit_id, at, detail FROM stage_runs WHERE stage = ?",
                              (stage,)).fetchone()
        return None if row is None else {"inputs": row[0], "audit_id": row[1], "at": row[2],
                                         "detail": json.loads(row[3])}

    # -- fitted state (schema 4): saved like an estimator's attributes ----------------
    def put_fitted(self, name: str, model: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        self.db.execute("INSERT OR REPLACE INTO fitted VALUES (?,?,?,?,?)",
                        (name, model, buf.getvalue(), json.dumps(meta, ensure_ascii=False), now()))

    def fitted(self, name: str) -> tuple[str, dict[str, np.ndarray], dict[str, Any]] | None:
        row = self.db.execute("SELECT model, data, meta FROM fitted WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        with np.load(io.BytesIO(row[1])) as z:
            arrays = {k: z[k] for k in z.files}
        return row[0], arrays, json.loads(row[2])

    def update_duplicates(self, groups: dict[int, tuple[int, bool, bool]], removed: Sequence[int] = ()) -> None:
        """Write group rows (message_id -> (group_id, is_representative, is_template)) that
        changed and drop those of `removed` messages, leaving the rest as they are: a screen at
        campaign scale rewrites the few groups that new messages joined, not every row."""
        self.db.executemany("DELETE FROM duplicates WHERE message_id = ?", [(mid,) for mid in removed])
        self.db.executemany(
            "INSERT OR REPLACE INTO duplicates VALUES (?,?,?,?)",
            [(mid, g, int(rep), int(tpl)) for mid, (g, rep, tpl) in groups.items()])

    def near_copy_index(self):
        """The near-copy index as the last screen left it (an empty one before any)."""
        from .moderation.duplicates import NearCopyIndex

        index = NearCopyIndex(settings=self.setting("near_copies.settings", []))
        for key, component, bands in self.db.execute("SELECT norm_key, component, bands FROM near_copies"):
            index.bands[key] = np.frombuffer(bands, dtype=np.uint64)
            index.component[key] = component
        return index

    def put_near_copy_index(self, index) -> None:
        """Store what a grouping added or moved (everything, when it started over)."""
        if index.replaced:
            self.db.execute("DELETE FROM near_copies")
        keys = index.bands if index.replaced else index.changed
        self.db.executemany("INSERT OR REPLACE INTO near_copies VALUES (?,?,?)",
                            [(k, index.component[k], index.bands[k].tobytes()) for k in keys])
        self.set_setting("near_copies.settings", index.settings)
        index.changed, index.replaced = set(), False

    def duplicates(self, ids: Sequence[int] | None = None) -> dict[int, DuplicateRow]:
        sql = "SELECT message_id, group_id, is_representative, is_template FROM duplicates"
        rows = self._rows(sql, ids)
        return {r[0]: DuplicateRow(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows}

    def group_sizes(self, group_ids: Sequence[int] | None = None) -> dict[int, int]:
        """How many messages each duplicate group holds."""
        rows = self._rows("SELECT group_id, count(*) FROM duplicates", group_ids, " GROUP BY group_id", key="group_id")
        return {r[0]: r[1] for r in rows}

    def set_status(self, message_id: int, status: str, *, reason_code: str = "", actor: str | None = None,
                   why: str = "", manual: bool = True, detail: dict[str, Any] | None = None) -> bool:
        """Record a moderation decision and audit it; rules never overwrite a person's decision.
        The audit record keeps the row it replaced (`prev`), so a decision can be undone exactly;
        `detail` adds to it (the studio's batch id)."""
        row = self.db.execute("SELECT status, reason_code, decided_by, decided_at, manual FROM moderation "
                              "WHERE message_id = ?", (message_id,)).fetchone()
        if row is not None and row[4] and not manual:
            return False
        old = row[0] if row is not None else None
        actor = actor or current_actor()
        self.db.execute(
            "INSERT OR REPLACE INTO moderation (message_id, status, reason_code, decided_by, decided_at, manual)"
            " VALUES (?,?,?,?,?,?)", (message_id, status, reason_code, actor, now(), int(manual)))
        if old != status:
            self.audit("status", f"message:{message_id}", detail={"from": old, "to": status,
                       "reason_code": reason_code, "prev": None if row is None else dict(row), **(detail or {})},
                       why=why, actor=actor)
        return True

    def restore_decision(self, message_id: int, prev: dict[str, Any] | None) -> None:
        """Put back a moderation row exactly as an audit record's `prev` kept it (undo)."""
        if prev is None:
            self.db.execute("DELETE FROM moderation WHERE message_id = ?", (message_id,))
            return
        self.db.execute(
            "INSERT OR REPLACE INTO moderation (message_id, status, reason_code, decided_by, decided_at, manual)"
            " VALUES (?,?,?,?,?,?)", (message_id, prev["status"], prev["reason_code"], prev["decided_by"],
                                       prev["decided_at"], int(prev["manual"])))

    def remove_approval(self, message_id: int, actor: str) -> None:
        self.db.execute("DELETE FROM approvals WHERE message_id = ? AND actor = ?", (message_id, actor))

    # -- claims (the studio: a moderator takes a batch) ------------------------------
    def claims(self, ids: Sequence[int] | None = None) -> dict[int, tuple[str, str]]:
        """Live claims: message id -> (user, expires_at)."""
        rows = self.db.execute("SELECT message_id, user, expires_at FROM claims WHERE expires_at > ?", (now(),))
        wanted = None if ids is None else set(ids)
        return {r[0]: (r[1], r[2]) for r in rows if wanted is None or r[0] in wanted}

    def claim(self, ids: Sequence[int], user: str, expires_at: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO claims VALUES (?,?,?,?)",
                            [(i, user, now(), expires_at) for i in ids])

    def release_claims(self, user: str, ids: Sequence[int] | None = None) -> int:
        if ids is None:
            return self.db.execute("DELETE FROM claims WHERE user = ?", (user,)).rowcount
        return sum(self.db.execute("DELETE FROM claims WHERE user = ? AND message_id = ?", (user, i)).rowcount
                   for i in ids)

    def statuses(self, ids: Sequence[int] | None = None) -> dict[int, str]:
        sql = "SELECT message_id, status FROM moderation"
        rows = self._rows(sql, ids)
        return {r[0]: r[1] for r in rows}

    # -- embeddings -----------------------------------------------------------
    def cached_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i:i + 500])
            q = ",".join("?" * len(chunk))
            for r in self.db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({q})",
                    [model, *chunk]):
                out[r["text_hash"]] = np.frombuffer(r["vector"], dtype=np.float32)
        return out

    def put_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)",
            [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])

    def count_embeddings(self, model: str) -> int:
        return self.db.execute("SELECT count(*) FROM embeddings WHERE model = ?", (model,)).fetchone()[0]

    # -- themes -----------------------------------------------------------------
    def replace_themes(self, themes: Sequence[dict[str, Any]], members: dict[int, tuple[int, float]]) -> None:
        self.db.execute("DELETE FROM themes")
        self.db.execute("DELETE FROM theme_members")
        for t in themes:
            self.db.execute(
                "INSERT INTO themes VALUES (?,?,?,?,?,?,?,?)",
                (t["theme_id"], t["label"], t.get("title", ""), json.dumps(t.get("keywords", {}), ensure_ascii=False),
                 t["size"], t["weight"], np.asarray(t["centroid"], dtype=np.float32).tobytes(), t["model"]))
        self.db.executemany("INSERT INTO theme_members VALUES (?,?,?)",
                            [(mid, tid, score) for mid, (tid, score) in members.items()])

    def themes(self) -> list[dict[str, Any]]:
        out = []
        for r in self.db.execute("SELECT * FROM themes ORDER BY theme_id"):
            out.append({"theme_id": r["theme_id"], "label": r["label"], "title": r["title"],
                        "keywords": json.loads(r["keywords"]), "size": r["size"], "weight": r["weight"],
                        "centroid": np.frombuffer(r["centroid"], dtype=np.float32), "model": r["model"]})
        return out

    def set_theme_name(self, theme_id: int, name: str, *, actor: str | None = None, why: str = "") -> None:
        """A campaigner's name for a theme, kept over the automatic title on every re-run."""
        actor = actor or current_actor()
        old = self.theme_names().get(theme_id)
        self.db.execute("INSERT OR REPLACE INTO theme_names VALUES (?,?,?,?)", (theme_id, name, actor, now()))
        self.audit("rename", f"theme:{theme_id}", detail={"from": old, "to": name}, why=why, actor=actor)

    def theme_names(self) -> dict[int, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT theme_id, name FROM theme_names ORDER BY theme_id")}

    def clear_theme_names(self, *, why: str = "themes rebuilt: theme ids changed") -> int:
        """Drop every campaigner's theme name (after a recluster); audited; how many were dropped."""
        names = self.theme_names()
        if names:
            self.db.execute("DELETE FROM theme_names")
            self.audit("rename", "themes", detail={"dropped": {str(k): v for k, v in names.items()}}, why=why)
        return len(names)

    def theme_members(self, ids: Sequence[int] | None = None) -> dict[int, tuple[int, float]]:
        """Messages in a theme: message_id -> (theme_id, score)."""
        rows = self._rows("SELECT message_id, theme_id, score FROM theme_members", ids)
        return {r[0]: (r[1], r[2]) for r in rows if r[1] >= 0}

    def theme_assignments(self) -> dict[int, tuple[int, float]]:
        """Every message themes have placed, unassigned ones (theme -1) too: a re-run keeps them."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT message_id, theme_id, score FROM theme_members")}

    # -- excerpts -------------------------------------------------------------
    def set_excerpt_choice(self, message_id: int, start: int, end: int, action: str,
                           *, actor: str | None = None, why: str = "") -> None:
        actor = actor or current_actor()
        self.db.execute("INSERT OR REPLACE INTO excerpt_choices VALUES (?,?,?,?,?,?)",
                        (message_id, start, end, action, actor, now()))
        self.audit(action, f"excerpt:{message_id}:{start}-{end}", why=why, actor=actor)

    def remove_excerpt_choice(self, message_id: int, start: int, end: int, *, actor: str | None = None) -> None:
        """Take back a pin or ban (audited as un-pin / un-ban)."""
        row = self.db.execute("SELECT action FROM excerpt_choices WHERE message_id=? AND start=? AND end=?",
                              (message_id, start, end)).fetchone()
        if row is None:
            return
        self.db.execute("DELETE FROM excerpt_choices WHERE message_id=? AND start=? AND end=?", (message_id, start, end))
        self.audit(f"un{row[0]}", f"excerpt:{message_id}:{start}-{end}", actor=actor)

    def excerpt_choices(self) -> dict[tuple[int, int, int], str]:
        return {(r["message_id"], r["start"], r["end"]): r["action"]
                for r in self.db.execute("SELECT * FROM excerpt_choices")}

    def replace_excerpts(self, excerpts: Sequence[dict[str, Any]], recipient: str = "") -> None:
        self.db.execute("DELETE FROM excerpts")
        self.db.executemany("INSERT INTO excerpts (id, message_id, theme_id, rank, data, recipient)"
                            " VALUES (?,?,?,?,?,?)",
                            [(e["id"], e["message_id"], e["theme_id"], i, json.dumps(e, ensure_ascii=False),
                              recipient) for i, e in enumerate(excerpts)])

    def excerpts(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT data FROM excerpts ORDER BY rank")]

    # -- letters --------------------------------------------------------------
    def add_letter(self, letter: dict[str, Any], *, actor: str | None = None, note: str = "") -> int:
        """Save a letter as the next version (who made it and what changed: `note`)."""
        cur = self.db.execute("INSERT INTO letters (recipient, created_at, data, actor, note) VALUES (?,?,?,?,?)",
                              (letter.get("recipient", ""), now(), json.dumps(letter, ensure_ascii=False),
                               actor or current_actor(), note))
        return int(cur.lastrowid)

    def latest_letter(self, recipient: str | None = None) -> dict[str, Any] | None:
        """The newest letter version (to `recipient` when given)."""
        row = self.db.execute("SELECT data, version FROM letters WHERE ? IS NULL OR recipient = ?"
                              " ORDER BY version DESC LIMIT 1", (recipient, recipient)).fetchone()
        return None if row is None else {**json.loads(row[0]), "version": row[1]}

    def letter(self, version: int) -> dict[str, Any]:
        row = self.db.execute("SELECT data FROM letters WHERE version = ?", (version,)).fetchone()
        if row is None:
            known = [r[0] for r in self.db.execute("SELECT version FROM letters ORDER BY version")]
            raise StoreError(f"no letter version {version}; versions: {', '.join(map(str, known)) or 'none yet'}")
        return {**json.loads(row[0]), "version": version}

    def letter_versions(self, recipient: str | None = None) -> list[dict[str, Any]]:
        """version, recipient, created_at, actor, note of every saved letter, oldest first."""
        return [dict(r) for r in self.db.execute(
            "SELECT version, recipient, created_at, actor, note FROM letters WHERE ? IS NULL OR recipient = ?"
            " ORDER BY version", (recipient, recipient))]

    # -- the campaigner's composition choices (schema 6) ----------------------
    def plan(self, recipient: str) -> dict[str, Any]:
        """key -> value (JSON) of the campaigner's choices for this recipient's letter."""
        return {r[0]: json.loads(r[1]) for r in self.db.execute(
            "SELECT key, value FROM letter_plan WHERE recipient = ? ORDER BY key", (recipient,))}

    def set_plan(self, recipient: str, key: str, value: Any, *, actor: str | None = None, why: str = "") -> None:
        """Set (or with value None remove) one choice; audited with the old and new value."""
        actor = actor or current_actor()
        old = self.plan(recipient).get(key)
        if value is None:
            self.db.execute("DELETE FROM letter_plan WHERE recipient = ? AND key = ?", (recipient, key))
        else:
            self.db.execute("INSERT OR REPLACE INTO letter_plan VALUES (?,?,?,?,?)",
                            (recipient, key, json.dumps(value, ensure_ascii=False), actor, now()))
        self.audit("plan", f"letter-plan:{key}", detail={"recipient": recipient, "old": old, "new": value},
                   why=why, actor=actor)

    def replace_plan(self, recipient: str, plan: dict[str, Any], *, actor: str | None = None, why: str = "") -> None:
        """The whole plan at once (a restored version's)."""
        actor = actor or current_actor()
        self.db.execute("DELETE FROM letter_plan WHERE recipient = ?", (recipient,))
        self.db.executemany("INSERT INTO letter_plan VALUES (?,?,?,?,?)",
                            [(recipient, k, json.dumps(v, ensure_ascii=False), actor, now()) for k, v in plan.items()])
        self.audit("plan", "letter-plan:*", detail={"recipient": recipient, "plan": plan}, why=why, actor=actor)

    # -- moderation queue: redactions and approvals (schema 2) ------------------
    def set_redaction(self, message_id: int, start: int, end: int, action: str, *, label: str = "",
                      actor: str | None = None, why: str = "") -> None:
        """Add a moderator's redaction ('redact') or keep an automatic one visible ('keep').

        The original text is untouched; the span is stored beside it and audited (the
        audit records the span, never the personal data inside it)."""
        if action not in ("redact", "keep"):
            raise ValueError(f"redaction action must be 'redact' or 'keep', not {action!r}")
        text = self.message(message_id).text
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {start}-{end} is outside message {message_id} (0-{len(text)})")
        actor = actor or current_actor()
        self.db.execute(
            "INSERT OR REPLACE INTO redactions (message_id, start, end, action, label, decided_by, decided_at)"
            " VALUES (?,?,?,?,?,?,?)", (message_id, start, end, action, label, actor, now()))
        self.audit("redact" if action == "redact" else "unredact", f"message:{message_id}",
                   detail={"start": start, "end": end, "label": label}, why=why, actor=actor)

    def remove_redaction(self, message_id: int, start: int, end: int, *, actor: str | None = None,
                         why: str = "") -> str | None:
        """Undo a moderator's redaction or keep at exactly this span; returns the action undone."""
        row = self.db.execute("SELECT action FROM redactions WHERE message_id = ? AND start = ? AND end = ?",
                              (message_id, start, end)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM redactions WHERE message_id = ? AND start = ? AND end = ?",
                        (message_id, start, end))
        self.audit("undo-" + row[0], f"message:{message_id}", detail={"start": start, "end": end},
                   why=why, actor=actor or current_actor())
        return str(row[0])

    def redactions(self, ids: Sequence[int] | None = None) -> dict[int, list[RedactionRow]]:
        sql = "SELECT message_id, start, end, action, label, decided_by, decided_at FROM redactions"
        order = " ORDER BY message_id, start, end"
        rows = self._rows(sql, ids, order)
        out: dict[int, list[RedactionRow]] = {}
        for r in rows:
            out.setdefault(r[0], []).append(RedactionRow(*r))
        return out

    # -- moderation queue: dismissed flags (schema 3) ----------------------------
    def set_dismissal(self, message_id: int, kind: str, start: int, end: int, *, actor: str | None = None,
                      why: str) -> None:
        """Record that a person found a flag false; audited with who and why."""
        actor = actor or current_actor()
        self.db.execute("INSERT OR REPLACE INTO dismissals VALUES (?,?,?,?,?,?,?)",
                        (message_id, kind, start, end, actor, now(), why))
        self.audit("dismiss-flag", f"message:{message_id}", detail={"kind": kind, "start": start, "end": end},
                   why=why, actor=actor)

    def remove_dismissals(self, message_id: int, kind: str, *, actor: str | None = None, why: str = "") -> int:
        """Undo the dismissals of this kind on a message; returns how many were undone."""
        n = self.db.execute("DELETE FROM dismissals WHERE message_id = ? AND kind = ?", (message_id, kind)).rowcount
        if n:
            self.audit("undo-dismiss-flag", f"message:{message_id}", detail={"kind": kind, "undone": n},
                       why=why, actor=actor or current_actor())
        return n

    def dismissals(self) -> dict[int, set[tuple[str, int, int]]]:
        out: dict[int, set[tuple[str, int, int]]] = {}
        for r in self.db.execute("SELECT message_id, kind, start, end FROM dismissals"):
            out.setdefault(r["message_id"], set()).add((r["kind"], r["start"], r["end"]))
        return out

    def add_approval(self, message_id: int, actor: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO approvals VALUES (?,?,?)", (message_id, actor, now()))

    def clear_approvals(self, message_id: int) -> None:
        self.db.execute("DELETE FROM approvals WHERE message_id = ?", (message_id,))

    def approvals(self, ids: Sequence[int] | None = None) -> dict[int, list[str]]:
        sql = "SELECT message_id, actor FROM approvals"
        order = " ORDER BY at, actor"
        rows = self._rows(sql, ids, order)
        out: dict[int, list[str]] = {}
        for mid, actor in rows:
            out.setdefault(mid, []).append(actor)
        return out

    def moderation_rows(self, ids: Sequence[int] | None = None) -> dict[int, Decision]:
        """Each message's decision: status, reason_code, decided_by, decided_at, manual."""
        sql = "SELECT message_id, status, reason_code, decided_by, decided_at, manual FROM moderation"
        rows = self._rows(sql, ids)
        return {r[0]: Decision(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}
