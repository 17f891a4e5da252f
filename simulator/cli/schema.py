"""`simulator schema`: the JSON Schema of the scenario format, for editors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scenario.schema import FILE_NAMES, KINDS, modeline, schema_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema", help="write the JSON Schema of scenario files (for VS Code and other editors)",
        description="Write the JSON Schema of a scenario file (or of a criteria library or a policy) so that an "
                    "editor completes and checks keys as you type. Put it beside your scenarios and start each "
                    "file with the line this command prints to stderr.")
    p.add_argument("kind", nargs="?", choices=sorted(KINDS), default="scenario", help="which file format (default: scenario)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write here; a folder gets the usual file name (default: standard output)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = schema_text(args.kind)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    out = args.output / FILE_NAMES[args.kind] if args.output.is_dir() else args.output
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    print(f"start each {args.kind} file with:  {modeline(args.kind).replace(FILE_NAMES[args.kind], out.name)}",
          file=sys.stderr)
    return 0
