"""The stage layer (issue 12): one registry for the CLI and `run`, derived state that is
never served stale, the two-person rule on every featured quote, views in the store."""

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from letterworld import stages
from letterworld.cli import app
from letterworld.config import ConfigError, from_dict, load_config
from letterworld.moderation import queue as q
from letterworld.moderation import redact
from letterworld.pipeline import DEMO_DIR, demo_config, demo_translations, run
from letterworld.records import Message
from letterworld.registry import STAGES, Context, is_stale, run_stage
from letterworld.store import Store

CONFIG = DEMO_DIR / "campaign.toml"
TABLES = {
    "languages": "SELECT message_id, lang, round(confidence, 6), others, manual FROM languages ORDER BY 1",
    "flags": "SELECT message_id, kind, reason, start, end, redact, placeholder FROM flags ORDER BY 1, 2, 3, 4, 5",
    "moderation": "SELECT message_id, status, reason_code, decided_by FROM moderation ORDER BY 1",
    "duplicates": "SELECT * FROM duplicates ORDER BY 1",
    "themes": "SELECT theme_id, label, title, keywords, size, round(weight, 3), hex(centroid) FROM themes ORDER BY 1",
    "theme_members": "SELECT message_id, theme_id, round(score, 5) FROM theme_members ORDER BY 1",
    "excerpts": "SELECT id, theme_id, rank, data, recipient FROM excerpts ORDER BY rank",
    "redacted_text": "SELECT * FROM redacted_text ORDER BY 1",
    "eligible_messages": "SELECT * FROM eligible_messages ORDER BY 1",
}


def letter_of(db: Path) -> dict:
    with sqlite3.connect(db) as c:
        letter = json.loads(c.execute("SELECT data FROM letters ORDER BY version DESC LIMIT 1").fetchone()[0])
    letter.pop("created")
    return letter


def quotes(letter: dict) -> list[dict]:
    return [b for b in letter["blocks"] if b["kind"] == "quote"]


@pytest.fixture
def demo_copy(demo_run, tmp_path):
    db = tmp_path / "campaign.db"
    shutil.copy(demo_run.db, db)
    return db


def compose_now(db: Path, embedder, **kw) -> dict:
    with Store(db) as store:
        return run_stage("compose", store, Context(demo_config(), embedder=embedder, **kw))


def test_registry_is_in_data_flow_order_with_embed_before_screen():
    names = [s.name for s in STAGES]
    assert names == ["ingest", "detect", "embed", "screen", "themes", "excerpts", "compose", "render"]
    for i, s in enumerate(STAGES):  # every stage reads only stages before it
        assert all(names.index(r) < i for r in s.reads), s.name


def test_stage_by_stage_cli_and_run_give_identical_stores(demo_run, tmp_path):
    db = tmp_path / "campaign.db"
    with Store(db):
        pass
    with sqlite3.connect(db) as c:  # the embedding cache only saves time; it cannot change a result
        c.execute("ATTACH ? AS r", (str(demo_run.db),))
        c.execute("INSERT INTO embeddings SELECT * FROM r.embeddings")
    runner = CliRunner()
    steps = [["ingest", str(DEMO_DIR)], ["detect"], ["embed"], ["screen", "--auto-approve"], ["themes"],
             ["excerpts"], ["letter sheet import", str(demo_translations()[0]), "--lang", "es"],
             ["compose", "--out", str(tmp_path / "letter")]]
    for step in steps:
        args = [*step[0].split(), "--db", str(db), *step[1:]] + (
            ["--config", str(CONFIG)] if step[0] not in ("ingest", "letter sheet import") else [])
        res = runner.invoke(app, args)
        assert res.exit_code == 0, (step, res.output)
    a, b = sqlite3.connect(demo_run.db), sqlite3.connect(db)
    for name, sql in TABLES.items():
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), name
    assert letter_of(demo_run.db) == letter_of(db)
    assert len(quotes(letter_of(db))) >= 12
    # template paraphrases are found by `screen` itself (reworded and translated sample texts)
    n = b.execute("SELECT count(*) FROM flags WHERE kind = 'template' AND reason LIKE 'translation of%'").fetchone()[0]
    assert n >= 5


