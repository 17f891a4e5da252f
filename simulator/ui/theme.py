"""Light, dark or the system's look, and the text size, applied to the whole app.

Sizes in the app come from the font, never from pixels, so the text size
setting (and the system's own font size) scales every screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

_system_font: QFont | None = None


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        base, text, window, button, highlight = "#1e1f22", "#e8e8e8", "#2b2d31", "#3a3d42", "#4f8cc9"
    else:
        base, text, window, button, highlight = "#ffffff", "#1b1b1b", "#f3f3f3", "#e6e6e6", "#2a6ebb"
    for role, colour in [(QPalette.Base, base), (QPalette.AlternateBase, window), (QPalette.Window, window),
                         (QPalette.Button, button), (QPalette.Text, text), (QPalette.WindowText, text),
                         (QPalette.ButtonText, text), (QPalette.Highlight, highlight),
                         (QPalette.HighlightedText, "#ffffff"), (QPalette.ToolTipBase, window),
                         (QPalette.ToolTipText, text), (QPalette.PlaceholderText, "#8a8a8a")]:
        p.setColor(role, QColor(colour))
    # setColor fills every group, so disabled controls looked enabled: grey their text out explicitly
    muted = QColor("#7c7c7c" if dark else "#9a9a9a")
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, muted)
    return p


def apply_theme(app: QApplication, theme: str = "system", text_scale: int = 100) -> None:
    global _system_font
    if _system_font is None:
        _system_font = QFont(app.font())
    app.setStyle("Fusion")
    hints = app.styleHints()
    if theme == "system":
        hints.unsetColorScheme()
        app.setPalette(app.style().standardPalette())
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
        app.setPalette(_palette(theme == "dark"))
    font = QFont(_system_font)
    size = _system_font.pointSizeF() if _system_font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * text_scale / 100)
    app.setFont(font)


def is_dark(app: QApplication) -> bool:
    return app.palette().color(QPalette.Window).lightness() < 128
