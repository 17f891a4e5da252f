"""The branch picture drawn by Qt: PNG files for `simulator graph`, and a zoomable view for the authoring page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QScrollArea


def ensure_gui() -> None:
    """A QGuiApplication for painting text; offscreen when there is no screen (servers, CI)."""
    if QGuiApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_gui.app = QGuiApplication(sys.argv[:1])  # kept alive for the process


def svg_to_png(svg: str, path: Path, scale: float = 1.5) -> QSize:
    ensure_gui()
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("the branch picture is not valid SVG")
    size = renderer.defaultSize() * scale
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return size


class GraphView(QScrollArea):
    """The SVG fitted to the pane until the coach zooms (buttons or Ctrl+wheel), scrollable both ways then."""

    MIN_ZOOM, MAX_ZOOM = 0.25, 3.0
    clicked = Signal(float, float)  # where in the picture, in its own units (the SVG's)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.svg = QSvgWidget()
        self.svg.installEventFilter(self)
        self.setWidget(self.svg)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName("Branch picture")
        self.zoom = 1.0
        self.fitting = True  # follows the pane's size until the coach chooses a zoom
        self.text = ""

    def show_svg(self, svg: str) -> None:
        self.text = svg
        self.svg.load(QByteArray(svg.encode("utf-8")))
        self._fit() if self.fitting else self._resize()

    def set_zoom(self, zoom: float) -> None:
        self.fitting = False
        self._set(zoom)

    def fit(self) -> None:
        """The whole picture in the pane, and kept so as the pane is resized."""
        self.fitting = True
        self._fit()

    def _fit(self) -> None:
        size = self.svg.renderer().defaultSize()
        if size.width() > 0 and size.height() > 0 and self.viewport().width() > 50:
            area = self.viewport().size()
            self._set(min((area.width() - 4) / size.width(), (area.height() - 4) / size.height(), 1.5))

    def _set(self, zoom: float) -> None:
        self.zoom = max(self.MIN_ZOOM, min(self.MAX_ZOOM, zoom))
        self._resize()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fitting:
            self._fit()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.zoom * (1.25 if event.angleDelta().y() > 0 else 0.8))
            event.accept()
        else:
            super().wheelEvent(event)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.svg and event.type() == QEvent.MouseButtonRelease and event.button() == Qt.LeftButton:
            at = event.position()
            self.clicked.emit(at.x() / self.zoom, at.y() / self.zoom)
        return super().eventFilter(watched, event)

    def _resize(self) -> None:
        size = self.svg.renderer().defaultSize()
        self.svg.setFixedSize(int(size.width() * self.zoom), int(size.height() * self.zoom))
