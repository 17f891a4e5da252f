"""The coach's window: a folder of scenarios, checked live as they are edited.

Every file is listed with its state (valid, warnings, errors). Selecting one
shows its problems (file, line, what to do), its branch picture, its lines
(each can be heard in the persona's voice) and a panel to try it from any
node. Files are re-checked on a worker whenever they change on disk, so a
coach can keep their editor and this window side by side.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem,
                               QMainWindow, QPushButton, QSplitter, QTabWidget, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ...scenario.folder import FileCheck, check_folder, left_out_of_library
from ...scenario.graph import BOX_H, BOX_W, layout, node_at, to_svg
from ...scenario.library import available
from ...settings import coach_folders
from ...words import counted
from ..astyped import as_tooltip, plain
from ..graphview import GraphView
from ..notices import NoticeBar, explain
from ..tasks import Tasks
from .problems import ProblemList
from .tryout import TryOutPanel

STATE_MARKS = {"ok": "✓", "warnings": "⚠", "errors": "✗"}
STATE_WORDS = {"ok": "valid", "warnings": "valid, with warnings", "errors": "has errors"}
RELOAD_DELAY_MS = 300  # editors write a file in several steps; wait for the last


class AuthoringWindow(QMainWindow):
    checked = Signal()  # a check of the folder has arrived and is shown
    played = Signal(str)  # a line was sent to the speaker (its text)
    closed = Signal()

    def __init__(self, *, tasks: Tasks, devices=None, output_device: str | None = None,
                 folder: Path | None = None, synthesizer=None) -> None:
        super().__init__()
        self.tasks = tasks
        self.devices = devices
        self.output_device = output_device
        self._synthesizer = synthesizer
        self.folder: Path | None = None
        self.checks: list[FileCheck] = []
        self._known: dict = {}  # files unchanged since the last check are not read again
        self._lines = None  # the line cache, opened with the synthesizer on first use
        self._hearing = None  # the speaker of the line heard last, stopped when the next is asked for
        self._generation = 0
        self.setWindowTitle("Scenario authoring")

        self.notices = NoticeBar()
        self.folder_label = plain(QLabel("No folder open. File → Open folder… (Ctrl+O)"))  # a path: any characters
        self.folder_label.setWordWrap(True)
        self.files = QListWidget()
        self.files.setAccessibleName("Scenario files")
        # A file's name and title wrap in the list's width: on one line they ran off it ("scenario that does not…").
        self.files.setWordWrap(True)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.files.setResizeMode(QListView.ResizeMode.Adjust)
        self.files.currentItemChanged.connect(lambda *_: self._show_selected())
        self.summary = QLabel("")
        self.summary.setWordWrap(True)  # a long summary wraps in the file list's width, never widens it
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.folder_label)
        lv.addWidget(self.files, 1)
        lv.addWidget(self.summary)

        self.problems = ProblemList()

        self.intensity = QComboBox()
        self.intensity.setAccessibleName("Intensity shown in the picture")
        self.intensity.currentTextChanged.connect(lambda *_: self._draw())
        zoom_in, zoom_out, fit = QPushButton("Zoom in"), QPushButton("Zoom out"), QPushButton("Fit")
        fit.setToolTip("The whole picture in the pane (Ctrl+wheel zooms)")
        self.lines_of = QComboBox()  # whose lines are drawn strong, with their labels; a click on a box chooses too
        self.lines_of.setAccessibleName("Lines into and out of")
        self.lines_of.setToolTip("One node's lines in and out drawn strong, with their labels; or click its box in the picture")
        self.lines_of.currentIndexChanged.connect(lambda *_: self._draw())
        self.graph = GraphView()
        self.graph.clicked.connect(self._picture_clicked)
        zoom_in.clicked.connect(lambda: self.graph.set_zoom(self.graph.zoom * 1.25))
        zoom_out.clicked.connect(lambda: self.graph.set_zoom(self.graph.zoom / 1.25))
        fit.clicked.connect(lambda: self.graph.fit())
        branches = QWidget()
        bv = QVBoxLayout(branches)
        row = QHBoxLayout()
        row.addWidget(QLabel("Lines at intensity:"))
        row.addWidget(self.intensity)
        row.addWidget(QLabel("Lines of:"))
        row.addWidget(self.lines_of)
        row.addStretch(1)
        row.addWidget(fit)
        row.addWidget(zoom_out)
        row.addWidget(zoom_in)
        bv.addLayout(row)
        bv.addWidget(self.graph, 1)

        self.lines = QTreeWidget()
        self.lines.setHeaderLabels(["Node", "Intensity", "Line"])
        self.lines.setRootIsDecorated(False)
        self.lines.setWordWrap(True)
        self.lines.setAccessibleName("The customer's lines")
        self.lines.itemDoubleClicked.connect(lambda *_: self.hear_selected())
        self.hear_button = QPushButton("▶ Hear this line")
        self.hear_button.clicked.connect(self.hear_selected)
        self.hear_status = QLabel("")
        lines_page = QWidget()
        lp = QVBoxLayout(lines_page)
        lp.addWidget(self.lines, 1)
        hr = QHBoxLayout()
        hr.addWidget(self.hear_button)
        hr.addWidget(self.hear_status, 1)
        lp.addLayout(hr)

        self.tryout = TryOutPanel(tasks)
        self.tryout.line_spoken.connect(self.hear)
        if devices is None:
            self._no_speaker("no sound system was set up")
        else:  # listing the sound system can take a moment: on a worker
            self.tasks.run(devices.names, done=lambda names: names[1] or self._no_speaker(), failed=lambda exc: None)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(branches, "Branches")
        self.tabs.addTab(lines_page, "Lines")
        self.tabs.addTab(self.tryout, "Try it")

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        em = self.fontMetrics().horizontalAdvance("M")
        split.setSizes([em * 28, em * 84])
        central = QWidget()
        cv = QVBoxLayout(central)
        cv.addWidget(self.notices)
        cv.addWidget(split, 1)
        self.setCentralWidget(central)

        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._changed)
        self.watcher.directoryChanged.connect(self._changed)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_DELAY_MS)
        self._reload.timeout.connect(self.recheck)
        self._menus()
        self._show_selected()
        if folder is not None:
            self.open_folder(Path(folder))

    def _menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        for text, key, slot in [("&Open folder…", "Ctrl+O", self.choose_folder), ("&Check again", "F5", self.recheck),
                                ("&Close", QKeySequence.Close, self.close)]:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            file.addAction(action)
        guide = self.menuBar().addMenu("&Help").addAction("The coach's &guide (every key, common errors)")
        guide.setShortcut(QKeySequence.HelpContents)
        guide.triggered.connect(self.open_guide)

    def open_guide(self) -> bool:
        """docs/authoring.md, shipped with the app, in whatever this computer opens Markdown or text with."""
        from ...paths import resource_dir
        path = resource_dir("docs") / "authoring.md"
        if not path.is_file() or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.notices.add(f"The coach's guide could not be opened here; it is the file {path}.")
            return False
        return True

    # -- the folder ----------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Open a folder of scenarios", str(self.folder or Path.home()))
        self.activateWindow()  # window shortcuts fire only in the active window (as after F1's list)
        if chosen:
            self.open_folder(Path(chosen))

    def open_folder(self, folder: Path) -> None:
        self.folder = folder
        self.folder_label.setText(f"Folder: {folder}")
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self._known = {}
        self.watcher.addPath(str(folder))
        self.recheck()

    def _changed(self, _path: str) -> None:
        self._reload.start()

    def recheck(self) -> None:
        if self.folder is None:
            return
        self._generation += 1
        generation = self._generation
        self.summary.setText("Checking…")
        self.tasks.run(_check_in_library, self.folder, self._known, done=lambda checks: self._checked(generation, checks),
                       failed=lambda exc: (self.notices.add(explain(exc)), self.summary.setText("")))

    def _checked(self, generation: int, checks: list[FileCheck]) -> None:
        if generation != self._generation:
            return  # a newer check is on its way
        selected = self.selected_path()
        self.checks = checks
        # Editors save by writing a new file and renaming it over the old: watch the new one.
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        if checks:
            self.watcher.addPaths([str(c.path) for c in checks])
        self.files.blockSignals(True)
        self.files.clear()
        for c in checks:
            item = QListWidgetItem(f"{STATE_MARKS[c.state]}  {c.path.name} — {c.title}")
            item.setData(Qt.ItemDataRole.UserRole, str(c.path))
            item.setToolTip(as_tooltip(f"{c.path}\n{STATE_WORDS[c.state]}"))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{c.path.name}, {STATE_WORDS[c.state]}")
            self.files.addItem(item)
        self.files.blockSignals(False)
        paths = [str(c.path) for c in checks]
        row = paths.index(selected) if selected in paths else (0 if checks else -1)
        self.files.setCurrentRow(row)
        bad = sum(c.state == "errors" for c in checks)
        left = sum(left_out_of_library(c) for c in checks)  # valid here, refused by the library: said, not hidden
        self.summary.setText(f"{counted(len(checks), 'file')}: {len(checks) - bad} valid, {bad} with errors"
                             + (f"; {left} of the valid left out of the app's library (its id is taken)" if left else "")
                             if checks else "No .yaml files in this folder yet.")
        self._show_selected()
        self.checked.emit()

    def selected_path(self) -> str | None:
        item = self.files.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def selected(self) -> FileCheck | None:
        path = self.selected_path()
        return next((c for c in self.checks if str(c.path) == path), None)

    # -- one file --------------------------------------------------------------------------------------
    def _show_selected(self) -> None:
        c = self.selected()
        self.problems.show_problems(c.problems if c else None)
        sf = c.loaded if c else None
        for i in (1, 2, 3):
            self.tabs.setTabEnabled(i, sf is not None)
        if sf is None:
            self.tabs.setCurrentIndex(0)
            self.tryout.set_scenario(None)
            self.lines.clear()
            return
        self.intensity.blockSignals(True)
        current = self.intensity.currentText()
        self.intensity.clear()
        self.intensity.addItems(sf.scenario.intensity)
        if current in sf.scenario.intensity:
            self.intensity.setCurrentText(current)
        self.intensity.blockSignals(False)
        self.lines_of.blockSignals(True)
        chosen = self.lines_of.currentData()
        self.lines_of.clear()
        self.lines_of.addItem("every node", None)
        for node in sf.scenario.nodes:
            self.lines_of.addItem(node, node)
        self.lines_of.setCurrentIndex(max(0, self.lines_of.findData(chosen)) if chosen in sf.scenario.nodes else 0)
        self.lines_of.blockSignals(False)
        self._draw()
        self._fill_lines(sf)
        self.tryout.set_scenario(sf)

    def _draw(self) -> None:
        c = self.selected()
        if c is not None and c.loaded is not None:
            node = self.lines_of.currentData()
            picture = layout(c.loaded.scenario, self.intensity.currentText() or None)
            self.graph.show_svg(to_svg(c.loaded.scenario, focus=node, picture=picture))
            if node is not None and not self.graph.fitting:  # zoomed in: the chosen node is scrolled into view
                box = picture.boxes[node]
                z = self.graph.zoom
                self.graph.ensureVisible(int((box.x + BOX_W / 2) * z), int((box.y + BOX_H / 2) * z),
                                         int(BOX_W * z / 2 + 20), int(BOX_H * z / 2 + 20))

    def _picture_clicked(self, x: float, y: float) -> None:
        """A box clicked: its lines stand out (clicked again, or beside the boxes: every line again)."""
        c = self.selected()
        if c is None or c.loaded is None:
            return
        node = node_at(c.loaded.scenario, self.intensity.currentText() or None, x, y)
        self.lines_of.setCurrentIndex(0 if node is None or node == self.lines_of.currentData() else self.lines_of.findData(node))

    def _fill_lines(self, sf) -> None:
        self.lines.clear()
        for node_id, node in sf.scenario.nodes.items():
            for level, texts in node.say.items():
                for text in texts:
                    item = QTreeWidgetItem([node_id, "every level" if level == "any" else level, text])
                    item.setToolTip(2, as_tooltip(text))
                    self.lines.addTopLevelItem(item)
        self.lines.resizeColumnToContents(0)
        self.lines.resizeColumnToContents(1)

    # -- hearing a line ----------------------------------------------------------------------------------
    def hear_selected(self) -> None:
        item = self.lines.currentItem()
        if item is not None:
            self.hear(item.text(2))

    def hear(self, text: str) -> None:
        """Speak a line in the selected scenario's persona voice, through the app's speaker."""
        c = self.selected()
        if c is None or c.loaded is None:
            return
        from ...speech.synthesis import LineCache, VoiceSettings, open_synthesizer
        from ...store.location import cache_dir
        settings = VoiceSettings.of(c.loaded.scenario.persona.voice)
        devices, device = self.devices, self.output_device
        synthesizer = self._synthesizer

        def render_and_play():
            synth = synthesizer
            if synth is None:
                synth, notice = open_synthesizer()
                if synth is None:
                    raise RuntimeError(notice)
            # The app's own line cache: a line the trainee's window already rendered plays at once,
            # and a line asked for twice while rendering is rendered once.
            if self._lines is None:
                self._lines = LineCache(cache_dir() / "lines", synth)
            path = self._lines.render(text, settings).result(timeout=60)
            if devices is None:
                raise RuntimeError("no speaker is set up: the line is shown as text only")
            speaker = devices.speaker(device)
            previous, self._hearing = self._hearing, speaker
            if previous is not None:
                previous.stop()  # lines heard one after another, not over each other
            speaker.play(path)
            return text

        self.hear_status.setText("Speaking…")
        self.tasks.run(render_and_play, done=self._heard,
                       failed=lambda exc: self.hear_status.setText(f"Could not speak the line: {explain(exc)}"))

    def _no_speaker(self, why: str = "no speaker was found") -> None:
        """"Hear the customer" stood ticked on a machine with no speaker, and each line then failed to play."""
        for control in (self.tryout.speak, self.hear_button):
            control.setEnabled(False)
            control.setToolTip(f"The customer's lines are shown as text: {why}.")
        self.tryout.speak.setChecked(False)

    def _heard(self, text: str) -> None:
        self.hear_status.setText(f"Playing: “{text[:60]}{'…' if len(text) > 60 else ''}”")
        self.played.emit(text)

    def closeEvent(self, event) -> None:
        if self._hearing is not None:  # a line still being heard stops with the window
            self.tasks.run(self._hearing.stop, failed=lambda exc: None)
        self.closed.emit()
        super().closeEvent(event)


def _check_in_library(folder: Path, known: dict) -> list[FileCheck]:
    """The folder's files, with the ids the library has outside it (shipped, and the folders added in the app) taken:
    a copy whose id was not changed is flagged here, not found out when the library refuses it."""
    inside = folder.resolve()
    good, _ = available(coach_folders())
    taken = {sf.id: sf.path for sf in good if inside not in sf.path.resolve().parents}
    return check_folder(folder, None, known, taken=taken)
