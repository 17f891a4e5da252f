"""The README's pictures of the practice plan, from the real app offscreen at 1366x768:
`python scripts/plan_screenshots.py [OUT_DIR]` writes plan-library.png (the library's "Practise next",
certificate progress and an assignment) and review-team.png (review mode's Team tab).

Everything runs in temporary folders, like scripts/screenshots.py: your own sessions and settings are untouched.
The sessions are real (played through the engine and scored), then moved back in time so that the plan's
spacing and the certificates' expiry have something to show.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_work = Path(tempfile.mkdtemp(prefix="simulator-plan-shots-"))
for name in ("DATA", "CONFIG", "CACHE"):
    os.environ[f"SIMULATOR_{name}_DIR"] = str(_work / name.lower())
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from screenshots import TEAM, settle, wait_until  # noqa: E402
from simulator.settings import AppSettings  # noqa: E402
from simulator.speech.kit import FileDevices  # noqa: E402
from simulator.store import Store  # noqa: E402
from simulator.store.assignments import make_assignment, save_assignment  # noqa: E402
from simulator.ui.tasks import Tasks  # noqa: E402
from simulator.ui.theme import apply_theme  # noqa: E402
from simulator.ui.window import MainWindow  # noqa: E402
from storefill import play  # noqa: E402

SIZE = (1366, 768)
DAY = 86400.0
POLICY = """format: 1
pass_mark: 70
certificates:
  - id: abuse-handling
    title: Handling abusive callers
    valid_days: 180
    scenarios:
      - scenario: swearing-caller
        criteria: [states_consequence]
      - scenario: racist-remark-video-call
        min_score: 60
      - scenario: threat-of-violence
  - id: empathy
    title: Angry, not abusive
    valid_days: 45
    scenarios:
      - scenario: late-refund-empathy
      - scenario: blunt-not-abusive
"""
GOOD = {
    "swearing-caller": ["That language isn't acceptable. If it continues I will end the call. I do want to sort out "
                        "your refund.", "/flag", "I'm ending the call now.", "/end"],
    "racist-remark-video-call": ["That remark is not acceptable here. Please keep this respectful, or I will end the "
                                 "meeting. Let's get back to your renewal.", "/flag", "/end"],
    "threat-of-violence": ["That is a threat and I can't accept it. I'm bringing in security and noting this call.",
                           "/escalate"],
    "late-refund-empathy": ["I understand how frustrating this is. So your refund from three weeks ago still has "
                            "not arrived? Let me check it now.", "/end"],
    "blunt-not-abusive": ["I can see how annoying a double invoice is. Let me look at that for you now.",
                          "So invoice 2214 is the duplicate. I'll cancel it now and send you a confirmation by email."],
}
POOR = {"swearing-caller": ["Please calm down.", "/end"],
        "late-refund-empathy": ["Calm down, those are the rules.", "/end"],
        "racist-remark-video-call": ["Ha, okay. Anyway, the renewal.", "/end"]}


def played(store: Store, trainee: str, scenario: str, replies: list[str], days_ago: float) -> None:
    sid = play(store, scenario, replies, trainee)
    with store.write() as db:
        db.execute("UPDATE sessions SET started_at = started_at - ?, ended_at = ended_at - ? WHERE id = ?",
                   (days_ago * DAY, days_ago * DAY, sid))


def team(store: Store) -> None:
    """A month's intake at different stages: certified, lapsed, part-way, just started."""
    histories = {
        TEAM[1]: [(s, GOOD[s], 20 - i) for i, s in enumerate(GOOD)],                 # everything, recently
        TEAM[2]: [(s, GOOD[s], 220 - i) for i, s in enumerate(GOOD)],                # everything, long ago: lapsed
        TEAM[3]: [("swearing-caller", GOOD["swearing-caller"], 9), ("late-refund-empathy", GOOD["late-refund-empathy"], 8),
                  ("racist-remark-video-call", POOR["racist-remark-video-call"], 3)],
        TEAM[4]: [("late-refund-empathy", POOR["late-refund-empathy"], 2)],
        TEAM[5]: [("blunt-not-abusive", GOOD["blunt-not-abusive"], 12), ("late-refund-empathy", GOOD["late-refund-empathy"], 11),
                  ("swearing-caller", POOR["swearing-caller"], 4), ("swearing-caller", GOOD["swearing-caller"], 1)],
        # The trainee whose library is shown: the empathy pair done, a consequence never stated yet.
        TEAM[0]: [("late-refund-empathy", GOOD["late-refund-empathy"], 30), ("blunt-not-abusive", GOOD["blunt-not-abusive"], 29),
                  ("swearing-caller", POOR["swearing-caller"], 2)],
    }
    for trainee, plays in histories.items():
        for scenario, replies, days_ago in plays:
            played(store, trainee, scenario, replies, days_ago)
    week = make_assignment("Week 2: abusive callers", [("swearing-caller", "strong"), ("threat-of-violence", "mild")],
                           time.time() + 5 * DAY, "Morgan Blake", trainees=TEAM[:6], note="Before your first shifts.",
                           now=time.time() - 2 * DAY)
    save_assignment(store, week, "made")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light", 100)
    data = _work / "data"
    policy = _work / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    with Store(data) as store:
        team(store)
    shots = {"plan-library": library_shot(app, data, policy), "review-team": team_shot(app, data, policy)}
    for name, pixmap in shots.items():
        path = out / f"{name}.png"
        pixmap.save(str(path))
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


def library_shot(app: QApplication, data: Path, policy: Path):
    window = MainWindow(AppSettings(trainee=TEAM[0]), data_dir=data, tasks=Tasks(app), devices=FileDevices(),
                       ask_name=False, speech=False, policy_file=policy)
    window.resize(*SIZE)
    shown = []
    window.practice_plan.shown.connect(lambda: shown.append(True))
    window.show()
    wait_until(app, lambda: shown and window.library.scenarios)
    window.notices.clear()
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    settle(app)
    picture = window.grab()
    window.close()
    settle(app)
    return picture


def team_shot(app: QApplication, data: Path, policy: Path):
    from simulator.scenario import load_policy  # noqa: PLC0415
    from simulator.ui.review.window import ReviewWindow  # noqa: PLC0415
    window = ReviewWindow(data_dir=data, tasks=Tasks(app), settings=AppSettings(trainee="Morgan Blake",
                          reviewer="Morgan Blake"), devices=FileDevices(), policy=load_policy(policy),
                          ask_passphrase=False)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.store is not None)
    shown = []
    window.team_shown.connect(lambda: shown.append(True))
    window.tabs.setCurrentWidget(window.team)
    wait_until(app, lambda: shown)
    window.team.certificates.setCurrentCell(3, 1)
    settle(app)
    picture = window.grab()
    window.close()
    return picture


if __name__ == "__main__":
    sys.exit(main())
