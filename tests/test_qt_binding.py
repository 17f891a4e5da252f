"""The installed Qt binding keeps Python's books straight.

PySide6 6.12.0 on Python 3.11 dropped a reference to None on every Qt call
that returns nothing; painting the call page does thousands a minute, and
the app aborted mid-session ("Fatal Python error: none_dealloc"). Python
3.12 made None immortal, which hides the bug there, so this is checked on
whatever Python runs the tests.
"""

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath


def test_qt_calls_that_return_nothing_leave_none_alone(qapp):
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    path = QPainterPath()
    before = sys.getrefcount(None)
    for _ in range(2000):
        path.addRoundedRect(QRectF(0, 0, 10, 10), 2, 2)
        painter.fillRect(0, 0, 4, 4, QColor("navy"))
    painter.end()
    # A healthy binding moves the count by a handful either way; the broken one by thousands.
    assert abs(sys.getrefcount(None) - before) < 500
