"""Where each transition's line runs and where its label sits in the branch picture.

A label is read against its line, so it is placed on the line where it can
be: candidate spots are tried along the curve (and a little above or below
it), nearest to the middle first, and the first that covers no node and no
label already placed is taken. The sizes are estimates of DejaVu Sans at
10 px, erring wide, so that what the test measures is what the eye sees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LABEL_PX, LINE_H, PAD = 10, 13, 3
_NARROW, _WIDE = set("ijlt.,:;'|!()[] fr"), set("mwMW◆@%")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect, pad: float = PAD) -> bool:
        return (self.x < other.x + other.w + pad and other.x < self.x + self.w + pad
                and self.y < other.y + other.h + pad and other.y < self.y + self.h + pad)


@dataclass(frozen=True)
class Route:
    edge: object  # graph.Edge
    path: str  # SVG path data
    label: Rect
    lines: tuple[str, ...]


def wrap(label: str, width: int = 28) -> list[str]:
    """A long transition label in short lines, broken between words."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def text_width(s: str, px: float = LABEL_PX) -> float:
    return sum(0.36 if c in _NARROW else 0.92 if c in _WIDE else 0.64 for c in s) * px


def label_size(lines: list[str]) -> tuple[float, float]:
    return max(text_width(line) for line in lines) + 8, LINE_H * len(lines) + 2


def routes(boxes: dict, links: list, box_w: float, box_h: float, col_gap: float,
           keep_clear: tuple[Rect, ...] = ()) -> tuple[list[Route], int]:
    """Every line with its label placed; and how many labels could not be placed clear of the rest."""
    fan: dict[str, int] = defaultdict(int)
    for e in links:
        if boxes[e.target].rank > boxes[e.source].rank:
            fan[e.source] += 1
    seen: dict[str, int] = defaultdict(int)
    shapes = [(e, *_geometry(e, boxes, fan, seen, box_w, box_h, col_gap)) for e in links]
    taken = [*keep_clear, *(Rect(b.x, b.y, box_w, box_h) for b in boxes.values())]
    placed: dict[int, Route] = {}
    crowded = 0
    # Lines within a column or back have few good spots, lines forward many: the first choose first.
    for i in sorted(range(len(shapes)), key=lambda i: boxes[links[i].target].rank > boxes[links[i].source].rank):
        e, path, spots = shapes[i]
        lines = wrap(e.label)
        w, h = label_size(lines)
        hits = _hits(spots, w, h, taken)
        free = np.flatnonzero(hits == 0)
        if not free.size:  # a crowded node: look further out before giving up and overlapping
            spots = np.concatenate([spots, spots[0] + _FURTHER])
            hits = _hits(spots, w, h, taken)
            free = np.flatnonzero(hits == 0)
        crowded += not free.size
        x, y = spots[int(free[0]) if free.size else int(np.argmin(hits))]
        clear = Rect(float(x) - w / 2, float(y) - h / 2, w, h)
        taken.append(clear)
        placed[i] = Route(e, path, clear, tuple(lines))
    return [placed[i] for i in range(len(shapes))], crowded


def _hits(spots: np.ndarray, w: float, h: float, taken: list[Rect]) -> np.ndarray:
    """How many of `taken` a w×h label centred on each spot overlaps (all at once: there are thousands)."""
    c = np.concatenate([spots - (w / 2, h / 2), spots + (w / 2, h / 2)], axis=1)[:, None, :]
    t = np.array([(r.x, r.y, r.x + r.w, r.y + r.h) for r in taken])[None, :, :]
    apart = (c[..., 0] >= t[..., 2] + PAD) | (t[..., 0] >= c[..., 2] + PAD) | (c[..., 1] >= t[..., 3] + PAD) | (t[..., 1] >= c[..., 3] + PAD)
    return (~apart).sum(axis=1)


def _geometry(e, boxes, fan, seen, box_w, box_h, col_gap) -> tuple[str, np.ndarray]:
    """The line's path, and the spots for its label, best first."""
    a, b = boxes[e.source], boxes[e.target]
    if b.rank > a.rank:
        # Spread the starts of a node's outgoing lines so they leave it apart.
        k, n = seen[e.source], fan[e.source]
        seen[e.source] += 1
        y0 = a.y + box_h / 2 + (k - (n - 1) / 2) * min(8, (box_h - 10) / max(n, 1))
        x0, x1, y1 = a.x + box_w, b.x, b.y + box_h / 2
        c = col_gap * 0.55
        d = f"M{x0:.1f},{y0:.1f} C{x0 + c:.1f},{y0:.1f} {x1 - c:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        middle = 0.5 if b.rank == a.rank + 1 else 0.5 / (b.rank - a.rank)

        def at(t: float) -> tuple[float, float]:
            x = (1 - t) ** 3 * x0 + 3 * (1 - t) ** 2 * t * (x0 + c) + 3 * (1 - t) * t ** 2 * (x1 - c) + t ** 3 * x1
            y = (1 - t) ** 3 * y0 + 3 * (1 - t) ** 2 * t * y0 + 3 * (1 - t) * t ** 2 * y1 + t ** 3 * y1
            return x, y

        t, dy = _along(round(middle, 3))
        x, y = at(t)
        return d, np.stack([x, y + dy], axis=1)
    if b.rank == a.rank and e.source != e.target:
        # Within a column: out of the right side and back in, bulging into the gap.
        x0, y0 = a.x + box_w, a.y + box_h * 0.7
        x1, y1 = b.x + box_w, b.y + box_h * 0.3
        bulge = x0 + 36 + 10 * min(abs(a.row - b.row), 5)
        d = f"M{x0:.1f},{y0:.1f} C{bulge:.1f},{y0:.1f} {bulge:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        base = (bulge, (y0 + y1) / 2)
    elif e.source == e.target:
        x0, y0 = a.x + box_w, a.y + 12
        d = f"M{x0:.1f},{y0:.1f} C{x0 + 60:.1f},{y0 - 40:.1f} {x0 + 60:.1f},{y0 + 60:.1f} {x0:.1f},{a.y + box_h - 8:.1f}"
        base = (x0 + 48, y0 + 8)
    else:
        # Back to an earlier column: loop under the boxes.
        x0, y0 = a.x + box_w / 2 + 14, a.y + box_h
        x1, y1 = b.x + box_w / 2 - 14, b.y + box_h
        low = max(y0, y1) + 46
        d = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{low:.1f} {x1:.1f},{low:.1f} {x1:.1f},{y1:.1f}"
        base = ((x0 + x1) / 2, low - 10)
    return d, _AROUND + base


# Spots near a point, nearest first.
_AROUND = np.array(sorted(((dx, dy) for dx in range(-80, 81, 10) for dy in range(-90, 91, 6)),
                          key=lambda s: abs(s[0]) + abs(s[1])), dtype=float)
# And the ring beyond them, for a node whose lines leave no room nearby.
_FURTHER = np.array(sorted(((dx, dy) for dx in range(-200, 201, 10) for dy in range(-180, 181, 6)
                            if abs(dx) > 80 or abs(dy) > 90), key=lambda s: abs(s[0]) + abs(s[1])), dtype=float)


@lru_cache(maxsize=16)
def _along(middle: float) -> tuple[np.ndarray, np.ndarray]:
    """Spots along a curve (t) and a little off it (dy), nearest its middle first."""
    grid = sorted(((t / 20, dy) for t in range(1, 20) for dy in range(-48, 49, 6)),
                  key=lambda s: abs(s[0] - middle) * 120 + abs(s[1]))
    t, dy = np.array(grid).T
    return t, dy
