"""Dialogs kept within the screen they open on: at a large text size their natural size can be wider or taller
than a small screen, with OK or Close off its edge."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def available_size(widget: QWidget) -> QSize:
    """The available size (less taskbars) of the screen `widget` is on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else QSize(1366, 728)


def room_on_screen(widget: QWidget) -> QSize:
    """The screen's available size, less a margin for the window frame and title bar."""
    room = available_size(widget)
    return QSize(max(200, room.width() - 16), max(200, room.height() - 40))


def fit_on_screen(widget: QWidget) -> None:
    """Size `widget` to its size hint, but no larger than its screen's room; its scroll areas take the rest."""
    room = room_on_screen(widget)
    widget.setMaximumSize(room)
    widget.resize(widget.sizeHint().expandedTo(widget.minimumSizeHint()).boundedTo(room))
