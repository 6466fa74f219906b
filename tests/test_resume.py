"""A run killed at any point and run again continues where it stopped, loses nothing and
embeds nothing twice (issue 18): the README's demo, killed (SIGKILL, no clean-up) during
embed, during screen and during themes, then run to the end, gives the same store as an
uninterrupted run."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from test_stage_layer import TABLES, letter_of  # noqa: E402  (tests/test_stage_layer.py)


def _demo(out):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LETTERWORLD_NO_PROGRESS": "1"}
    env.pop("LETTERWORLD_PROGRESS", None)
    return subprocess.Popen([sys.executable, "-m", "letterworld.cli", "demo", "--out", str(out), "--no-render"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _count(db, table):
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _kill_when(proc, ready, seconds=900):
    """SIGKILL the run once `ready(lines so far)` holds; the lines it printed (read by a thread)."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.time() + seconds
    while time.time() < deadline:
        if ready(list(lines)):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            reader.join(10)
            return [x.rstrip("\n") for x in lines]
        if proc.poll() is not None:
            raise AssertionError("the run ended before the point it was to be killed at:\n" + "".join(lines[-20:]))
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the kill point never came")


def test_killed_runs_resume_to_the_same_store_and_never_embed_twice(demo_run, tmp_path):
    out = tmp_path / "demo"
    db = out / "campaign.db"
    # 1. during embed: some batches stored, not all
    _kill_when(_demo(out), lambda lines: _count(db, "embeddings") >= 128)
    stored = _count(db, "embeddings")
    # 2. during screen: the classifier has run, the flags are not written
    lines = _kill_when(_demo(out), lambda ls: any(x.startswith("classify messages") for x in ls))
    computed = [int(m.group(1)) for x in lines if (m := re.search(r"embed: .* (\d+) computed", x))]
    distinct = [int(m.group(1)) for x in lines if (m := re.search(r"embed: \d+ texts, (\d+) distinct", x))]
    assert computed and computed[0] == distinct[0] - stored  # only what was not stored yet
    # 3. during themes: screening done, themes being fitted
    def themes_started(ls):
        after = [i for i, x in enumerate(ls) if x.startswith("screen: statuses")]
        return bool(after) and any(x.startswith("embed messages") for x in ls[after[0]:])

    _kill_when(_demo(out), themes_started)
    # 4. to the end
    done = _demo(out)
    output, _ = done.communicate(timeout=900)
    assert done.returncode == 0, output[-2000:]
    assert re.search(r"embed: .* 0 computed", output)  # nothing embedded twice
    a, b = sqlite3.connect(demo_run.db), sqlite3.connect(db)
    for name, sql in TABLES.items():
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), name
    assert a.execute("SELECT count(*) FROM messages").fetchone() == b.execute("SELECT count(*) FROM messages").fetchone()
    assert letter_of(demo_run.db) == letter_of(db)
