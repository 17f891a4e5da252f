"""Which YAML files the paths a user gave stand for.

A folder that cannot be read is a problem to report, not an empty folder:
"no scenario files found" for a folder one may not open sends a coach
looking in the wrong place.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem
from ..files import explain

SUFFIXES = (".yaml", ".yml")


def find_yaml(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files named, and the YAML files under folders named; a problem for each folder that cannot be read.

    A named path that is not a folder is passed on as it is, even if missing: reading it says what is wrong.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        if _is_folder(p):
            found += _under(p, problems)
        else:
            found.append(p)
    return found, problems


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _under(folder: Path, problems: list[Problem]) -> list[Path]:
    def unreadable(exc: OSError) -> None:
        reason, hint = explain(exc)
        where = exc.filename or folder
        problems.append(Problem(str(where), 0, 0, f"cannot read the folder: {reason}", hint))

    files = []
    for root, _dirs, names in os.walk(folder, onerror=unreadable):
        files += (Path(root) / n for n in names if n.endswith(SUFFIXES) and not _dangling(Path(root) / n))
    return sorted(files)


def _dangling(path: Path) -> bool:
    """A link to nothing, such as an editor's lock file (.#name.yaml): not a file anyone meant."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # a symlink loop or a file one may not read: reading it will say so
    return False
