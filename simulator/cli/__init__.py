"""The `simulator` command: the same core as the app, from a terminal."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys

from .. import __version__
from ..errors import ScenarioError, SimulatorError
from . import (assignments, checktests, classify, desktop, graph, library, lrsout, plan, play, rescore, schema,
               sessions, speechcmds, train, validate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simulator",
        description="Practise difficult customer conversations, offline. "
                    "With no command, the desktop app opens (or, with no screen, a menu in the terminal).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where session records are kept (default: $SIMULATOR_DATA_DIR, the settings, "
                             "or the user data folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    desktop.add_parser(sub)
    validate.add_parser(sub)
    play.add_parser(sub)
    library.add_parser(sub)
    checktests.add_parser(sub)
    schema.add_parser(sub)
    graph.add_parser(sub)
    classify.add_parser(sub)
    train.add_parser(sub)
    rescore.add_parser(sub)
    sessions.add_parser(sub)
    lrsout.add_parser(sub)
    plan.add_parser(sub)
    assignments.add_parser(sub)
    speechcmds.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a built app starts the recogniser's process through this same entry point
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return desktop.open_default(args)
        return args.run(args)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    except SimulatorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
