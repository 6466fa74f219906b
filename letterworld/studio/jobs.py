"""Pipeline stages run from the studio, one at a time in a background thread, through the same
registry as the CLI (`registry.run_stage`); each job keeps the lines the stages print, so the
page that started it can show progress and the outcome."""

from __future__ import annotations

import io
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable

from rich.console import Console

from .. import progress
from ..store import ACTOR, Store


@dataclass
class Job:
    id: int
    what: str
    user: str
    started: str
    state: str = "waiting"  # waiting, running, done, failed
    log: io.StringIO = field(default_factory=io.StringIO)
    error: str = ""
    result: Any = None

    @property
    def lines(self) -> list[str]:
        return self.log.getvalue().splitlines()


class Jobs:
    """The studio's job list; stages never run two at a time (they write the same tables)."""

    def __init__(self, studio):
        self.studio = studio
        self.jobs: list[Job] = []
        self._run_lock = threading.Lock()
        self._list_lock = threading.Lock()

    def get(self, job_id: int) -> Job | None:
        with self._list_lock:
            return next((j for j in self.jobs if j.id == job_id), None)

    def recent(self, n: int = 10) -> list[Job]:
        with self._list_lock:
            return list(reversed(self.jobs[-n:]))

    def running(self) -> Job | None:
        with self._list_lock:
            return next((j for j in self.jobs if j.state in ("waiting", "running")), None)

    def submit(self, what: str, user: str, fn: Callable[[Job], Any], *, wait: bool = False) -> Job:
        """Run `fn(job)` in a background thread, after any job before it (one at a time: stages and
        exports write the same store and folders). What it prints through `progress` goes to the
        job's log; its audit records name `user`."""
        with self._list_lock:
            job = Job(len(self.jobs) + 1, what, user, datetime.now(timezone.utc).replace(microsecond=0).isoformat())
            self.jobs.append(job)

        def work() -> None:
            ACTOR.set(user)  # this thread's own context
            with self._run_lock:
                job.state = "running"
                saved = progress.console
                progress.console = Console(file=job.log, emoji=False, soft_wrap=True, color_system=None, width=200)
                try:
                    job.result = fn(job)
                    job.state = "done"
                except Exception as exc:  # shown on the page; the studio goes on
                    job.error = f"{type(exc).__name__}: {exc}"
                    job.log.write(traceback.format_exc(limit=3))
                    job.state = "failed"
                finally:
                    progress.console = saved

        t = threading.Thread(target=work, daemon=True, name=f"letterworld-job-{job.id}")
        t.start()
        if wait:
            t.join()
        return job

    def start(self, what: str, user: str, stages: list[str], *, inputs: list[Path] | None = None,
              recipient: str | None = None, out_dir: Path | None = None, letter: dict | None = None,
              wait: bool = False) -> Job:
        """Registry stages in order, as `letterworld <stage>` runs them."""
        from ..registry import Context, run_stage

        def run(job: Job):
            ctx = Context(self.studio.config(), inputs=list(inputs or []), recipient=recipient, out_dir=out_dir,
                          letter=dict(letter or {}), embedder=self.studio.embedder())
            with Store(self.studio.db) as store:
                for name in stages:
                    progress.console.print(f"— {name}")
                    run_stage(name, store, ctx)
            return ctx.results

        return self.submit(what, user, run, wait=wait)
