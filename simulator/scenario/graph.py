"""The branch picture of a scenario: nodes, the transitions between them, endings by outcome.

One layout serves `simulator graph` (SVG, PNG, DOT) and the app's authoring
view, so a coach sees the same picture in both. Plain Python, no graph
library: a layered drawing (columns by distance from the start, rows ordered
to keep lines short) is enough for conversation graphs of a few dozen nodes,
and it has to run inside a built app with no Graphviz.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .graphlabels import Rect, Route, routes, wrap
from .model import ACTION_LABELS, Condition, Scenario

__all__ = ["Box", "Edge", "Picture", "Rect", "condition_label", "edges", "layout", "to_dot", "to_svg", "wrap"]

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
OUTCOME_COLOURS = {"good": "#009E73", "mixed": "#E69F00", "poor": "#D55E00"}
OUTCOME_FILLS = {"good": "#d5f0e7", "mixed": "#fbecc9", "poor": "#f7dccb"}
EDGE_COLOURS = {"criteria": "#333333", "action": "#0072B2", "silence": "#777777", "else": "#999999"}
START_COLOUR = "#0072B2"

BOX_W, BOX_H = 220, 62
# Gaps between columns and rows, tried in turn until every label has a place of its own.
GAPS = ((190, 34), (190, 60), (240, 60), (240, 90), (300, 90), (300, 130), (360, 130))
MARGIN, TITLE_H, LEGEND_H = 24, 44, 60
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str  # criteria | action | silence | else


@dataclass
class Box:
    node: str
    rank: int
    row: int = 0
    x: float = 0.0
    y: float = 0.0
    outcome: str | None = None
    start: bool = False
    abusive: bool = False
    threat: bool = False
    reachable: bool = True
    preview: str = ""


@dataclass
class Picture:
    title: str
    boxes: dict[str, Box]
    edges: list[Edge]
    width: float = 0.0
    height: float = 0.0
    notes: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)

    def node_rects(self) -> dict[str, Rect]:
        return {n: Rect(b.x, b.y, BOX_W, BOX_H) for n, b in self.boxes.items()}


def _words(name: str) -> str:
    return name.replace("_", " ")


def condition_label(c: Condition) -> str:
    parts = []
    if c.action:
        parts.append(f"◆ {ACTION_LABELS.get(c.action, c.action)}")
    if c.any:
        parts.append(" or ".join(_words(n) for n in c.any))
    if c.all:
        parts.append(" and ".join(_words(n) for n in c.all))
    if c.none:
        parts.append("not " + " nor ".join(_words(n) for n in c.none))
    return ", ".join(parts)


def edges(scenario: Scenario) -> list[Edge]:
    """Every transition, in the order the engine tries them; a silence timeout is an edge too."""
    out = []
    for node_id, node in scenario.nodes.items():
        for t in node.on:
            if t.otherwise is not None:
                out.append(Edge(node_id, t.otherwise, "otherwise", "else"))
            else:
                kind = "action" if t.when.action and not t.when.criteria() else "criteria"
                out.append(Edge(node_id, t.goto, condition_label(t.when), kind))
        if node.on_silence:
            out.append(Edge(node_id, node.on_silence, f"silence {scenario.settings.silence_after_s:g} s", "silence"))
    return out


def _merged(raw: list[Edge]) -> list[Edge]:
    """Transitions between the same two nodes drawn as one line with every label."""
    groups: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for e in raw:
        groups[(e.source, e.target)].append(e)
    out = []
    for (s, t), group in groups.items():
        kinds = {e.kind for e in group}
        kind = "criteria" if "criteria" in kinds else group[0].kind
        out.append(Edge(s, t, " | ".join(e.label for e in group), kind))
    return out


def _ranks(scenario: Scenario, links: list[Edge]) -> tuple[dict[str, int], set[str]]:
    """Columns by the fewest replies from the start; every ending in the last column.

    Endings together on the right read as "where it can finish"; lines that
    loop back or stay in a column are drawn around the boxes.
    """
    after = defaultdict(list)
    for e in links:
        after[e.source].append(e.target)
    rank = {scenario.start_node: 0}
    queue = deque([scenario.start_node])
    while queue:
        n = queue.popleft()
        for m in after[n]:
            if m in scenario.nodes and m not in rank:
                rank[m] = rank[n] + 1
                queue.append(m)
    reachable = set(rank)
    middle = [rank[n] for n in reachable if not scenario.nodes[n].is_ending]
    last = max(middle, default=0) + 1
    for n in reachable:
        if scenario.nodes[n].is_ending:
            rank[n] = last
    for n in scenario.nodes:  # nodes nothing leads to: a column of their own, so they stand out
        if n not in rank:
            rank[n] = last + 1
    return rank, reachable


def _order(columns: dict[int, list[str]], links: list[Edge], rank: dict[str, int]) -> None:
    """Reorder each column by where its nodes' predecessors sit (barycentres), a few sweeps."""
    before = defaultdict(list)
    for e in links:
        if rank.get(e.source, 0) < rank.get(e.target, 0):
            before[e.target].append(e.source)
    for _ in range(4):
        position = {n: i for col in columns.values() for i, n in enumerate(col)}
        for r in sorted(columns)[1:]:
            col = columns[r]
            keys = {}
            for i, n in enumerate(col):
                ps = [position[p] for p in before[n] if p in position]
                keys[n] = sum(ps) / len(ps) if ps else i
            col.sort(key=keys.__getitem__)
            position.update({n: i for i, n in enumerate(col)})


