"""What a session tells its listeners (the terminal, the app, the store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .turn import Ending, Turn


@dataclass(frozen=True)
class CustomerSpoke:
    """The customer says a line: show it as a caption and speak it."""

    turn: Turn
    mood: str


@dataclass(frozen=True)
class TurnRecorded:
    """Any turn, customer or trainee, is final and should be kept."""

    turn: Turn


@dataclass(frozen=True)
class SessionEnded:
    ending: Ending


@dataclass(frozen=True)
class SessionScored:
    result: Any  # scoring.Result; typed loosely to keep the engine below scoring's details


Event = CustomerSpoke | TurnRecorded | SessionEnded | SessionScored
