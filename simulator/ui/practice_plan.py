"""The trainee window's plan: read on a worker whenever the scores are, shown in the library; a suggestion
opens its briefing at the suggested intensity; File → Import an assignment takes in a manager's bundle."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from .notices import explain, show_error
from .org_key import ask_for_key


def _read_plan(store, trainee: str, scenarios, policy, practised: frozenset[str]):
    from ..store.trainee_plan import trainee_plan
    return trainee_plan(store, trainee, scenarios, policy, practised=practised)


def _import(store, path: Path, key: bytes):
    from ..store.assignments import import_assignment
    return import_assignment(store, path, key)


class PracticePlan(QObject):
    shown = Signal()  # a plan has been read and shown in the library

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        window.library.plan.practise.connect(self.practise)

    def refresh(self) -> None:
        w = self._window
        if w.store is None or w.policy is None or not hasattr(w, "scenario_files") or not w.settings.trainee:
            return

        def arrived(plan) -> None:
            w.library.plan.show_plan(plan)
            self.shown.emit()
        w.tasks.run(_read_plan, w.store, w.settings.trainee, list(w.scenario_files), w.policy,
                    frozenset(w.library.practised), done=arrived,  # practice-only: "New to you" read wrong after one
                    failed=lambda exc: w.notices.add(explain(exc)))

    def practise(self, scenario_id: str, intensity: str | None) -> None:
        """The briefing of a suggested scenario, at the suggested intensity; the trainee may still change it."""
        w = self._window
        sf = next((s for s in getattr(w, "scenario_files", []) if s.id == scenario_id), None)
        if sf is None:
            w.notices.add(f"The scenario '{scenario_id}' is not in your library any more; a coach may have moved it.")
            return
        w._prepare(sf)
        levels = list(sf.scenario.intensity)
        if intensity in levels:
            w.briefing.intensity_group.button(levels.index(intensity)).setChecked(True)

    def choose_import(self) -> None:
        w = self._window
        key = ask_for_key(w)
        if key is None:
            return
        path, _ = QFileDialog.getOpenFileName(w, "An assignment from your manager", "",
                                              "Assignments (*.simassign);;All files (*)")
        if path:
            self.import_file(Path(path), key)

    def import_file(self, path: Path, key: bytes) -> None:
        w = self._window
        if w.store is None:
            w.notices.add("Your records are not open yet, so the assignment cannot be kept; try again in a moment.")
            return

        def done(got) -> None:
            assignment, new = got
            mine = assignment.is_for(w.settings.trainee)
            w.notices.add(f"Assignment “{assignment.title}” " + ("added" if new else "was already here")
                          + ("." if mine else f", but it is for {', '.join(assignment.trainees)}, not you."))
            self.refresh()
        w.tasks.write(_import, w.store, path, key, done=done,
                      failed=lambda exc: show_error(w, exc, "The assignment was not imported"))
