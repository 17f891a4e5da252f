"""The conversation engine: a session steps through a scenario and emits events."""

from .events import CustomerSpoke, Event, SessionEnded, SessionScored, TurnRecorded
from .session import Session
from .turn import CALL_ENDED, ESCALATED, STOPPED, Ending, Turn

__all__ = ["CALL_ENDED", "ESCALATED", "STOPPED", "CustomerSpoke", "Ending", "Event", "Session",
           "SessionEnded", "SessionScored", "Turn", "TurnRecorded"]
