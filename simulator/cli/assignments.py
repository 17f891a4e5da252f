"""`simulator assignments`: a manager makes a signed assignment bundle; a trainee imports it; both list them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from ..errors import SimulatorError
from ..printable import printable
from ..scenario.library import available
from ..settings import load_settings
from ..store import Store, data_dir
from ..store.assignments import (Assignment, import_assignment, list_assignments, make_assignment, save_assignment,
                                 write_assignment_bundle)
from ..store.bundle import organisation_key
from .library import coach_folders


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assignments", help="assignments: make one for trainees (managers), import one, list them",
                       description="An assignment is a signed file listing scenarios and a due date. A manager "
                                   "makes one and hands it out; each trainee imports it and sees it in the library.")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    mk = cmds.add_parser("make", help="make a signed assignment bundle (.simassign)")
    mk.add_argument("--title", required=True)
    mk.add_argument("--scenario", action="append", required=True, metavar="ID[:INTENSITY]",
                    help="a scenario to play (repeat for more); with :INTENSITY only that intensity counts")
    mk.add_argument("--due", required=True, type=_date, metavar="YYYY-MM-DD")
    mk.add_argument("--trainee", action="append", default=[], metavar="NAME",
                    help="who it is for (repeat for more; default: everyone who imports it)")
    mk.add_argument("--note", default="", help="a line for the trainees")
    mk.add_argument("--by", help="your name (default: your reviewer name in the app)")
    mk.add_argument("--out", type=Path, required=True, metavar="FILE")
    mk.add_argument("--key-file", help="the organisation's key file (or $SIMULATOR_ORG_KEY_FILE)")
    mk.set_defaults(run=run_make)

    im = cmds.add_parser("import", help="verify and import assignment bundles")
    im.add_argument("bundles", nargs="+", type=Path)
    im.add_argument("--key-file", help="the organisation's key file (or $SIMULATOR_ORG_KEY_FILE)")
    im.set_defaults(run=run_import)

    ls = cmds.add_parser("list", help="the assignments kept here")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)


def _date(text: str) -> float:
    try:  # due at the end of that day
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(hour=23, minute=59).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None


def scenario_items(names: list[str], scenarios) -> list[tuple[str, str | None]]:
    """`id` or `id:intensity`, each checked against the library, so an assignment never names what cannot be played."""
    by_id = {sf.id: sf for sf in scenarios}
    items = []
    for name in names:
        sid, _, level = name.partition(":")
        sf = by_id.get(sid)
        if sf is None:
            raise SimulatorError(f"no scenario with id '{printable(sid)}'", f"one of: {', '.join(sorted(by_id))}")
        if level and level not in sf.scenario.intensity:
            raise SimulatorError(f"{sid} has no intensity '{printable(level)}'",
                                 f"one of: {', '.join(sf.scenario.intensity)}")
        items.append((sid, level or None))
    return items


def run_make(args: argparse.Namespace) -> int:
    good, _ = available(coach_folders())
    by = (args.by or load_settings()[0].reviewer).strip()
    if not by:
        raise SimulatorError("whose assignment is it?", "give --by NAME (or set your reviewer name in review mode)")
    assignment = make_assignment(args.title, scenario_items(args.scenario, good), args.due, by,
                                 trainees=args.trainee, note=args.note)
    key = organisation_key(args.key_file)
    write_assignment_bundle(assignment, args.out, key)
    with Store(data_dir(args.data_dir)) as store:
        save_assignment(store, assignment, "made")  # so the manager's Team tab can follow it
    n = len(assignment.items)
    print(f"wrote {args.out}: {printable(assignment.title)}, {n} scenario{'' if n == 1 else 's'}, due "
          f"{dt.datetime.fromtimestamp(assignment.due_at):%Y-%m-%d}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    key = organisation_key(args.key_file)
    with Store(data_dir(args.data_dir)) as store:
        for path in args.bundles:
            assignment, new = import_assignment(store, path, key)
            print(f"{path}: {printable(assignment.title)}" + ("" if new else " (already here)"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with Store(data_dir(args.data_dir)) as store:
        found = list_assignments(store)
    if args.json:
        print(json.dumps([a.model_dump() for a in found], indent=2, ensure_ascii=False))
        return 0
    for a in found:
        print(_line(a))
    if not found:
        print("no assignments here; import one with `simulator assignments import FILE.simassign`")
    return 0


def _line(a: Assignment) -> str:
    who = ", ".join(a.trainees) if a.trainees else "everyone"
    what = ", ".join(i.scenario + (f":{i.intensity}" if i.intensity else "") for i in a.items)
    return printable(f"{dt.datetime.fromtimestamp(a.due_at):%Y-%m-%d}  {a.title}  (for {who}; by {a.created_by}): {what}")
