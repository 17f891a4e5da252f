"""Every text colour of every theme reads on what it is drawn on: WCAG AA for normal text, 4.5:1.

The window test (test_trainee_window) measures a widget's rendered contrast by its darkest text only, so a paler
colour beside it (the orange "Contains …" note under black words, a grey call action) was never measured. These
tests take each colour on its own: the theme's table of where colours are drawn, and the widgets that draw the
colours a tester found too pale.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from conftest import REPO
from simulator.engine.turn import Turn
from simulator.scenario import load_scenario
from simulator.ui.conversation import ConversationView
from simulator.ui.library_page import LibraryPage, _Card
from simulator.ui.theme import TEXT_ON, Colours, apply_theme, colours

AA = 4.5
THEMES = ["light", "dark", "system"]
BACKGROUND_ROLES = {"window": QPalette.Window, "base": QPalette.Base, "alternate_base": QPalette.AlternateBase}
# Our palettes' own text on its own background. (Disabled text is left out: WCAG 1.4.3 exempts inactive controls.)
PALETTE_TEXT = [(QPalette.WindowText, QPalette.Window), (QPalette.Text, QPalette.Base),
                (QPalette.Text, QPalette.AlternateBase), (QPalette.ButtonText, QPalette.Button),
                (QPalette.HighlightedText, QPalette.Highlight), (QPalette.PlaceholderText, QPalette.Base),
                (QPalette.ToolTipText, QPalette.ToolTipBase), (QPalette.Link, QPalette.Base),
                (QPalette.LinkVisited, QPalette.Base)]


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.fixture
def theme(qapp, request):
    apply_theme(qapp, request.param, 100)
    yield request.param
    apply_theme(qapp, "system", 100)


def background(name: str, c: Colours, palette: QPalette) -> QColor:
    return palette.color(BACKGROUND_ROLES[name]) if name in BACKGROUND_ROLES else getattr(c, name)


def test_the_contrast_formula_gives_the_known_ratios():
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#ffffff")) == pytest.approx(4.54, abs=0.01)  # the classic AA grey


def test_every_theme_colour_is_placed_as_text_or_as_what_text_is_drawn_on():
    """A colour added to the theme has to say where it is drawn before the contrast test can pass it."""
    fields = {f.name for f in dataclasses.fields(Colours)}
    backgrounds = {b for bgs in TEXT_ON.values() for b in bgs}
    assert set(TEXT_ON) <= fields
    assert backgrounds <= fields | set(BACKGROUND_ROLES)
    assert fields - set(TEXT_ON) - backgrounds == set()


@pytest.mark.parametrize("theme", THEMES, indirect=True)
def test_every_text_colour_reads_on_every_background_it_is_drawn_on(theme):
    palette = QApplication.palette()
    c = colours(palette)
    low = [f"{text} {getattr(c, text).name()} on {bg} {background(bg, c, palette).name()}: "
           f"{contrast(getattr(c, text), background(bg, c, palette)):.2f}"
           for text, bgs in TEXT_ON.items() for bg in bgs
           if contrast(getattr(c, text), background(bg, c, palette)) < AA]
    assert low == [], f"{theme} theme"


@pytest.mark.parametrize("theme", ["light", "dark"], indirect=True)
def test_our_palettes_text_reads_on_its_own_background(theme):
    p = QApplication.palette()
    low = [f"{fg.name} {p.color(fg).name()} on {bg.name} {p.color(bg).name()}: {contrast(p.color(fg), p.color(bg)):.2f}"
           for fg, bg in PALETTE_TEXT if contrast(p.color(fg), p.color(bg)) < AA]
    assert low == [], f"{theme} theme"


def _span_colours(html: str) -> list[QColor]:
    return [QColor(m) for m in re.findall(r"color:\s*(#[0-9a-fA-F]{6})", html)]


@pytest.mark.parametrize("theme", ["light", "dark"], indirect=True)
def test_the_content_note_and_the_difficulty_read_in_the_library(qtbot, theme):
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    assert sf.scenario.content and sf.scenario.difficulty == "medium"
    card = _Card()
    qtbot.addWidget(card)
    card.show_scenario(sf, "not played yet", "")
    html = card.body.text()
    note = re.search(r"<p style='color:(#[0-9a-fA-F]{6})'>Contains", html)
    assert note, html
    drawn_on = card.palette().color(card.backgroundRole())
    assert contrast(QColor(note.group(1)), drawn_on) >= AA

    page = LibraryPage()
    qtbot.addWidget(page)
    page.set_scenarios([sf, load_scenario(REPO / "scenarios" / "late-refund-empathy.yaml")], [], {})
    table = page.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "Medium")
    medium = table.item(row, 1).foreground().color()
    for role in (QPalette.Base, QPalette.AlternateBase):  # a row of either shade
        assert contrast(medium, table.palette().color(role)) >= AA, role.name


@pytest.mark.parametrize("theme", ["light", "dark"], indirect=True)
def test_a_call_action_in_the_conversation_reads_on_the_conversation(qtbot, theme):
    view = ConversationView()
    qtbot.addWidget(view)
    view.add(Turn(0, "trainee", "action", "start", action="hold"))
    mark = view._turns[0]
    assert "on hold" in mark.words.text()
    (colour,) = _span_colours(mark.words.text())
    assert contrast(colour, view.viewport().palette().color(view.viewport().backgroundRole())) >= AA


# -- review mode's transcript ------------------------------------------------------------------------------------
def _fragments(browser):
    """(text, colour, drawn on) of every piece of the browser's document, as Qt will paint it."""
    from PySide6.QtCore import Qt
    palette = browser.palette()
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            f = fragment.charFormat()
            fg = f.foreground().color() if f.foreground().style() != Qt.NoBrush else palette.color(QPalette.Text)
            bg = f.background().color() if f.background().style() != Qt.NoBrush else palette.color(QPalette.Base)
            if fragment.text().strip():
                yield fragment.text().strip(), fg, bg
            it += 1
        block = block.next()


