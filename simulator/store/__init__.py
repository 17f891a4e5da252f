"""Session records: SQLite store, bundles, reports, exports and xAPI."""

from .database import COMPLETED, ENDED_BY_TRAINEE, IN_PROGRESS, INTERRUPTED, Store
from .location import data_dir
from .queries import Filter, find_session, list_sessions, load_session
from .records import Override, SessionRecord, SessionSummary

__all__ = ["COMPLETED", "ENDED_BY_TRAINEE", "IN_PROGRESS", "INTERRUPTED", "Filter", "Override", "SessionRecord",
           "SessionSummary", "Store", "data_dir", "find_session", "list_sessions", "load_session"]
