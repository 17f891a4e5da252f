"""`simulator sessions restore`: list the automatic backups and put one back in place of the database."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..errors import SimulatorError
from ..store import data_dir
from ..store.backup import ASIDE, EVERY, FOLDER, Backup, backups, describe, restore
from ..words import counted
from ..store.database import DB_NAME


def add_parser(cmds: argparse._SubParsersAction) -> None:
    r = cmds.add_parser("restore", help="put back an automatic backup (after damage)",
                        description="List the automatic backups of the session records, or put one back. The "
                                    f"database as it is now is moved to <data folder>/{ASIDE}, never deleted.")
    r.add_argument("backup", nargs="?", help="a backup's name from --list, or a path (default: the newest)")
    r.add_argument("--list", action="store_true", help="list the backups, newest first")
    r.add_argument("--yes", action="store_true", help="really restore (without it, only say what would happen)")
    r.set_defaults(run=run_restore)


def _local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _chosen(folder: Path, name: str | None, found: list[Backup]) -> Path:
    if name is None:
        if not found:
            raise SimulatorError(f"there are no backups in {folder / FOLDER}",
                                 f"a backup is made when the simulator opens the records, at most every "
                                 f"{EVERY / 3600:.0f} hours; a backup file from elsewhere can be given by its path")
        return found[0].path
    for b in found:
        if b.name == name:
            return b.path
    if Path(name).is_file():
        return Path(name)
    raise SimulatorError(f"no backup '{name}'", "see `simulator sessions restore --list`")


def run_restore(args: argparse.Namespace) -> int:
    folder = data_dir(args.data_dir)
    found = backups(folder)
    if args.list:
        if not found:
            print(f"no backups in {folder / FOLDER}")
            return 0
        print(f"backups of the session records in {folder}, newest first:")
        for b in found:
            print(f"  {b.name}  taken {_local(b.taken_at)}  {b.path.stat().st_size / 1e6:.1f} MB")
        return 0
    chosen = _chosen(folder, args.backup, found)
    sessions = describe(chosen)
    taken = next((f", taken {_local(b.taken_at)}" for b in found if b.path == chosen), "")
    if not args.yes:
        print(f"would restore {chosen} ({counted(sessions, 'session')}{taken}); the records as they are now would be moved "
              f"to {folder / ASIDE}, not deleted; run again with --yes to restore")
        return 0
    done = restore(folder, folder / DB_NAME, chosen)
    print(f"restored {counted(done.sessions, 'session')} from {chosen}{taken}")
    if done.set_aside:
        print(f"the records as they were are kept in {done.set_aside[0]}: sessions saved after the backup are only "
              "there (IT may be able to recover them with `sqlite3 FILE .recover`); delete it once it is no longer "
              "needed, as it holds the same people's records")
    return 0
