"""Why the try-out went where it went: the criteria a reply met, in its own words, and the transition taken.

A coach tuning phrases needs to see the detector's reading of each reply
and which `on:` entry it triggered, not only where the customer ended up.
"""

from __future__ import annotations

from html import escape

from ...scenario import ACTION_LABELS
from ...scenario.graph import condition_label


def met_html(matches, criteria) -> str:
    """Each criterion a reply met, with the words that show it; or that it met none."""
    if not matches:
        return "<small><i>Met no criteria.</i></small>"
    parts = []
    for m in matches:
        c = criteria.get(m.criterion)
        mark = "✗" if c is not None and c.negative else "✓"  # a thing to avoid reads as one
        doubt = " <i>(unsure: not counted against)</i>" if m.uncertain else ""
        parts.append(f"{mark} <b>{escape(m.criterion.replace('_', ' '))}</b>: “{escape(m.quote)}”{doubt}")
    return "<small>Met: " + "; ".join(parts) + "</small>"


def transition_html(scenario, source: str, target: str | None, kind: str, action: str | None = None) -> str:
    """The `on:` entry of `source` that the trainee's turn took to `target`, in the branch picture's words."""
    node = scenario.nodes[source]
    if target is None:
        return f"<small>→ {escape(ACTION_LABELS.get(action or '', 'the call ended'))}: the call is over</small>"
    if kind == "silence":
        why = "on_silence" if node.on_silence == target and target != source else "silence: no on_silence, the line again"
        return f"<small>→ <b>{escape(source)}</b> to <b>{escape(target)}</b> ({why})</small>"
    taken = next((i for i, tr in enumerate(node.on) if tr.target == target), None)
    if taken is None:
        return f"<small>→ no transition of <b>{escape(source)}</b> held: the customer stays there</small>"
    when = node.on[taken].when
    why = f"if {condition_label(when)}" if when is not None else "else"
    return f"<small>→ <b>{escape(source)}</b> to <b>{escape(target)}</b> (transition {taken + 1}: {escape(why)})</small>"
