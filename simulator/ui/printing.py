"""PDF from HTML through Qt's own printing: no browser needed."""

from __future__ import annotations

import os
from pathlib import Path


def html_to_pdf(html: str, out: Path) -> Path:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QPageSize, QTextDocument
    from PySide6.QtPrintSupport import QPrinter

    _app = QGuiApplication.instance() or QGuiApplication([])  # fonts need an application, kept alive here
    doc = QTextDocument()
    doc.setHtml(html)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setOutputFileName(str(out))
    doc.print_(printer)
    return out
