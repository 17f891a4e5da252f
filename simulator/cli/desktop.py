"""`simulator app` (and `simulator` with no command): the desktop app, or the terminal menu where there is no screen."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="open the desktop app (the default with no command)",
                       description="Open the desktop app.")
    p.add_argument("--self-check", action="store_true",
                   help="open the window, load the library and speech, print what was found, and close")
    p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    p.set_defaults(run=run)
    r = sub.add_parser("review", help="open the app in review mode, for managers",
                       description="Open the desktop app's review mode: sessions, overrides, progress, calibration "
                                   "and exports. If the policy sets a review passphrase, it is asked for before "
                                   "other trainees' sessions are shown.")
    r.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    r.add_argument("--self-check", action="store_true", help="open review mode, count the sessions, and close")
    r.add_argument("--hash-passphrase", action="store_true",
                   help="ask for a passphrase and print the policy line that sets it (nothing is opened)")
    r.set_defaults(run=run_review)
    a = sub.add_parser("author", help="open the scenario authoring view, for coaches",
                       description="Open a folder of scenarios in the authoring view: each file's state, its "
                                   "problems with line and fix, its branch picture, its lines in the persona's voice, "
                                   "and a panel to try it from any node. Files are checked again whenever they "
                                   "change on disk.")
    a.add_argument("folder", nargs="?", type=Path, help="the folder (default: the shipped library)")
    a.add_argument("--self-check", action="store_true", help="open, check the folder, print the result, and close")
    a.set_defaults(run=run_author)


def run_author(args: argparse.Namespace) -> int:
    from ..paths import shipped_scenarios
    from ..ui.app import run_author_window
    return run_author_window(args.folder or shipped_scenarios(), args.self_check)


def run_review(args: argparse.Namespace) -> int:
    if args.hash_passphrase:
        import getpass

        from ..access import hash_passphrase
        first = getpass.getpass("Review passphrase: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if len(first) < 8:
            print("error: use at least 8 characters\n  hint: a short sentence is easy to remember", file=sys.stderr)
            return 2
        if sys.stdin.isatty() and getpass.getpass("Again: ") != first:
            print("error: the two did not match\n  hint: run it again", file=sys.stderr)
            return 2
        print(f'review_passphrase: "{hash_passphrase(first)}"')
        print("# put this line in your organisation's policy file (see scenarios/policy.yaml)", file=sys.stderr)
        return 0
    from ..ui.app import run_app
    return run_app(args.data_dir, args.self_check, args.policy, review=True)


def has_screen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run(args: argparse.Namespace) -> int:
    from ..ui.app import run_app
    return run_app(args.data_dir, getattr(args, "self_check", False), getattr(args, "policy", None))


def open_default(args: argparse.Namespace) -> int:
    """No command: the app when there is a screen, else the terminal menu."""
    if has_screen():
        try:
            import PySide6.QtWidgets  # noqa: F401 - only to know the app can start
        except ImportError as exc:
            print(f"(the desktop app cannot start: {exc}; using the terminal)", file=sys.stderr)
        else:
            return run(args)
    elif sys.stdin.isatty():
        print("(no screen found, so the terminal version starts; `simulator --help` lists every command)")
    from .play import choose_and_play
    return choose_and_play(args)
