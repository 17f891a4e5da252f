"""Settings: sound devices, the customer's voice, speech recognition (with the model installer), data folder, look."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QFrame, QHBoxLayout, QLabel, QLayout, QLineEdit, QProgressBar, QPushButton,
                               QScrollArea, QSizePolicy, QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from ..settings import AppSettings
from ..store.location import ENV_DATA_DIR, standard_data_dir
from .fitting import fit_on_screen
from .tasks import Tasks

DEFAULT = "System default"


THEME_CHOICES = [("Same as the system", "system"), ("Light", "light"), ("Dark", "dark")]


def _combo(name: str, items: list[tuple[str, object]], current: object) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    # As wide as its layout gives it, not as its longest item: a model's name and note made the dialog 1752 px wide
    # at 200 % text. The list that drops down is as wide as the items, so each is read whole there.
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    # Short choices read whole ("Same as the system" was "Same as the syste"); long ones stop at 20 letters.
    box.setMinimumContentsLength(min(20, max([12, *(len(label) for label, _ in items)])))
    for label, value in items:
        box.addItem(label, value)
        box.setItemData(box.count() - 1, label, Qt.ToolTipRole)
    box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 2 * box.view().frameWidth())
    index = box.findData(current)
    box.setCurrentIndex(max(0, index))
    return box


def _percent(name: str, low: int, high: int, value: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setSuffix(" %")
    box.setValue(value)
    box.setAccessibleName(name)
    box.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)  # a number, not a field to stretch across the dialog
    return box


def _row(form: QFormLayout, text: str, field: QWidget, beside: QLayout | None = None) -> None:
    """A labelled row whose mnemonic reaches `field`, with `beside` (a row of widgets) in its place if given."""
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, beside if beside is not None else field)


def _form(page: QWidget) -> QFormLayout:
    form = QFormLayout(page)
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a label above its field when the two do not fit side by side
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form


def _with_ok_cancel(dialog: QDialog, body: QWidget) -> QDialogButtonBox:
    """`body` above OK and Cancel, which accept and reject `dialog`."""
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body)
    layout.addWidget(buttons)
    return buttons


def _scrolled(page: QWidget) -> QScrollArea:
    """A tab's page, scrolled rather than pushing the dialog off a small screen at a large text size."""
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    return scroll


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class SettingsDialog(QDialog):
    last_tab = 0  # for as long as the app runs
    installed = Signal(str)  # a model folder name, once installed

    def __init__(self, settings: AppSettings, tasks: Tasks, *, microphones: list[str], speakers: list[str],
                 voices: list[tuple[str, str]], models: list[str], catalog: dict, data_dir_in_use: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.tasks = tasks
        tabs = QTabWidget()

        self.microphone = _combo("Microphone", [(DEFAULT, None), *((n, n) for n in microphones)], settings.input_device)
        self.speaker = _combo("Speaker", [(DEFAULT, None), *((n, n) for n in speakers)], settings.output_device)
        self.keep_audio = QCheckBox("O&ffer to keep my recorded answers for my manager (you choose each time)")
        self.keep_audio.setChecked(settings.keep_audio)
        self.headset = _combo("Do you wear a headset?", [
            ("Find out from the microphone", "auto"), ("Yes: talking stops the customer", "yes"),
            ("No: loudspeakers", "no")], settings.headset)
        self.headset.setToolTip(
            "With a headset, as on a real call, your voice interrupts the customer's line, and the customer answers "
            "a moment sooner when you finish, stopping if you go on. Through loudspeakers the microphone would hear "
            "the customer and stop them too. 'Find out' turns this on once a line of the customer's has played and "
            "the microphone did not hear it, and off again if it ever does.")
        self.input_mode = _combo("Default way to answer", [("Voice", "voice"), ("Push to talk", "push_to_talk"),
                                                           ("Typing", "typed")], settings.input_mode)
        audio = QWidget()
        form = _form(audio)
        _row(form, "&Microphone:", self.microphone)
        _row(form, "&Speaker or headset:", self.speaker)
        _row(form, "Answer &by:", self.input_mode)
        form.addRow(self.keep_audio)
        _row(form, "&Headset:", self.headset)
        if not microphones:
            # Answering out loud needs a microphone: offer only what works, and keep the choice for when one is back.
            self.input_mode.setCurrentIndex(self.input_mode.findData("typed"))
            self.input_mode.setEnabled(False)
            # Neither the headset question nor the recording offer means anything without a microphone either; both
            # keep their values for the day one is plugged in.
            self.headset.setEnabled(False)
            self.keep_audio.setEnabled(False)
            form.addRow(_note("No microphone was found, so you answer by typing. Plug one in and open Settings "
                              "again to answer out loud."))
        if not speakers:
            form.addRow(_note("No speaker was found, so the customer's lines are shown as captions."))
        tabs.addTab(_scrolled(audio), "&Audio")

        self.voice = _combo("Customer's voice", [("Each scenario's own voice", None),
                                                 *((name, vid) for vid, name in voices)], settings.voice)
        self.rate = _percent("Speaking rate, percent of normal", 50, 200, settings.rate_percent)
        voice = QWidget()
        form = _form(voice)
        _row(form, "Voic&e:", self.voice)
        _row(form, "Speaking ra&te:", self.rate)
        tabs.addTab(_scrolled(voice), "&Voice")

        self.recogniser = _combo("Recogniser", [("Automatic (Vosk if a model is installed)", "auto"),
                                                ("Vosk", "vosk"), ("PocketSphinx (built in, less accurate)", "pocketsphinx")],
                                 settings.recogniser)
        self.model = _combo("Vosk model", [("The first installed model", None), *((m, m) for m in models)], settings.model)
        self.accent = _combo("Accent PocketSphinx expects", [
            ("Automatic (from your computer's language)", "auto"),
            ("American, and other accents", "general"),
            ("British (England)", "british")], settings.accent)
        self.accent.setToolTip("PocketSphinx hears British vowels better when it expects them, and American ones "
                               "slightly worse. Vosk models have their own accent.")
        # The closed box shows the name and size, the line under it what the model is good for: name, size and note
        # together were cut off at 200 % text ("40 MB, sr").
        self.catalog = _combo("Model to install", [(f"{m.name} — {m.size_mb} MB", key) for key, m in catalog.items()],
                              None)
        notes = [f"{m.name} — {m.size_mb} MB, {m.note}" for m in catalog.values()]
        for i, whole in enumerate(notes):
            self.catalog.setItemData(i, whole, Qt.ToolTipRole)
        self.catalog_note = QLabel()
        self.catalog_note.setWordWrap(True)
        described = list(catalog.values())

        def describe(i: int) -> None:
            note = described[i].note if 0 <= i < len(described) else ""
            self.catalog_note.setText(note[:1].upper() + note[1:] + "." if note else "")
        self.catalog.currentIndexChanged.connect(describe)
        describe(self.catalog.currentIndex())
        self.install_button = QPushButton("Do&wnload and install")
        self.install_progress = QProgressBar()
        self.install_progress.setAccessibleName("Model download progress")
        self.install_progress.hide()
        self.install_status = QLabel("Downloading needs the internet once; after that everything works offline.")
        self.install_status.setWordWrap(True)
        install_row = QHBoxLayout()  # what the chosen model is good for, and the button that fetches it
        install_row.addWidget(self.catalog_note, 1)
        install_row.addWidget(self.install_button, 0, Qt.AlignTop)
        recognition = QWidget()
        form = _form(recognition)
        _row(form, "Reco&gniser:", self.recogniser)
        _row(form, "&Model:", self.model)
        _row(form, "Your a&ccent:", self.accent)
        _row(form, "&Install:", self.catalog)
        form.addRow("", install_row)
        form.addRow(self.install_progress)
        form.addRow(self.install_status)
        tabs.addTab(_scrolled(recognition), "Speech &recognition")

        self.data_dir_in_use = str(data_dir_in_use) if data_dir_in_use else ""
        self.data_dir = QLineEdit(settings.data_dir or self.data_dir_in_use)
        self.data_dir.setPlaceholderText(f"The standard folder: {standard_data_dir()}")
        self.data_dir.setAccessibleName("Data folder")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        standard = QPushButton("Use the &standard folder")
        standard.setToolTip(str(standard_data_dir()))
        standard.clicked.connect(lambda: self.data_dir.setText(""))  # none named: the standard one
        row = QHBoxLayout()
        row.addWidget(self.data_dir, 1)
        row.addWidget(browse)
        data = QWidget()
        form = _form(data)
        _row(form, "Data &folder:", self.data_dir, row)
        form.addRow("", standard)
        self.data_note = _note("")
        form.addRow(self.data_note)
        self.data_dir.textChanged.connect(lambda _text: self.data_note.setText(self._data_dir_note()))
        self.data_note.setText(self._data_dir_note())
        tabs.addTab(_scrolled(data), "&Data")

        self.theme = _combo("Theme", THEME_CHOICES, settings.theme)
        self.text_scale = _percent("Text size, percent of the system size", 75, 200, settings.text_scale, step=10)
        look = QWidget()
        form = _form(look)
        _row(form, "&Theme:", self.theme)
        _row(form, "Te&xt size:", self.text_scale)
        tabs.addTab(_scrolled(look), "A&ppearance")
        # Opened again, it shows the page left last: a walker changing theme then text size found Audio each time.
        tabs.setCurrentIndex(SettingsDialog.last_tab)
        tabs.currentChanged.connect(lambda i: setattr(SettingsDialog, "last_tab", i))
        self.tabs = tabs

        buttons = _with_ok_cancel(self, tabs)
        self.install_button.clicked.connect(self._install)
        self.ok_button = buttons.button(QDialogButtonBox.Ok)

    def showEvent(self, event) -> None:
        fit_on_screen(self)
        super().showEvent(event)

    def _data_dir_note(self) -> str:
        """What the folder in the box is, said as it is typed (it said "the standard folder" over another path)."""
        said = "Your sessions and any kept recordings live here. "
        chosen = self._chosen_data_dir()
        if chosen is None or Path(chosen) == standard_data_dir():
            if os.environ.get(ENV_DATA_DIR):
                return said + f"This is the folder set for this computer by {ENV_DATA_DIR}."
            return said + "This is the standard folder for your account."
        if chosen == self.data_dir_in_use:
            return said + f"This is a folder of your own; the standard one is {standard_data_dir()}."
        return (said + "Sessions will be kept in this folder from now on; those in the folder used until now stay "
                       "there (choose it again, or the standard folder, to see them).")

    def _chosen_data_dir(self) -> str | None:
        text = self.data_dir.text().strip()
        # The folder in use, unchanged, stays "whatever the computer says" rather than being pinned here.
        if not text or (not self.settings.data_dir and text == self.data_dir_in_use):
            return None
        return text

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)

    def _install(self) -> None:
        from ..speech.models import install
        key = self.catalog.currentData()
        self.install_button.setEnabled(False)
        self.install_progress.show()
        self.install_progress.setRange(0, 0)
        self.install_status.setText("Downloading…")

        def progress(done: int, total: int | None) -> None:
            # From the worker: hand the numbers to the GUI thread, never touch the bar here.
            self.tasks.call_soon(lambda: self._show_progress(done, total))

        def finished(model) -> None:
            self.install_button.setEnabled(True)
            self.install_progress.hide()
            self.install_status.setText(f"Installed {model.name}. It is used from the next session.")
            if self.model.findData(model.name) < 0:
                self.model.addItem(model.name, model.name)
            self.model.setCurrentIndex(self.model.findData(model.name))
            self.installed.emit(model.name)

        def failed(exc: BaseException) -> None:
            from .notices import explain
            self.install_button.setEnabled(True)
            self.install_progress.hide()
            self.install_status.setText(explain(exc))
        self.tasks.run(install, key, progress, done=finished, failed=failed)

    def _show_progress(self, done: int, total: int | None) -> None:
        if total:
            self.install_progress.setRange(0, 1000)
            self.install_progress.setValue(int(done * 1000 / total))
            self.install_status.setText(f"Downloading… {done / 1e6:.0f} of {total / 1e6:.0f} MB")

    def result_settings(self) -> AppSettings:
        return self.settings.model_copy(update={
            "input_device": self.microphone.currentData(), "output_device": self.speaker.currentData(),
            "keep_audio": self.keep_audio.isChecked(), "headset": self.headset.currentData(),
            "input_mode": self.input_mode.currentData() if self.input_mode.isEnabled() else self.settings.input_mode,
            "voice": self.voice.currentData(), "rate_percent": self.rate.value(),
            "recogniser": self.recogniser.currentData(), "model": self.model.currentData(),
            "accent": self.accent.currentData(),
            "data_dir": self._chosen_data_dir(), "theme": self.theme.currentData(),
            "text_scale": self.text_scale.value()})
