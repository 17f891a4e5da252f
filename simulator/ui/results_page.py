"""After the call: the score, a bar per dimension, each criterion with the trainee's own words, what to try next, and a kind debrief."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..engine import Ending, Turn
from ..scoring.verdict import Result, dimension_label, item_label
from .chart import DimensionChart
from .roleplay_page import turn_text

STATUS_WORDS = {"met": "Done well", "missed": "Missed", "violated": "To avoid next time"}
STATUS_MARKS = {"met": "✓", "missed": "○", "violated": "✗"}


def headline(result: Result | None, assessed: bool, stopped: bool, pass_mark: float) -> tuple[str, str]:
    if stopped:
        return ("You stopped the session", "That is completely fine. Stopping when you need to is part of "
                "looking after yourself. What you said so far is below; the score counts only that part.")
    if not assessed or result is None:
        return ("Practice run", "Practice runs are not scored or kept. Here is what you did well and what to try.")
    if result.overall >= pass_mark:
        return (f"Your score: {result.overall:.0f} / 100", "Well handled. Look at what worked so you can do it again.")
    return (f"Your score: {result.overall:.0f} / 100",
            "These conversations are hard, and every run teaches something. Look at one thing to try, then go again.")


class ResultsPage(QWidget):
    again = Signal()
    library = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.title.setAccessibleName("Overall result")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.chart = DimensionChart()
        self.verdicts = QTreeWidget()
        self.verdicts.setHeaderLabels(["What the assessor looked for", "Result"])
        self.verdicts.setAccessibleName("Each criterion, with your words as evidence")
        self.verdicts.setWordWrap(True)
        self.verdicts.setColumnWidth(0, self.fontMetrics().horizontalAdvance("M") * 34)
        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.transcript.setAccessibleName("The conversation")
        self.next_time = QLabel()
        self.next_time.setWordWrap(True)
        self.next_time.setTextFormat(Qt.RichText)
        self.next_time.setAccessibleName("What to try next time")
        self.debrief = QLabel()
        self.debrief.setWordWrap(True)
        self.debrief.setObjectName("debrief")
        self.debrief.setStyleSheet("#debrief { border: 1px solid palette(mid); padding: 8px; }")
        self.debrief.setAccessibleName("Debrief")
        self.feeling = QLabel("How are you feeling after this one?")
        self.ok_button = QPushButton("I'm &OK")
        self.break_button = QPushButton("I'd like a &break")
        self.wellbeing_reply = QLabel()
        self.wellbeing_reply.setWordWrap(True)
        self.again_button = QPushButton("&Try again")
        self.library_button = QPushButton("Back to the &library")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.chart)
        left_layout.addWidget(self.verdicts, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.transcript)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        feeling = QHBoxLayout()
        feeling.addWidget(self.feeling)
        feeling.addWidget(self.ok_button)
        feeling.addWidget(self.break_button)
        feeling.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.addWidget(self.next_time)
        lower_layout.addWidget(self.debrief)
        lower_layout.addLayout(feeling)
        lower_layout.addWidget(self.wellbeing_reply)
        scroll = QScrollArea()
        scroll.setWidget(lower)
        scroll.setWidgetResizable(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.library_button)
        buttons.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 3)
        layout.addWidget(scroll, 2)
        layout.addLayout(buttons)

        self.verdicts.currentItemChanged.connect(self._show_turn)
        self.again_button.clicked.connect(self.again.emit)
        self.library_button.clicked.connect(self.library.emit)
        self.ok_button.clicked.connect(lambda: self.wellbeing_reply.setText(
            "Good. When you're ready, try again or pick another scenario."))
        self.break_button.clicked.connect(lambda: self.wellbeing_reply.setText(
            "Take the time you need. Step away from the screen, get some air or a drink. If something here "
            "brought back a real experience, your team lead or the staff support line is there for you."))

    def show_result(self, *, result: Result | None, turns: list[Turn], customer: str, ending: Ending | None,
                    assessed: bool, pass_mark: float, debrief: str) -> None:
        stopped = ending is not None and ending.reason == "stopped"
        title, message = headline(result, assessed, stopped, pass_mark)
        self.title.setText(f"<h2>{escape(title)}</h2>")
        self.message.setText(message)
        scored = assessed and result is not None
        self.chart.setVisible(scored)
        self.chart.set_scores([(dimension_label(d.dimension), d.score) for d in result.dimensions] if scored else [])
        self.transcript.clear()
        for turn in turns:
            item = QListWidgetItem(turn_text(turn, customer))
            item.setData(Qt.UserRole, turn.index)
            self.transcript.addItem(item)
        self.verdicts.clear()
        tips: list[str] = []
        for dim in (result.dimensions if result else ()):
            group = QTreeWidgetItem([dimension_label(dim.dimension), f"{dim.score:.0f} / 100" if scored else ""])
            self.verdicts.addTopLevelItem(group)
            for v in dim.verdicts:
                status = STATUS_WORDS[v.status] + (" (unsure: the recogniser was unsure of your words)" if v.uncertain else "")
                row = QTreeWidgetItem([f"{STATUS_MARKS[v.status]} {item_label(v.item)}", status])
                row.setData(0, Qt.UserRole, v.evidence[0].turn if v.evidence else None)
                row.setToolTip(0, v.feedback)
                for ev in v.evidence:
                    child = QTreeWidgetItem([f"Turn {ev.turn}: “{ev.quote}”", "your words"])
                    child.setData(0, Qt.UserRole, ev.turn)
                    row.addChild(child)
                if v.feedback:
                    row.addChild(QTreeWidgetItem([v.feedback, "advice" if v.status != "met" else "why it worked"]))
                group.addChild(row)
                if v.status != "met" and v.feedback and not v.uncertain and v.feedback not in tips:
                    tips.append(v.feedback)
            if not dim.verdicts:
                group.addChild(QTreeWidgetItem(["Nothing here came up in this conversation", ""]))
            group.setExpanded(True)
        self.next_time.setText("<b>What to try next time</b><ul>" + "".join(f"<li>{escape(t)}</li>" for t in tips[:3])
                               + "</ul>" if tips else "<b>Next time:</b> keep doing what you did. Try a stronger "
                               "intensity or another scenario when you're ready.")
        parts = [" ".join(ending.debrief.split())] if ending and ending.debrief else []
        if debrief:
            parts.append(" ".join(debrief.split()))
        self.debrief.setText("\n\n".join(parts))
        self.debrief.setVisible(bool(parts))
        self.wellbeing_reply.setText("")
        self.again_button.setFocus()

    def _show_turn(self, item: QTreeWidgetItem | None) -> None:
        index = item.data(0, Qt.UserRole) if item is not None else None
        if index is None:
            return
        for row in range(self.transcript.count()):
            if self.transcript.item(row).data(Qt.UserRole) == index:
                self.transcript.setCurrentRow(row)
                self.transcript.scrollToItem(self.transcript.item(row))
                return

    def shown_scores(self) -> dict[str, float]:
        """What the chart shows, by label (for tests and screen readers)."""
        return dict(self.chart.bars)
