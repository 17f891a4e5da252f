"""The window's keyboard shortcuts, read from its actions and shortcut objects, so the list shown cannot drift.
The trainee window and review mode each have Help → Keyboard shortcuts (F1), made by `help_action`."""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from .fitting import fit_on_screen, room_on_screen


def _words(text: str) -> str:
    return re.sub(r"&(?!&)", "", text).replace("&&", "&").rstrip("…").strip()


def _described(shortcut: QShortcut, key: str) -> str:
    """A shortcut's own description, else the button that names its key (a button "End call (Ctrl+E)")."""
    if shortcut.whatsThis():
        return shortcut.whatsThis()
    parent = shortcut.parent()
    for button in parent.findChildren(QAbstractButton) if isinstance(parent, QWidget) else []:
        if key in button.text() or key in button.toolTip():
            return button.accessibleName() or _words(button.text().replace(f"({key})", ""))
    return "no description"


def _mnemonic(button: QAbstractButton) -> str | None:
    match = re.search(r"&([^&\s])", button.text().replace("&&", ""))
    return f"Alt+{match.group(1).upper()}" if match else None


def shortcuts(root: QWidget) -> list[tuple[str, str]]:
    """(key, what it does) for every shortcut under `root`, menus first, each key once: actions, shortcut objects
    (those that answer only at times, such as the call's, too) and a button's own key other than its Alt letter."""
    found: dict[str, str] = {}
    for action in root.findChildren(QAction):
        for key in action.shortcuts():
            found.setdefault(key.toString(QKeySequence.NativeText), _words(action.text()) or "no description")
    for shortcut in root.findChildren(QShortcut):
        key = shortcut.key().toString(QKeySequence.NativeText)
        if key:
            found.setdefault(key, _described(shortcut, key))
    for button in root.findChildren(QAbstractButton):
        key = button.shortcut().toString(QKeySequence.PortableText)
        if key and key != _mnemonic(button):  # Alt + the underlined letter is listed once, as a rule
            found.setdefault(button.shortcut().toString(QKeySequence.NativeText),
                             button.accessibleName() or _words(button.text()) or "no description")
    return list(found.items())


def shortcut_table(root: QWidget, extra: list[tuple[str, str]]) -> str:
    """The shortcuts as a two-column table of rich text: keys on the left, what they do on the right."""
    rows = "".join(f"<tr><td style='padding-right:1.5em'><b>{escape(key)}</b></td><td>{escape(what)}</td></tr>"
                   for key, what in [*shortcuts(root), *extra])
    return f"<table>{rows}</table>"


class ShortcutsDialog(QDialog):
    """The table of keys in a scrolled view above Close, the dialog no larger than its screen: at 200 % text a
    message box of it was 970 px tall, Close below a 768 px screen's edge."""

    def __init__(self, table: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self._table = table
        self.view = QTextBrowser()
        self.view.setAccessibleName("Keyboard shortcuts")
        self.view.setHtml(table)
        self.view.setOpenLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The table as rich text, as a message box's text()."""
        return self._table

    def sizeHint(self) -> QSize:
        # The table's own size, so it is read without scrolling where the screen has room for it.
        doc = self.view.document().clone(self)
        doc.setTextWidth(-1)
        width = int(doc.idealWidth()) + 2 * self.view.frameWidth() + 4
        doc.setTextWidth(width)
        body = QSize(width + self.view.verticalScrollBar().sizeHint().width(),
                     int(doc.size().height()) + 2 * self.view.frameWidth() + 4)
        margins = self.layout().contentsMargins()
        whole = QSize(max(body.width(), self.close_button.sizeHint().width()) + margins.left() + margins.right(),
                      body.height() + self.layout().spacing() + self.close_button.sizeHint().height()
                      + margins.top() + margins.bottom() + 8)
        return whole.boundedTo(room_on_screen(self))

    def showEvent(self, event) -> None:
        fit_on_screen(self)
        super().showEvent(event)


def show_shortcuts(window: QWidget, extra: list[tuple[str, str]]) -> ShortcutsDialog:
    """The window's every key at this moment, in a box kept as `window.shortcuts_box` while it is open. Closing it
    makes the window active again: its shortcuts (Ctrl+E, Ctrl+F...) fire only in the active window, and without a
    window manager handing activation back, letters still reached the reply box but Ctrl+F and Ctrl+E did nothing."""
    box = ShortcutsDialog(shortcut_table(window, extra), window)
    box.setAttribute(Qt.WA_DeleteOnClose)
    window.shortcuts_box = box
    box.finished.connect(lambda _result: window.activateWindow())
    box.open()
    return box


def help_action(window: QWidget, extra: list[tuple[str, str]]) -> QAction:
    """Help → Keyboard shortcuts (F1, wherever the focus is in the window), listing `extra` after the window's
    own keys: keys no action or shortcut object carries, such as Enter in a list."""
    action = QAction("&Keyboard shortcuts", window)
    action.setShortcut(QKeySequence(QKeySequence.HelpContents))
    action.triggered.connect(lambda: show_shortcuts(window, extra))
    return action
