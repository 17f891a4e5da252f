"""Driving a session from written replies: `play --replies` and scenario tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import EngineError
from ..scenario import COMMANDS, split_command
from .session import FINAL_ACTIONS, Session


@dataclass(frozen=True)
class Step:
    kind: str  # reply | action | silence | stop
    value: str = ""
    words: str = ""  # said with the control: "/end ok, it's cancelled, goodbye", as words left in the app's box


def parse_step(line: str) -> Step:
    """One line a trainee typed: a reply, or /end /escalate /hold /flag /silence /stop (/end and /escalate may
    carry words said on the way out, as words left in the app's reply box are)."""
    text = line.strip()
    if not text:
        return Step("silence")
    if text.startswith("/"):
        word, words = split_command(text)
        if word == "stop":
            return Step("stop")
        if word in COMMANDS:
            action = COMMANDS[word]
            if action is None and words:
                raise EngineError(f"'{text}': /silence says nothing", "put the words on a line of their own")
            return Step("action", action, words) if action else Step("silence")
        raise EngineError(f"'{text}' is not a call control",
                          "use /end, /escalate, /hold, /flag, /silence or /stop; start a reply with a space to say it as text")
    return Step("reply", text)


def apply(session: Session, step: Step) -> None:
    if step.kind == "reply":
        session.reply(step.value)
    elif step.kind == "action" and step.words and step.value in FINAL_ACTIONS:
        session.leave(step.value, step.words)
    elif step.kind == "action":
        if step.words:  # "/hold one moment": the words are said, then the control used
            session.reply(step.words)
            if session.finished:
                return
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
