"""Light, dark or the system's look, and the text size, applied live to the whole app.

Sizes come from the font, never from pixels, so the text size setting (and
the system's own font size) scales every screen. Colours come from the
palette: a widget that needs more than the palette's roles (a customer's
turn, a good score, a warning) asks `colours()` when it paints or fills in,
and again on `QEvent.PaletteChange`, so a theme switch reaches it at once.
A fixed colour or point size in a style sheet would not follow either.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QProxyStyle, QStyle, QWidget

_system_font: QFont | None = None
_FONT_SCALE, _FONT_BOLD = "themeFontScale", "themeFontBold"


@dataclass(frozen=True)
class Colours:
    """Colours with a meaning, chosen to read on the current palette's window and base colours."""
    text: QColor
    muted: QColor  # secondary text: times, hints
    customer: QColor  # the customer's name and the edge of their turns
    customer_bubble: QColor  # behind a customer's turn
    trainee: QColor
    trainee_bubble: QColor
    event: QColor  # call actions (hold, end call) shown as small marks
    good: QColor
    mixed: QColor
    poor: QColor
    warning: QColor  # the edge of a notice or a content note
    warning_bubble: QColor  # behind a notice
    evidence: QColor  # behind words that earned or cost points


_LIGHT = dict(muted="#5f6368", customer="#8a4b08", customer_bubble="#fbf1e4", trainee="#1d5fa8",
              trainee_bubble="#e8f0fb", event="#5f6368", good="#1e7b34", mixed="#8c5e00", poor="#b3261e",
              warning="#a65300", warning_bubble="#fff6dc", evidence="#fff0a8")
_DARK = dict(muted="#a8abb0", customer="#f0b36a", customer_bubble="#3a3026", trainee="#8ab8f0",
             trainee_bubble="#25334a", event="#a8abb0", good="#6fcf83", mixed="#e6c15a", poor="#f28b82",
             warning="#e0b341", warning_bubble="#3b3423", evidence="#5a4d12")


# Where each colour is drawn as text, and on what: every pair reads at WCAG AA for normal text (4.5:1) in each theme
# (tests/test_theme.py). A background is a field of Colours or a palette role: "window" (labels on a page, the
# composer), "base" (cards, tables, the conversation), "alternate_base" (a table's every other row). A colour used
# as text somewhere new, or on a new background, belongs here.
TEXT_ON: dict[str, tuple[str, ...]] = {
    "text": ("window", "base", "customer_bubble", "trainee_bubble", "warning_bubble", "evidence"),
    "muted": ("window", "base"),  # the results' "·", a dispute waiting, "Upset, but not abusive."
    "customer": ("customer_bubble",),  # the customer's name on their turns and the caption
    "trainee": ("trainee_bubble",),
    "event": ("base",),  # "You put the customer on hold" between the turns
    "good": ("window", "base", "alternate_base"),  # scores, "Easy" in the library, verdicts, certificates
    "mixed": ("window", "base", "alternate_base"),  # "Medium", a middling score
    "poor": ("window", "base", "alternate_base"),
    "warning": ("window", "base", "alternate_base"),  # "Contains …" on the scenario card, an expired certificate
}


def colours(palette: QPalette | None = None) -> Colours:
    """The semantic colours for a palette (by default the app's, as it is now)."""
    palette = palette or QApplication.palette()
    chosen = _DARK if palette.color(QPalette.Window).lightness() < 128 else _LIGHT
    return Colours(text=palette.color(QPalette.WindowText), **{k: QColor(v) for k, v in chosen.items()})


def set_relative_font(widget: QWidget, scale: float = 1.0, bold: bool = False) -> None:
    """Give a widget a font `scale` times the app's, kept in step when the text size changes."""
    widget.setProperty(_FONT_SCALE, scale)
    widget.setProperty(_FONT_BOLD, bold)
    _apply_relative_font(widget, QApplication.font())


