"""The conversation engine: a session steps through a scenario and emits events."""

from .events import CustomerSpoke, Event, SessionEnded, SessionScored, TurnRecorded
from .session import Session
from .turn import BREAK, CALL_ENDED, ESCALATED, STOPPED, Ending, Turn

__all__ = ["BREAK", "CALL_ENDED", "ESCALATED", "STOPPED", "CustomerSpoke", "Ending", "Event", "Session",
           "SessionEnded", "SessionScored", "Turn", "TurnRecorded"]
