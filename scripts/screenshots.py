"""Make the README's screenshots from the real app, offscreen: `python scripts/screenshots.py [OUT_DIR]`.

The trainee's pages, review mode and the authoring view, all from the same code the app runs.

Everything runs in temporary folders (no effect on your own sessions or
settings); the customer's voice is rendered but played to a file-backed
speaker, and the trainee's replies are typed, so no sound card is needed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_work = Path(tempfile.mkdtemp(prefix="simulator-shots-"))
for name in ("DATA", "CONFIG", "CACHE"):
    os.environ[f"SIMULATOR_{name}_DIR"] = str(_work / name.lower())

from PySide6.QtWidgets import QApplication  # noqa: E402

from simulator.cli.library import resolve  # noqa: E402
from simulator.engine.script import run_script  # noqa: E402
from simulator.practice import Choice, Practice  # noqa: E402
from simulator.scenario import load_policy  # noqa: E402
from simulator.settings import AppSettings  # noqa: E402
from simulator.speech.kit import FileDevices  # noqa: E402
from simulator.store import Store  # noqa: E402
from simulator.ui.tasks import Tasks  # noqa: E402
from simulator.ui.theme import apply_theme  # noqa: E402
from simulator.ui.window import MainWindow  # noqa: E402

TRAINEE = "Jordan Lee"
SIZE = (1366, 768)  # review mode


def wait_until(app: QApplication, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.3) -> None:
    wait_until(app, lambda end=time.monotonic() + seconds: time.monotonic() >= end)


def earlier_practice(data: Path) -> None:
    """A session from 'yesterday', so the library shows a last score."""
    with Store(data) as store:
        practice = Practice(Choice(resolve("late-refund-empathy"), seed=1), TRAINEE, load_policy(None), store)
        run_script(practice.session, ["I'm sorry, that sounds really frustrating. Let me look at the refund now.",
                                      "So the refund was promised last week and still hasn't arrived?", "/end"])
        practice.close()


SIZES = {"1366": (1366, 768), "1920": (1920, 1080)}
THEMES = ("light", "dark")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    data = _work / "data"
    earlier_practice(data)
    shots = {}
    # The trainee's pages at both laptop sizes, light and dark: the README shows 1366 light, the rest are checked.
    for size, (w, h) in SIZES.items():
        for theme in THEMES:
            apply_theme(app, theme, 100)
            for name, pixmap in trainee_shots(app, data, (w, h)).items():
                shots[f"{name}-{size}-{theme}"] = pixmap
    apply_theme(app, "light", 100)
    shots.update(review_shots(app, data))
    shots.update(authoring_shots(app))
    for name, pixmap in shots.items():
        path = out / f"{name}.png"
        pixmap.save(str(path))
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


def trainee_shots(app: QApplication, data: Path, size: tuple[int, int]) -> dict:
    """Library, briefing, a role play under way and its results, as a trainee sees them at this window size."""
    window = MainWindow(AppSettings(trainee=TRAINEE), data_dir=data, tasks=Tasks(app), devices=FileDevices(),
                        ask_name=False)
    window.resize(*size)
    window.show()
    wait_until(app, lambda: window.kit is not None and window.library.scenarios and window.store is not None)
    wait_until(app, lambda: any("/ 100" in (window.library.table.item(r, 4).text() or "")
                                for r in range(window.library.table.rowCount())))
    window.notices.clear()  # the "no Vosk model" notice is real, but not what these pictures are about
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    settle(app)
    shots = {"library": window.grab()}

    lib.open_button.click()
    window.briefing.input_group.button(2).setChecked(True)  # typed: the pictures are made without a microphone
    settle(app)
    shots["briefing"] = window.grab()

    window.briefing.start_button.click()
    wait_until(app, lambda: window.live is not None and window.roleplay.transcript.count() >= 1)
    page = window.roleplay

    def reply(text: str) -> None:
        before = page.transcript.count()
        page.reply.setText(text)
        page.reply.returnPressed.emit()
        wait_until(app, lambda: page.transcript.count() >= before + 2 or not page.reply.isEnabled())

    reply("Sam, I want to help, but that language isn't acceptable. Please stop swearing. "
          "If it continues, I'll end the call.")
    page.reply.setText("I've asked you to stop. I'm ending this call now.")
    settle(app, 1.2)
    shots["roleplay"] = window.grab()
    page.reply.clear()
    page.buttons["flag"].click()
    settle(app)
    reply("I've asked you to stop. I'm ending this call now. Goodbye.")
    page.buttons["end_call"].click()
    wait_until(app, lambda: window.stack.currentWidget() is window.results)
    results = window.results
    quotes = results.did.quotes()
    if quotes:
        results.transcript.select_turn(quotes[0].turn)  # as a click on the first quote does
    settle(app)
    shots["results"] = window.grab()
    window.close()
    settle(app)
    return shots


TEAM = ["Jordan Lee", "Priya Natarajan", "Tomasz Nowak", "Amara Okafor", "Chen Wei", "Sofia Alvarez",
        "Liam O'Brien", "Fatima Haddad"]


def review_shots(app: QApplication, data: Path) -> dict:
    """The manager's side: a team's sessions, one session with a changed verdict, progress, calibration."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from storefill import fill  # noqa: PLC0415 - the same real sessions the tests and benchmarks use

    from simulator.store import load_session  # noqa: PLC0415
    from simulator.ui.review.window import ReviewWindow  # noqa: PLC0415
    with Store(data) as store:
        ids = fill(store, 240, seed=3, trainees=TEAM)
        for sid in ids[-60::3]:
            store.mark_reviewed(sid, "Morgan Blake")
        target = ids[1]  # "Please calm down." then hung up
        v = next(v for v in load_session(store, target).verdicts if v["item"] == "names_behavior")
        store.add_override(target, v["dimension"], v["item"], "met", "On the recording she says the language "
                           "is not OK before this; the recogniser lost it.", "Morgan Blake")
        for sid in ids[-40::5]:
            w = next((w for w in load_session(store, sid).verdicts if w["status"] == "missed"), None)
            if w:
                store.add_override(sid, w["dimension"], w["item"], "met", "Said differently; it counts.", "Morgan Blake")
        # A few trainees dispute a verdict: calibration counts them, the Disputes tab lists the open one.
        from simulator.store.disputes import open_dispute, resolve_dispute  # noqa: PLC0415
        for sid, outcome in zip(ids[-9::4], ("overturned", "upheld", None)):
            v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
            d = open_dispute(store, sid, v["dimension"], v["item"], "I think I did this, in other words.")
            if outcome:
                resolve_dispute(store, d.id, outcome, "Checked against the recording.", "Morgan Blake",
                                "met" if outcome == "overturned" else None)
    window = ReviewWindow(data_dir=data, tasks=Tasks(app), settings=AppSettings(trainee="Morgan Blake",
                          reviewer="Morgan Blake"), devices=FileDevices(), ask_passphrase=False)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.model.total > 0 and window.sessions.trainee.count() > 1)
    settle(app)
    shots = {"review-sessions": window.grab()}
    window.open_session(target)
    wait_until(app, lambda: window.session.record is not None)
    page = window.session
    row = next(i for i in range(page.verdicts.topLevelItemCount())
               if page.verdicts.topLevelItem(i).data(0, 256)["item"] == "names_behavior")
    page.verdicts.setCurrentItem(page.verdicts.topLevelItem(row))
    settle(app)
    shots["review-session"] = window.grab()
    window.tabs.setCurrentWidget(window.progress)
    window.progress.trainee.setCurrentText("Priya Natarajan")
    wait_until(app, lambda: window.progress.chart.series and window.progress.trainee.currentText() == "Priya Natarajan")
    settle(app, 0.6)
    shots["review-progress"] = window.grab()
    window.tabs.setCurrentWidget(window.calibration)
    wait_until(app, lambda: window.calibration.table.rowCount() > 0)
    settle(app)
    shots["review-calibration"] = window.grab()
    for name, tab, ready in (("review-scenarios", window.scenarios, lambda: window.scenarios.table.rowCount() > 0),
                             ("review-team", window.team, lambda: True)):
        window.tabs.setCurrentWidget(tab)
        wait_until(app, ready)
        settle(app)
        shots[name] = window.grab()
    window.close()
    return shots


