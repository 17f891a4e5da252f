"""One session for review: the transcript with the evidence marked, the verdicts beside it,
overrides with their audit trail, the path through the branches, and the trainee's recordings."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea, QSplitter,
                               QTableWidget, QTableWidgetItem, QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from ...scoring.review import latest_overrides
from ...scoring.verdict import dimension_label, figure, item_label
from ...store.records import SessionRecord
from ...store.report import path_sentence, transcript_table, verdict_words, when
from ..chart import DimensionChart
from ..conversation import blend
from ..astyped import as_tooltip, plain
from ..theme import colours
from .override_dialog import OverrideDialog
from .tables import WrappingRows, two_lines

_MARK = {"met": "✓ met", "missed": "✗ missed", "violated": "⚠ done"}
# A thing to avoid is only ever "violated" or, once a reviewer says so, "missed": that is the good outcome.
_AVOID_MARK = {"violated": "⚠ happened", "missed": "✓ did not happen"}


def verdict_mark(status: str, automatic: str) -> str:
    """How a verdict reads: for a thing to avoid (automatic "violated"), "did not happen" is a success."""
    marks = _AVOID_MARK if automatic == "violated" else _MARK
    return marks.get(status, status)


def palette_sheet(palette: QPalette) -> str:
    """The report's transcript in the theme's colours, each drawn where tests/test_theme.py rates it (text on the
    evidence colour, muted and call actions on the base): the printed report keeps its own dark-on-white sheet."""
    c = colours(palette)
    return f"""
