"""What machine a benchmark ran on, and when, for bench/RESULTS.md.

Every script in bench/ prints `header()` as the first line of its output, so a figure
copied into RESULTS.md carries the date, the machine, its load and the code it measured."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> str:
    return f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min)"
    except (OSError, AttributeError):
        return "unknown"


def commit() -> str:
    """The checked-out commit, and whether the working tree differs from it (read-only git calls)."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10, env=env)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "-C", str(REPO), "diff", "--quiet", "HEAD", "--"], capture_output=True,
                               timeout=30, env=env).returncode != 0
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.stdout.strip() + (" + uncommitted changes" if dirty else "")


def header() -> str:
    """Date and time (UTC), machine, load average, commit and the command line, on one line."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO) if sys.argv and sys.argv[0] else "?"
    command = " ".join(["python", script] + sys.argv[1:])
    return (f"Date: {now} · Machine: {describe()} · load average {load_average()} · "
            f"commit {commit()} · Command: `{command}`")
