"""The window's keyboard shortcuts, read from its actions and shortcut objects, so the list shown cannot drift."""

from __future__ import annotations

import re
from html import escape

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QWidget


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


def shortcuts(root: QWidget) -> list[tuple[str, str]]:
    """(key, what it does) for every shortcut under `root`, menus first, each key once."""
    found: dict[str, str] = {}
    for action in root.findChildren(QAction):
        for key in action.shortcuts():
            found.setdefault(key.toString(QKeySequence.NativeText), _words(action.text()))
    for shortcut in root.findChildren(QShortcut):
        key = shortcut.key().toString(QKeySequence.NativeText)
        if key and shortcut.isEnabled():
            found.setdefault(key, _described(shortcut, key))
    return list(found.items())


def shortcut_table(root: QWidget, extra: list[tuple[str, str]]) -> str:
    """The shortcuts as a two-column table of rich text: keys on the left, what they do on the right."""
    rows = "".join(f"<tr><td style='padding-right:1.5em'><b>{escape(key)}</b></td><td>{escape(what)}</td></tr>"
                   for key, what in [*shortcuts(root), *extra])
    return f"<table>{rows}</table>"
