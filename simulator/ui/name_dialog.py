"""Asked once: who is practising, typed or picked from the people who have practised on this machine."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..store.bundleschema import MAX_NAME, as_name, name_problem


class NameDialog(QDialog):
    def __init__(self, names: list[str], current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is practising?")
        intro = QLabel("Your name goes on your sessions so that you, and your manager if you are assessed, can "
                       "see your progress. You only need to do this once.")
        intro.setWordWrap(True)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(names)
        self.name.setCurrentText(current)
        self.name.setAccessibleName("Your name")
        self.name.lineEdit().setPlaceholderText("Your name")
        self.name.lineEdit().setMaxLength(MAX_NAME)
        label = QLabel("&Name:")
        label.setBuddy(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.name)
        layout.addWidget(buttons)
        self.name.currentTextChanged.connect(lambda text: self.ok.setEnabled(name_problem(text) is None))
        self.ok.setEnabled(name_problem(current) is None)

    def _accept(self) -> None:
        if self.value():
            self.accept()

    def value(self) -> str:
        return as_name(self.name.currentText())  # a pasted name may carry characters that do not show
