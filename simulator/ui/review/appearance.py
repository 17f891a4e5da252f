"""Theme and text size from review mode: `simulator review` has no trainee's Settings, and a manager at 200 % text
could not change either there."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ...errors import SimulatorError
from ..notices import explain
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


class Appearance(QObject):
    """View → Appearance: the dialog, and the choice applied to the whole app and remembered."""

    def __init__(self, window, save_settings) -> None:
        super().__init__(window)
        self._window, self._save = window, save_settings or (lambda s: None)
        self.dialog: AppearanceDialog | None = None

    def choose(self) -> None:
        w = self._window
        dialog = self.dialog = AppearanceDialog(w.settings.theme, w.settings.text_scale, w)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply(*dialog.values()))
        dialog.open()

    def apply(self, theme: str, text_scale: int) -> None:
        from ..theme import apply_theme
        w = self._window
        apply_theme(QApplication.instance(), theme, text_scale)
        w.settings = w.settings.model_copy(update={"theme": theme, "text_scale": text_scale})
        try:
            self._save(w.settings)
        except (OSError, SimulatorError) as exc:  # it still applies until the app closes
            w.notices.add(explain(exc))
