"""Many moderators at once over real loopback HTTP: the studio served by uvicorn in a thread,
and threads deciding overlapping messages. Used by the concurrency test and bench/studio.py."""

from __future__ import annotations

import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Message
from ..store import Store
from . import auth


@contextmanager
def serve(app) -> Iterator[str]:
    """The app on http://127.0.0.1:PORT (a free port, bound before the server starts, so no
    other process can take it in between) for the duration of the block."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="studio-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the studio server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the studio server did not stop")


def password(name: str) -> str:
    return f"load-test-password-{name}"


def synthetic_store(path: Path, messages: int, moderators: int) -> list[str]:
    """A store with `messages` pending messages and `moderators` moderator accounts; their names."""
    with Store(path) as store:
        store.add_messages(Message(text=f"Message {i}: we stand with you.", source_file="load.csv", source_row=i + 2)
                           for i in range(messages))
        with store.transaction():
            for (mid,) in store.db.execute("SELECT id FROM messages").fetchall():
                store.set_status(mid, "pending", actor="rule:screen", manual=False)
        names = [f"mod{i:02d}" for i in range(moderators)]
        for n in names:
            auth.add_user(store, n, "moderator", password(n), actor="load")
    return names


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds per decision request
    page_latencies: list[float] = field(default_factory=list)  # seconds per queue page
    won: dict[int, str] = field(default_factory=dict)  # message -> the moderator whose decision counted
    told: dict[tuple[int, str], str] = field(default_factory=dict)  # (message, loser) -> what they were told
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def moderate_concurrently(url: str, names: list[str], ids: list[int], *, attempts: int = 3, seed: int = 0,
                          page_every: int = 50) -> LoadResult:
    """Each message is decided by `attempts` different moderators (all at once, in shuffled
    orders, approve or reject at random); every `page_every` decisions a moderator also loads a
    queue page, as a person would."""
    import httpx

    rng = random.Random(seed)
    todo: dict[str, list[int]] = {n: [] for n in names}
    for mid in ids:
        for n in rng.sample(names, attempts):
            todo[n].append(mid)
    for n in names:
        rng.shuffle(todo[n])
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(len(names))

    def work(name: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            r = client.post("/login", data={"name": name, "password": password(name), "next": "/queue"},
                            follow_redirects=True)
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)
            local_rng = random.Random(f"{seed}-{name}")
            start.wait()
            for k, mid in enumerate(todo[name]):
                action = "approve" if local_rng.random() < 0.7 else "reject"
                t = time.perf_counter()
                r = client.post(f"/queue/{mid}/decide", data={"csrf": csrf, "action": action, "reason": "other"},
                                headers={"Accept": "application/json"})
                dt = time.perf_counter() - t
                body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                with lock:
                    result.latencies.append(dt)
                    if body.get("decided"):
                        if mid in result.won:
                            result.errors.append(f"message {mid} decided by {result.won[mid]} and {name}")
                        result.won[mid] = name
                    elif body.get("conflict"):
                        result.told[(mid, name)] = body["conflict"]
                    else:
                        result.errors.append(f"{name} on {mid}: HTTP {r.status_code} {r.text[:200]}")
                if page_every and k % page_every == page_every - 1:
                    t = time.perf_counter()
                    client.get("/queue?claimed=unclaimed")
                    with lock:
                        result.page_latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    result.seconds = time.perf_counter() - t0
    return result