def test_rejection_and_redaction_after_excerpts_never_reach_the_letter_or_slides(demo_copy, embedder, tmp_path):
    before = quotes(letter_of(demo_copy))
    rejected, redacted = before[0], before[1]
    words = redacted["text"].split()
    with Store(demo_copy) as store:  # two words of the quote that no other message contains
        others = [m.text for m in store.messages() if m.id != redacted["message_id"]]
        secret = next(p for p in (" ".join(words[k:k + 2]) for k in range(len(words) - 1))
                      if not any(p in t for t in others))
        q.decide(store, [rejected["message_id"]], "reject", reason_code="hostile", why="test", actor="ana")
        start = store.message(redacted["message_id"]).text.index(secret)
        q.redact_span(store, redacted["message_id"], start, start + len(secret), actor="ana", why="test")
    letter = compose_now(demo_copy, embedder)
    ids = {e["message_id"] for e in quotes(letter)}
    assert rejected["message_id"] not in ids
    assert all(secret not in e["text"] and secret not in e["source_text"] for e in quotes(letter))
    assert len(quotes(letter)) >= len(before) - 2  # the excerpts were chosen again, not just dropped
    from letterworld.render import render_letter

    manifest = render_letter(letter, tmp_path / "slides", pdf=False, video=False, contact_sheet=False)
    shown = {i for s in manifest["slides"] for i in s["excerpt_ids"]}
    assert rejected["id"] not in shown and redacted["id"] not in shown


def test_compose_rechecks_each_quote_even_when_excerpts_are_not_rerun(demo_copy):
    """Belt and braces: the write-time check drops a quote whose message is no longer
    eligible, whatever the stored excerpts say."""
    from letterworld.pipeline import current_quotes

    with Store(demo_copy) as store:
        stored = store.excerpts()
        store.db.execute("UPDATE moderation SET status = 'rejected' WHERE message_id = ?", (stored[0]["message_id"],))
        kept, dropped = current_quotes(store, demo_config(), "Jani Mendoza")
    assert stored[0]["id"] in dropped and all(e["message_id"] != stored[0]["message_id"] for e in kept)
    assert len(kept) == len(stored) - 1


