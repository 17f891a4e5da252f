"""One exception family for everything a user can cause and fix.

Each error carries what happened and what to do next, and where a file is
involved, the file, line and column, so the CLI and the app can show it
without knowing where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a place in it."""

    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    message: str
    hint: str = ""
    severity: str = "error"  # "error" stops loading; "warning" does not

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class SimulatorError(Exception):
    """Base of every error the product reports to a user."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ScenarioError(SimulatorError):
    """A scenario or criteria file cannot be used; lists every problem found."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        count = sum(p.severity == "error" for p in problems)
        super().__init__(
            f"{self.path}: {count} problem{'s' if count != 1 else ''} found",
            "fix the lines named below, then run `simulator validate` again",
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class EngineError(SimulatorError):
    """The conversation was asked to do something its state does not allow."""
