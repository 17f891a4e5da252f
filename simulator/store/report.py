"""A readable report of one session, as HTML (and, through Qt's printing, PDF).

Every piece of text from a session is escaped: a reply that contains markup
or script shows as the characters typed and never runs.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from ..scenario.model import ACTION_LABELS
from ..scoring.verdict import dimension_label, item_label
from .private import write_private
from .records import SessionRecord

_STATUS = {"met": "met", "missed": "missed", "violated": "violated"}
_STYLE = """
body { font-family: sans-serif; font-size: 11pt; color: #222; }
h1 { font-size: 18pt; margin-bottom: 2pt; } h2 { font-size: 13pt; margin-top: 14pt; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 3pt 6pt; vertical-align: top; text-align: left; }
th { border-bottom: 1px solid #999; } .met { color: #1b6e20; } .missed { color: #8a5a00; } .violated { color: #a4161a; }
.customer { color: #444; } .trainee { font-weight: bold; } .evidence { background: #fff3a8; }
.small { color: #666; font-size: 9pt; }
"""


def when(ts: float | None) -> str:
    return "" if ts is None else dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def session_html(record: SessionRecord) -> str:
    s = record.summary
    e = escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(s.scenario_title)}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{e(s.scenario_title)}</h1>",
             f"<p>Trainee: <b>{e(s.trainee)}</b> &middot; {e(when(s.started_at))} &middot; "
             f"status: {e(s.status.replace('_', ' '))}"
             + (f" &middot; intensity: {e(record.intensity)}" if record.intensity else "") + "</p>"]
    if s.overall is not None:
        reviewed = s.reviewed_overall is not None
        heading = (f"<h2>Score: {s.reviewed_overall:.0f} / 100 after review (automatic: {s.overall:.0f})</h2>"
                   if reviewed else f"<h2>Score: {s.overall:.0f} / 100</h2>")
        parts.append(heading + "<table width='100%' cellpadding='4' cellspacing='0'><tr><th>Dimension</th>"
                     + ("<th>Reviewed</th>" if reviewed else "") + "<th>Score</th><th>Weight</th></tr>")
        for sc in record.scores:
            after = sc.get("reviewed")
            cell = f"<td>{after if after is not None else sc['score']:.0f}</td>" if reviewed else ""
            parts.append(f"<tr><td>{e(dimension_label(sc['dimension']))}</td>{cell}<td>{sc['score']:.0f}</td>"
                         f"<td>{sc['weight']:g}</td></tr>")
        parts.append("</table>")
    parts += _verdicts(record), _measures(record), _overrides(record), _transcript(record)
    versions = record.result.get("versions", {})
    parts.append(f"<p class='small'>Session {e(record.id)} &middot; scenario {e(record.scenario_sha256[:12])}"
                 + "".join(f" &middot; {e(k)} {e(str(v)[:12])}" for k, v in versions.items() if k != "scenario")
                 + "</p></body></html>")
    return "".join(parts)


def write_html(record: SessionRecord, out: Path) -> Path:
    """The report as an HTML file, written whole or not at all, readable by its owner only."""
    return write_private(out, session_html(record).encode("utf-8"))


def _verdicts(record: SessionRecord) -> str:
    if not record.verdicts:
        return ""
    e = escape
    rows = ["<h2>What you did</h2><table width='100%' cellpadding='4' cellspacing='0'><tr><th></th><th>Criterion</th><th>Evidence</th><th>Feedback</th></tr>"]
    for v in record.verdicts:
        quotes = "<br>".join(f"turn {int(ev['turn'])}: <span class='evidence'>&ldquo;{e(ev['quote'])}&rdquo;</span>"
                             for ev in v["evidence"][:3])
        status = _STATUS.get(v["status"], "missed")
        unsure = " (uncertain)" if v.get("uncertain") else ""
        rows.append(f"<tr><td class='{status}'>{e(status)}{unsure}</td><td>{e(item_label(v['item']))}</td>"
                    f"<td>{quotes}</td><td>{e(v['feedback'])}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _measures(record: SessionRecord) -> str:
    m = record.result.get("measures") or {}
    if m.get("first_abuse_turn") is None:
        return ""
    to = m.get("turns_to_boundary")
    first = "no boundary was set" if to is None else f"{to} repl{'y' if to == 1 else 'ies'} ({m.get('seconds_to_boundary')} s)"
    return (f"<h2>Handling the abuse</h2><p>First boundary after the first abusive line: {escape(first)}. "
            f"Abusive lines before the first warning: {m.get('abusive_lines_before_warning')}. "
            f"Ended after a warning: {'yes' if m.get('ended_after_warning') else 'no'}.</p>")


def _overrides(record: SessionRecord) -> str:
    if not record.overrides:
        return ""
    e = escape
    rows = ["<h2>Reviews</h2><table width='100%' cellpadding='4' cellspacing='0'><tr><th>When</th><th>Who</th><th>Criterion</th><th>Now</th><th>Comment</th></tr>"]
    for o in record.overrides:
        rows.append(f"<tr><td>{e(when(o.created_at))}</td><td>{e(o.reviewer)}</td><td>{e(item_label(o.item))}</td>"
                    f"<td>{e(o.status)}</td><td>{e(o.comment)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _transcript(record: SessionRecord) -> str:
    e = escape
    evidence: dict[int, list[tuple[int, int]]] = {}
    for v in record.verdicts:
        for ev in v["evidence"]:
            if ev.get("end", 0) > ev.get("start", 0):
                evidence.setdefault(int(ev["turn"]), []).append((int(ev["start"]), int(ev["end"])))
    rows = ["<h2>Transcript</h2><table width='100%' cellpadding='4' cellspacing='0'>"]
    for t in record.turns:
        who = record.summary.trainee if t["speaker"] == "trainee" else "Customer"
        if t["kind"] == "action":
            text = f"[{e(ACTION_LABELS.get(t['action'], t['action'] or ''))}]"
        elif t["kind"] == "silence":
            text = "<i>(silence)</i>"
        else:
            text = highlight(t["text"], evidence.get(t["index"], []))
        spoken = " <span class='small'>(spoken)</span>" if t.get("source") == "spoken" else ""
        rows.append(f"<tr><td class='small'>{t['index']}</td><td class='{e(t['speaker'])}'>{e(who)}</td>"
                    f"<td>{text}{spoken}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """The text, escaped, with evidence spans marked; overlapping spans merge."""
    marks = sorted(spans)
    out, pos = [], 0
    for start, end in marks:
        start = max(start, pos)
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"<span class='evidence'>{escape(text[start:end])}</span>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)