def _apply_relative_font(widget: QWidget, base: QFont) -> None:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * float(widget.property(_FONT_SCALE)))
    font.setBold(bool(widget.property(_FONT_BOLD)))
    widget.setFont(font)


_INDICATORS = (QStyle.PM_IndicatorWidth, QStyle.PM_IndicatorHeight, QStyle.PM_ExclusiveIndicatorWidth,
               QStyle.PM_ExclusiveIndicatorHeight)


class _Style(QProxyStyle):
    """Fusion, with check boxes and radio buttons that grow with the text and a checked state that stands out."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def pixelMetric(self, metric, option=None, widget=None) -> int:
        size = super().pixelMetric(metric, option, widget)
        if metric in _INDICATORS:
            font = widget.font() if widget is not None else QApplication.font()
            return max(size, round(QFontMetrics(font).height() * 0.85))
        return size

    def _buttons(self, control, option, widget) -> tuple[int, int] | None:
        """(Fusion's width, ours) of a spin box's arrows or a drop-down's button; None where they are left alone."""
        if control == QStyle.CC_SpinBox and option.buttonSymbols == QAbstractSpinBox.UpDownArrows:
            sub = QStyle.SC_SpinBoxUp
        elif control == QStyle.CC_ComboBox:
            sub = QStyle.SC_ComboBoxArrow
        else:
            return None
        fusion = super().subControlRect(control, option, sub, widget).width()
        font = widget.font() if widget is not None else QApplication.font()
        return fusion, max(fusion, round(QFontMetrics(font).height() * 0.9))

    def subControlRect(self, control, option, sub, widget=None):
        rect = super().subControlRect(control, option, sub, widget)
        widths = self._buttons(control, option, widget) if control in (QStyle.CC_SpinBox, QStyle.CC_ComboBox) else None
        if widths is None:
            return rect
        # Fusion's spin and drop-down buttons keep their width at any text size: at 200 % a spin box's arrows were
        # specks beside "200 %". The buttons grow with the text, as the indicators above do (and sizeFromContents
        # makes the box that much wider, so the text keeps its room). Worked out left to right, then mirrored for a
        # right-to-left layout.
        frame, width = option.rect, widths[1]
        buttons = QRect(frame.left() + frame.width() - width, frame.top(), width, frame.height())
        field = QStyle.visualRect(option.direction, frame, rect)  # Fusion's field, left to right
        field = QRect(field.left(), field.top(), max(0, min(field.width(), buttons.left() - field.left())),
                      field.height())
        wanted = None
        if control == QStyle.CC_SpinBox:
            half = buttons.height() // 2
            wanted = {QStyle.SC_SpinBoxUp: QRect(buttons.left(), buttons.top(), width, half),
                      QStyle.SC_SpinBoxDown: QRect(buttons.left(), buttons.top() + half, width, buttons.height() - half),
                      QStyle.SC_SpinBoxEditField: field}.get(sub)
        else:
            wanted = {QStyle.SC_ComboBoxArrow: buttons, QStyle.SC_ComboBoxEditField: field}.get(sub)
        return rect if wanted is None else QStyle.visualRect(option.direction, frame, wanted)

    def sizeFromContents(self, contents, option, size, widget=None):
        hint = super().sizeFromContents(contents, option, size, widget)
        control = {QStyle.CT_SpinBox: QStyle.CC_SpinBox, QStyle.CT_ComboBox: QStyle.CC_ComboBox}.get(contents)
        widths = self._buttons(control, option, widget) if control is not None else None
        if widths is not None:
            hint.setWidth(hint.width() + widths[1] - widths[0])  # the wider button, beside the same room for text
        return hint

    def drawComplexControl(self, control, option, painter, widget=None) -> None:
        # Fusion draws its spin and drop-down arrows at one fixed size, whatever the button's. A drop-down is drawn
        # without its arrow and ours added; a spin box (whose arrows Fusion draws whatever subControls says) gets
        # ours over Fusion's small ones, filling the button as the text grows.
        if control == QStyle.CC_SpinBox and option.buttonSymbols == QAbstractSpinBox.UpDownArrows:
            super().drawComplexControl(control, option, painter, widget)
            steps = option.stepEnabled
            for sub, up, able in ((QStyle.SC_SpinBoxUp, True, steps & QAbstractSpinBox.StepUpEnabled),
                                  (QStyle.SC_SpinBoxDown, False, steps & QAbstractSpinBox.StepDownEnabled)):
                _arrow(painter, self.subControlRect(control, option, sub, widget), up,
                       option.palette.color(QPalette.Active if able and option.state & QStyle.State_Enabled
                                            else QPalette.Disabled, QPalette.ButtonText))
            return
        if control == QStyle.CC_ComboBox and option.subControls & QStyle.SC_ComboBoxArrow:
            plain = type(option)(option)
            plain.subControls &= ~QStyle.SC_ComboBoxArrow
            super().drawComplexControl(control, plain, painter, widget)
            _arrow(painter, self.subControlRect(control, option, QStyle.SC_ComboBoxArrow, widget), False,
                   option.palette.color(QPalette.Active if option.state & QStyle.State_Enabled else QPalette.Disabled,
                                        QPalette.ButtonText))
            return
        super().drawComplexControl(control, option, painter, widget)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        if element == QStyle.PE_FrameFocusRect:
            # Where the keyboard is, plainly (WCAG 2.4.7): Fusion's dotted rectangle on a list's current row was all
            # but invisible, and a walker pressed Space to find out where Tab had gone.
            _ring(painter, option.rect, option.palette.color(QPalette.Text), 2.0)
            return
        if element == QStyle.PE_PanelButtonCommand and option.state & QStyle.State_HasFocus \
                and option.state & QStyle.State_Enabled:
            super().drawPrimitive(element, option, painter, widget)
            _ring(painter, option.rect.adjusted(1, 1, -1, -1), option.palette.color(QPalette.Highlight), 2.0)
            return
        indicator = element in (QStyle.PE_IndicatorCheckBox, QStyle.PE_IndicatorRadioButton)
        enabled = bool(option.state & QStyle.State_Enabled)
        if indicator and option.state & QStyle.State_On and enabled:
            # Fusion draws a grey mark on the field colour, hard to see in the dark theme: fill with the highlight.
            option = type(option)(option)
            palette = QPalette(option.palette)
            palette.setColor(QPalette.Base, palette.color(QPalette.Highlight))
            palette.setColor(QPalette.Text, palette.color(QPalette.HighlightedText))
            option.palette = palette
        super().drawPrimitive(element, option, painter, widget)
        if indicator and enabled and not option.state & (QStyle.State_On | QStyle.State_NoChange):
            # Fusion's edge of an empty box or circle is the window colour darkened a little: 1.3:1 in the dark
            # theme, so "Strong" beside a chosen "Mild" looked like no choice at all. WCAG 1.4.11 asks 3:1 for a
            # control's boundary; the muted text colour gives over 4.5:1 on the window and the field in both themes.
            _outline(painter, option.rect, element == QStyle.PE_IndicatorRadioButton,
                     colours(option.palette).muted)


def _ring(painter, rect: QRect, colour: QColor, width: float) -> None:
    """A solid line just inside `rect`, to show keyboard focus."""
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    pen = QPen(colour)
    pen.setWidthF(width)
    painter.setPen(pen)
    painter.setBrush(Qt.NoBrush)
    half = width / 2
    painter.drawRoundedRect(QRectF(rect).adjusted(half, half, -half, -half), 2, 2)
    painter.restore()


def _arrow(painter, rect: QRect, up: bool, colour: QColor) -> None:
    """A solid triangle centred in `rect`, about half as wide as the button."""
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setPen(Qt.NoPen)
    painter.setBrush(colour)
    w = max(5.0, min(rect.width() * 0.6, rect.height() * 1.4))
    h = w / 2
    c = QRectF(rect).center()
    tip, base = (c.y() - h / 2, c.y() + h / 2) if up else (c.y() + h / 2, c.y() - h / 2)
    painter.drawPolygon(QPolygonF([QPointF(c.x() - w / 2, base), QPointF(c.x() + w / 2, base), QPointF(c.x(), tip)]))
    painter.restore()


def _outline(painter, rect, round_: bool, colour: QColor) -> None:
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    pen = QPen(colour)
    pen.setWidthF(max(1.0, rect.height() / 14))  # a line that thickens with the text size, as the box grows
    painter.setPen(pen)
    painter.setBrush(Qt.NoBrush)
    half = pen.widthF() / 2  # the line inside the box and on whole pixels, not smeared across two
    inner = QRectF(rect).adjusted(half, half, -half, -half)
    if round_:
        painter.drawEllipse(inner)
    else:
        painter.drawRoundedRect(inner, 2, 2)
    painter.restore()


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        base, text, window, button, highlight = "#1e1f22", "#e8e8e8", "#2b2d31", "#3a3d42", "#4f8cc9"
        chosen, placeholder = "#101010", "#8a8a8a"  # white on that blue is 3.5:1; the blue stays visible on the window
        link = "#8ab8f0"  # Qt's own link blue is 2.2:1 on this base: a "play recording" link could hardly be seen
    else:
        base, text, window, button, highlight = "#ffffff", "#1b1b1b", "#f3f3f3", "#e6e6e6", "#2a6ebb"
        chosen, placeholder = "#ffffff", "#6e6e6e"
        link = "#1d5fa8"
    for role, colour in [(QPalette.Base, base), (QPalette.AlternateBase, window), (QPalette.Window, window),
                         (QPalette.Button, button), (QPalette.Text, text), (QPalette.WindowText, text),
                         (QPalette.ButtonText, text), (QPalette.Highlight, highlight),
                         (QPalette.HighlightedText, chosen), (QPalette.ToolTipBase, window),
                         (QPalette.ToolTipText, text), (QPalette.PlaceholderText, placeholder),
                         (QPalette.Link, link), (QPalette.LinkVisited, link)]:
        p.setColor(role, QColor(colour))
    # setColor fills every group, so disabled controls looked enabled: grey their text out explicitly
    muted = QColor("#7c7c7c" if dark else "#9a9a9a")
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, muted)
    return p


