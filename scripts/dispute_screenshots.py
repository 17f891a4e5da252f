"""The README's pictures of transparent assessment, from the real app offscreen at 1366x768:
`python scripts/dispute_screenshots.py [OUT_DIR]` writes roleplay-checklist.png (the live checklist in practice),
dispute.png (a dispute being made on the results page) and review-disputes.png (the manager's queue). The briefing
with what is assessed is scripts/screenshots.py's briefing-*.png.

Everything runs in temporary folders, like scripts/screenshots.py: your own sessions and settings are untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_work = Path(tempfile.mkdtemp(prefix="simulator-dispute-shots-"))
for name in ("DATA", "CONFIG", "CACHE"):
    os.environ[f"SIMULATOR_{name}_DIR"] = str(_work / name.lower())

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QColor, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from screenshots import TEAM, settle, wait_until  # noqa: E402
from simulator.settings import AppSettings  # noqa: E402
from simulator.speech.kit import FileDevices  # noqa: E402
from simulator.store import Store  # noqa: E402
from simulator.ui.tasks import Tasks  # noqa: E402
from simulator.ui.theme import apply_theme  # noqa: E402
from simulator.ui.window import MainWindow  # noqa: E402

SIZE = (1366, 768)


def with_dialog(window, dialog):
    """The window with its dialog drawn where it sits (a grab of the window alone leaves dialogs out)."""
    picture = window.grab()
    at = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    painter = QPainter(picture)
    painter.drawPixmap(at, dialog.grab())
    painter.setPen(QColor("#808080"))  # offscreen there is no window manager to draw the dialog's frame
    painter.drawRect(at.x() - 1, at.y() - 1, dialog.width() + 1, dialog.height() + 1)
    painter.end()
    return picture


def trainee_shots(app: QApplication, data: Path) -> dict:
    window = MainWindow(AppSettings(trainee=TEAM[0]), data_dir=data, tasks=Tasks(app), devices=FileDevices(),
                        ask_name=False, speech=False)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.library.scenarios and window.store is not None and window.policy is not None)
    window.notices.clear()
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    shots = {}
    page = window.roleplay

    def start(assessed: bool, checklist: bool) -> None:
        window.stack.setCurrentWidget(window.library)
        lib.open_button.click()
        b = window.briefing
        b.input_group.button(2).setChecked(True)
        b.mode_group.button(0 if assessed else 1).setChecked(True)
        b.checklist.setChecked(checklist)
        b.start_button.click()
        wait_until(app, lambda: window.stack.currentWidget() is page and page.transcript.count() >= 1
                   and page.reply.isEnabled())

    def reply(text: str) -> None:
        before = page.transcript.count()
        page.reply.setText(text)
        page.reply.returnPressed.emit()
        wait_until(app, lambda: page.transcript.count() >= before + 2 or not page.reply.isEnabled())

    # Practice with the checklist: two items met so far, the rest still to do.
    start(assessed=False, checklist=True)
    reply("Sam, that language isn't acceptable. I need you to stop swearing so I can help you.")
    settle(app, 0.6)
    shots["roleplay-checklist"] = window.grab()
    page.stop()
    wait_until(app, lambda: window.stack.currentWidget() is window.results)

    # Assessed, then a dispute on the results page.
    start(assessed=True, checklist=False)
    reply("Sam, please calm down. I do want to get your internet working again.")
    page.buttons["end_call"].click()
    wait_until(app, lambda: window.stack.currentWidget() is window.results)
    card = window.results.did.card("names_behavior")
    window.results.details.ensureWidgetVisible(card)
    card.dispute_button.click()
    dialog = window.results.dispute_dialog
    dialog.reason.setPlainText("In my first reply I asked Sam to calm down, which told him the swearing was not "
                               "okay. The words were different from the usual ones.")
    settle(app, 0.6)
    shots["dispute"] = with_dialog(window, dialog)
    dialog.accept()
    wait_until(app, lambda: card.dispute_state.isVisible())
    window.close()
    settle(app)
    return shots


def review_shots(app: QApplication, data: Path) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from storefill import PLAYS, play  # noqa: PLC0415

    from simulator.store.disputes import OVERTURNED, UPHELD, open_dispute, resolve_dispute  # noqa: PLC0415
    from simulator.ui.review.window import ReviewWindow  # noqa: PLC0415
    reasons = [
        ("Priya Natarajan", 1, "disengaging", "end_call", "He kept swearing after I asked twice; ending it was right."),
        ("Tomasz Nowak", 4, "boundary_setting", "names_behavior", "I said 'we don't talk like that here', which "
         "names the remark."),
        ("Amara Okafor", 6, "empathy", "acknowledges_feelings", "I told her I understood it was frustrating."),
        ("Chen Wei", 2, "boundary_setting", "sets_expectation", "'Whatever you say' was me asking him to say what "
         "he needed without shouting."),
    ]
    with Store(data) as store:
        for trainee, n, dimension, item, reason in reasons:
            sid = play(store, *PLAYS[n], trainee)
            d = open_dispute(store, sid, dimension, item, reason)
            if trainee == "Chen Wei":
                resolve_dispute(store, d.id, OVERTURNED, "Fair, in context that asked him to calm down.",
                                "Morgan Blake", status="met")
            if trainee == "Amara Okafor":
                resolve_dispute(store, d.id, UPHELD, "You said it, but only after the refund was settled.",
                                "Morgan Blake")
    window = ReviewWindow(data_dir=data, tasks=Tasks(app), settings=AppSettings(trainee="Morgan Blake",
                          reviewer="Morgan Blake"), devices=FileDevices(), ask_passphrase=False)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.model.total > 0)
    window.tabs.setCurrentWidget(window.disputes)
    window.disputes.show_answered.setChecked(True)
    wait_until(app, lambda: window.disputes.table.topLevelItemCount() == len(reasons) + 1)  # and Jordan's
    window.disputes.table.setCurrentItem(window.disputes.table.topLevelItem(1))
    settle(app, 0.6)
    shots = {"review-disputes": window.grab()}
    window.close()
    return shots


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light", 100)
    shots = trainee_shots(app, _work / "data")
    shots.update(review_shots(app, _work / "data"))
    for name, pixmap in shots.items():
        path = out / f"{name}.png"
        pixmap.save(str(path))
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
