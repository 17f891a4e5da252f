"""Who may see what in review mode: with a review passphrase in the policy, only the person's own sessions
until it is given."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

from ...access import check_passphrase
from ..astyped import plain


class PassphraseGate(QObject):
    widened = Signal()  # every trainee's sessions may now be shown

    def __init__(self, window, trainee: str, ask: bool) -> None:
        super().__init__(window)
        self._window = window
        self.label = plain(QLabel())  # a trainee's name
        self.stored = window.policy.review_passphrase if window.policy else None
        self.ask_first = bool(self.stored) and ask
        if self.stored:
            window.sessions.lock_to(trainee)
        self._describe()

    def unlock(self, passphrase: str | None = None) -> bool:
        """Ask for the review passphrase (or take it, in tests); right: every trainee's sessions are shown."""
        window = self._window
        if not self.stored:
            return True
        if passphrase is None:
            passphrase, ok = QInputDialog.getText(window, "Review passphrase",
                                                  "Your organisation asks for the review passphrase before "
                                                  "showing other trainees' sessions.", QLineEdit.Password)
            if not ok:
                window.notices.add("Showing only your own sessions. Review → Show all trainees asks for the "
                                   "passphrase again.")
                return False
        if not check_passphrase(passphrase, self.stored):
            window.notices.add("That is not the review passphrase, so only your own sessions are shown. Ask your "
                               "training lead for it; Review → Show all trainees tries again.")
            return False
        window.sessions.lock_to(None)
        self._describe()
        self.widened.emit()
        return True

    def _describe(self) -> None:
        mine = self._window.sessions.locked_to
        self.label.setText(f"Showing only {mine or 'your'}'s sessions" if mine is not None else "All trainees")
