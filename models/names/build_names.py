"""Build letterworld's offline gazetteers (letterworld/data/names/) from Faker's locale data.

    .venv/bin/pip install "faker==40.54.0" && .venv/bin/python models/names/build_names.py

Faker (MIT licence, https://github.com/joke2k/faker) ships lists of first names, last names,
cities, countries, regions, street types and a few hundred common words for dozens of locales.
letterworld uses **only that data**, copied into plain text files at build time; Faker is
not a runtime dependency. The files are re-created from scratch on each run (stable order).

Files written (one entry a line, UTF-8):
- first.txt: given names (every locale; romanised Japanese/Chinese/Russian forms too)
- last.txt: family names
- places.txt: city, region, country names (a capitalised word found here alone is a place,
  not a name)
- common.txt: common words in many languages (Faker's lorem word lists and spaCy's stop
  words): a name-list entry that is also a common word ("Will", "Hope", "Rose") needs more
  evidence than the list alone
- README.md: sources and licences
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "letterworld" / "data" / "names"

FIRST = re.compile(r"^(?:first_names?|first_romanized_names|middle_names).*|first_names_.*")
LAST = re.compile(r"^(?:last_names?|last_romanized_names|male_last_names|unisex_last_names).*")
PLACES = re.compile(r"^(?:cities|city_names|real_city_names|countries|states|provinces|regions|region_names|"
                    r"counties|departments|districts|municipalities|towns|villages|prefectures|cantons|"
                    r"communes|concelhos|distritos|estados|wilayas|boroughs|metropolitan_cities|"
                    r"luzon_provinces|visayas_provinces|mindanao_provinces|settlements|localities|places|"
                    r"area_names|bairros)$")
SPACY_LANGS = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "tr", "id", "sv", "da", "nb", "fi", "hu", "cs",
               "ro", "ca", "hr", "sl", "sk", "lt", "lv", "et", "tl", "ms", "af", "sq", "eu", "ga", "is", "lb")


def _values(value) -> list[str]:
    if isinstance(value, dict):
        value = list(value)
    out = []
    for v in value:
        if isinstance(v, (list, tuple)):
            out += _values(v)
        elif isinstance(v, str):
            out.append(v)
    return out


def _collect(package: str, pattern: re.Pattern[str]) -> tuple[set[str], list[str]]:
    pkg = importlib.import_module(package)
    found, locales = set(), []
    for mod_info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{package}.{mod_info.name}")
        got = False
        for cls in mod.Provider.__mro__:
            for key, value in vars(cls).items():
                if pattern.match(key) and isinstance(value, (list, tuple, dict)):
                    found.update(v.strip() for v in _values(value) if v.strip())
                    got = True
        if got:
            locales.append(mod_info.name)
    return found, locales


def _tokens(names: set[str]) -> set[str]:
    """Single words of multi-word entries too ("Mary Ann" -> Mary, Ann), letters only."""
    out = set()
    for n in names:
        for w in re.split(r"[\s]+", n):
            w = w.strip(".,()")
            if len(w) >= 2 and not re.search(r"[\d{}#?]", w):
                out.add(w)
    return out


BABEL_LOCALES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "tr", "id", "sv", "da", "nb", "fi", "hu", "cs",
                 "ro", "ca", "hr", "sl", "sk", "ar", "fa", "ru", "uk", "el", "he", "hi", "sw", "vi", "tl", "ms")


def _babel_words(common: set[str], places: set[str]) -> int:
    """Day and month names (common words) and country/region names (places) from Babel's CLDR
    data (Unicode licence), in BABEL_LOCALES."""
    from babel import Locale

    for code in BABEL_LOCALES:
        loc = Locale.parse(code)
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                common.update(v.casefold().strip(".") for v in loc.days[ctx][width].values())
                common.update(v.casefold().strip(".") for v in loc.months[ctx][width].values())
        places.update(v for v in loc.territories.values())
        places.update(v for v in loc.languages.values())  # "English", "Deutsch": not names
    # CLDR's exemplar cities of the time zones ("Manila", "Nairobi", "Toronto"), in each language
    import zoneinfo

    from babel.dates import get_timezone_location

    for tz in sorted(zoneinfo.available_timezones()):
        for code in ("en", "es", "fr", "de", "pt"):
            try:
                places.add(get_timezone_location(tz, locale=code, return_city=True))
            except Exception:
                break
    # ISO 3166-2 subdivisions from pycountry (LGPL data, a letterworld dependency): "Texas", "Osaka"
    import pycountry

    places.update(sd.name for sd in pycountry.subdivisions)
    return len(BABEL_LOCALES)


def main() -> None:
    import faker

    first, first_locales = _collect("faker.providers.person", FIRST)
    last, last_locales = _collect("faker.providers.person", LAST)
    places, place_locales = _collect("faker.providers.address", PLACES)
    lorem, _ = _collect("faker.providers.lorem", re.compile(r"^word_list$"))
    # lower-case lorem entries only: capitalised ones are proper nouns ("David", "Praha")
    common = {w for w in lorem if len(w) >= 2 and " " not in w and w == w.lower()}
    places = {p for p in places if "{" not in p}
    babel_locales = _babel_words(common, places)
    for lang in SPACY_LANGS:
        try:
            mod = importlib.import_module(f"spacy.lang.{lang}.stop_words")
        except Exception:
            continue
        common |= {w.lower() for w in mod.STOP_WORDS if " " not in w}
    first, last = _tokens(first), _tokens(last)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, values in (("first", first), ("last", last), ("places", places),
                         ("common", common)):
        (OUT / f"{name}.txt").write_text("\n".join(sorted(values)) + "\n", encoding="utf-8")
        print(f"{name}.txt: {len(values)} entries")
    (OUT / "README.md").write_text(f"""# Name, place and common-word lists

Built by `models/names/build_names.py` from the data of **Faker {faker.VERSION}** (MIT licence,
Copyright (c) 2012 Daniele Faraglia; https://github.com/joke2k/faker) and the stop-word lists
of **spaCy** (MIT licence, Copyright (c) 2016-2024 ExplosionAI GmbH). Only the data is used;
neither package's code runs when letterworld screens messages. The MIT licence text is in
`LICENSE-faker.txt`.

- `first.txt` ({len(first)}): given names from {len(first_locales)} Faker person locales
- `last.txt` ({len(last)}): family names from {len(last_locales)} Faker person locales
- `places.txt`: cities, regions and countries from {len(place_locales)} Faker address locales
- `common.txt`: Faker's lower-case lorem words, spaCy's stop words ({len(SPACY_LANGS)} languages), and
  day and month names from **Babel**'s CLDR data (Unicode licence) in {babel_locales} languages
- `places.txt` also holds CLDR country, region, language and time-zone city names in those
  languages, and the ISO 3166-2 subdivision names of **pycountry** (LGPL-2.1 data)

`letterworld.moderation.names` uses them as evidence that a capitalised word is a person's
name. Faker's lists are generated-data
samples, not a census: common names of many countries are missing, and some entries are
also ordinary words (hence `common.txt`).
""", encoding="utf-8")
    lic = Path(faker.__file__).resolve().parent.parent
    text = next((p.read_text(encoding="utf-8") for p in lic.glob("[Ff]aker-*.dist-info/licenses/LICENSE*")), None) \
        or next((p.read_text(encoding="utf-8") for p in lic.glob("[Ff]aker-*.dist-info/LICENSE*")), None)
    if text:
        (OUT / "LICENSE-faker.txt").write_text(text, encoding="utf-8")
    else:
        print("warning: Faker's licence file not found; LICENSE-faker.txt not updated")


if __name__ == "__main__":
    main()