td {{ vertical-align: top; }} th {{ text-align: left; }} .nowrap {{ white-space: nowrap; }}
.small {{ font-size: small; color: {c.muted.name()}; }} .trainee {{ font-weight: bold; }}
.evidence {{ background-color: {c.evidence.name()}; color: {palette.color(QPalette.Text).name()}; }}
.cost {{ background-color: {blend(c.poor, palette.color(QPalette.Base), 0.3).name()}; color: {palette.color(QPalette.Text).name()}; }}
.action {{ color: {c.event.name()}; font-weight: bold; }} a {{ color: {palette.color(QPalette.Link).name()}; }}
"""


class SessionPage(QWidget):
    back = Signal()
    override_wanted = Signal(object, str)  # (the verdict dict, its current status)
    reviewed_wanted = Signal(str)  # session id
    play_wanted = Signal(str)  # audio path relative to the store
    stop_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: SessionRecord | None = None
        self.selected_turn: int | None = None
        self.back_button = QPushButton("← Back to sessions")
        self.back_button.setShortcut("Alt+Left")
        self.back_button.clicked.connect(self.back)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.back_button.click,
                           context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.setWhatsThis("Back to sessions")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.score = QLabel()
        self.score.setAccessibleName("Score")
        self.chart = DimensionChart()
        self.path = QLabel()
        self.path.setWordWrap(True)
        self.path.setAccessibleName("Path through the scenario")
        self.transcript = QTextBrowser()
        self.transcript.setAccessibleName("Transcript")
        self.transcript.setOpenLinks(False)
        self._transcript_html = ""
        self._style_transcript()
        self.transcript.anchorClicked.connect(self._link)
        self.verdicts = QTreeWidget()
        self.verdicts.setAccessibleName("Verdicts")
        # Short columns on two lines, and "After review" only where a verdict was changed or disputed: at 200 %
        # text the criterion was left a letter or two a line ("N… the b… as u…").
        self.verdicts.setHeaderLabels(["Criterion", "Dimension", "Automatic", "After\nreview", "Evidence"])
        self.verdicts.setRootIsDecorated(False)
        self.verdicts.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        # A long criterion ("Offered to solve the real problem or put the refund through and said when") or quote
        # wraps in its column instead of pushing the dimension and the evidence off to the right at 1366 px.
        for wrapped in (0, 4):
            self.verdicts.header().setSectionResizeMode(wrapped, QHeaderView.Stretch)
        WrappingRows(self.verdicts)
        # The verdicts first: after a long criterion ("Said clearly that you were ending the call or brought in a
        # supervisor") they were off to the right at 1366 px and had to be scrolled to.
        for logical, shown in ((2, 0), (3, 1)):
            self.verdicts.header().moveSection(self.verdicts.header().visualIndex(logical), shown)
        self.verdicts.currentItemChanged.connect(self._verdict_chosen)
        self.verdicts.itemDoubleClicked.connect(lambda *_: self.change_verdict())
        self.change_button = QPushButton("Change verdict…")
        self.change_button.setAccessibleName("Change the selected verdict")
        self.change_button.clicked.connect(self.change_verdict)
        self.reviewed_button = QPushButton("Mark as reviewed")
        self.reviewed_button.setToolTip("The verdicts you leave as they are count as agreeing with the scorer")
        self.reviewed_button.clicked.connect(lambda: self.record and self.reviewed_wanted.emit(self.record.id))
        self.stop_button = QPushButton("Stop playback")
        self.stop_button.clicked.connect(self.stop_wanted)
        self.stop_button.setEnabled(False)
        self.audit = QTableWidget(0, 5)
        self.audit.setAccessibleName("Changes to verdicts")
        self.audit.setHorizontalHeaderLabels(["When", "Who", "Criterion", "Changed to", "Why"])
        self.audit.horizontalHeader().setStretchLastSection(True)
        self.audit.verticalHeader().hide()
        self.audit.setEditTriggers(QTableWidget.NoEditTriggers)
        self.audit.setWordWrap(True)
        self.audit.setTextElideMode(Qt.ElideNone)
        self.audit.horizontalHeader().sectionResized.connect(lambda *_: self.audit.resizeRowsToContents())
        for column in (0, 1, 3):  # "Changed to" was cut to "hanged t": each header as wide as its words
            self.audit.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeToContents)
        # The criterion wraps in a column of its own width, so that the reason, last, keeps room to be read: it
        # was squeezed to a few letters a line at 1366 px, behind a sideways scroll.
        self.audit.horizontalHeader().setSectionResizeMode(2, QHeaderView.Interactive)
        self.reviews = plain(QLabel())
        self.reviews.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.score)
        side_layout.addWidget(self.chart)
        side_layout.addWidget(QLabel("Verdicts (select one to see its turn):"))
        side_layout.addWidget(self.verdicts, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.change_button)
        buttons.addWidget(self.reviewed_button)
        buttons.addWidget(self.stop_button)
        side_layout.addLayout(buttons)
        side_layout.addWidget(QLabel("Changes, with who and when:"))
        side_layout.addWidget(self.audit, 1)
        side_layout.addWidget(self.reviews)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.path)
        left_layout.addWidget(self.transcript, 1)
        # At 200 % text on a 1366x768 screen the side showed one verdict and clipped the audit's headers: the
        # tables keep room for a few rows each and the side scrolls instead.
        side_scroll = self.side_scroll = QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.NoFrame)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(side_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._size_to_font()

    def _size_to_font(self) -> None:
        line = self.fontMetrics().height()
        self.verdicts.setMinimumHeight(int(line * 7.5))  # the header and four verdicts
        self.audit.setMinimumHeight(int(line * 5))  # the header and two changes
        # The verdicts' side keeps the width their columns need, in letters: at 200 % text its two-fifths share (or
        # a divider dragged earlier) left a criterion "Named the beha… as unac…" and the side cut at its right edge.
        self.side_scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 36)

    def show_record(self, record: SessionRecord) -> None:
        keep = self.verdicts.currentIndex().row() if self.record and self.record.id == record.id else 0
        self.record = record
        s = record.summary
        self.title.setText(f"<b>{escape(s.scenario_title)}</b> — {escape(s.trainee)} — {when(s.started_at)} — "
                           f"{s.status.replace('_', ' ')}" + (" — imported" if s.origin == "imported" else ""))
        if s.overall is None:
            self.score.setText("Not scored (practice, or stopped before the end).")
        elif s.reviewed_overall is not None:
            self.score.setText(f"<b>Score {figure(s.reviewed_overall)}</b> after review (automatic: {figure(s.overall)})")
        else:
            self.score.setText(f"<b>Score {figure(s.overall)}</b> (automatic; not changed)")
        self.chart.set_scores([(dimension_label(sc["dimension"]),
                                sc["reviewed"] if sc.get("reviewed") is not None else sc["score"]) for sc in record.scores])
        self.path.setText(path_sentence(record))
        self._transcript_html = transcript_table(record, times=True, recordings=True)
        self.transcript.setHtml(self._transcript_html)
        now = latest_overrides(record.overrides)
        disputed = {(d.dimension, d.item) for d in record.disputes if d.is_open}  # answered in the Disputes tab
        self.verdicts.clear()
        for v in record.verdicts:
            after = now.get((v["dimension"], v["item"]))
            quotes = " | ".join(ev["quote"] for ev in v["evidence"][:2])
            auto = verdict_mark(v["status"], v["status"]) + (" (uncertain)" if v.get("uncertain") else "")
            item = QTreeWidgetItem([item_label(v["item"]), two_lines(dimension_label(v["dimension"])), auto,
                                    (verdict_mark(after, v["status"]) if after else "unchanged")
                                    + ("\n· disputed" if (v["dimension"], v["item"]) in disputed else ""), quotes])
            item.setData(0, 256, v)
            for column in (0, 4):
                item.setToolTip(column, as_tooltip(item.text(column)))
            self.verdicts.addTopLevelItem(item)
        self.verdicts.setColumnHidden(3, not (now or disputed))
        if self.verdicts.topLevelItemCount():
            # In the automatic verdict's column, which is shown first: made current in the criterion's, the table
            # scrolled sideways to it and hid the verdicts at 1366 px.
            self.verdicts.setCurrentItem(self.verdicts.topLevelItem(min(keep, self.verdicts.topLevelItemCount() - 1)), 2)
        self.audit.setRowCount(len(record.overrides))
        autos = {(v["dimension"], v["item"]): v["status"] for v in record.verdicts}
        for row, o in enumerate(record.overrides):
            auto = autos.get((o.dimension, o.item), "")
            for col, text in enumerate([when(o.created_at).replace(" ", "\n", 1), o.reviewer, item_label(o.item),
                                        f"{verdict_words(o.status, auto)}\n(automatic: {verdict_words(auto, auto) or '?'})",
                                        o.comment]):
                item = QTableWidgetItem(text)
                item.setToolTip(as_tooltip(text))
                self.audit.setItem(row, col, item)
        fm = self.audit.fontMetrics()
        self.audit.setColumnWidth(2, min(max(self.audit.sizeHintForColumn(2), fm.horizontalAdvance("Criterion") + 16),
                                         fm.horizontalAdvance("m") * 16))
        self.audit.resizeRowsToContents()  # a reason is read in full, wrapped, not cut to "even if not in so many…"
        self.reviews.setText("Reviewed by " + ", ".join(f"{r['reviewer']} ({when(r['reviewed_at'])})"
                                                        for r in record.reviews) if record.reviews else "Not reviewed yet.")
        if disputed:
            self.reviews.setText(self.reviews.text() + f" The trainee disputes {len(disputed)} verdict"
                                 f"{'' if len(disputed) == 1 else 's'}: answer in the Disputes tab.")

    def _style_transcript(self) -> None:
        """The sheet applies as the HTML is read: on a theme switch the transcript is read again, where it was."""
        self.transcript.document().setDefaultStyleSheet(palette_sheet(self.palette()))
        if self._transcript_html:
            bar = self.transcript.verticalScrollBar()
            at = bar.value()
            self.transcript.setHtml(self._transcript_html)
            bar.setValue(at)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.FontChange and hasattr(self, "audit"):
            self._size_to_font()
        # The page's own palette is the new one here; the transcript's may still be the old one.
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and hasattr(self, "transcript"):
            self._style_transcript()
        super().changeEvent(event)

    def current_verdict(self) -> dict | None:
        item = self.verdicts.currentItem()
        return item.data(0, 256) if item else None

    def change_verdict(self) -> None:
        v = self.current_verdict()
        if v is not None and self.record is not None:
            now = latest_overrides(self.record.overrides).get((v["dimension"], v["item"]), v["status"])
            self.override_wanted.emit(v, now)

    def override_dialog(self, verdict: dict, current: str, reviewer: str) -> OverrideDialog:
        disputed = next((d.reason for d in (self.record.disputes if self.record else [])
                         if d.is_open and (d.dimension, d.item) == (verdict["dimension"], verdict["item"])), None)
        return OverrideDialog(verdict, current, reviewer, self, disputed=disputed)

    def _verdict_chosen(self, item, _previous=None) -> None:
        v = item.data(0, 256) if item else None
        if v and v["evidence"]:
            self.selected_turn = int(v["evidence"][0]["turn"])
            self.transcript.scrollToAnchor(f"turn-{self.selected_turn}")

    def _link(self, url: QUrl) -> None:
        if url.scheme() == "play" and self.record is not None:
            index = int(url.path() or url.toString().split(":", 1)[1])
            turn = next((t for t in self.record.turns if t["index"] == index), None)
            if turn and turn.get("audio"):
                self.play_wanted.emit(turn["audio"])
