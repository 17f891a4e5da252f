"""The live checklist during a call: what the scenario assesses, ticked as the scorer would count it met.

Off by default and remembered; offered in practice, and in assessed sessions only where the organisation's
policy allows it. The ticks come from the scorer itself over the turns so far, so an ending before the
warning is not ticked, exactly as it will not count.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ..scoring.assessed import met_so_far, what_is_assessed
from .theme import colours


class Checklist(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.RichText)
        self.setWordWrap(True)
        self.setAccessibleName("Checklist: what is assessed, ticked when met")
        self.scenario_file = self.policy = None
        self.turns: list = []
        self.items: list[tuple[str, str, str]] = []  # (dimension, item, words)
        self.met: set[tuple[str, str]] = set()

    def start(self, scenario_file, policy) -> None:
        self.scenario_file, self.policy, self.turns = scenario_file, policy, []
        self.items = [(d.dimension, i.item, i.text) for d in what_is_assessed(scenario_file, policy)
                      for i in d.items if i.kind == "do"]
        self.met = set()
        self._fill()

    def turn_recorded(self, turn) -> None:
        """Each turn as the session records it (on the GUI thread, from the session's signal)."""
        if self.scenario_file is None:
            return
        self.turns.append(turn)
        if turn.speaker == "trainee":
            self.met = met_so_far(self.scenario_file, self.turns, self.policy)
            self._fill()

    def _fill(self) -> None:
        c = colours()
        lines = []
        for dimension, item, words in self.items:
            done = (dimension, item) in self.met
            mark = f'<span style="color:{c.good.name()}">✓</span>' if done else "○"
            lines.append(f"<tr><td>{mark}&nbsp;</td><td>{escape(words)}</td></tr>")  # wrapped lines hang
        self.setText("<b>Checklist</b><table cellspacing='0' cellpadding='1'>" + "".join(lines) + "</table>")