def _low_contrast(browser) -> list[str]:
    return [f"{text!r} {fg.name()} on {bg.name()}: {contrast(fg, bg):.2f}"
            for text, fg, bg in _fragments(browser) if contrast(fg, bg) < AA]


@pytest.fixture
def reviewed_record(tmp_path):
    """A session with evidence marked, call actions (flag, end call) and a kept recording (a "play" link)."""
    from simulator.store import Store, load_session
    from storefill import PLAYS, keep_recording, play
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[0], "Ana")
        keep_recording(store, sid, 160)
        return load_session(store, sid)


@pytest.mark.parametrize("theme", ["light", "dark"], indirect=True)
def test_every_word_of_the_review_transcript_reads_on_its_background(qtbot, theme, reviewed_record):
    from simulator.ui.review.session_page import SessionPage
    page = SessionPage()
    qtbot.addWidget(page)
    page.show_record(reviewed_record)
    pieces = [text for text, _, _ in _fragments(page.transcript)]
    # What the tester could hardly read in the dark theme is among what is measured.
    assert any("◆" in t for t in pieces) and any("play recording" in t for t in pieces) and ":00" in pieces
    assert any(bg != page.transcript.palette().color(QPalette.Base) for _, _, bg in _fragments(page.transcript))
    assert _low_contrast(page.transcript) == [], f"{theme} theme"


def test_the_review_transcript_follows_a_theme_switch_while_it_is_open(qtbot, qapp, reviewed_record):
    from simulator.ui.review.session_page import SessionPage
    apply_theme(qapp, "light", 100)
    try:
        page = SessionPage()
        qtbot.addWidget(page)
        page.resize(900, 600)
        page.show()
        page.show_record(reviewed_record)
        evidence_before = {bg.name() for _, _, bg in _fragments(page.transcript)} - {"#ffffff"}
        for theme in ("dark", "light", "dark"):
            apply_theme(qapp, theme, 100)
            base = qapp.palette().color(QPalette.Base)
            qtbot.waitUntil(lambda: page.transcript.palette().color(QPalette.Base) == base)
            assert _low_contrast(page.transcript) == [], f"after switching to {theme}"
        evidence_after = {bg.name() for _, _, bg in _fragments(page.transcript)} - {page.transcript.palette().color(
            QPalette.Base).name()}
        assert evidence_after == {colours().evidence.name()} != evidence_before
        assert "play:1" in page.transcript.toHtml()  # read again whole: its links still there
    finally:
        apply_theme(qapp, "system", 100)


