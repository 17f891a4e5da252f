"""PDF from HTML through Qt's own printing: no browser needed."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.private import private_target

# A heading needs about this many of its own lines' heights below it on the page, or it goes to the next page with
# what it heads: Qt's rich text honours no "page-break-after: avoid", and a manager reading the printed report found
# "Handling the abuse" alone at the foot of page 1 with its text overleaf.
_KEEP_LINES = 3
_MOST_MOVES = 50


def html_to_pdf(html: str, out: Path) -> Path:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QPageSize, QTextDocument
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    # Fonts need an application, kept alive here; a widgets one, so a window opened later in the process can use it.
    _app = QApplication.instance() or QApplication([])
    doc = report_document(html)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    # The PDF's own title (shown by viewers and document managers) is the HTML's <title>.
    printer.setDocName(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    keep_headings_with_next(doc, printer)
    with private_target(out) as tmp:  # whole or not at all, readable by its owner only
        printer.setOutputFileName(str(tmp))
        doc.print_(printer)
    return out


# The page's own size of type, whoever prints it: the document's default font is the application's, which the
# exporter's text-size setting scales, and Qt sizes headings relative to it (at 200 % the title took three lines).
REPORT_POINTS = 10.0


def report_document(html: str):
    from PySide6.QtGui import QFont, QTextDocument

    doc = QTextDocument()
    font = QFont(doc.defaultFont())
    font.setPointSizeF(REPORT_POINTS)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc


def printed_layout(doc, printer):
    """A copy of `doc` laid out as QTextDocument.print_ lays out a document without a page size of its own: on
    the printer, 2 cm margins at the screen's resolution, pages the printer's size. Returns the copy, the page's
    height and where its text ends, in the printer's pixels."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    dpi = round(screen.logicalDotsPerInchY()) if screen else 96
    copy = doc.clone()
    copy.documentLayout().setPaintDevice(printer)
    margin = int(2 / 2.54 * dpi)
    frame = copy.rootFrame().frameFormat()
    for side in (frame.setLeftMargin, frame.setRightMargin, frame.setTopMargin, frame.setBottomMargin):
        side(margin)
    copy.rootFrame().setFrameFormat(frame)
    copy.setPageSize(QSizeF(printer.width(), printer.height()))
    page = float(printer.height())
    return copy, page, page - margin * printer.logicalDpiY() / dpi


def keep_headings_with_next(doc, printer) -> int:
    """Start a new page before any heading left too near the foot of one; returns how many were moved."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    moved = 0
    while moved < _MOST_MOVES:
        copy, page, text_ends = printed_layout(doc, printer)
        layout = copy.documentLayout()
        block, original, found = copy.begin(), doc.begin(), None
        while block.isValid() and original.isValid():
            if block.blockFormat().headingLevel() > 0 and block.next().isValid():
                rect = layout.blockBoundingRect(block)
                line = rect.height() / max(1, block.layout().lineCount())
                top, bottom = rect.top() % page, rect.bottom() % page
                if bottom > top and text_ends - bottom < _KEEP_LINES * line and top > page - text_ends + line:
                    found = original  # too near the foot, and not already at the top of a page
                    break
            block, original = block.next(), original.next()
        if found is None:
            return moved
        fmt = found.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        QTextCursor(found).setBlockFormat(fmt)
        moved += 1
    return moved
