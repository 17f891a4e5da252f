"""`simulator lrs`: where learning records go; and sending them after a session."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..errors import SimulatorError
from ..store import Store, data_dir
from ..store.credentials import load, save
from ..store.xapi import DEFAULT_BASE


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lrs", help="the organisation's Learning Record Store (xAPI)",
                       description="Set where xAPI statements are sent, and see what is waiting.")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = cmds.add_parser("configure", help="set the LRS address and credentials")
    c.add_argument("--endpoint", required=True, help="the LRS's xAPI address, e.g. https://lrs.example.org/xAPI")
    c.add_argument("--username", required=True)
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    c.add_argument("--activity-base", default=DEFAULT_BASE, help="the IRI your organisation uses for activities")
    c.set_defaults(run=run_configure)
    s = cmds.add_parser("status", help="where statements go and how many are waiting")
    s.set_defaults(run=run_status)


def run_configure(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("LRS password: ")
    if not password:
        raise SimulatorError("no password given", "pass it on standard input with --password-stdin")
    where = save(args.endpoint, args.username, password, args.activity_base)
    kept = "in the OS keyring" if where == "keyring" else "in a file only you can read"
    print(f"LRS set to {args.endpoint}; the password is kept {kept}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    config = load()
    print(f"LRS: {config.endpoint} as {config.username}" if config else "LRS: not configured")
    with Store(data_dir(args.data_dir)) as store:
        waiting = store.read("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0]
        sent = store.read("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")[0][0]
        last = store.read("SELECT last_error FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL LIMIT 1")
    print(f"statements sent: {sent}; waiting: {waiting}" + (f" (last error: {last[0][0]})" if last else ""))
    return 0