@pytest.mark.skipif(__import__("shutil").which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_printed_report_stays_dark_on_white_in_the_dark_theme(qapp, tmp_path, reviewed_record):
    """The report has its own sheet: the page printed in the dark theme is the one printed in the light theme."""
    import subprocess
    from PySide6.QtGui import QImage
    from simulator.store.report import session_html
    from simulator.ui.printing import html_to_pdf
    pages = {}
    try:
        for theme in ("light", "dark"):
            apply_theme(qapp, theme, 100)
            pdf = html_to_pdf(session_html(reviewed_record), tmp_path / f"{theme}.pdf")
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / theme)],
                           check=True)
            pages[theme] = QImage(str(next(tmp_path.glob(f"{theme}*.png"))))
    finally:
        apply_theme(qapp, "system", 100)
    light, dark = pages["light"], pages["dark"]
    assert dark == light
    assert dark.pixelColor(2, 2).lightness() == 255  # white paper
    darkest = min(dark.pixelColor(x, y).lightness()
                  for x in range(0, dark.width(), 3) for y in range(0, dark.height(), 3))
    assert darkest < 60  # dark words on it


def test_a_poor_agreement_in_calibration_reads_in_either_theme_and_follows_a_switch(qtbot, qapp):
    from simulator.store.calibration import Agreement
    from simulator.ui.review.calibration_page import CalibrationPage
    apply_theme(qapp, "light", 100)
    try:
        page = CalibrationPage()
        qtbot.addWidget(page)
        page.show()
        page.show_agreement([Agreement("names_behavior", both_present=2, both_absent=2, only_scorer=4, only_manager=4)])
        for theme in ("dark", "light"):
            apply_theme(qapp, theme, 100)
            qtbot.waitUntil(lambda: page.table.palette().color(QPalette.Base) == qapp.palette().color(QPalette.Base))
            kappa = page.table.item(0, 1)
            assert "poor" in kappa.text() or "slight" in kappa.text()
            assert kappa.foreground().color() == colours().poor, theme
            assert contrast(kappa.foreground().color(), page.table.palette().color(QPalette.Base)) >= AA, theme
    finally:
        apply_theme(qapp, "system", 100)


