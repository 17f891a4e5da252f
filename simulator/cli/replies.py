"""The replies of `play --replies`: one reply or /action a line.

A file is read and checked whole before any session begins, so a file that
cannot be played leaves no session behind. Standard input is taken line by
line as it arrives, so each reply is kept the moment it is played, as in
interactive play; a bad line there can only be found when it comes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.script import Step, parse_step
from ..errors import EngineError, SimulatorError
from ..files import read_regular_file

STDIN = "standard input"
TEXT_HINT = "give UTF-8 text, one reply or /action per line"
MAX_REPLIES_BYTES = 16 * 1024 * 1024
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Line:
    number: int
    raw: bytes

    @property
    def shown(self) -> str:
        """The line as text, for saying it was not played; never fails."""
        return self.raw.decode("utf-8", "replace").strip()


def step_of(line: Line, where: str) -> Step | None:
    """What the line asks the session to do; None for a comment. Raises, naming the line, when it cannot be played."""
    if b"\x00" in line.raw or (line.number == 1 and line.raw.startswith(UTF16_BOMS)):
        raise _utf16(f"{where}:{line.number}")
    try:
        text = line.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SimulatorError(f"{where}:{line.number}:{exc.start + 1}: this is not UTF-8 text", TEXT_HINT) from None
    if line.number == 1:
        text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark, as some editors write
    if text.lstrip().startswith("#"):
        return None
    try:
        return parse_step(text)
    except EngineError as exc:
        raise SimulatorError(f"{where}:{line.number}: {exc.message}", exc.hint) from None


def read_file(path: Path) -> list[Line]:
    """Every line of a replies file, each checked; all the problems are reported together."""
    data = read_regular_file(path, MAX_REPLIES_BYTES, "replies file")  # a named pipe or a device is refused at once
    if b"\x00" in data or data.startswith(UTF16_BOMS):
        raise _utf16(str(path))
    lines = [Line(n, raw) for n, raw in enumerate(data.splitlines(), 1)]
    problems = []
    for line in lines:
        try:
            step_of(line, str(path))
        except SimulatorError as exc:
            problems.append(exc)
    if problems:
        raise SimulatorError("\n".join(p.message for p in problems), problems[0].hint)
    return lines


def stream_stdin() -> Iterator[Line]:
    """Standard input's lines as they arrive (a pipe's reader returns each line once it is complete)."""
    if sys.stdin is None:
        return
    source: Iterable[bytes] = getattr(sys.stdin, "buffer", None) or (
        text.encode("utf-8", "surrogateescape") for text in sys.stdin)
    for n, raw in enumerate(source, 1):
        yield Line(n, raw.rstrip(b"\r\n"))


def _utf16(where: str) -> SimulatorError:
    return SimulatorError(f"{where}: this looks like UTF-16 text, not UTF-8",
                          "save the replies as UTF-8 (in most editors: Save as, Encoding: UTF-8)")


def is_stdin(path: Path) -> bool:
    return str(path) == "-"
