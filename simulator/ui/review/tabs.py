"""Review mode's tabs, and what each reads when it is opened.

In ReviewWindow._add_pages, a page is added with the function that reads its data (on a worker, given
the store) and the page method that shows it (on the GUI thread):

    self.disputes = DisputesPage()
    self.tabs.add(self.disputes, "&Disputes", read=open_disputes, show=self.disputes.show_disputes)

The read runs again each time the tab is opened and on Review → Refresh.
A page whose data depends on a choice made in it (a trainee) passes `args`:
called on the GUI thread, it returns read's other arguments, or None when
there is nothing to read yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QTabWidget, QWidget

from ..notices import explain


@dataclass(frozen=True)
class _Tab:
    read: Callable[..., Any] | None
    show: Callable[[Any], None] | None
    shown: SignalInstance | None
    args: Callable[[], tuple | None] | None


class ReviewTabs(QTabWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self._window = window
        self._tabs: dict[int, _Tab] = {}  # keyed by id(page): pages are widgets, not hashable by value
        self.currentChanged.connect(lambda _: self.load())

    def add(self, page: QWidget, title: str, *, read: Callable[..., Any] | None = None,
            show: Callable[[Any], None] | None = None, shown: SignalInstance | None = None,
            args: Callable[[], tuple | None] | None = None) -> QWidget:
        """A tab; `read(store, *args())` on a worker, then `show(result)` and `shown.emit()` on the GUI thread."""
        self._tabs[id(page)] = _Tab(read, show, shown, args)
        self.addTab(page, title)
        return page

    def load(self, page: QWidget | None = None) -> None:
        """Read what the page shows (the current tab's by default), if the store is open and it is on screen."""
        window = self._window
        page = page or self.currentWidget()
        tab = self._tabs.get(id(page))
        if tab is None or tab.read is None or window.store is None or page is not self.currentWidget():
            return
        args = tab.args() if tab.args else ()
        if args is None:
            return

        def arrived(result) -> None:
            if tab.show is not None:
                tab.show(result)
            if tab.shown is not None:
                tab.shown.emit()
        window.tasks.run(tab.read, window.store, *args, done=arrived,
                         failed=lambda exc: window.notices.add(explain(exc)))