@pytest.mark.parametrize("theme", THEMES, indirect=True)
@pytest.mark.parametrize("kind", ["radio", "check"])
def test_an_empty_check_box_or_radio_button_can_be_seen(qtbot, theme, kind):
    """A tester could not tell "Strong" was a choice beside a chosen "Mild" in the dark theme: Fusion's edge of an
    empty indicator was 1.3:1 on the window. WCAG 1.4.11 asks 3:1 for the boundary of a control."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QStyle, QStyleOptionButton

    button = (QRadioButton if kind == "radio" else QCheckBox)("Strong")
    qtbot.addWidget(button)
    button.resize(button.sizeHint())
    image = QImage(button.size(), QImage.Format_RGB32)
    image.fill(button.palette().color(QPalette.Window))
    button.render(image)
    option = QStyleOptionButton()
    option.initFrom(button)
    element = QStyle.SE_RadioButtonIndicator if kind == "radio" else QStyle.SE_CheckBoxIndicator
    box = button.style().subElementRect(element, option, button)
    window = button.palette().color(QPalette.Window)
    edge = max(contrast(image.pixelColor(x, y), window)
               for x in range(box.left(), box.right() + 1) for y in range(box.top(), box.bottom() + 1))
    assert edge >= 3.0, f"{theme}: the empty {kind} indicator's edge is {edge:.2f}:1 on the window"


def _arrow_pixels(widget, control, sub) -> int:
    """Pixels in a spin or drop-down button that stand out from the button (the arrow)."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox, QStyleOptionSpinBox

    widget.resize(widget.sizeHint())
    image = QImage(widget.size(), QImage.Format_RGB32)
    widget.render(image)
    option = QStyleOptionSpinBox() if control == QStyle.CC_SpinBox else QStyleOptionComboBox()
    widget.initStyleOption(option)
    box = widget.style().subControlRect(control, option, sub, widget)
    pixels = [image.pixelColor(x, y) for x in range(box.left(), box.right() + 1)
              for y in range(box.top(), box.bottom() + 1)]
    ground = sorted(pixels, key=luminance)[len(pixels) // 2]
    return sum(contrast(c, ground) >= 3.0 for c in pixels)


@pytest.mark.parametrize("kind", ["spin", "combo"])
def test_spin_and_drop_down_arrows_grow_with_the_text(qtbot, qapp, kind):
    """At 200 % a tester found the text-size box's arrows specks beside "200 %": Fusion draws them at one size."""
    from PySide6.QtWidgets import QComboBox, QSpinBox, QStyle

    counts = []
    for scale in (100, 200):
        apply_theme(qapp, "dark", scale)
        widget = QSpinBox() if kind == "spin" else QComboBox()
        if kind == "spin":
            widget.setRange(0, 500)
            widget.setValue(200)
        else:
            widget.addItems(["Same as the system", "Dark"])
        qtbot.addWidget(widget)
        control, sub = ((QStyle.CC_SpinBox, QStyle.SC_SpinBoxDown) if kind == "spin"
                        else (QStyle.CC_ComboBox, QStyle.SC_ComboBoxArrow))
        counts.append(_arrow_pixels(widget, control, sub))
    apply_theme(qapp, "system", 100)
    assert counts[0] > 0 and counts[1] >= 1.6 * counts[0], f"arrow pixels at 100 % and 200 %: {counts}"


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_a_drop_down_at_200_percent_keeps_room_for_its_words_and_its_arrow_on_the_right_side(qtbot, qapp, direction):
    # Widening the button without widening the box clipped "Mild" to "Milc" at 200 %; a right-to-left layout had
    # its arrow drawn over the text end.
    from PySide6.QtCore import Qt as QtNS
    from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

    apply_theme(qapp, "light", 200)
    try:
        box = QComboBox()
        box.addItems(["Mild", "Same as the system"])
        box.setLayoutDirection(QtNS.RightToLeft if direction == "rtl" else QtNS.LeftToRight)
        qtbot.addWidget(box)
        box.resize(box.sizeHint())
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        field = box.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, box)
        arrow = box.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxArrow, box)
        assert field.width() >= box.fontMetrics().horizontalAdvance("Same as the system")
        assert not field.intersects(arrow)
        if direction == "rtl":
            assert arrow.center().x() < field.center().x()
        else:
            assert arrow.center().x() > field.center().x()
    finally:
        apply_theme(qapp, "system", 100)


def test_a_scroll_area_tab_stops_at_shows_a_focus_ring(qtbot):
    # The second walker tabbed to a scenario's description and to the results, and nothing showed where focus was.
    from PySide6.QtWidgets import QLineEdit, QScrollArea, QVBoxLayout, QWidget

    from simulator.ui.theme import _FocusRing, ring_on_focus
    page = QWidget()
    layout = QVBoxLayout(page)
    before, area = QLineEdit(), ring_on_focus(QScrollArea())
    layout.addWidget(before)
    layout.addWidget(area)
    qtbot.addWidget(page)
    page.show()
    ring = area.findChild(_FocusRing)
    before.setFocus()
    qtbot.waitUntil(before.hasFocus, timeout=2000)
    assert not ring.isVisible()
    area.setFocus()
    qtbot.waitUntil(lambda: ring.isVisible() and ring.geometry() == area.rect(), timeout=2000)
    before.setFocus()
    qtbot.waitUntil(lambda: not ring.isVisible(), timeout=2000)
