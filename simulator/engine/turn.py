"""What happened in a conversation, one turn at a time."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from ..scoring.detect import Match

Speaker = Literal["customer", "trainee"]
Kind = Literal["line", "reply", "action", "silence"]


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: Speaker
    kind: Kind
    node: str  # the node the conversation was at when this turn happened
    text: str = ""
    line_id: str | None = None  # customer lines: the scenario's stable line id
    source: Literal["typed", "spoken"] | None = None  # trainee replies
    action: str | None = None  # trainee call controls: end_call, escalate, hold, flag; resume (taken off hold)
    matches: tuple[Match, ...] = field(default=())
    confidence: float | None = None  # spoken replies: the recogniser's confidence
    word_confidences: tuple[float, ...] = ()  # spoken replies: one per word of text
    started_at: float = 0.0
    ended_at: float = 0.0

    @property
    def criteria(self) -> list[str]:
        return [m.criterion for m in self.matches]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["matches"] = [asdict(m) for m in self.matches]
        return {k: v for k, v in data.items() if v not in (None, (), [])}


@dataclass(frozen=True)
class Ending:
    """Where and how a session ended."""

    node: str  # an ending node of the scenario, or one of the built-in ones below
    outcome: str  # good | mixed | poor, or "stopped" when the trainee took a break
    debrief: str = ""
    reason: Literal["scenario", "end_call", "escalate", "stopped"] = "scenario"


# Built-in endings for call controls a scenario does not route itself.
CALL_ENDED = "call_ended"
ESCALATED = "escalated"
STOPPED = "stopped"

# How a break ends a call (Session.stop, and the app's Stop, which keeps the call as interrupted).
BREAK = Ending(STOPPED, "stopped", "You stopped the session. Take the time you need.", reason="stopped")
# How replies piped into the terminal's role play end it when they run out: scored as far as they went, not a break.
REPLIES_RAN_OUT = Ending(STOPPED, "stopped", "The replies ran out, so the session ended there; it is scored as far "
                         "as it went.", reason="stopped")
