"""CPU-bound work on every core (issue 18): forked workers give the results one process gives,
in the same order, and the screen's flags do not depend on how many workers made them."""

import os

import pytest

from letterworld import parallel, stages
from letterworld.config import from_dict
from letterworld.moderation import stage as screen_stage
from letterworld.records import Message


def _work(chunk):
    return [(x * x, os.getpid()) for x in chunk]


def test_forked_workers_return_every_result_in_order():
    items = list(range(1000))
    done = []
    got = parallel.map_chunks(_work, items, chunk=50, min_items=100, n_workers=2, progress=done.append)
    assert [r for r, _ in got] == [x * x for x in items]
    pids = {pid for _, pid in got}
    assert os.getpid() in pids and len(pids) >= 2  # the first chunk here, the rest in workers
    assert sum(len(c) for c in done) == len(items)
    alone = parallel.map_chunks(_work, items, chunk=50, min_items=100, n_workers=1)
    assert {pid for _, pid in alone} == {os.getpid()}


def test_workers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LETTERWORLD_WORKERS", "3")
    assert parallel.workers() == 3
    monkeypatch.setenv("LETTERWORLD_WORKERS", "two")
    with pytest.raises(ValueError, match="LETTERWORLD_WORKERS"):
        parallel.workers()


def test_a_screen_in_two_workers_flags_what_a_screen_in_one_does(tmp_path, monkeypatch):
    from letterworld.store import Store

    texts = [f"Querida Jani, soy Ana Pérez de Quito, mi número es +593 99 {i:03d} 4567. ¡Fuerza!" for i in range(30)]
    texts += [f"Dear Aylin, we stand with you from Leeds, message {i}. Write to me at me{i}@example.org" for i in
              range(30)]
    cfg = from_dict({"screen": {"classifier": False, "offtopic": False, "ner": False}})
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    seen = tmp_path / "pids"  # which processes screened a message: a file, as the workers' memory is their own
    real = screen_stage.screen_rules

    def counting(text, **kw):
        with seen.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(text, **kw)

    monkeypatch.setattr(screen_stage, "screen_rules", counting)
    results, pids = [], []
    for n in ("1", "2"):
        monkeypatch.setenv("LETTERWORLD_WORKERS", n)
        seen.write_text("")
        with Store(tmp_path / f"w{n}.db") as store:
            store.add_messages(Message(text=t, source_file="m.csv", source_row=i + 2) for i, t in enumerate(texts))
            stages.detect(store, cfg)
            screen_stage.screen_store(store, cfg, templates=False)
            results.append(sorted(map(tuple, store.db.execute(
                "SELECT message_id, kind, reason, start, end FROM flags"))))
        pids.append(seen.read_text().split())
    assert results[0] == results[1]
    assert set(pids[0]) == {str(os.getpid())} and len(pids[0]) == len(texts)
    assert len(set(pids[1])) >= 2 and len(pids[1]) == len(texts)  # forked workers, each message screened once
    assert sum(k == "personal_data" for _, k, *_ in results[0]) >= len(texts)  # every phone and address flagged
