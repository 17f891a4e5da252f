"""PDF from HTML through Qt's own printing: no browser needed."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.private import private_target


def html_to_pdf(html: str, out: Path) -> Path:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QPageSize, QTextDocument
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    # Fonts need an application, kept alive here; a widgets one, so a window opened later in the process can use it.
    _app = QApplication.instance() or QApplication([])
    doc = QTextDocument()
    doc.setHtml(html)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    # The PDF's own title (shown by viewers and document managers) is the HTML's <title>.
    printer.setDocName(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    with private_target(out) as tmp:  # whole or not at all, readable by its owner only
        printer.setOutputFileName(str(tmp))
        doc.print_(printer)
    return out
