"""Before a session: what it contains, how hard, scored or not, how to answer, and a microphone check."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QFrame, QGroupBox, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QRadioButton, QScrollArea, QVBoxLayout, QWidget)

from ..practice import Choice
from ..scenario import Policy, ScenarioFile
from ..scoring.assessed import checklist_allowed, what_is_assessed
from .assessed_box import AssessedBox
from .astyped import plain
from .customer_card import CustomerCard
from .library_page import content_text
from .panel import Panel
from .tasks import Tasks
from .theme import ring_on_focus

INPUT_MODES = [("voice", "&Voice: just speak"), ("push_to_talk", "P&ush to talk: hold the Talk button, or Ctrl+Space to start and stop"),
               ("typed", "&Typing only")]


CHECKLIST_TEXT = "Show a chec&klist during the call, ticked as you meet each item"
# The briefing is read as one column this many average characters wide at most (about 100 is a comfortable line,
# and the longest option, the checklist's, fits): on a wide screen it stood stretched over the whole window.
READABLE_CHARACTERS = 100


MIC_HINT = "Press Check microphone and say a few words: the bar should move."


def _radio_group(title: str, options: list[tuple[str, str]], parent: QWidget) -> tuple[QGroupBox, QButtonGroup]:
    box = QGroupBox(title, parent)
    group = QButtonGroup(box)
    layout = QVBoxLayout(box)
    for i, (_, label) in enumerate(options):
        button = QRadioButton(label)
        group.addButton(button, i)
        layout.addWidget(button)
    group.button(0).setChecked(True)
    return box, group


def _centred(column: QWidget) -> QWidget:
    """The column in the middle of a row as wide as the page, as wide as it may be and no wider."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    layout.addWidget(column, 1000)  # the column takes the room first, up to its maximum width; the sides the rest
    layout.addStretch(1)
    return row


