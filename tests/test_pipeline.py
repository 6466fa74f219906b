"""End to end on a slice of the demo corpus, through the library and the CLI."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letterworld.cli import app
from letterworld.letter import quotes
from letterworld.pipeline import DEMO_DIR, demo_config, run
from letterworld.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_slice(tmp_path_factory):
    """About 90 messages from three of the demo sources, keeping their formats."""
    d = tmp_path_factory.mktemp("slice")
    lines = (DEMO_DIR / "sms_social.jsonl").read_text(encoding="utf-8").splitlines()
    (d / "sms.jsonl").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    return [d / "sms.jsonl", DEMO_DIR / "letters"]


@pytest.fixture(scope="module")
def result(demo_slice, tmp_path_factory, embedder):
    out = tmp_path_factory.mktemp("out")
    cfg = demo_config()
    cfg.campaign.recipient = ""
    cfg.excerpts.min_lang_messages = 3
    return run(demo_slice, out, cfg, auto_approve=True, embedder=embedder)


def test_every_output_is_written(result):
    out = result.out_dir
    for name in ("campaign.db", "messages.jsonl", "themes.json", "letter.json", "letter.md", "letter.html",
                 "report.html", "slides/manifest.json"):
        assert (out / name).exists(), name
    rows = [json.loads(l) for l in (out / "messages.jsonl").read_text(encoding="utf-8").splitlines()]
    with Store(out / "campaign.db") as store:
        assert len(rows) == store.count_messages() > 80
    assert set(rows[0]) == {"id", "lang", "lang_confidence", "status", "flags", "theme"}
    assert {r["status"] for r in rows} >= {"approved", "pending"}
    report = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("Languages", "Countries", "Channels", "Moderation status", "Themes"):
        assert heading in report


def test_letter_excerpts_keep_provenance_and_come_from_approved_unredacted_quotes(result):
    letter = json.loads((result.out_dir / "letter.json").read_text(encoding="utf-8"))
    excerpts = quotes(letter)
    assert len(excerpts) >= 6
    assert len({e["lang"] for e in excerpts}) >= 3
    with Store(result.db) as store:
        statuses = store.statuses()
        dups = store.duplicates()
        for e in excerpts:
            assert e["source_text"][e["start"]:e["end"]] == e["text"]
            assert statuses[e["message_id"]] in ("approved", "approved_redacted")
            assert not re.search(r"\[(email|phone|address|handle|link)\]", e["text"])
            assert not (e["message_id"] in dups and dups[e["message_id"]]["is_template"])
            original = store.message(e["message_id"])
            if e["source_text"] == original.text:
                assert original.text[e["start"]:e["end"]] == e["text"]
            if e["attribution"]:
                assert original.consent is True
    counts = letter["counts"]
    blocks = letter["blocks"]
    assert blocks[0]["kind"] == "greeting" and blocks[0]["text"].startswith("Querida ")  # the demo writes in Spanish
    assert blocks[1]["kind"] == "opening" and str(counts["messages"]) in blocks[1]["text"]


def test_slides_manifest_matches_files(result):
    manifest = json.loads((result.out_dir / "slides" / "manifest.json").read_text(encoding="utf-8"))
    letter = json.loads((result.out_dir / "letter.json").read_text(encoding="utf-8"))
    ids = {e["id"] for e in quotes(letter)}
    from PIL import Image

    shown = set()
    for slide in manifest["slides"]:
        with Image.open(result.out_dir / "slides" / slide["file"]) as im:
            assert list(im.size) == slide["size"] == [1920, 1080]
        assert slide["seconds"] > 0
        shown |= set(slide["excerpt_ids"])
    assert shown == ids
    assert (result.out_dir / "slides" / "letter.pdf").read_bytes().startswith(b"%PDF")
    assert (result.out_dir / "slides" / manifest["contact_sheet"]).exists()


def test_rerun_is_idempotent_and_keeps_decisions(result, demo_slice, embedder):
    with Store(result.db) as store:
        before = store.count_messages()
        mid = next(m.id for m in store.messages())
        store.set_status(mid, "rejected", reason_code="off_topic", actor="tester", why="test")
        store.db.commit()
    again = run(demo_slice, result.out_dir, demo_config(), auto_approve=True, embedder=embedder, render=False)
    with Store(again.db) as store:
        assert store.count_messages() == before
        assert store.statuses()[mid] == "rejected"
    excerpts = quotes(again.letter)
    assert all(e["message_id"] != mid for e in excerpts)


def test_cli_ingest_correct_language_and_audit(tmp_path):
    src = tmp_path / "m.csv"
    src.write_text("message,country\nForza Jani!,IT\n,IT\n", encoding="utf-8")
    db = tmp_path / "c.db"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(src), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert "1 new messages" in r.output and "rejected" in r.output and "m.csv:3" in r.output
    assert runner.invoke(app, ["detect", "--db", str(db)]).exit_code == 0
    r = runner.invoke(app, ["detect", "--db", str(db), "--set", "1=it", "--why", "checked by hand"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["detect", "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        assert store.languages()[1].lang == "it" and store.languages()[1].manual == 1
    r = runner.invoke(app, ["audit", "--db", str(db)])
    assert "checked by hand" in r.output and "ingest" in r.output


def test_cli_errors_are_clear(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["detect", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and "no campaign store" in r.output
    bad = tmp_path / "x.pdf"
    bad.write_text("x")
    r = runner.invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 2 and "unsupported file type" in r.output


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"```sh\n# run the tests\n(.+?)\n```", readme, re.S).group(1).strip()
    assert command in ci


def test_report_shows_messages_with_personal_data_redacted(store):
    """report.html lists messages whose language needs a look; it must not print a writer's
    email or phone number, which the moderation stage redacts everywhere downstream."""
    from letterworld.config import Config
    from letterworld.moderation.stage import screen_store
    from letterworld.pipeline import message_rows
    from letterworld.records import Message
    from letterworld.report import build_report

    store.add_messages([Message("ok!! write me: ana.perez@example.org or +34 612 345 678", "f.csv", 1)])
    mid = store.messages()[0].id
    store.set_language(mid, "und", 0.1)  # low confidence: listed under "Language to review"
    screen_store(store, Config(), auto_approve=False, classify=False, offtopic=False)
    rows = list(message_rows(store))
    assert "[email]" in rows[0]["text"] and "ana.perez@example.org" not in rows[0]["text"]
    report = build_report(rows, [], [], campaign="t")
    assert "[email]" in report
    assert "ana.perez@example.org" not in report and "612 345 678" not in report