def layout(scenario: Scenario, intensity: str | None = None) -> Picture:
    """Boxes and lines, the rows spread apart until every label has a place clear of the others and the nodes."""
    for col_gap, row_gap in GAPS:
        picture, crowded = _laid_out(scenario, intensity, col_gap, row_gap)
        if not crowded:
            break
    return picture


def _laid_out(scenario: Scenario, intensity: str | None, col_gap: float, row_gap: float) -> tuple[Picture, int]:
    raw = edges(scenario)
    links = _merged([e for e in raw if e.target in scenario.nodes])
    rank, reachable = _ranks(scenario, links)
    columns: dict[int, list[str]] = defaultdict(list)
    for n in scenario.nodes:  # file order first: it is the coach's order
        columns[rank[n]].append(n)
    _order(columns, links, rank)
    level = intensity or scenario.intensity[0]
    tallest = max(len(c) for c in columns.values())
    boxes = {}
    for r, col in columns.items():
        offset = (tallest - len(col)) * (BOX_H + row_gap) / 2
        for i, n in enumerate(col):
            node = scenario.nodes[n]
            lines = scenario.lines(n, level)
            preview = lines[0].text if lines else node.debrief.strip()
            boxes[n] = Box(n, r, i, MARGIN + r * (BOX_W + col_gap), MARGIN + TITLE_H + offset + i * (BOX_H + row_gap),
                           node.end, n == scenario.start_node, node.abusive, node.threat, n in reachable,
                           preview if len(preview) <= 34 else preview[:33].rstrip() + "…")
    width = MARGIN * 2 + len(columns) * BOX_W + (len(columns) - 1) * col_gap
    back = any(boxes[e.target].rank < boxes[e.source].rank for e in links)
    height = max(b.y for b in boxes.values()) + BOX_H + (56 if back else 16) + MARGIN + LEGEND_H  # lines loop under
    notes = [f"'{n}' cannot be reached from the start" for n in scenario.nodes if n not in reachable]
    title = Rect(0, 0, width, MARGIN + TITLE_H - 6)
    placed, crowded = routes(boxes, links, BOX_W, BOX_H, col_gap, keep_clear=(title,))
    # Labels may sit beyond the last column or under the lowest row: the picture grows to hold them.
    width = max([width, *(r.label.x + r.label.w + MARGIN for r in placed)])
    height = max([height, *(r.label.y + r.label.h + MARGIN + LEGEND_H for r in placed)])
    return Picture(f"{scenario.title} ({scenario.id})", boxes, links, width, height, notes, placed), crowded


