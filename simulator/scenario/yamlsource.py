"""Reading YAML safely, remembering where every value came from.

PyYAML's composer gives nodes with positions; we build plain Python values
from them ourselves so that every key and list item keeps its line and
column for error messages, duplicate keys are caught instead of silently
overwritten, and a hostile file (huge, deeply nested, an alias bomb, a
Python tag) is refused quickly instead of hanging or executing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Problem, ScenarioError

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000  # values built, counting each alias expansion
MAX_DEPTH = 60

Path_ = tuple  # a path into the data: keys and list indices


class _Loader(yaml.SafeLoader):
    """YAML 1.2-style scalars: only true/false are booleans.

    Under YAML 1.1 `on`, `off`, `yes` and `no` are booleans, which turns the
    `on:` key into True and a customer line "No" into False.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}

_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class Located:
    """Parsed YAML data with the position of every key and item."""

    data: object
    file: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

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
        return Problem(self.file, line, col, message, hint, severity)


def read_yaml(path: str | Path) -> Located:
    """Read and parse a YAML file; raises ScenarioError naming the place."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(name, [Problem(name, 0, 0,
                f"file is {size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB",
                "split it into smaller scenarios")])
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(name, [Problem(name, 0, 0, f"cannot read the file: {exc.strerror or exc}",
                                           "check the path and its permissions")]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes | str, name: str) -> Located:
    """Parse YAML text; every failure becomes a ScenarioError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(name, [Problem(name, 0, 0, "file is too large",
                                               f"the limit is {MAX_FILE_BYTES // 1024} KiB")])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ScenarioError(name, [Problem(name, line, 0, "the file is not UTF-8 text",
                                               "save it as UTF-8 in your editor")]) from None
    else:
        text = raw
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError(name, [Problem(name, line, col, f"YAML syntax: {what}", _syntax_hint(what))]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(name, [Problem(name, 0, 0, f"YAML syntax: {exc}", "check the file's indentation and quotes")]) from None
    except RecursionError:
        raise ScenarioError(name, [Problem(name, 0, 0, "the file is nested too deeply",
                                           f"keep nesting under {MAX_DEPTH} levels")]) from None
    located = Located(None, name)
    if root is None:
        return located
    builder = _Builder(located)
    located.data = builder.build(root, (), 0)
    if builder.problems:
        raise ScenarioError(name, builder.problems)
    return located


def _syntax_hint(what: str) -> str:
    if "tab" in what or "\\t" in what or "\t" in what:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return "a line has a second ':'; put text containing ': ' in quotes"
    if "could not find expected ':'" in what:
        return "a key is missing its ':' or a quote is not closed"
    return "check the indentation and quotes on and just above this line"


class _TooBig(Exception):
    pass


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, with limits."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.count = 0
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path_, depth: int) -> object:
        try:
            return self._build(node, path, depth)
        except _TooBig as exc:
            self.problems = [Problem(self.located.file, 0, 0, str(exc),
                                     "remove repeated aliases (*name) or deep nesting")]
            return None

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _build(self, node: yaml.Node, path: Path_, depth: int) -> object:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(f"the file expands to more than {MAX_VALUES} values (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"the file is nested more than {MAX_DEPTH} levels deep")
        self.located.positions.setdefault(path, self._mark(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self._bad_tag(node)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict:
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            line, col = self._mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.located.file, line, col, "a key must be a plain word",
                                             "remove the brackets or '?' before this key"))
                continue
            key = key_node.value
            if key == "<<":
                self.problems.append(Problem(self.located.file, line, col, "merge keys ('<<') are not supported",
                                             "write the keys out, or use an alias for the whole value"))
                continue
            if key in out:
                first = self.located.positions.get(path + (key,), (0, 0))[0]
                self.problems.append(Problem(self.located.file, line, col, f"'{key}' is defined twice (first on line {first})",
                                             "rename or remove one of them; only one can be used"))
                continue
            self.located.positions[path + (key,)] = (line, col)
            out[key] = self._build(value_node, path + (key,), depth + 1)
        return out

    def _bad_tag(self, node: yaml.Node) -> None:
        line, col = self._mark(node)
        self.problems.append(Problem(self.located.file, line, col, f"the tag '{node.tag}' is not allowed",
                                     "remove the '!' tag; scenario files hold plain text, numbers and lists"))

    def _scalar(self, node: yaml.ScalarNode) -> object:
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node)
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value
