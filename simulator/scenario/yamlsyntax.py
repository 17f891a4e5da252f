"""The YAML parser's complaints in a coach's words, with the fix.

The parser speaks of tokens ("expected <block end>, but found '<block mapping
start>'", "did not find expected key"); a coach needs to hear that a line is
indented differently from the ones above it, and where to move it. libyaml and
PyYAML word the same mistakes differently, so both wordings are matched here.
The place kept is the parser's, except where another one is where the fix goes
(the quote or bracket never closed, the key without its ':').
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .visible import shown


@dataclass(frozen=True)
class Said:
    """One syntax mistake, placed and explained."""

    line: int
    column: int
    message: str
    hint: str


def explain(exc: yaml.MarkedYAMLError, text: str) -> Said:
    """What went wrong at `exc`'s place in `text`, and how to fix it."""
    problem, context = exc.problem or "", exc.context or ""
    at = _place(exc.problem_mark or exc.context_mark)
    opened = _place(exc.context_mark) if exc.context_mark else at
    lines = text.split("\n")
    char = _char(lines, *at)
    if char == "\t" or "'\\t'" in problem or "tab character" in problem:
        return Said(*at, "a tab is used for indentation", "indent with spaces, not tabs")
    if "quoted scalar" in context:
        return Said(*opened, f"the quote opened on line {opened[0]} is never closed",
                    "add the closing quote at the end of the text; inside '...' write '' for an apostrophe")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        return Said(*opened, f"the '{bracket}' opened on line {opened[0]} is never closed",
                    f"close it with '{']' if bracket == '[' else '}'}' on the same line, and quote items that hold ',' or ':'")
    if "simple key" in context and "':'" in problem:
        return Said(*opened, "this line is not 'key: value' and does not continue the text above",
                    "add ':' after the key, or indent it under the key whose text it continues")
    if "mapping values are not allowed" in problem:
        return _colon(lines, at)
    if "cannot start any token" in problem:
        return Said(*at, f"a value cannot start with '{shown(char)}'",
                    f"put the whole value in quotes: \"{shown(char)}...\"")
    if "tag handle" in problem:
        return Said(*at, "'!' at the start of a value marks a YAML tag", "put the whole value in quotes")
    if "block collection" in context:
        return Said(*at, f"this line is inside the list that starts on line {opened[0]} but does not start with '- '",
                    f"start it with '- ' at column {opened[1]} for a new item, or move it to column {opened[1] + 2} to line it up with the item's keys")
    if "block mapping" in context:
        return _stray(lines, at, opened)
    return Said(*at, f"YAML cannot read this: {_plain(problem or context)}",
                "check the indentation and quotes on and just above this line")


def _colon(lines: list[str], at: tuple[int, int]) -> Said:
    """A ':' the parser did not expect: inside a value, or on a line indented under a plain value."""
    line, column = at
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    if re.match(r"\s*(- )?[^\s:#][^:]*:\s", before):
        return Said(line, column, "a second ': ' on this line",
                    "put the text after the first ': ' in quotes, as in say: \"Hello: ...\"")
    indent = len(before) - len(before.lstrip(" "))
    above, _ = _indent_above(lines, line)
    return Said(line, indent + 1, f"this line is indented more than the line above (column {indent + 1}, not {above + 1})",
                f"move it left to column {above + 1} to line it up with the key above, or quote the text above if it continues it")


def _stray(lines: list[str], at: tuple[int, int], opened: tuple[int, int]) -> Said:
    """Something where the next key of a block was expected."""
    line, column = at
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = len(text) - len(text.lstrip(" "))
    if column - 1 > indent:  # mid-line: something after a complete value
        after_quote = text[: column - 1].rstrip()[-1:] in "\"'"
        opened_at = _quote_opened(lines, line, column) if after_quote else None
        if opened_at is not None and opened_at[0] < line:
            # A quote left open runs on over the lines below to the next quote mark: the fix is where it opened.
            return Said(*opened_at, f"the quote opened on line {opened_at[0]} is not closed on that line (it runs on "
                        f"to line {line})", "add the closing quote at the end of the text on this line; inside "
                        "'...' write '' for an apostrophe")
        return Said(line, column, "more text after the value's closing quote" if after_quote else "more text after a complete value",
                    "put the whole value in quotes, or move the rest to a line of its own")
    if text[indent:].startswith("- "):
        return Said(line, column, "a list item where a key was expected",
                    "indent the list under the key it belongs to, or add 'key:' above it")
    above, above_line = _indent_above(lines, line)
    key = lines[above_line - 2] if above_line >= 2 else ""
    key_indent = len(key) - len(key.lstrip(" "))
    after = lines[line] if line < len(lines) else ""
    agree = after.strip() and len(after) - len(after.lstrip(" ")) == column - 1  # the line after lines up with this
    if agree and re.match(r"\s*(- )?[^\s:#][^:]*:\s*(#.*)?$", key) and key_indent < column - 1 < above:
        # The first line under a key is deeper than the two after it: that line is the one out of step (a tester
        # indented line 19 and was pointed at line 20).
        return Said(above_line, above + 1, f"this line is indented deeper (column {above + 1}) than the line after it "
                    f"(column {column}), both under '{key.strip().rstrip(':')}' on line {above_line - 1}",
                    f"move this line to column {column}, in line with the line after it; indent with spaces")
    return Said(line, column, f"this line's indentation (column {column}) matches neither line {above_line} above it "
                f"(column {above + 1}) nor the start of its block on line {opened[0]} (column {opened[1]})",
                f"give lines {above_line} and {line} the same indentation if they belong together, "
                f"or move this line to column {opened[1]}; indent with spaces")


def _quote_opened(lines: list[str], line: int, column: int) -> tuple[int, int] | None:
    """Where the quoted value that ends just before (line, column) began, from the tokens read before it."""
    start = None
    try:
        for token in yaml.scan("\n".join(lines)):
            if token.start_mark.line + 1 > line or (token.start_mark.line + 1 == line and token.start_mark.column + 1 >= column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                start = _place(token.start_mark)
    except yaml.YAMLError:
        pass
    return start


def _indent_above(lines: list[str], line: int) -> tuple[int, int]:
    """Spaces before the nearest line above with something on it, and that line's number."""
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            return len(text) - len(text.lstrip(" ")), number
    return 0, 1


def _place(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (0, 0)


def _char(lines: list[str], line: int, column: int) -> str:
    if 0 < line <= len(lines) and 0 < column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _plain(what: str) -> str:
    """The parser's own words without its token names, for a mistake not matched above."""
    return shown(re.sub(r"'?<([a-z ]+)>'?", lambda m: m.group(1).replace("block ", ""), what))
