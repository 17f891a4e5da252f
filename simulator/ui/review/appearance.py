"""Theme and text size from review mode: `simulator review` has no trainee's Settings, and a manager at 200 % text
could not change either there."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from ..settings_dialog import THEME_CHOICES, _combo, _form, _percent, _row, _with_ok_cancel


class AppearanceDialog(QDialog):
    def __init__(self, theme: str, text_scale: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Appearance")
        self.theme = _combo("Theme", THEME_CHOICES, theme)
        self.text_scale = _percent("Text size, percent of the system size", 75, 200, text_scale, step=10)
        fields = QWidget()
        form = _form(fields)
        _row(form, "&Theme:", self.theme)
        _row(form, "Te&xt size:", self.text_scale)
        _with_ok_cancel(self, fields)

    def values(self) -> tuple[str, int]:
        return self.theme.currentData(), self.text_scale.value()
