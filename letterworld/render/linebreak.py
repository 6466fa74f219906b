"""Choose line breaks among ICU's UAX #14 opportunities.

The text is cut at every break opportunity into segments; a line is a
sequence of whole segments, so lines never end mid-word (by the language's
rules, dictionary-based for Thai, Burmese, Khmer, Lao, Chinese, Japanese) nor
mid-grapheme. Widths come from the caller (the real fonts), per segment with
and without its trailing spaces.

``greedy`` gives the fewest lines; ``balanced`` keeps that line count and
minimises raggedness (sum of squared slack), so a quote set on three lines
has three lines of similar length rather than two long and one stub.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: int
    end: int  # end including trailing whitespace
    trim_end: int  # end without trailing whitespace
    width: float  # width including trailing whitespace
    trim_width: float  # width without it


def segments(text: str, breaks: Sequence[int], measure: Callable[[int, int], float]) -> list[Segment]:
    """Segments between consecutive break opportunities, measured."""
    out = []
    for a, b in zip(breaks, breaks[1:]):
        t = b
        while t > a and text[t - 1].isspace():
            t -= 1
        tw = measure(a, t) if t > a else 0.0
        w = tw + (measure(t, b) if b > t else 0.0)
        out.append(Segment(a, b, t, w, tw))
    return out


def _line_width(segs: Sequence[Segment], i: int, j: int, prefix: list[float]) -> float:
    """Width of the line made of segments i..j-1 (trailing space of j-1 dropped)."""
    return prefix[j - 1] - prefix[i] + segs[j - 1].trim_width


def _prefix(segs: Sequence[Segment]) -> list[float]:
    p = [0.0]
    for s in segs:
        p.append(p[-1] + s.width)
    return p


def greedy(segs: Sequence[Segment], max_width: float) -> list[tuple[int, int]] | None:
    """Fewest lines (as (first, last+1) segment index pairs); None if a single
    segment is wider than ``max_width``."""
    if not segs:
        return []
    prefix = _prefix(segs)
    lines, i = [], 0
    n = len(segs)
    while i < n:
        if segs[i].trim_width > max_width:
            return None
        j = i + 1
        while j < n and _line_width(segs, i, j + 1, prefix) <= max_width:
            j += 1
        lines.append((i, j))
        i = j
    return lines


def balanced(segs: Sequence[Segment], max_width: float, n_lines: int | None = None) -> list[tuple[int, int]] | None:
    """Exactly ``n_lines`` lines (default: the greedy count) with the least
    sum of squared slack against the widest possible line."""
    g = greedy(segs, max_width)
    if g is None:
        return None
    if n_lines is None:
        n_lines = len(g)
    n = len(segs)
    if n_lines <= 1 or n_lines >= n:
        return g if n_lines <= 1 or n_lines > n else [(i, i + 1) for i in range(n)]
    prefix = _prefix(segs)
    # Target: the mean line width, so lines come out even.
    total = _line_width(segs, 0, n, prefix)
    target = min(max_width, total / n_lines)
    INF = float("inf")
    # cost[k][j]: best cost of setting segments 0..j-1 on k lines.
    cost = [[INF] * (n + 1) for _ in range(n_lines + 1)]
    back = [[-1] * (n + 1) for _ in range(n_lines + 1)]
    cost[0][0] = 0.0
    for k in range(1, n_lines + 1):
        for j in range(k, n + 1):
            best, arg = INF, -1
            for i in range(j - 1, k - 2, -1):
                if cost[k - 1][i] == INF:
                    continue
                w = _line_width(segs, i, j, prefix)
                if w > max_width:
                    break  # earlier i only make the line longer
                c = cost[k - 1][i] + (target - w) ** 2
                if c < best:
                    best, arg = c, i
            cost[k][j], back[k][j] = best, arg
    if cost[n_lines][n] == INF:
        return g
    lines, j = [], n
    for k in range(n_lines, 0, -1):
        i = back[k][j]
        lines.append((i, j))
        j = i
    return lines[::-1]
