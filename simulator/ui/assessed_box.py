"""The briefing's "What this scenario assesses": per dimension, in plain words, and folded away on request.

Some trainees want to know exactly what the assessor looks for; others want
to go in blind. The box opens or stays folded as the trainee last left it.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ..scoring.assessed import AssessedDimension

_MARK = {"do": "✓", "avoid": "✗", "rule": "!"}


def assessed_html(dims: tuple[AssessedDimension, ...]) -> str:
    parts = []
    for d in dims:
        when = f", {escape(d.condition)}" if d.condition else ""
        items = "<br>".join(f"{_MARK[i.kind]}&nbsp; {escape(i.text)}" for i in d.items)
        parts.append(f"<p style='margin:4px 0 0 0'><b>{escape(d.label)}</b> ({d.share}% of the score){when}:</p>"
                     f"<p style='margin:0 0 0 16px'>{items}</p>")
    return "".join(parts)


class AssessedBox(QWidget):
    folded = Signal(bool)  # True when the trainee folds it away (remembered)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setText("What is assesse&d in this scenario")
        self.toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Show what this scenario assesses")
        self.body = QLabel()
        self.body.setTextFormat(Qt.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.body.setAccessibleName("What this scenario assesses")
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.scroll)
        self.toggle.toggled.connect(self._shown)
        self._shown(True)

    def show_assessed(self, dims: tuple[AssessedDimension, ...], open_: bool) -> None:
        self.body.setText(assessed_html(dims))
        self._fit()
        self.toggle.blockSignals(True)
        self.toggle.setChecked(open_)
        self.toggle.blockSignals(False)
        self._apply(open_)

    def _shown(self, open_: bool) -> None:
        self._apply(open_)
        self.folded.emit(not open_)

    def _apply(self, open_: bool) -> None:
        self.toggle.setArrowType(Qt.DownArrow if open_ else Qt.RightArrow)
        self.scroll.setVisible(open_)
        # The page gives this box its spare room first (stretch); folded, it is only the button.
        self.setMaximumHeight(16777215 if open_ else self.toggle.sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the list at this width: the briefing page scrolls as a whole when the screen is short
        (a box squeezed to two lines inside a scrolling page hid most of what is assessed)."""
        # Its own width, not the viewport's: a page shown for the first time resizes this box before the scroll
        # area in it, whose viewport still had the old width then, and the list stood in a box a third too tall.
        width = self.width() - 2 * self.scroll.frameWidth()
        height = self.body.heightForWidth(width) + 2
        self.scroll.setMaximumHeight(height)
        self.scroll.setMinimumHeight(height)
