"""The demo's Letter from the World as composed (issue 14): its blocks, length against the
target, languages, translations, themes on the arc and the readers' shares.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/letter.py

Runs the demo as `letterworld demo` does (no slides) in a temporary folder and prints what the
letter is made of. Reading times are estimates (letterworld/reading.py), not measured speech."""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import header  # noqa: E402

from letterworld.letter import quotes  # noqa: E402
from letterworld.pipeline import demo_config, demo_inputs, demo_translations, run  # noqa: E402
from letterworld.progress import set_quiet  # noqa: E402


def main() -> None:
    print(header())
    set_quiet(True)
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        res = run(demo_inputs(), Path(tmp), demo_config(), auto_approve=True, render=False,
                  translation_sheets=demo_translations())
        took = time.perf_counter() - clock
    letter = res.letter
    qs = quotes(letter)
    target = letter["target"]["seconds"]
    print(f"\ndemo run without slides: {took:.1f} s")
    print(f"letter to {letter['recipient']} in {letter['lang']}: {len(letter['blocks'])} blocks "
          f"({', '.join(f'{k} {v}' for k, v in Counter(b['kind'] for b in letter['blocks']).items())})")
    print(f"estimated reading time {letter['seconds']:.1f} s for a target of {target:.0f} s "
          f"({(letter['seconds'] - target) / target:+.1%}; tolerance ±{letter['target']['tolerance']:.0%})")
    print(f"quotes: {len(qs)} in {len({q['lang'] for q in qs})} languages from "
          f"{len({q['country'] for q in qs if q['country']})} countries; in the letter's language: "
          f"{sum(q['lang'] == letter['lang'] for q in qs)}; with an accepted translation: "
          f"{sum((q.get('translation') or {}).get('status') == 'accepted' for q in qs)}; final: {letter['final']}")
    print(f"quoted without a name (no consent to be named): {sum(bool(q.get('anonymous')) for q in qs)}")
    print("\n| theme | title | movement | people | quotes | shares of its messages by movement |")
    print("|---:|---|---|---:|---:|---|")
    for t in letter["themes"]:
        n = sum(q["theme_id"] == t["theme_id"] for q in qs)
        shares = ", ".join(f"{k} {v:.2f}" for k, v in t["arc_scores"].items())
        print(f"| {t['theme_id']} | {t['title']} | {t['movement']} | {t['size']} | {n} | {shares} |")
    print("\n| reader | blocks | seconds |")
    print("|---|---:|---:|")
    for r in letter.get("readers", []):
        print(f"| {r['name']} | {len(r['blocks'])} | {r['seconds']:.1f} |")
    print("\nthe letter, block by block (seconds, kind, language, first words):")
    for b in letter["blocks"]:
        text = (b["text"][:60] + "…") if len(b["text"]) > 60 else b["text"]
        tr = b.get("translation") or {}
        extra = f"  → {tr['text'][:50]}…" if tr else ""
        print(f"  {b['seconds']:5.1f}  {b['kind']:<10} {b.get('lang', ''):<3} {text}{extra}")


if __name__ == "__main__":
    main()
