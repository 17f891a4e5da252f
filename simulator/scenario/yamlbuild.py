"""Plain values from YAML parse events, each key and item with its place, within limits.

Built from events, not from PyYAML's node graph: composing nodes and
resolving each scalar through the resolver's method chain made a 900 KB
scenario take seconds. An alias is the anchored value itself, shared and
never copied, so an alias bomb costs no memory; what it would expand to is
still counted, because everything after loading walks the data expanded.
"""

from __future__ import annotations

import re

import yaml
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.nodes import ScalarNode

from ..errors import Problem
from .visible import hidden, naming, shown

MAX_ALIASED = 50_000  # values reached again through aliases
MAX_DEPTH = 60

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_SCALAR_TAGS = {_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", _BOOL, "tag:yaml.org,2002:null"}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# YAML 1.2-style plain scalars: only true/false are booleans (under YAML 1.1 the key `on` is True and a
# customer's line "No" is False), no timestamps, and '=' and '<<' are text like any other word.
_IMPLICIT: dict[str, list[tuple[str, re.Pattern]]] = {}
for _first, _resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
    _IMPLICIT[_first] = [(tag, rx) for tag, rx in _resolvers if tag in _SCALAR_TAGS and tag != _BOOL]
for _first in "tTfF":
    _IMPLICIT.setdefault(_first, []).append((_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


class TooMuch(Exception):
    """The file would expand past a limit; building stops at once."""

    def __init__(self, message: str, hint: str, mark) -> None:
        super().__init__(message)
        self.message, self.hint, self.place = message, hint, _place(mark)


class _Pending:
    """An anchor whose value is still being built: an alias to it refers to itself."""


_PENDING = _Pending()
_SKIP = object()  # a mapping's next value belongs to a key that was refused


class _Frame:
    __slots__ = ("value", "path", "mark", "anchor", "size", "key", "keep")

    def __init__(self, value, path, mark, anchor, keep) -> None:
        self.value, self.path, self.mark, self.anchor, self.keep = value, path, mark, anchor, keep
        self.size = 1
        self.key = None  # in a mapping: the key whose value comes next


class Builder:
    """Consumes one document's events; `problems` lists what was refused."""

    def __init__(self, file: str, positions: dict) -> None:
        self.file = file
        self.positions = positions
        self.problems: list[Problem] = []
        self.anchors: dict[str, object] = {}
        self.aliased = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, next_event) -> object:
        """The document's value (None when empty); raises TooMuch past a limit."""
        stack: list[_Frame] = []
        root = None
        documents = 0
        while True:
            event = next_event()
            kind = type(event)
            mark = event.start_mark
            if kind is ScalarEvent:
                if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
                    self._key(stack[-1], event)
                    continue
                value, size = self._scalar(event), 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                stack.append(self._open(event, stack))
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                value, size, mark = frame.value if frame.keep else None, frame.size, frame.mark
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (value, size)
            elif kind is AliasEvent:
                if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
                    self._refuse(mark, "a key must be a plain word", "write the key out instead of an alias")
                value, size = self._alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._refuse(event.start_mark, "the file holds more than one YAML document (a second '---')",
                                 "remove the '---' line, or put each document in a file of its own")
                    return root
                continue
            elif kind is StreamEndEvent:
                return root
            else:
                continue
            if not stack:
                root = value
                self.positions.setdefault((), _place(mark))
            else:
                self._add(stack[-1], value, size, mark)

    def _open(self, event, stack: list[_Frame]) -> _Frame:
        if len(stack) >= MAX_DEPTH:
            raise TooMuch(f"the file is nested more than {MAX_DEPTH} levels deep",
                          f"keep nesting under {MAX_DEPTH} levels", event.start_mark)
        keep = event.tag in _COLLECTION_TAGS
        if not keep:
            self._bad_tag(event)
        parent = stack[-1] if stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            self._refuse(event.start_mark, "a key must be a plain word", "remove the brackets or '?' before this key")
            keep = False
        path = self._path_of_next(parent)
        if event.anchor is not None:
            self.anchors[event.anchor] = _PENDING
        value = {} if isinstance(event, MappingStartEvent) else []
        return _Frame(value, path, event.start_mark, event.anchor, keep)

    def _path_of_next(self, parent: _Frame | None) -> tuple:
        if parent is None:
            return ()
        if isinstance(parent.value, list):
            return parent.path + (len(parent.value),)
        return parent.path + (parent.key,)

    def _add(self, parent: _Frame, value, size: int, mark) -> None:
        """Put a finished value into its mapping or list."""
        parent.size += size
        if isinstance(parent.value, list):
            self.positions.setdefault(parent.path + (len(parent.value),), _place(mark))
            parent.value.append(value)
            return
        if parent.key is None:  # a collection or alias used as a key, already refused
            parent.key = _SKIP
            return
        if parent.key is not _SKIP:
            parent.value[parent.key] = value
        parent.key = None

    def _key(self, mapping: _Frame, event: ScalarEvent) -> None:
        key, mark = event.value, event.start_mark
        mapping.key = _SKIP
        if key == "<<" and event.implicit[0]:
            self._refuse(mark, "merge keys ('<<') are not supported",
                         "write the keys out, or use an alias for the whole value")
        elif key in mapping.value:
            first = self.positions.get(mapping.path + (key,), (0, 0))[0]
            self._refuse(mark, f"'{shown(key)}' is defined twice (first on line {first})",
                         "rename or remove one of them; only one can be used")
        elif bad := hidden(key):
            self._refuse(mark, f"the key '{shown(key)}' holds {naming(bad)}, which cannot be seen",
                         "retype the key using only characters that show")
        else:
            mapping.key = key
            self.positions[mapping.path + (key,)] = _place(mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = (key, 1)

    def _scalar(self, event: ScalarEvent) -> object:
        value, tag = event.value, event.tag
        if tag is None or tag == "!":
            tag = _resolve(value) if event.implicit[0] else _STR
        if tag == _STR:
            result = value
        elif tag in _SCALAR_TAGS:
            try:
                node = ScalarNode(tag, value, event.start_mark, event.end_mark)
                result = self.constructor.yaml_constructors[tag](self.constructor, node)
            except (yaml.YAMLError, ValueError, OverflowError):
                result = value
        else:
            self._bad_tag(event)
            result = None
        if event.anchor is not None:
            self.anchors[event.anchor] = (result, 1)
        return result

    def _alias(self, event: AliasEvent) -> tuple[object, int]:
        name = event.anchor
        anchored = self.anchors.get(name)
        if anchored is None:
            self._refuse(event.start_mark, f"the alias '*{name}' is used before any '&{name}' names a value",
                         f"put '&{name}' on a value above this line, or write the value out here")
            return None, 1
        if anchored is _PENDING:
            self._refuse(event.start_mark, f"the alias '*{name}' refers to itself: it is used inside the value that '&{name}' names",
                         "use the alias after that value ends, or write the value out here")
            return None, 1
        value, size = anchored
        self.aliased += size
        if self.aliased > MAX_ALIASED:
            raise TooMuch(f"aliases (*name) expand to more than {MAX_ALIASED} values (an alias bomb?)",
                          "write the values out, or use fewer aliases of aliases", event.start_mark)
        return value, size

    def _bad_tag(self, event) -> None:
        self._refuse(event.start_mark, f"the tag '{shown(event.tag)}' is not allowed",
                     "remove the '!' tag; scenario files hold plain text, numbers and lists")

    def _refuse(self, mark, message: str, hint: str) -> None:
        self.problems.append(Problem(self.file, *_place(mark), message, hint))


def _resolve(value: str) -> str:
    for tag, rx in _IMPLICIT.get(value[:1], ()):
        if rx.match(value):
            return tag
    return _STR


def _place(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1
