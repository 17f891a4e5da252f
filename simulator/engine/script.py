"""Driving a session from written replies: `play --replies` and scenario tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import EngineError
from ..scenario import COMMANDS
from .session import Session


@dataclass(frozen=True)
class Step:
    kind: str  # reply | action | silence | stop
    value: str = ""


def parse_step(line: str) -> Step:
    """One line a trainee typed: a reply, or /end /escalate /hold /flag /silence /stop."""
    text = line.strip()
    if not text:
        return Step("silence")
    if text.startswith("/"):
        word = text[1:].split()[0].lower() if len(text) > 1 else ""
        if word == "stop":
            return Step("stop")
        if word in COMMANDS:
            action = COMMANDS[word]
            return Step("action", action) if action else Step("silence")
        raise EngineError(f"'{text}' is not a call control",
                          "use /end, /escalate, /hold, /flag, /silence or /stop; start a reply with a space to say it as text")
    return Step("reply", text)


def apply(session: Session, step: Step) -> None:
    if step.kind == "reply":
        session.reply(step.value)
    elif step.kind == "action":
        session.act(step.value)
    elif step.kind == "silence":
        session.silence()
    else:
        session.stop()


def run_script(session: Session, lines: Iterable[str]) -> list[str]:
    """Start the session and play the lines; returns the lines left once it ended."""
    steps = [parse_step(line) for line in lines]
    if not session.started:
        session.start()
    for i, step in enumerate(steps):
        if session.finished:
            return [s.value or f"/{s.kind}" for s in steps[i:]]
        apply(session, step)
    return []
