"""PDF from HTML through Qt's own printing: no browser needed."""

from __future__ import annotations

import math
import os
import re
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
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    doc = paginated(html, printer)
    # The PDF's own title (shown by viewers and document managers) is the HTML's <title>.
    printer.setDocName(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
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


def _heading_near_foot(doc, printer) -> int | None:
    """Which heading (counted in document order) sits too near the foot of a page to stay there, if one does."""
    copy, page, text_ends = printed_layout(doc, printer)
    layout = copy.documentLayout()
    block, number = copy.begin(), 0
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            if block.next().isValid():
                rect = layout.blockBoundingRect(block)
                line = rect.height() / max(1, block.layout().lineCount())
                top, bottom = rect.top() % page, rect.bottom() % page
                if bottom > top and text_ends - bottom < _KEEP_LINES * line and top > page - text_ends + line:
                    return number  # too near the foot, and not already at the top of a page
            number += 1
        block = block.next()
    return None


_TABLE_TAG = re.compile(r"<table\b[^>]*>", re.IGNORECASE)
_ROW_TAG = re.compile(r"<tr\b", re.IGNORECASE)
_HEAD = re.compile(r"<thead>.*?</thead>", re.IGNORECASE | re.DOTALL)
_BREAK = " style='page-break-before: always'"
_HEADING_TAG = re.compile(r"<h[1-6]\b[^>]*>", re.IGNORECASE)
_HEADING_BEFORE = re.compile(r"(<h[1-6]\b[^>]*>)[^<]*</h[1-6]>\s*\Z", re.IGNORECASE)


def paginated(html: str, printer):
    """The report as a document, with page breaks where Qt's own would split what belongs together, laid out as Qt
    will print it:

    - a heading too near a page's foot starts the next page (Qt's rich text honours no "page-break-after:
      avoid");
    - a table row that would be split across two pages starts the next page, with the rows under it whose first
      cell is empty (a verdict's advice stays with the verdict). Qt breaks a table inside its cells and honours
      neither "page-break-inside: avoid" nor a page break inside a cell (it skipped a page), so the table is ended
      before the row and a copy of it, header and all, begins the next page; a table whose first row would not
      fit moves whole, with the heading above it.

    Both are done on the HTML, one at a time from the top, laid out again after each: a heading moved after the
    rows had been placed had split the rows below it again."""
    doc = report_document(html)
    for _ in range(_MOST_MOVES):
        heading = _heading_near_foot(doc, printer)
        if heading is not None:
            moved = _break_before_heading(html, heading)
        else:
            found = _row_across_pages(doc, printer)
            if found is None:
                break
            moved = _break_table(html, *found)
        if moved == html:  # already begins a page and still does not fit: leave it
            break
        html = moved
        doc = report_document(html)
    return doc


def _break_before_heading(html: str, number: int) -> str:
    tags = list(_HEADING_TAG.finditer(html))
    if number >= len(tags) or "style=" in tags[number].group().lower():
        return html
    tag = tags[number]
    return html[:tag.end() - 1] + _BREAK + html[tag.end() - 1:]


def _tables(frame):
    from PySide6.QtGui import QTextTable

    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def _row_across_pages(doc, printer) -> tuple[int, int] | None:
    """(table, row) of the first group of rows that crosses a page's foot and would fit on a page, in document
    order; None when there is none."""
    from PySide6.QtGui import QGuiApplication

    copy, page, text_ends = printed_layout(doc, printer)
    layout = copy.documentLayout()
    text_height = text_ends - (page - text_ends)

    def edge(table, row: int, bottom: bool) -> float:
        cells = [table.cellAt(row, c) for c in range(table.columns())]
        if bottom:
            return max(layout.blockBoundingRect(c.lastCursorPosition().block()).bottom() for c in cells)
        return min(layout.blockBoundingRect(c.firstCursorPosition().block()).top() for c in cells)

    screen = QGuiApplication.primaryScreen()
    scale = printer.logicalDpiY() / (round(screen.logicalDotsPerInchY()) if screen else 96)
    for number, table in enumerate(_tables(copy.rootFrame())):
        row = table.format().headerRowCount()
        # A row's cells end below their text by their padding and the spacing: a row whose text ended 1 mm above
        # the page's foot was printed across it.
        fmt = table.format()
        below = (fmt.cellPadding() + fmt.cellSpacing() + fmt.border()) * scale
        while row < table.rows():
            last = row
            while last + 1 < table.rows() and _empty(table.cellAt(last + 1, 0)):
                last += 1
            top, bottom = edge(table, row, False), edge(table, last, True)
            across = math.floor(top / page) != math.floor(bottom / page) or bottom % page > text_ends - below
            if across and bottom - top < text_height and top % page > page - text_ends + 1:
                return number, row
            row = last + 1
    return None


def _empty(cell) -> bool:
    return cell.firstPosition() == cell.lastPosition()


def _break_table(html: str, number: int, row: int) -> str:
    """End table `number` (in document order) before its row `row` and open a copy of it there, on a new page."""
    tag = list(_TABLE_TAG.finditer(html))[number]
    end = html.lower().find("</table>", tag.end())
    end = len(html) if end < 0 else end
    rows = list(_ROW_TAG.finditer(html, tag.end(), end))
    head = _HEAD.search(html, tag.end(), end)
    opening = tag.group()
    if "style=" not in opening.lower():
        opening = opening[:-1] + _BREAK + ">"
    header_rows = len(_ROW_TAG.findall(head.group())) if head else 0
    if row <= header_rows:  # its first rows: the whole table moves, with the heading right above it
        heading = _HEADING_BEFORE.search(html, 0, tag.start())
        if heading is not None and "style=" not in heading.group(1).lower():
            return html[:heading.start(1)] + heading.group(1)[:-1] + _BREAK + ">" + html[heading.end(1):]
        return html[:tag.start()] + opening + html[tag.end():]
    return html[:rows[row].start()] + "</table>" + opening + (head.group() if head else "") + html[rows[row].start():]
