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
                (QPalette.ToolTipText, QPalette.ToolTipBase)]


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
