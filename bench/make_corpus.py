"""Scale corpora for bench/scale.py (issue 18), derived from the demo corpus.

    .venv/bin/python bench/make_corpus.py --n 100000 --out /tmp/scale-100k.csv [--seed 0]

The demo's 740 messages (30+ languages and scripts, three recipients, its countries and
channels) and the campaign's sample texts are recombined into N messages with the mix a big
campaign has, stated in the output:

* about a third copies or near-copies of the campaign's sample texts (people sending the
  suggested message, some with a greeting or their town added, punctuation or case changed);
* about a quarter short messages ("Fuerza Jani", "We stand with you"): demo messages or
  sentences of at most 60 characters, repeated as people repeat them;
* the rest distinct: one to three sentences of different demo messages in the same language,
  in a new order, so every language and script of the demo stays in its share.

Writes one CSV (text, recipient, country, channel, date) and prints the mix. Demo messages the
screening rules flag are left out (the planted hostile, safety and personal-data rows among
them): a scale corpus measures speed, not moderation."""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter, defaultdict
from pathlib import Path

from machine import header  # bench/machine.py
from letterworld.ingest import expand_inputs, read_path
from letterworld.language import detect
from letterworld.moderation import screen_rules
from letterworld.pipeline import DEMO_DIR, demo_config
from letterworld.segment import sentences

GREETINGS = ["", "", "", "Dear Jani, ", "Querida Jani, ", "Chère Aylin, ", "Liebe Aylin, ", "Hola, "]
PLACES = ["", "", " From Lyon.", " Desde Quito.", " — Porto", " (Nairobi)", " from Leeds", " 🇨🇴"]


def demo_messages() -> list[dict]:
    """The demo's messages as read by ingest, without those the screening rules flag (its
    planted hostile, safety and personal-data rows among them: they are written to test
    moderation, and a scale corpus measures speed)."""
    out = []
    for path in expand_inputs([DEMO_DIR]):
        try:
            result = read_path(path)
        except Exception:  # README.md, campaign.toml: not message files
            continue
        for m in result.messages:
            if screen_rules(m.text).blocking:
                continue
            out.append({"text": m.text, "recipient": m.recipient, "country": m.country, "channel": m.channel,
                        "date": m.date})
    return out


def make(n: int, seed: int = 0) -> tuple[list[dict], Counter]:
    rng = random.Random(seed)
    base = demo_messages()
    samples = list(demo_config().campaign.sample_texts)
    by_lang: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    short: list[dict] = []
    for m in base:
        lang = detect(m["text"]).lang
        for a, b in sentences(m["text"], lang):
            s = m["text"][a:b].strip()
            if s:
                by_lang[lang].append((m, s))
                if len(s) <= 60:
                    short.append({**m, "text": s})
        if len(m["text"]) <= 60:
            short.append(m)
    langs = sorted(by_lang)
    weights = [len(by_lang[lang]) for lang in langs]
    rows, mix = [], Counter()
    for _ in range(n):
        r = rng.random()
        like = rng.choice(base)
        if r < 0.33 and samples:
            text = rng.choice(samples)
            if rng.random() < 0.5:  # a near-copy
                text = rng.choice(GREETINGS) + text + rng.choice(PLACES)
                if rng.random() < 0.3:
                    text = text.rstrip(".!") + rng.choice(["!", "!!", ".", " ❤️"])
                mix["near-copy of a sample text"] += 1
            else:
                mix["copy of a sample text"] += 1
            rows.append({**like, "text": text})
        elif r < 0.58 and short:
            rows.append(dict(rng.choice(short)))
            mix["short message (<= 60 characters, repeated as people repeat them)"] += 1
        else:
            lang = rng.choices(langs, weights)[0]
            picked = rng.sample(by_lang[lang], min(len(by_lang[lang]), rng.choice([1, 2, 2, 3])))
            sep = "" if lang in ("zh", "ja", "th", "my", "km", "lo") else " "
            rows.append({**picked[0][0], "text": sep.join(s for _, s in picked)})
            mix["recombined sentences of one language"] += 1
    return rows, mix


def write_csv(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["text", "recipient", "country", "channel", "date"])
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(header())
    rows, mix = make(args.n, args.seed)
    write_csv(rows, args.out)
    distinct = len({r["text"] for r in rows})
    print(f"{args.out}: {len(rows)} messages, {distinct} distinct texts, "
          f"{len({r['recipient'] for r in rows})} recipients, {len({r['country'] for r in rows})} countries")
    for k, v in mix.most_common():
        print(f"  {k}: {v} ({v / len(rows):.0%})")


if __name__ == "__main__":
    main()
