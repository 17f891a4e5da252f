"""What review mode reads, on a worker: each read also loads the scenario's node titles and the shipped
criterion headings, so that a path is shown in words ("Start → Keeps swearing") and a verdict by its heading
without a file read on the GUI thread."""

from __future__ import annotations

from ...scoring.verdict import read_headings
from ...store import load_session
from ...store.pathwords import read_titles
from ...store.progress import most_missed, scenario_stats, trainee_progress
from ...store.records import SessionRecord
from ...store.xapi import DEFAULT_PASS_MARK


def session_for_review(store, session_id: str) -> SessionRecord:
    record = load_session(store, session_id)
    read_titles(record.summary.scenario_id)
    read_headings()
    return record


def scenarios_with_titles(store):
    stats = scenario_stats(store)
    for s in stats:
        read_titles(s.scenario_id)
    read_headings()
    return stats


def progress_of(store, trainee: str):
    read_headings()
    return trainee_progress(store, trainee), most_missed(store, trainee)


def pass_mark(policy) -> float:
    """The organisation's pass mark, which decides 'passed' or 'failed' in what the Learning Record Store is sent."""
    return policy.pass_mark if policy else DEFAULT_PASS_MARK
