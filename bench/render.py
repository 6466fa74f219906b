"""Benchmark the render stage on a synthetic multilingual letter.

    .venv/bin/python bench/render.py [--repeat 3]

Prints the median time per slide (compose only, and compose + PNG encode) for
1920x1080 and 3840x2160, and the median time for a whole render_letter()
sequence. The first (cold) pass, which loads fonts and cmaps, is reported
separately; later passes keep fonts and cmaps loaded but drop the
measurement caches, as a real render lays each text out once.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from letterworld.render import iter_slides, render_letter, shape
from letterworld.render.runs import _itemize
from letterworld.render.sample import sample_letter


def _cold_layout() -> None:
    """Each text is laid out once per render in real use: drop measurement caches."""
    shape.clear_caches()
    _itemize.cache_clear()


def _slides(letter, preset, encode: bool) -> list[float]:
    _cold_layout()
    times = []
    it = iter_slides(letter, preset)
    while True:
        t0 = time.perf_counter()
        try:
            slide = next(it)
        except StopIteration:
            break
        if encode:
            slide.image.save(io.BytesIO(), format="PNG", compress_level=3)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    letter = sample_letter()
    n = sum(len(s["excerpts"]) for s in letter["sections"]) + 2

    t0 = time.perf_counter()
    _slides(letter, "1920x1080", encode=False)
    print(f"cold pass (fonts, cmaps, shaping caches), {n} slides 1920x1080: {time.perf_counter() - t0:.2f} s")

    for preset in ("1920x1080", "3840x2160"):
        for encode in (False, True):
            times = []
            for _ in range(args.repeat):
                times += _slides(letter, preset, encode)
            label = "compose+png" if encode else "compose    "
            print(f"{preset} per slide {label}: median {statistics.median(times) * 1000:7.1f} ms"
                  f"  max {max(times) * 1000:7.1f} ms  (n={len(times)})")

    for preset in ("1920x1080", "3840x2160"):
        times = []
        for _ in range(args.repeat):
            _cold_layout()
            with tempfile.TemporaryDirectory() as d:
                t0 = time.perf_counter()
                render_letter(letter, Path(d), preset=preset)
                times.append(time.perf_counter() - t0)
        print(f"{preset} whole sequence ({n} slides, render_letter): median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
