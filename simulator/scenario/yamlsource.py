"""Reading YAML safely, remembering where every value came from.

Values are built from the parser's events ourselves (yamlbuild) so that every
key and list item keeps its line and column for error messages, duplicate
keys are caught instead of silently overwritten, and a hostile file (huge,
deeply nested, an alias bomb, a Python tag, a named pipe) is refused quickly
instead of hanging or executing anything. Each file is read and parsed once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Problem, ScenarioError
from ..files import UnreadableFile, read_regular_file
from . import yamlsyntax
from .visible import code, shown
from .yamlbuild import Builder, TooMuch

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML without libyaml: the same events, more slowly
    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

MAX_FILE_BYTES = 1024 * 1024  # the largest shipped file is 30 KB; a 900 KB scenario loads in under 2 s

Path_ = tuple  # a path into the data: keys and list indices

# What YAML allows in a file; anything else (NUL, ESC, ...) is refused by the parser with only an offset.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Located:
    """Parsed YAML data with the position of every key and item."""

    data: object
    file: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    sha256: str = ""  # of the bytes parsed, when they came from a file: what exactly was loaded

    def where(self, path: Path_) -> tuple[int, int]:
        """Line and column of the deepest known part of `path`."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: Path_, message: str, hint: str = "", severity: str = "error") -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, shown(message), shown(hint), severity)


def read_yaml(path: str | Path, what: str = "scenario file") -> Located:
    """Read and parse a YAML file; raises ScenarioError naming the place."""
    name = str(path)
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES, what)
    except UnreadableFile as exc:
        raise ScenarioError(name, [Problem(name, 0, 0, f"cannot read the file: {exc.reason}", exc.hint)]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes | str, name: str) -> Located:
    """Parse YAML text; every failure becomes a ScenarioError."""
    digest = ""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(name, [Problem(name, 0, 0, f"the file is over the {MAX_FILE_BYTES // 1024:,} KB limit",
                                               "split it into smaller files")])
        digest = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ScenarioError(name, [Problem(name, line, 0, "the file is not UTF-8 text",
                                               "save it as UTF-8 in your editor")]) from None
    else:
        text = raw.removeprefix("\ufeff")
    _refuse_characters(text, name)
    located = Located(None, name, sha256=digest)
    builder = Builder(name, located.positions)
    parser = _Parser(text)
    try:
        located.data = builder.build(parser.get_event)
    except TooMuch as exc:
        raise ScenarioError(name, [Problem(name, *exc.place, exc.message, exc.hint)]) from None
    except yaml.MarkedYAMLError as exc:
        said = yamlsyntax.explain(exc, text)
        raise ScenarioError(name, [Problem(name, said.line, said.column, said.message, said.hint)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(name, [Problem(name, 0, 0, f"YAML syntax: {shown(str(exc))}",
                                           "check the file's indentation and quotes")]) from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    if builder.problems:
        raise ScenarioError(name, builder.problems)
    return located


def _refuse_characters(text: str, name: str) -> None:
    """A character YAML does not allow, named with its line and column (the parser gives an offset only)."""
    found = _NOT_YAML.search(text)
    if found is None:
        return
    at = found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    raise ScenarioError(name, [Problem(name, line, column, f"{code(found.group())} is not allowed in a YAML file",
                                       "delete it: most editors do not show it (it often comes with pasted text)")])