def ring_on_focus(area: QWidget) -> QWidget:
    """A scroll area that Tab stops at shows it: the walkers' Tab went to a scenario's description or the results and
    nothing on screen said where (WCAG 2.4.7). A ring drawn over the area, not a style sheet: one changed the area's
    border (the page's columns moved) and kept its labels from following a theme switch."""
    _FocusRing(area)
    return area


class _FocusRing(QWidget):
    def __init__(self, area: QWidget) -> None:
        super().__init__(area)
        self._area = area
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.NoFocus)
        self.hide()
        area.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in (QEvent.FocusIn, QEvent.FocusOut, QEvent.Resize, QEvent.Show):
            self.setGeometry(self._area.rect())
            self.setVisible(self._area.hasFocus())
            self.raise_()
        return False

    def paintEvent(self, event) -> None:  # noqa: ARG002, N802
        painter = QPainter(self)
        _ring(painter, self.rect(), self.palette().color(QPalette.Highlight), 2.0)
        painter.end()


def apply_theme(app: QApplication, theme: str = "system", text_scale: int = 100) -> None:
    global _system_font
    if _system_font is None:
        _system_font = QFont(app.font())
    if not isinstance(app.style(), _Style):
        app.setStyle(_Style())
    hints = app.styleHints()
    if theme == "system":
        hints.unsetColorScheme()
        app.setPalette(app.style().standardPalette())
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
        app.setPalette(_palette(theme == "dark"))
    font = QFont(_system_font)
    size = _system_font.pointSizeF() if _system_font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * text_scale / 100)
    app.setFont(font)
    for widget in app.allWidgets():
        if widget.property(_FONT_SCALE) is not None:
            _apply_relative_font(widget, font)
