"""The scenario library: a table of scenarios sorted by title, filters with a count that follows them, and a
card about the selected one with its situation, content note, last score and the way in."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QStyledItemDelegate, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ..scenario import CONTENT, ScenarioFile
from ..scoring.verdict import figure
from .astyped import as_tooltip, plain
from .plan_panel import PlanPanel
from .theme import colours, ring_on_focus, set_relative_font

SHOWN_BROKEN = 2  # broken files named in the library's note; the rest are in its tooltip
NOTE_CHARS = 160  # of each, in the note; its tooltip has the whole problem and how to fix it

COLUMNS = ["Scenario", "Difficulty", "Length", "Contains", "Your last score"]
DIFFICULTIES = ["easy", "medium", "hard"]
PLAYED_UNFINISHED = None  # in the scores: played, but never to the end (stopped for a break, or cut short)


def content_text(sf: ScenarioFile) -> str:
    tags = sf.scenario.content
    return ", ".join(CONTENT[t] for t in tags) if tags else "no abusive content"


def score_text(scenario_id: str, last: dict[str, float | None], practised: set[str] = frozenset()) -> str:
    if scenario_id not in last:
        # Practice runs are never kept or scored for the record, but "not played yet" read wrong after one.
        return "practised, not scored" if scenario_id in practised else "not played yet"
    score = last[scenario_id]
    return "not finished yet" if score is None else f"{figure(score)} / 100"


def title_order(sf: ScenarioFile) -> tuple[str, str]:
    """By title as a person reads a list: "A caller…" files under C, not with every other "A"."""
    title = sf.scenario.title.casefold()
    for article in ("a ", "an ", "the "):
        if title.startswith(article):
            title = title[len(article):]
            break
    return title, sf.id


def _labelled(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


class _Roomy(QStyledItemDelegate):
    """A cell with half a line of room above and below its words, so a wrapped title's two lines are not
    pressed against the next row's."""

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        size.setHeight(size.height() + option.fontMetrics.height() // 2)
        return size


class _Card(QFrame):
    """The selected scenario, in words: what it is about, who you talk to, what it contains, how you did."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.StyledPanel)
        self.setBackgroundRole(QPalette.Base)
        self.setAutoFillBackground(True)
        self.title = QLabel()
        self.title.setWordWrap(True)
        set_relative_font(self.title, 1.3, bold=True)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.RichText)
        self.body.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.body.setAccessibleName("About this scenario")
        self.prepare = QPushButton("&Prepare…")
        self.prepare.setAccessibleName("Prepare the selected scenario")
        self.prepare.setDefault(True)
        # At 150 % on a 1366x768 screen the card is shorter than its words, and the content note, the one line
        # the table's hidden Contains column leaves to the card, was cut off: the words scroll instead.
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        ring_on_focus(self.scroll)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.viewport().setBackgroundRole(QPalette.Base)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.prepare, 0, Qt.AlignRight)

    def show_scenario(self, sf: ScenarioFile | None, score: str, empty: str) -> None:
        self.prepare.setEnabled(sf is not None)
        if sf is None:
            self.title.setText("")
            self.body.setText(escape(empty))
            return
        s, c = sf.scenario, colours(self.palette())
        who = escape(s.persona.name + (f", {s.persona.company}" if s.persona.company else ""))
        level = {"easy": c.good, "medium": c.mixed, "hard": c.poor}[s.difficulty].name()
        note, tone = ((f"Contains {escape(content_text(sf))}.", c.warning) if s.content
                      else ("Upset, but not abusive.", c.muted))
        self.title.setText(escape(s.title))
        # What it contains comes before the story: it is what a trainee must see before choosing.
        self.body.setText(
            f"<p><span style='color:{level}'>●</span> {s.difficulty.capitalize()} · about {s.minutes} min · "
            f"you talk to {who}</p><p style='color:{tone.name()}'>{note}</p>"
            f"<p>{escape(' '.join(s.summary.split()))}</p><p>Your last score: {escape(score)}</p>")
        self.scroll.verticalScrollBar().setValue(0)


class LibraryPage(QWidget):
    chosen = Signal(object)  # ScenarioFile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenarios: list[ScenarioFile] = []
        self._walked = False
        self.last: dict[str, float | None] = {}
        self.practised: set[str] = set()  # played practice-only while the app runs (the window keeps it)
        self.greeting = plain(QLabel("Choose a conversation to practise."))  # it greets the name as typed
        self.greeting.setWordWrap(True)
        set_relative_font(self.greeting, 1.2)
        self.plan = PlanPanel()  # what to practise next and certificates; filled by the window once read
        self.search = QLineEdit()
        # Short enough to read whole at 200 % text on a 1366 px screen; the keys are said in the tooltip.
        self.search.setPlaceholderText("Title, situation or content")
        self.search.setToolTip("Type part of a title, the situation or what a scenario contains; ↓ and Enter "
                               "choose the first match.")
        self.search.setAccessibleName("Search scenarios")
        self.search.setClearButtonEnabled(True)
        self.difficulty = QComboBox()
        self.difficulty.addItems(["Any difficulty", *(d.capitalize() for d in DIFFICULTIES)])
        self.difficulty.setAccessibleName("Filter by difficulty")
        self.content = QComboBox()
        self.content.addItems(["Any content", "No abusive content", "No slurs or threats"])
        self.content.setAccessibleName("Filter by content")
        self.count = QLabel()
        self.count.setAccessibleName("How many scenarios are shown")
        self.table = self._make_table()
        self.card = _Card()
        self.details, self.open_button = self.card.body, self.card.prepare
        self.status = plain(QLabel("Loading scenarios…"))
        self.status.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(_labelled("&Search:", self.search))
        filters.addWidget(self.search, 1)
        filters.addWidget(_labelled("&Difficulty:", self.difficulty))
        filters.addWidget(self.difficulty)
        filters.addWidget(_labelled("&Content:", self.content))
        filters.addWidget(self.content)
        filters.addWidget(self.count)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addWidget(self.card)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(self.plan)
        layout.addLayout(filters)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status)
        self._size_to_font()

        self.search.textChanged.connect(self.apply_filters)
        self.search.returnPressed.connect(lambda: self._choose(self.table.currentRow()))
        self.search.installEventFilter(self)
        self.difficulty.currentIndexChanged.connect(self.apply_filters)
        self.content.currentIndexChanged.connect(self.apply_filters)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.table.itemActivated.connect(lambda item: self._choose(item.row()))
        self.open_button.clicked.connect(lambda: self._choose(self.table.currentRow()))

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        # A title longer than its column wraps onto a second line and its row grows to hold it: cut to
        # "Angry about a late refund, but not…" it could not be read, at large text or on a small screen.
        table.setWordWrap(True)
        table.setItemDelegate(_Roomy(table))
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2, 4):
            table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Fixed)  # sized in _fit_columns
        table.setAccessibleName("Scenarios")
        table.setTabKeyNavigation(False)
        return table

    def _size_to_font(self) -> None:
        # Room to read, and to hit with a mouse: a row of one line is this high, a wrapped title's row higher.
        height = int(self.fontMetrics().height() * 2.2)
        self.table.verticalHeader().setMinimumSectionSize(height)
        self.table.verticalHeader().setDefaultSectionSize(height)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The card takes about a quarter of the page; the content column at most a third of the table, and none
        when the table is narrow (large text on a small screen), so the titles keep their room. The card always
        says what the selected scenario contains."""
        em = self.fontMetrics().horizontalAdvance("M")
        self.card.setFixedWidth(max(18 * em, min(40 * em, self.width() // 4)))
        room = self.table.viewport().width()
        self.table.setColumnHidden(3, room < 62 * em)  # 70 hid it on a 1920-wide screen at 200 %, titles 45 em wide
        self.table.setColumnWidth(3, max(8 * em, room // 3))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.PaletteChange) and hasattr(self, "card"):
            self._fill()  # item fonts and colours are set per item: redo them for the new text size or theme
            self.apply_filters()
        super().changeEvent(event)

    def set_trainee(self, name: str) -> None:
        self.greeting.setText(f"Hello, {name}. Choose a conversation to practise. Nothing here is real, "
                              "and you can stop at any moment." if name else "Choose a conversation to practise.")

    def set_scenarios(self, scenarios: list[ScenarioFile], broken: list[str], last: dict[str, float | None]) -> None:
        chosen = self.current()
        self.scenarios = sorted(scenarios, key=title_order)
        self.last = last
        self._fill()
        note = ""
        if broken:
            # Named in full, eleven broken files took nine lines at 150 % text and left the table three rows: the
            # note names the first few, and every one is in its tooltip (and in scenario authoring).
            named = "; ".join(b if len(b) <= NOTE_CHARS else b[:NOTE_CHARS - 1].rstrip() + "…)"
                              for b in broken[:SHOWN_BROKEN])
            more = len(broken) - SHOWN_BROKEN
            note = (("1 file is" if len(broken) == 1 else f"{len(broken)} files are") + " not a valid scenario "
                    f"and left out: {named}" + (f"; and {more} more (point here for the list)" if more > 0 else
                                                 " (point here for all of it)" if "…)" in named else "")
                    + f". A coach sees how to fix {'it' if len(broken) == 1 else 'each'} in scenario authoring "
                    "(Review menu) or with simulator validate.")
        self.status.setText(note)
        self.status.setToolTip(as_tooltip("\n".join(broken)))
        self.status.setVisible(bool(note))
        self.apply_filters(keep=chosen)

    def _fill(self) -> None:
        c = colours(self.palette())
        level = {"easy": c.good, "medium": c.mixed, "hard": c.poor}
        bold = self.font()
        bold.setBold(True)
        self.table.setRowCount(len(self.scenarios))
        for row, sf in enumerate(self.scenarios):
            s = sf.scenario
            cells = [s.title, s.difficulty.capitalize(), f"{s.minutes} min", content_text(sf),
                     score_text(sf.id, self.last, self.practised)]
            for col, text in enumerate(cells):
                # Filled again for every new list: a cell keeps its item rather than have the table delete the old
                # one. Twice in about 40 runs of the window tests the app crashed in PySide's release of a deleted
                # object's wrapper, under a table call from the library's callback. Rows a shorter list drops are
                # still deleted by setRowCount; refills of the same list, the common case, delete nothing.
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, col, item)
                item.setText(text)
                item.setToolTip(as_tooltip(" ".join(s.summary.split()) if col == 0 else text))
            self.table.item(row, 0).setFont(bold)
            self.table.item(row, 1).setForeground(level[s.difficulty])
        self._size_to_font()

    def current(self) -> ScenarioFile | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.scenarios) and not self.table.isRowHidden(row):
            return self.scenarios[row]
        return None

    def matches(self, sf: ScenarioFile) -> bool:
        s = sf.scenario
        words = self.search.text().lower().split()
        haystack = " ".join([s.title, s.summary, s.id, content_text(sf), s.persona.name]).lower()
        if any(w not in haystack for w in words):
            return False
        level = self.difficulty.currentIndex()
        if level and s.difficulty != DIFFICULTIES[level - 1]:
            return False
        content = self.content.currentIndex()
        if content == 1 and s.content:
            return False
        if content == 2 and set(s.content) & {"slurs", "threats", "violence"}:
            return False
        return True

    def apply_filters(self, *_args, keep: ScenarioFile | None = None) -> None:
        keep = keep or self.current()
        shown = []
        for row, sf in enumerate(self.scenarios):
            self.table.setRowHidden(row, not self.matches(sf))
            if not self.table.isRowHidden(row):
                shown.append(row)
        total = len(self.scenarios)
        self.count.setText(f"{total} scenario{'s' if total != 1 else ''}" if len(shown) == total
                           else f"{len(shown)} of {total} shown")
        # Something stays selected whenever something is shown, so Enter and Prepare always have a scenario.
        wanted = next((r for r in shown if self.scenarios[r] is keep), shown[0] if shown else -1)
        self._walked = False  # the selection is the filter's own until ↑ or ↓ moves it (see eventFilter)
        if wanted >= 0:
            self.table.setCurrentCell(wanted, 0)
        else:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        self._show_details()

    def visible_titles(self) -> list[str]:
        return [self.scenarios[r].scenario.title for r in range(len(self.scenarios)) if not self.table.isRowHidden(r)]

    def _show_details(self) -> None:
        sf = self.current()
        empty = ("No scenario matches. Try fewer words, or “Any difficulty” and “Any content”."
                 if self.scenarios else "")
        self.card.show_scenario(sf, score_text(sf.id, self.last, self.practised) if sf else "", empty)

    def eventFilter(self, watched, event) -> bool:
        # From the search box, ↑ and ↓ walk the scenarios shown, so a trainee can search, pick and go by keys.
        if watched is self.search and event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Up, Qt.Key_Down):
            shown = [r for r in range(len(self.scenarios)) if not self.table.isRowHidden(r)]
            if shown:
                at = shown.index(self.table.currentRow()) if self.table.currentRow() in shown else -1
                if not self._walked and event.key() == Qt.Key_Down:
                    at = -1  # the first ↓ after a search goes to the first match, whatever the filter kept selected
                self._walked = True
                at = max(0, min(len(shown) - 1, at + (1 if event.key() == Qt.Key_Down else -1)))
                self.table.setCurrentCell(shown[at], 0)
            return True
        return super().eventFilter(watched, event)

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self.scenarios) and not self.table.isRowHidden(row):
            self.chosen.emit(self.scenarios[row])
