"""Split text into runs that one font can draw, in one direction.

A run is a maximal stretch of grapheme clusters that share a font face and a
bidi level. Each cluster goes to the first face of its script's fallback chain
whose cmap has every character of the cluster, so combining marks, ZWJ and
variation selectors stay with their base; emoji clusters (including ZWJ
sequences, keycaps, flags, skin tones) go to the colour emoji font. Common
characters (spaces, punctuation, digits) join the run before them when its
font has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import bidi, fonts
from .fonts import FontFace, FontsMissing
from .scripts import is_emoji_cluster, script_of
from .segment import graphemes


@dataclass(frozen=True)
class Run:
    start: int  # Python indexes into the itemized text
    end: int
    face: FontFace
    level: int  # bidi embedding level (odd = right-to-left)
    script: str

    @property
    def direction(self) -> str:
        return "rtl" if self.level % 2 else "ltr"


def cluster_script(cluster: str) -> str:
    if is_emoji_cluster(cluster):
        return "Emoji"
    for ch in cluster:
        s = script_of(ch)
        if s not in ("Common", "Inherited", "Unknown"):  # Unknown: unassigned, private use
            return s
    return "Common"


def _pick(cluster: str, faces: list[FontFace]) -> FontFace | None:
    for f in faces:
        if f.installed and fonts.has_all(f, cluster):
            return f
    return None


def _pick_partial(cluster: str, faces: list[FontFace]) -> FontFace | None:
    """A face that has at least the cluster's base character."""
    for f in faces:
        if f.installed and fonts.has_char(f, cluster[0]):
            return f
    return None


def itemize(text: str, lang: str | None = None, country: str | None = None, para_level: int | None = None) -> tuple[Run, ...]:
    """Runs of ``text`` in logical order. Raises FontsMissing when a script
    in the text has no installed font at all."""
    return _itemize(text, lang, country, para_level, tuple(fonts.FONT_DIRS))


@lru_cache(maxsize=1024)
def _itemize(text: str, lang, country, para_level, _dirs: tuple[str, ...]) -> tuple[Run, ...]:
    if not text:
        return ()
    b = graphemes(text)
    clusters = [(b[i], b[i + 1]) for i in range(len(b) - 1)]
    scripts = [cluster_script(text[s:e]) for s, e in clusters]

    # Scripts with no installed face: name the packages, all at once.
    missing_pkgs, missing_files, missing_scripts = [], [], []
    for sc in sorted(set(scripts) | {"Common"}):
        primary = fonts.chain(sc, lang, country)
        own = [f for f in primary if f not in fonts.SYMBOLS and (sc in ("Latin", "Common", "Greek", "Cyrillic") or f != fonts.LATIN)]
        if own and not any(f.installed for f in own):
            missing_pkgs.append(own[0].package)
            missing_files.append(own[0].file)
            missing_scripts.append(sc)
    if missing_pkgs:
        raise FontsMissing(missing_pkgs, missing_files, missing_scripts)

    faces: list[FontFace | None] = [None] * len(clusters)
    # Pass 1: clusters with a script of their own.
    for i, ((s, e), sc) in enumerate(zip(clusters, scripts)):
        if sc == "Common":
            continue
        cl = text[s:e]
        faces[i] = _pick(cl, fonts.chain(sc, lang, country))
    # Pass 2: common clusters join a neighbour's face when it has them.
    for i, ((s, e), sc) in enumerate(zip(clusters, scripts)):
        if sc != "Common":
            continue
        cl = text[s:e]
        prev = next((faces[j] for j in range(i - 1, -1, -1) if faces[j] is not None), None)
        nxt = next((faces[j] for j in range(i + 1, len(faces)) if faces[j] is not None and scripts[j] != "Common"), None)
        for cand in (prev, nxt):
            if cand is not None and not cand.emoji and fonts.has_all(cand, cl):
                faces[i] = cand
                break
        else:
            if prev is not None and prev.emoji and cl.isspace() and nxt is not None and fonts.has_all(nxt, cl):
                faces[i] = nxt
            else:
                faces[i] = _pick(cl, fonts.chain("Common", lang, country))
    # Pass 3: anything still unassigned: any installed font with the base char.
    for i, (s, e) in enumerate(clusters):
        if faces[i] is None:
            cl = text[s:e]
            faces[i] = (
                _pick_partial(cl, fonts.chain(scripts[i], lang, country))
                or fonts.last_resort(cl[0])
                or fonts.require(fonts.chain("Common", lang, country), "Common")
            )

    lv = bidi.levels(text, para_level)
    runs: list[Run] = []
    for i, (s, e) in enumerate(clusters):
        face, level, sc = faces[i], lv[s], scripts[i]
        if runs and runs[-1].face == face and runs[-1].level == level:
            last = runs[-1]
            runs[-1] = Run(last.start, e, face, level, last.script if last.script != "Common" else sc)
        else:
            runs.append(Run(s, e, face, level, sc))
    return tuple(runs)


def scripts_in(text: str) -> set[str]:
    b = graphemes(text)
    return {cluster_script(text[b[i]:b[i + 1]]) for i in range(len(b) - 1)}