def authoring_shots(app: QApplication) -> dict:
    """The coach's side: problems in plain words with file:line:col, the branch picture, and Try it."""
    import shutil  # noqa: PLC0415

    from simulator.paths import shipped_scenarios  # noqa: PLC0415
    from simulator.speech.playback import FileSpeaker  # noqa: PLC0415
    from simulator.ui.authoring.window import AuthoringWindow  # noqa: PLC0415
    folder = _work / "coach"
    folder.mkdir()
    shutil.copy(shipped_scenarios() / "swearing-caller.yaml", folder / "swearing-caller.yaml")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import MINIMAL as minimal  # noqa: PLC0415 - the tests' small scenario, with a mistake in each copy
    # A coach's folder: a copy of a shipped scenario, one with a line indented wrongly and one with a mistyped goto.
    (folder / "tiny.yaml").write_text(minimal.replace('    say: "Fine."', '     say: "Fine."'), encoding="utf-8")
    (folder / "my-refund.yaml").write_text(minimal.replace("goto: calm", "goto: clam").replace("id: tiny", "id: my-refund"),
                                           encoding="utf-8")
    window = AuthoringWindow(tasks=Tasks(app), devices=FileDevices(speaker=FileSpeaker(speed=0)))
    window.resize(*SIZE)
    window.show()
    window.open_folder(folder)
    wait_until(app, lambda: window.files.count() == 3 and window.checks)
    row = next(i for i in range(window.files.count()) if "tiny" in window.files.item(i).text())
    window.files.setCurrentRow(row)
    window.tabs.setCurrentWidget(window.problems)
    settle(app)
    shots = {"authoring-problems": window.grab()}
    row = next(i for i in range(window.files.count()) if "swearing-caller" in window.files.item(i).text())
    window.files.setCurrentRow(row)
    window.tabs.setCurrentIndex(1)  # Branches
    settle(app, 0.6)
    shots["authoring-branches"] = window.grab()
    panel = window.tryout
    window.tabs.setCurrentWidget(panel)
    panel.speak.setChecked(False)
    panel.node.setCurrentText("start")
    panel.start_button.click()
    wait_until(app, lambda: panel.reply.isEnabled())
    for reply in ("Please don't swear at me.", "If it continues I will end the call, but I do want to sort this out."):
        panel.reply.setText(reply)
        panel.reply.returnPressed.emit()
        settle(app, 0.2)
    shots["authoring-tryit"] = window.grab()
    window.close()
    return shots


if __name__ == "__main__":
    sys.exit(main())
