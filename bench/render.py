"""Benchmark the render stage on a synthetic multilingual letter.

    .venv/bin/python bench/render.py [--repeat 3] [--out bench/RESULTS_render.md]

Reports, for the 16-slide sample letter (14 scripts, emoji; three excerpts
carry a translation, one is a poem with line breaks):

* the median time per slide (compose only, and compose + PNG encode) at
  1920x1080, 3840x2160 and a 6000x2500 façade with a viewing distance;
* the median time of a whole sequence (render_letter: PNGs + manifest +
  contact sheet, no PDF, no video);
* letter.pdf (every slide set again on A3 at 300 dpi) and slideshow.mp4
  (variable and 25 fps constant frame rate) on their own.

The first (cold) pass, which loads fonts and cmaps, is reported separately;
later passes keep fonts and cmaps loaded but drop the measurement caches, as
a real render lays each text out once.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from machine import header  # bench/machine.py
from letterworld.render import iter_slides, render_letter, shape
from letterworld.render.runs import _itemize
from letterworld.render.sample import sample_letter
from letterworld.render.video import find_ffmpeg

FACADE = "facade:6000x2500,margin=0.08/0.05/0.08/0.1,distance=80,height=12"


def bench_letter() -> dict:
    letter = sample_letter()
    ex = letter["sections"][0]["excerpts"]
    ex[0]["translation"] = {"lang": "en", "by": "Ana",
                            "text": "You are not alone, we are with you. Your courage inspires us every day."}
    ex[1]["translation"] = {"lang": "en", "by": "Omar",
                            "text": "We are with you, you are not alone. Your courage has inspired us every day."}
    ex[3]["translation"] = {"lang": "ar", "by": "", "text": "نحن معك، لست وحدك. شجاعتك تلهمنا."}
    ex[4]["text"] = "हम आपके साथ हैं,\nआप अकेली नहीं हैं।\n\nआपका साहस हमें हर दिन प्रेरित करता है।"
    return letter


def _cold_layout() -> None:
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


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, res = [], None
    for _ in range(repeat):
        _cold_layout()
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            res = fn(Path(d))
            times.append(time.perf_counter() - t0)
    return statistics.median(times), res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write a Markdown section here")
    args = ap.parse_args()
    when = header()
    print(when, flush=True)
    letter = bench_letter()
    rows: list[tuple[str, str]] = []

    def report(label: str, value: str) -> None:
        print(f"{label}: {value}")
        rows.append((label, value))

    t0 = time.perf_counter()
    n = len(_slides(letter, "1920x1080", encode=False))
    report(f"cold pass, {n} slides 1920x1080 (fonts, cmaps)", f"{time.perf_counter() - t0:.2f} s")

    for preset in ("1920x1080", "3840x2160", FACADE):
        for encode in (False, True):
            times = []
            for _ in range(args.repeat):
                times += _slides(letter, preset, encode)
            name = "facade 6000x2500 (min x-height 84 px)" if preset == FACADE else preset
            label = "compose + PNG" if encode else "compose"
            report(f"{name} per slide, {label}",
                   f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (n={len(times)})")

    for preset in ("1920x1080", "3840x2160"):
        med, m = _timed(lambda d: render_letter(letter, d, preset=preset, pdf=False, video=False), args.repeat)
        report(f"{preset} whole sequence ({len(m['slides'])} slides: PNGs, manifest, contact sheet)", f"{med:.2f} s")

    med, m = _timed(lambda d: render_letter(letter, d, preset="1920x1080", video=False, contact_sheet=False),
                    args.repeat)
    report(f"1920x1080 sequence + letter.pdf ({m['pdf']['pages']} A3 pages at 300 dpi)", f"{med:.2f} s")

    if find_ffmpeg():
        for fps in (None, 25):
            for preset in ("1920x1080", "3840x2160"):
                def run(d, preset=preset, fps=fps):
                    m = render_letter(letter, d, preset=preset, pdf=False, contact_sheet=False, fps=fps)
                    return m, (d / "slideshow.mp4").stat().st_size
                med, (m, size) = _timed(run, 1 if fps else args.repeat)
                rate = f"{fps} fps constant" if fps else "variable frame rate"
                report(f"{preset} sequence + slideshow.mp4 ({m['video']['seconds']:g} s, {rate})",
                       f"{med:.2f} s, {size / 1e6:.1f} MB")
    else:
        report("slideshow.mp4", "no encoder (pip install imageio-ffmpeg)")

    if args.out:
        lines = [
            "## Render benchmark (letterworld.render)", "",
            f"{when}.",
            "Letter: the 14-language",
            "sample (`letterworld.render.sample`) with three translations and a poem; medians of "
            f"{args.repeat} runs (1 run for 25 fps video); times include drawing and PNG/JPEG/H.264 encoding.",
            "", "| what | time |", "|---|---|",
        ] + [f"| {a} | {b} |" for a, b in rows] + [""]
        args.out.write_text("\n".join(lines), encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
