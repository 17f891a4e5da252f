"""`simulator graph`: the branch picture of a scenario, as SVG, PNG or Graphviz DOT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ScenarioError, SimulatorError
from ..scenario import find_scenario_files, load_scenario
from ..scenario.graph import layout, to_dot, to_svg
from .library import resolve

FORMATS = ("svg", "png", "dot")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "graph", help="draw a scenario's branches (SVG, PNG or DOT)",
        description="Draw the conversation as a picture: each node with the customer's first line, each transition "
                    "labelled with the criteria, call control or silence that takes it, endings coloured by outcome "
                    "(good green, mixed orange, poor red). Give a folder to draw every scenario in it.")
    p.add_argument("scenario", help="a scenario file or id, or a folder of scenarios")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="FILE.svg, FILE.png or FILE.dot (default: ID.svg here); a folder when drawing a folder")
    p.add_argument("--format", choices=FORMATS, help="when drawing a folder, or to override the file's extension")
    p.add_argument("--intensity", help="show the lines of this intensity (default: the mildest)")
    p.add_argument("--node", help="draw this node's transitions (in and out) strong, with their labels, the rest faint")
    p.set_defaults(run=run)


def write(sf, out: Path, fmt: str, intensity: str | None, node: str | None = None) -> None:
    if intensity is not None and intensity not in sf.scenario.intensity:
        raise SimulatorError(f"'{intensity}' is not an intensity of {sf.id}",
                             f"intensities are: {', '.join(sf.scenario.intensity)}")
    if node is not None and fmt == "dot":
        raise SimulatorError("--node is drawn in SVG and PNG only", "leave --node out for DOT, or draw .svg or .png")
    if node is not None and node not in sf.scenario.nodes:
        raise SimulatorError(f"'{node}' is not a node of {sf.id}", f"nodes are: {', '.join(sf.scenario.nodes)}")
    if fmt == "dot":
        out.write_text(to_dot(sf.scenario, intensity), encoding="utf-8")
    elif fmt == "png":
        from ..ui.graphview import svg_to_png  # Qt only when a PNG is asked for
        svg_to_png(to_svg(sf.scenario, intensity, node), out)
    else:
        out.write_text(to_svg(sf.scenario, intensity, node), encoding="utf-8")
    for note in layout(sf.scenario).notes:
        print(f"note: {sf.path.name}: {note}", file=sys.stderr)
    print(f"wrote {out}")


def run(args: argparse.Namespace) -> int:
    source = Path(args.scenario)
    if source.is_dir() and args.node is not None:
        raise SimulatorError("--node draws one scenario's node", "give the scenario's file or id, not a folder")
    if source.is_dir():
        fmt = args.format or "svg"
        folder = args.output or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        failed = 0
        for path in find_scenario_files([source]):
            try:
                sf = load_scenario(path)
            except ScenarioError as exc:
                print(exc, file=sys.stderr)
                failed += 1
                continue
            write(sf, folder / f"{sf.id}.{fmt}", fmt, args.intensity)
        return 1 if failed else 0
    sf = resolve(args.scenario)
    out = args.output or Path(f"{sf.id}.{args.format or 'svg'}")
    fmt = args.format or out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise SimulatorError(f"cannot draw to '{out.name}'", "end the file name with .svg, .png or .dot, or give --format")
    write(sf, out, fmt, args.intensity, args.node)
    return 0