def _text(x: float, y: float, s: str, size: int = 11, weight: str = "normal", fill: str = "#222",
          anchor: str = "start", style: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" font-style="{style}" '
            f'fill="{fill}" text-anchor="{anchor}">{escape(s)}</text>')


def _line_svg(r: Route, faint: bool = False) -> str:
    kind = r.edge.kind
    dash = ' stroke-dasharray="2 3"' if kind == "silence" else ' stroke-dasharray="6 3"' if kind == "action" else ""
    strength = ' stroke-opacity="0.15"' if faint else ""
    return (f'<path d="{r.path}" fill="none" stroke="{EDGE_COLOURS[kind]}" stroke-width="{1.2 if faint else 1.6}"'
            f'{dash}{strength} marker-end="url(#arrow-{kind})"/>')


def _label_svg(r: Route) -> str:
    box = r.label
    out = [f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="3" '
           f'fill="white" fill-opacity="0.9"/>']
    out += [_text(box.x + box.w / 2, box.y + 11 + 13 * i, line, 10, fill=EDGE_COLOURS[r.edge.kind], anchor="middle")
            for i, line in enumerate(r.lines)]
    return "".join(out)


def _box_svg(b: Box, faint: bool = False, chosen: bool = False) -> str:
    fill = OUTCOME_FILLS.get(b.outcome, "#f5f5f5")
    stroke = OUTCOME_COLOURS.get(b.outcome, START_COLOUR if b.start else "#555555")
    width = 3 if b.start or b.outcome or chosen else 1.2
    if chosen:
        stroke = START_COLOUR
    dash = ' stroke-dasharray="5 4"' if not b.reachable else ""
    shape = (f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="{16 if b.outcome else 6}" '
             f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>')
    tags = []
    if b.start:
        tags.append("start")
    if b.outcome:
        tags.append(f"ending: {b.outcome}")
    if b.threat:
        tags.append("threat")
    elif b.abusive:
        tags.append("abusive")
    if not b.reachable:
        tags.append("unreachable")
    head = _text(b.x + 10, b.y + 18, b.node, 12, "bold")
    tag = _text(b.x + 10, b.y + 33, " · ".join(tags), 9, "bold", fill=stroke if b.outcome or b.start else "#8a1c00"
                if (b.abusive or b.threat) else "#666")
    said = f"“{b.preview}”" if b.preview and not b.outcome else b.preview or "(no line)"
    preview = _text(b.x + 10, b.y + 51, said, 10, fill="#444", style="italic")
    fade = ' opacity="0.4"' if faint else ""
    return f'<g class="node" id="node-{escape(b.node)}"{fade}>{shape}{head}{tag}{preview}</g>'


def _legend(y: float) -> str:
    parts, x = [], MARGIN
    for outcome, colour in OUTCOME_COLOURS.items():
        parts.append(f'<rect x="{x}" y="{y}" width="26" height="14" rx="6" fill="{OUTCOME_FILLS[outcome]}" stroke="{colour}" stroke-width="2"/>')
        parts.append(_text(x + 32, y + 11, f"{outcome} ending", 10))
        x += 120
    for kind, words in (("criteria", "reply meets criteria"), ("action", "call control"),
                        ("silence", "trainee silent"), ("else", "otherwise")):
        dash = ' stroke-dasharray="2 3"' if kind == "silence" else ' stroke-dasharray="6 3"' if kind == "action" else ""
        parts.append(f'<line x1="{x}" y1="{y + 7}" x2="{x + 30}" y2="{y + 7}" stroke="{EDGE_COLOURS[kind]}" stroke-width="1.6"{dash}/>')
        parts.append(_text(x + 36, y + 11, words, 10))
        x += 60 + 6.2 * len(words)
    parts.append(_text(MARGIN, y + 34, "Lines are tried top to bottom, as in the file; the first that holds is taken.", 10, fill="#555"))
    return "".join(parts)


def to_svg(scenario: Scenario, intensity: str | None = None, focus: str | None = None,
           picture: Picture | None = None) -> str:
    """The picture; with `focus` (a node), that node's lines in and out drawn with their labels and the rest
    faint: where many lines meet, a label could not be told apart from its neighbours' (a coach's words)."""
    p = picture or layout(scenario, intensity)  # a caller that needs the boxes too lays it out once
    focus = focus if focus in p.boxes else None
    mine = [r for r in p.routes if focus is None or focus in (r.edge.source, r.edge.target)]
    near = {n for r in mine for n in (r.edge.source, r.edge.target)} if focus else set(p.boxes)
    markers = "".join(
        f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>' for k, c in EDGE_COLOURS.items())
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{p.width:.0f}" height="{p.height:.0f}" '
        f'viewBox="0 0 {p.width:.0f} {p.height:.0f}" font-family="{FONT}">',
        f"<title>{escape(p.title)}</title><defs>{markers}</defs>",
        f'<rect x="0" y="0" width="{p.width:.0f}" height="{p.height:.0f}" fill="white"/>',
        _text(MARGIN, MARGIN + 16, p.title, 16, "bold"),
        _text(MARGIN, MARGIN + 33, f"{len(p.boxes)} nodes, {len(p.edges)} transitions"
              + (f" · {'; '.join(p.notes)}" if p.notes else "")
              + (f" · showing the lines into and out of {focus}, the rest faint" if focus else ""), 11,
              fill="#8a1c00" if p.notes else "#555"),
    ]
    # Lines first, then every label over all the lines, then the boxes: a line never crosses a label's text.
    body += [_line_svg(r, faint=True) for r in p.routes if r not in mine]
    body += [_line_svg(r) for r in mine]
    body += [_label_svg(r) for r in mine]
    body += [_box_svg(b, faint=b.node not in near, chosen=b.node == focus) for b in p.boxes.values()]
    body.append(_legend(p.height - MARGIN - LEGEND_H + 14))
    body.append("</svg>")
    return "\n".join(body) + "\n"


def node_at(scenario: Scenario, intensity: str | None, x: float, y: float) -> str | None:
    """The node whose box is at (x, y) in the picture's own units, if any."""
    for b in layout(scenario, intensity).boxes.values():
        if b.x <= x <= b.x + BOX_W and b.y <= y <= b.y + BOX_H:
            return b.node
    return None


def _dot_id(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(scenario: Scenario, intensity: str | None = None) -> str:
    """Graphviz DOT, for coaches who want to lay it out with their own tools."""
    p = layout(scenario, intensity)
    out = [f"digraph {_dot_id(scenario.id)} {{", "  rankdir=LR;", f"  label={_dot_id(p.title)}; labelloc=t;",
           '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="DejaVu Sans"];',
           '  edge [fontname="DejaVu Sans", fontsize=10];']
    for b in p.boxes.values():
        attrs = [f"label={_dot_id(b.node + (chr(10) + '“' + b.preview + '”' if b.preview else ''))}"]
        if b.outcome:
            attrs += [f'fillcolor="{OUTCOME_FILLS[b.outcome]}"', f'color="{OUTCOME_COLOURS[b.outcome]}"', "penwidth=2.5",
                      f"xlabel={_dot_id('ending: ' + b.outcome)}"]
        if b.start:
            attrs += [f'color="{START_COLOUR}"', "penwidth=3"]
        if not b.reachable:
            attrs.append('style="rounded,filled,dashed"')
        out.append(f"  {_dot_id(b.node)} [{', '.join(attrs)}];")
    for e in p.edges:
        style = {"action": "dashed", "silence": "dotted"}.get(e.kind, "solid")
        out.append(f"  {_dot_id(e.source)} -> {_dot_id(e.target)} [label={_dot_id(e.label)}, "
                   f'color="{EDGE_COLOURS[e.kind]}", fontcolor="{EDGE_COLOURS[e.kind]}", style={style}];')
    out.append("}")
    return "\n".join(out) + "\n"
