"""Words people typed, shown as they typed them.

Qt takes a label's or a tooltip's text as markup whenever it looks like markup (Qt::AutoText), and its rich
text loads `<img src>` from any local path as it draws: a scenario, a bundle or an assignment whose name held
`<img src='/dev/zero'>` crashed the app, a named pipe hung it, and a large picture filled the page. So every
label that shows a scenario's, a trainee's, a reviewer's or a file's words is plain text, a tooltip made
from them is escaped, and a label that needs markup escapes what it quotes.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain(label: QLabel) -> QLabel:
    """The label shows its text as written, whatever it holds."""
    label.setTextFormat(Qt.PlainText)
    return label


def as_tooltip(text: str) -> str:
    """Text as a tooltip, shown as written and wrapped (a tooltip that looks like markup is taken as markup)."""
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>" if text else ""