def test_a_letter_never_mixes_recipients(demo_copy, embedder, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["excerpts", "--db", str(demo_copy), "--config", str(CONFIG), "--recipient", "Thant Zin"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["compose", "--db", str(demo_copy), "--config", str(CONFIG), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    letter = json.loads((tmp_path / "letter.json").read_text(encoding="utf-8"))
    assert letter["recipient"] == "Jani Mendoza"
    with Store(demo_copy) as store:
        recipients = {store.message(e["message_id"]).recipient for e in quotes(letter)}
    assert recipients <= {"", "Jani Mendoza"} and quotes(letter)
    res = runner.invoke(app, ["compose", "--db", str(demo_copy), "--config", str(CONFIG), "--out", str(tmp_path),
                              "--recipient", "Nobody"])
    assert res.exit_code == 2 and "Nobody" in res.output and "Jani Mendoza" in res.output


def test_two_person_rule_holds_for_every_featured_quote_including_earlier_approvals(demo_copy, embedder):
    with Store(demo_copy) as store:
        featured = [e["message_id"] for e in store.excerpts()]
        q.decide(store, featured[:3], "approve", actor="ana")  # one person, rule still off
        q.set_two_person_rule(store, True, actor="ana")
    letter = compose_now(demo_copy, embedder)
    assert quotes(letter) == []  # auto-approved and once-approved messages wait for a second person
    with Store(demo_copy) as store:
        out = q.decide(store, featured[:3], "approve", actor="ben")
        assert out.decided == featured[:3]
        ana_only = next(mid for mid, st in store.statuses().items() if st == "approved" and mid not in featured)
        assert q.decide(store, [ana_only], "approve", actor="ana").awaiting_second == [ana_only]
        approvals = store.approvals()
    letter = compose_now(demo_copy, embedder)
    for e in quotes(letter):
        assert len({a for a in approvals[e["message_id"]] if not a.startswith("rule:")}) >= 2
    assert {e["message_id"] for e in quotes(letter)} <= set(featured[:3]) and quotes(letter)


def test_views_show_what_the_pipeline_uses(demo_run):
    with sqlite3.connect(demo_run.db) as c:
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        assert {"effective_flags", "eligible_messages", "redacted_text"} <= names
        n = c.execute("SELECT count(*) FROM eligible_messages").fetchone()[0]
    with Store(demo_run.db) as store:
        el = stages.eligible(store)
        assert n == len(el.messages) > 500
        statuses = store.statuses()
        assert all(statuses[m.id] in ("approved", "approved_redacted") for m in el.messages)
        # the SQL redaction agrees with the pure core on every message
        flags = store.flags(effective=True)
        red = store.redacted_texts()
        assert sum(1 for m in store.messages() if red[m.id] != m.text) > 50
        for m in store.messages():
            assert red[m.id] == redact(m.text, flags.get(m.id, [])), m.id


def test_redaction_hides_every_part_of_overlapping_spans(store):
    from letterworld.records import Flag

    text = "Call Ana Maria Souza on 555 0101 today"
    flags = [Flag("personal_data", "person name", 5, 19, True), Flag("personal_data", "person name", 9, 25, True),
             Flag("personal_data", "phone number", 24, 32, True)]
    store.add_messages([Message(text, "t.csv", 1)])
    mid = store.messages()[0].id
    store.replace_flags(mid, flags)
    assert redact(text, flags) == "Call [name] today" == store.redacted_texts()[mid]


def test_themes_rerun_keeps_every_earlier_assignment(store):
    """120 messages in 4 themes, then 480 new ones of one meaning: no earlier message moves."""
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 32))

    class Stub:
        name, dim = "stub-themes", 32

        def encode(self, texts):
            out = []
            for t in texts:
                k, i = (int(x) for x in t.split()[1:3])
                r = np.random.default_rng(1000 * k + i)
                v = centres[k] + 0.35 * r.normal(size=32)
                out.append(v / np.linalg.norm(v))
            return np.asarray(out, dtype=np.float32)

    def add(k: int, n: int, offset: int) -> None:
        rows = [Message(f"theme {k} {offset + i}", "t.csv", 10_000 * k + offset + i, recipient="Ana") for i in range(n)]
        store.add_messages(rows)
        for m in store.messages():
            store.set_language(m.id, "en", 1.0)
            store.set_status(m.id, "approved", actor="ana")

    for k in range(4):
        add(k, 30, 0)
    cfg = from_dict({"themes": {"n_themes": 4}})
    stages.themes(store, cfg, Stub())
    first = store.theme_assignments()
    assert len(first) == 120 and len({t for t, _ in first.values() if t >= 0}) == 4
    add(2, 480, 100)
    stages.themes(store, cfg, Stub())
    after = store.theme_assignments()
    assert all(after[mid] == first[mid] for mid in first)
    new = [after[m.id][0] for m in store.messages() if m.id not in first]
    same = max(set(new), key=new.count)
    assert new.count(same) / len(new) > 0.95  # new messages of one meaning go to one theme
    assert store.fitted("theme_space")[2]["fitted_on"] == 120  # the space was fitted once, reused


def test_excerpts_know_when_they_are_stale(demo_copy, embedder):
    with Store(demo_copy) as store:
        ctx = Context(demo_config(), embedder=embedder)
        assert not is_stale(store, ctx, "excerpts") and not is_stale(store, ctx, "themes")
        q.decide(store, [store.excerpts()[0]["message_id"]], "reject", reason_code="other", why="t", actor="ana")
        assert is_stale(store, ctx, "excerpts") and is_stale(store, ctx, "themes")



def test_excerpts_are_kept_when_nothing_they_derive_from_changed(demo_copy, embedder, monkeypatch):
    """A re-run with nothing new does not choose the quotes again (at 100,000 messages that cost a
    minute); a change to what they derive from (a pin) does."""
    calls = []
    real = stages.excerpts
    monkeypatch.setattr(stages, "excerpts", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    with Store(demo_copy) as store:
        ctx = Context(demo_config(), embedder=embedder)
        before = store.excerpts()
        kept = run_stage("excerpts", store, ctx)
        assert calls == [] and [e.id for e in kept] == [d["id"] for d in before]
        assert all(e.source_text[e.start:e.end] == e.text for e in kept)
        pinned = next(d for d in before if d["theme_id"] == before[-1]["theme_id"])
        store.set_excerpt_choice(pinned["message_id"], pinned["start"], pinned["end"], "pin", actor="ana")
        run_stage("excerpts", store, Context(demo_config(), embedder=embedder))
        assert calls == [1]

def test_string_false_is_a_config_error_naming_the_key(tmp_path):
    bad = tmp_path / "campaign.toml"
    bad.write_text('[screen]\nauto_approve = "false"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"campaign.toml: \[screen\] auto_approve must be true or false"):
        load_config(bad)
    res = CliRunner().invoke(app, ["screen", "--db", str(tmp_path / "x.db"), "--config", str(bad)])
    assert res.exit_code == 2 and "auto_approve" in res.output
    for data, word in (({"themes": {"max_unassigned": 1.5}}, "between"), ({"excerpts": {"per_theme": "4"}}, "whole"),
                       ({"campaign": {"attribution": "full"}}, "one of"), ({"screen": {"risk": {"spam": 1.5}}}, "table")):
        with pytest.raises(ConfigError, match=word):
            from_dict(data)
    assert from_dict({"campaign": {"expected_languages": {"es": 3, "en": 1}}}).campaign.expected_languages == {"es": 3,
                                                                                                              "en": 1}


def test_report_shows_no_raw_personal_data_of_rejected_rows(tmp_path, embedder):
    src = tmp_path / "messages.jsonl"
    good = [json.dumps({"text": f"Estamos contigo, Jani. Mensaje {i} desde Chile.", "country": "CL",
                        "recipient": "Jani Mendoza"}) for i in range(12)]
    src.write_text("\n".join(good + ['{"text": "write to tomas.okafor@example.net or +44 7700 900123", "country":']),
                   encoding="utf-8")
    result = run([src], tmp_path / "out", from_dict({"screen": {"classifier": False, "offtopic": False}}),
                 auto_approve=True, embedder=embedder, render=False)
    with Store(result.db) as store:
        assert "tomas.okafor@example.net" in store.rejected()[0].raw  # the original is kept aside
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Rejected rows (1)" in report and "[email]" in report
    assert "tomas.okafor" not in report and "7700 900123" not in report


def test_a_failing_video_encoder_is_an_error_unless_no_video(tmp_path, monkeypatch):
    from letterworld.render import VideoFailed, render_letter, video

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'encoder exploded' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(video, "find_ffmpeg", lambda: str(fake))
    letter = {"campaign": "c", "recipient": "Ana", "lang": "en", "greeting": "Dear Ana,", "intro": "Hello.",
              "sections": [], "closing": "Written by 1 person.", "counts": {"messages": 1}}
    with pytest.raises(VideoFailed, match="exited 3"):
        render_letter(letter, tmp_path / "a", pdf=False, contact_sheet=False)
    assert render_letter(letter, tmp_path / "b", pdf=False, contact_sheet=False, video=False)["video"] is None
    (tmp_path / "letter.json").write_text(json.dumps(letter), encoding="utf-8")
    res = CliRunner().invoke(app, ["render", str(tmp_path / "letter.json"), "--out", str(tmp_path / "c"), "--no-pdf",
                                   "--no-contact-sheet"])
    assert res.exit_code == 2 and "exited 3" in res.output


def test_compose_with_nothing_new_keeps_the_version_and_the_outputs(demo_copy, embedder, tmp_path, monkeypatch):
    """A re-run with nothing new changes nothing: no new letter version, no output rewritten. A
    decision, an output edited or deleted by hand, each writes again."""
    import letterworld.pipeline as pipeline

    out = tmp_path / "out"
    first = compose_now(demo_copy, embedder, out_dir=out)
    files = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert {"messages.jsonl", "report.html", "letter.json", "themes.json"} <= set(files)
    writes = []
    real = pipeline._write_outputs
    monkeypatch.setattr(pipeline, "_write_outputs", lambda *a, **k: writes.append(1) or real(*a, **k))
    again = compose_now(demo_copy, embedder, out_dir=out)
    assert again["version"] == first["version"] and writes == []
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == files
    with Store(demo_copy) as store:
        assert store.db.execute("SELECT count(*) FROM letters").fetchone()[0] == first["version"]
    (out / "report.html").write_text("edited by hand", encoding="utf-8")
    compose_now(demo_copy, embedder, out_dir=out)
    assert writes == [1] and "edited by hand" not in (out / "report.html").read_text(encoding="utf-8")
    (out / "messages.jsonl").unlink()
    compose_now(demo_copy, embedder, out_dir=out)
    assert writes == [1, 1] and (out / "messages.jsonl").exists()
    with Store(demo_copy) as store:  # a moderator's decision on a message that is not quoted
        quoted = {d["message_id"] for d in store.excerpts()}
        mid = next(i for i, s in store.statuses().items() if s == "approved" and i not in quoted)
        q.decide(store, [mid], "reject", reason_code=next(iter(q.REASON_CODES)), actor="ana", why="spam")
    compose_now(demo_copy, embedder, out_dir=out)
    assert writes == [1, 1, 1]
    row = next(json.loads(x) for x in (out / "messages.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(x)["id"] == mid)
    assert row["status"] == "rejected"
