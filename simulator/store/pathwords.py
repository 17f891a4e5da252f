"""A session's path as a person reads it: node titles, not the ids the scenario's author typed.

A stored session keeps only node ids. Titles come from the scenario when it is one of the shipped ones
(read once per process); any other node gets a title made from its id ("boils_over" -> "Boils over").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..scenario.model import title_from_id


@lru_cache(maxsize=64)
def _shipped_titles(scenario_id: str) -> dict[str, str]:
    from ..paths import shipped_scenarios
    from ..scenario.loader import load_scenario
    path = shipped_scenarios() / f"{scenario_id}.yaml"
    if not path.is_file():
        return {}
    try:
        scenario = load_scenario(path).scenario
    except Exception:  # noqa: BLE001 - a title is a nicety: a scenario that no longer loads falls back to ids
        return {}
    return {nid: node.title for nid, node in scenario.nodes.items() if node.title}


def read_titles(scenario_id: str) -> None:
    """Read a scenario's titles now (on a worker), so showing a path later reads no file on the GUI thread."""
    _shipped_titles(scenario_id)


def node_title(scenario_id: str, node_id: str) -> str:
    return _shipped_titles(scenario_id).get(node_id) or title_from_id(node_id)


def path_words(scenario_id: str, path: Sequence[str]) -> str:
    return " → ".join(node_title(scenario_id, n) for n in path)