class BriefingPage(QWidget):
    start = Signal(object)  # Choice
    back = Signal()

    def __init__(self, tasks: Tasks, open_microphone: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.open_microphone = open_microphone
        self.scenario: ScenarioFile | None = None
        self._mic = None
        self._mic_check: object | None = None  # the check being opened or running; None when stopped
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.situation = plain(QLabel())
        self.situation.setWordWrap(True)
        self.customer = CustomerCard()  # who the trainee will talk to, as the call will show them
        self.customer.clock.hide()
        self.content_note = plain(Panel("warning", "warning_bubble"))
        self.content_note.setAccessibleName("Content note")
        self.assessed_box = AssessedBox()

        self.intensity_box = QGroupBox("&Intensity")
        self.intensity_layout = QHBoxLayout(self.intensity_box)
        self.intensity_group = QButtonGroup(self.intensity_box)
        mode_box, self.mode_group = _radio_group("Mode", [("assessed", "&Assessed: scored and kept for your manager"),
                                                          ("practice", "P&ractice only: not scored, not kept")], self)
        input_box, self.input_group = _radio_group("How you answer", INPUT_MODES, self)
        self.keep_audio = QCheckBox("&My manager may listen to my recorded answers")
        self.keep_audio.setAccessibleName("Allow my recorded answers to be kept for my manager")
        self.checklist = QCheckBox(CHECKLIST_TEXT)
        self.checklist.setToolTip("Offered in practice; in assessed sessions only if your organisation allows it.")
        self.policy: Policy | None = None

        self.mic_button = QPushButton("&Check microphone")
        self.mic_meter = QProgressBar()
        self.mic_meter.setRange(0, 100)
        self.mic_meter.setTextVisible(False)
        self.mic_meter.setAccessibleName("Microphone level")
        self.mic_status = QLabel(MIC_HINT)
        self.mic_status.setWordWrap(True)
        mic_box = self.mic_box = QGroupBox("Microphone check")
        mic_layout = QVBoxLayout(mic_box)
        mic_row = QHBoxLayout()
        mic_row.addWidget(self.mic_button)
        mic_row.addWidget(self.mic_meter, 1)
        mic_layout.addLayout(mic_row)
        mic_layout.addWidget(self.mic_status)

        self.start_button = QPushButton("&Start the conversation")
        self.start_button.setDefault(True)
        self.start_button.setAutoDefault(True)
        self.back_button = QPushButton("&Back to the library")
        self.speech_status = QLabel("")
        self.speech_status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)

        # The options go down the page in the order they are read and tabbed through: side by side they made the
        # page wider than a small screen at large text, and on a wide one set the options apart from the rest.
        # The briefing scrolls and its buttons stay put: with large text on a 768-line screen the page is
        # taller than the window, and Qt's minimum height does not count wrapped labels, so the options overlapped.
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.title, self.customer, self.situation, self.content_note, self.assessed_box,
                     self.intensity_box, mode_box, input_box, self.keep_audio, self.checklist, mic_box):
            layout.addWidget(part)
        layout.addStretch(1)  # the page reads from the top; any spare room is below it, not between its parts
        self.body = body
        self.scroll = QScrollArea()
        self.scroll.setWidget(_centred(body))
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        ring_on_focus(self.scroll)
        # Nothing is wider than the column at any text size; were it ever, it could be scrolled to, not cut off.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # A choice made by its Alt letter is scrolled into view (Tab scrolls; a mnemonic did not, and Alt+R changed
        # only the summary line on a small screen, the choice itself out of sight).
        QApplication.instance().focusChanged.connect(self._show_focused)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        # What Start starts, beside it: at 1366x768 the Mode choice was below the fold while Start was in view, and
        # a trainee could begin an assessed call without having seen that it would be scored.
        self.choices = QLabel("")
        self.choices.setWordWrap(True)
        self.choices.setAccessibleName("What Start begins")
        bottom_layout.addWidget(self.choices)
        bottom_layout.addWidget(self.speech_status)
        bottom_layout.addLayout(buttons)
        self.bottom = bottom
        page = QVBoxLayout(self)
        page.addWidget(self.scroll, 1)
        self._bottom_row = _centred(bottom)
        page.addWidget(self._bottom_row)  # Start sits under the column it ends, not at the far edge of the screen
        page.addStretch(0)  # on a tall screen the room left is below the buttons (see _fit_height)
        self.scroll.widget().installEventFilter(self)
        self._fit_width()

        self._meter = QTimer(self)
        self._meter.setInterval(50)
        self._meter.timeout.connect(self._show_level)
        self.mic_button.clicked.connect(self.toggle_mic_check)
        self.start_button.clicked.connect(self._start)
        self.back_button.clicked.connect(self._back)
        # Escape leaves, as it leaves a dialog: a walker pressed it on the briefing and nothing happened.
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._back,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.setWhatsThis("Back: to the library, or to My sessions for a session opened from there")
        self.mode_group.idToggled.connect(lambda *_: self.keep_audio.setEnabled(self.assessed))
        self.mode_group.idToggled.connect(lambda *_: self._offer_checklist())
        self.input_group.idToggled.connect(lambda *_: self.keep_audio.setEnabled(self.assessed and self.input_mode != "typed"))
        for group in (self.mode_group, self.input_group, self.intensity_group):
            group.idToggled.connect(lambda *_: self._show_choices())

    def _fit_width(self) -> None:
        width = self.fontMetrics().averageCharWidth() * READABLE_CHARACTERS
        for column in (self.body, self.bottom):
            column.setMaximumWidth(width)

    def _fit_height(self) -> None:
        """No taller than the briefing at this width, so the buttons follow straight after it on a tall screen;
        on a short one the page layout gives it less, and it scrolls."""
        inner = self.scroll.widget()
        width = self.scroll.viewport().width()
        height = inner.heightForWidth(width) if inner.hasHeightForWidth() else inner.sizeHint().height()
        self.scroll.setMaximumHeight(max(height, inner.minimumSizeHint().height()) + 2 * self.scroll.frameWidth())
        # The buttons' column lines up with the briefing's, which a scroll bar beside it moves left.
        # (The briefing's own width: the viewport's is not yet updated when the scroll bar comes or goes.)
        self._bottom_row.layout().setContentsMargins(0, 0, max(0, self.scroll.width() - inner.width()), 0)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.widget() and event.type() in (QEvent.LayoutRequest, QEvent.Resize):
            self._fit_height()  # its words or its width changed: so may its height
        return super().eventFilter(watched, event)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.ApplicationFontChange) and hasattr(self, "bottom"):
            self._fit_width()  # the column is measured in characters: it grows and shrinks with the text size
        super().changeEvent(event)

    # -- filling in ------------------------------------------------------------------
    def show_scenario(self, sf: ScenarioFile, input_mode: str, keep_audio: bool, policy: Policy | None = None,
                      show_assessed: bool = True, show_checklist: bool = False) -> None:
        self.stop_mic_check()
        self.policy = policy
        self.checklist.setChecked(show_checklist)
        self.assessed_box.show_assessed(what_is_assessed(sf, policy), show_assessed)
        self.scenario = sf
        s = sf.scenario
        self.title.setText(f"<h2>{escape(s.title)}</h2>")
        start = s.nodes[s.start_node].mood or s.mood
        self.customer.show_customer(s.persona.name, s.persona.role, s.persona.company, start)
        who = s.persona.name + (f", {s.persona.company}" if s.persona.company else "")
        meet = "chat with" if s.channel == "chat" else "talk to"
        self.situation.setText(f"{' '.join(s.summary.split())}\n\nYou will {meet} {who} ({s.persona.role}). "
                               f"About {s.minutes} minutes.")
        note = content_text(sf)
        self.content_note.setText(
            f"Content note: this conversation contains {note}. It is a practice script, not a real person. "
            "You can stop at any moment with “Stop — I need a break”."
            if s.content else "Content note: this customer is upset but not abusive.")
        for button in self.intensity_group.buttons():
            self.intensity_group.removeButton(button)
            button.deleteLater()
        for i, level in enumerate(s.intensity):
            button = QRadioButton(level.capitalize())
            button.setAccessibleName(f"Intensity {level}")
            self.intensity_group.addButton(button, i)
            self.intensity_layout.addWidget(button)
        self.intensity_group.button(0).setChecked(True)  # the mildest first: nobody starts at the strongest
        self.intensity_box.setVisible(len(s.intensity) > 1)
        ids = [m for m, _ in INPUT_MODES]
        if s.channel == "chat":
            input_mode = "typed"  # a web chat is typed; speaking the replies stays on offer, chosen here
        self.input_group.button(ids.index(input_mode) if input_mode in ids else 0).setChecked(True)
        self.keep_audio.setChecked(keep_audio)
        self.mode_group.button(0).setChecked(True)
        self._offer_checklist()
        self._show_choices()
        self._tab_order()
        # Each briefing starts at its title and content note: one opened where the last was scrolled to, below
        # the note about threats, with Start in view.
        self.scroll.verticalScrollBar().setValue(0)
        QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(0))
        self.start_button.setFocus()

    def _tab_order(self) -> None:
        """Tab goes down the page as it reads; the intensity buttons, made anew for each scenario, would
        otherwise come last, after Start."""
        order = [self.assessed_box.toggle, self.assessed_box.scroll, *self.intensity_group.buttons(),
                 *self.mode_group.buttons(), *self.input_group.buttons(), self.keep_audio, self.checklist,
                 self.mic_button, self.back_button, self.start_button]
        for before, after in zip(order, order[1:]):
            QWidget.setTabOrder(before, after)

    def _show_choices(self) -> None:
        mode = self.mode_group.checkedButton().text().replace("&", "")  # the Mode option's own words
        head, _, detail = mode.partition(":")  # "Assessed: scored and kept..." reads as "assessed (scored and kept...)"
        parts = [f"{head.lower()} ({detail.strip()})" if detail else mode.lower()]
        level = self.intensity_group.checkedButton()
        if level is not None and self.intensity_box.isVisibleTo(self):
            parts.append(f"{level.text().lower()} intensity")
        parts.append({"voice": "by voice", "push_to_talk": "push to talk", "typed": "typing"}.get(self.input_mode, ""))
        # Named, not "above": at large text sizes the choices are a scroll away from this line, below what shows.
        where = "Intensity, Mode or How you answer" if self.intensity_box.isVisibleTo(self) else "Mode or How you answer"
        self.choices.setText(f"Starting now means: {', '.join(p for p in parts if p)}. To change that, use "
                             f"{where} on this page.")

    @property
    def assessed(self) -> bool:
        return self.mode_group.checkedId() == 0

    def _offer_checklist(self) -> None:
        allowed = self.checklist_allowed
        self.checklist.setEnabled(allowed)
        # Say why it is greyed out, rather than leave the trainee guessing.
        self.checklist.setText(CHECKLIST_TEXT + ("" if allowed else " (in practice only)"))

    @property
    def checklist_allowed(self) -> bool:
        return checklist_allowed(self.policy, self.assessed)

    @property
    def wants_checklist(self) -> bool:
        return self.checklist.isChecked() and self.checklist_allowed

    @property
    def input_mode(self) -> str:
        return INPUT_MODES[max(0, self.input_group.checkedId())][0]

    def choice(self) -> Choice:
        assert self.scenario is not None
        levels = self.scenario.scenario.intensity
        level = levels[max(0, self.intensity_group.checkedId())] if levels else None
        return Choice(self.scenario, intensity=level, assessed=self.assessed, input_mode=self.input_mode,
                      keep_audio=self.assessed and self.input_mode != "typed" and self.keep_audio.isChecked())

    # -- microphone check ------------------------------------------------------------
    def toggle_mic_check(self) -> None:
        if self._mic is not None:
            self.stop_mic_check()
            return
        self.mic_button.setEnabled(False)
        self.mic_status.setText("Opening the microphone…")
        # A headset can take seconds to open: if the check was stopped meanwhile (Start, Back, closing the
        # window), the microphone it opens is closed at once, not left listening beside the call's own.
        self._mic_check = check = object()

        def opened(mic) -> None:
            if self._mic_check is not check:
                self.tasks.run(mic.stop)
                return
            self._mic = mic
            self.mic_button.setEnabled(True)
            self.mic_button.setText("Stop &checking")
            self.mic_status.setText("Listening. Say a few words: the bar should move.")
            self._meter.start()

        def failed(exc: BaseException) -> None:
            if self._mic_check is not check:
                return
            self.mic_button.setEnabled(True)
            message = getattr(exc, "message", str(exc))
            self.mic_status.setText(f"No microphone could be opened ({message}). You can still answer by typing.")
            self.input_group.button(2).setChecked(True)

        def open_and_start():
            mic = self.open_microphone()
            mic.start(lambda chunk, at: None)
            return mic
        self.tasks.run(open_and_start, done=opened, failed=failed)

    def _show_level(self) -> None:
        if self._mic is not None:
            # Speech sits around 0.02-0.2 of full scale: a square root makes the bar move visibly.
            self.mic_meter.setValue(min(100, int((getattr(self._mic, "level", 0.0) ** 0.5) * 180)))

    def _show_focused(self, _old, now) -> None:
        if now is not None and self.isVisible() and self.body.isAncestorOf(now):
            self.scroll.ensureWidgetVisible(now)

    def microphone_found(self, found: bool) -> None:
        """With no microphone there is nothing to check, and the check goes: its button offered "say a few words:
        the bar should move" beside "No microphone was found", and then its own "none was found" said it twice."""
        self.mic_button.setEnabled(found)
        self.mic_status.setText(MIC_HINT)
        self.mic_box.setVisible(found)
        # Nor anything to speak into: "by voice" on offer beside "you will answer by typing" read as a contradiction.
        for i, (mode, _) in enumerate(INPUT_MODES):
            if mode != "typed":
                button = self.input_group.button(i)
                button.setEnabled(found)
                button.setToolTip("" if found else "Needs a microphone: none was found.")
        if not found:
            self.input_group.button([m for m, _ in INPUT_MODES].index("typed")).setChecked(True)
        self.keep_audio.setEnabled(self.assessed and self.input_mode != "typed")
        self._show_choices()

    def stop_mic_check(self) -> None:
        if self._mic_check is not None and self._mic is None:
            self.mic_button.setEnabled(True)  # stopped while opening: the check can be tried again
            self.mic_status.setText(MIC_HINT)
        self._mic_check = None
        self._meter.stop()
        self.mic_meter.setValue(0)
        self.mic_button.setText("&Check microphone")
        if self._mic is not None:
            mic, self._mic = self._mic, None
            self.tasks.run(mic.stop)

    def _start(self) -> None:
        self.stop_mic_check()
        self.start.emit(self.choice())

    def _back(self) -> None:
        self.stop_mic_check()
        self.back.emit()
