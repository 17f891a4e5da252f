"""When a trainee's quiet counts as silence, and when they are asked "still there?" first.

Plain Python with the time passed in: the voice loop asks `check` on every
tick and records a silence when it says so; whoever sees the trainee (the
window) tells the clock they are typing or that a dialog is in front.

- The wait is the scenario's `silence_after_s` for speech. Typing is slower
  than speaking: a typed session, and a trainee who has just pressed a key,
  get at least TYPED_SILENCE_S. Every keystroke starts the wait again.
- Words in the reply box not sent yet are an answer on its way, not silence:
  the wait is DRAFT_FACTOR times as long, from the last keystroke, and the
  question first asks them to press Enter. A draft left alone that long
  counts, so the feature still works for a trainee who walked away.
- A dialog or another window of the app in front of the call (settings,
  review mode, a file dialog) stops the clock, and no one is asked; back at
  the call it goes on from where it stopped, but never past the question:
  "still there?" always comes before a silence counts.
"""

from __future__ import annotations

import threading
from typing import Literal

TYPED_SILENCE_S = 30.0  # the least wait before a typed reply's silence counts (a scenario's is set for speech)
STILL_THERE_AT = 0.6  # of the wait: when the trainee is asked, gently, whether they are still there
DRAFT_FACTOR = 2.0  # words waiting in the reply box: the wait is this many times as long

Quiet = Literal["waiting", "asking", "silent"]


class SilenceClock:
    """The trainee's quiet since their last sign of life, less the time something of the app was in front of the
    call. Safe to tell from several threads (the microphone, the speaker and the loop all restart it)."""

    def __init__(self, now: float) -> None:
        self._lock = threading.Lock()
        self._since = now  # when the quiet began, moved on by the time spent covered
        self._covered_at: float | None = None
        self._returned = False  # back from a dialog: the next check keeps the clock short of a silence
        self._keyed = False  # a key was pressed since the last other sign of life
        self.draft = False  # the reply box holds words not sent yet

    def restart(self, now: float) -> None:
        """A sign of life: the customer finished a line, the trainee answered, spoke or used a call control."""
        with self._lock:
            self._since, self._keyed = now, False
            if self._covered_at is not None:
                self._covered_at = now

    def keystroke(self, now: float, draft: bool) -> None:
        """The reply box changed; `draft`: it now holds words not sent."""
        with self._lock:
            self._since, self._keyed, self.draft = now, True, draft
            if self._covered_at is not None:
                self._covered_at = now

    def sent(self, now: float) -> None:
        """The reply box's words went to the customer."""
        self.restart(now)
        self.draft = False

    def cover(self, covered: bool, now: float) -> None:
        """A dialog or another window of the app came in front of the call (True) or went (False)."""
        with self._lock:
            if covered and self._covered_at is None:
                self._covered_at = now
            elif not covered and self._covered_at is not None:
                self._since += now - self._covered_at
                self._covered_at = None
                self._returned = True

    @property
    def covered(self) -> bool:
        return self._covered_at is not None

    def wait_s(self, speech_wait: float, typing_wait: float, typed: bool) -> float:
        """How long the quiet may last: `typed` when the session is typed (no microphone)."""
        wait = typing_wait if typed or self._keyed or self.draft else speech_wait
        return wait * DRAFT_FACTOR if self.draft else wait

    def check(self, now: float, speech_wait: float, typing_wait: float, typed: bool) -> Quiet:
        """What the quiet amounts to now. After "silent" the caller records a silence and restarts the clock."""
        wait = self.wait_s(speech_wait, typing_wait, typed)
        with self._lock:
            if self._covered_at is not None:
                return "waiting"
            if self._returned:
                self._returned = False
                self._since = max(self._since, now - wait * STILL_THERE_AT)
            quiet = now - self._since
        if quiet >= wait:
            return "silent"
        return "asking" if quiet >= wait * STILL_THERE_AT else "waiting"
