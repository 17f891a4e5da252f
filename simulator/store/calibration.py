"""How far managers agree with the automatic verdicts, criterion by criterion.

Only sessions a manager has reviewed count: there every verdict they left
alone is an agreement and every override a decision. Each verdict is reduced
to "the behaviour was there" (met, or a thing to avoid that happened) or
not. Agreement is Cohen's kappa, because raw agreement flatters a criterion
that is rarely there: if the scorer never finds it and managers almost never
do either, the two agree 98 % of the time while the scorer finds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..scoring.review import PRESENT, latest_overrides
from .database import Store


@dataclass(frozen=True)
class Agreement:
    item: str
    both_present: int
    both_absent: int
    only_scorer: int  # the scorer found it, the manager did not
    only_manager: int  # the manager found it, the scorer did not
    disputed: int = 0  # trainees disputed the automatic verdict (any session, reviewed or not)
    upheld: int = 0  # ... and a manager kept it
    overturned: int = 0  # ... and a manager changed it

    @property
    def n(self) -> int:
        return self.both_present + self.both_absent + self.only_scorer + self.only_manager

    @property
    def raw(self) -> float | None:
        return (self.both_present + self.both_absent) / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.both_present, self.only_scorer, self.only_manager, self.both_absent)


def cohen_kappa(a: int, b: int, c: int, d: int) -> float | None:
    """Kappa for a 2x2 table: a both yes, b first yes only, c second yes only, d both no.

    None when chance agreement is already total (both raters said the same
    thing every time): kappa is undefined there, and the counts tell more.
    """
    n = a + b + c + d
    if not n:
        return None
    observed = (a + d) / n
    chance = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def calibration(store: Store) -> list[Agreement]:
    """One agreement per criterion over every reviewed session, least agreement first."""
    reviewed = "(SELECT DISTINCT session_id FROM reviews)"
    overrides: dict[str, list] = defaultdict(list)
    for o in store.read(f"SELECT session_id, dimension, item, status FROM overrides WHERE session_id IN {reviewed}"
                        " ORDER BY created_at, id"):
        overrides[o["session_id"]].append(dict(o))
    changed = {sid: latest_overrides(rows) for sid, rows in overrides.items()}
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for v in store.read(f"SELECT session_id, dimension, item, status FROM verdicts WHERE session_id IN {reviewed}"):
        manager = changed.get(v["session_id"], {}).get((v["dimension"], v["item"]), v["status"])
        scorer_says, manager_says = v["status"] in PRESENT, manager in PRESENT
        cell = cells[v["item"]]
        cell[0 if scorer_says and manager_says else 1 if not (scorer_says or manager_says)
             else 2 if scorer_says else 3] += 1
    tally = dispute_tally(store)
    rows = [Agreement(item, *c, *tally.pop(item, (0, 0, 0))) for item, c in cells.items()]
    rows += [Agreement(item, 0, 0, 0, 0, *t) for item, t in tally.items()]  # disputed, never in a reviewed session
    return sorted(rows, key=lambda r: (r.kappa if r.kappa is not None else 2.0, -r.n, r.item))


def dispute_tally(store: Store) -> dict[str, tuple[int, int, int]]:
    """Per criterion: how often trainees disputed the verdict, and how often managers upheld or overturned it.
    A criterion often disputed and often overturned is one the scorer misjudges against trainees."""
    return {r["item"]: (r["disputed"], r["upheld"], r["overturned"]) for r in store.read(
        "SELECT item, COUNT(*) AS disputed, SUM(outcome = 'upheld') AS upheld,"
        " SUM(outcome = 'overturned') AS overturned FROM disputes GROUP BY item")}


def changes_waiting(store: Store) -> int:
    """Verdicts a manager changed in sessions nobody has marked reviewed: not counted above until one is (the
    verdicts left alone there are not yet agreed to). A walker changed one and read "0 of 10 reviewed verdicts"."""
    return store.read("SELECT COUNT(*) FROM (SELECT DISTINCT session_id, dimension, item FROM overrides"
                      " WHERE session_id NOT IN (SELECT session_id FROM reviews))")[0][0]
