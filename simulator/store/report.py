"""A readable report of one session, as HTML (and, through Qt's printing, PDF).

Every piece of text from a session is escaped: a reply that contains markup
or script shows as the characters typed and never runs, and a control or
bidirectional character (kept by sessions recorded before the engine left them
out) shows as <U+202E>, not as words in another order.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ..scenario.model import ACTION_LABELS
from ..scenario.visible import unkept
from ..scoring.measures import measure_sentences
from ..scoring.review import latest_overrides
from ..scoring.verdict import dimension_label, figure, item_label, reply_numbers
from .pathwords import node_title, path_words
from .private import write_private
from .records import SessionRecord


def escape(text: object) -> str:
    text = str(text)
    if not text.isprintable():
        text = "".join(f"<U+{ord(ch):04X}>" if unkept(ch) else ch for ch in text)
    return html.escape(text)


_STYLE = """
body { font-family: sans-serif; font-size: 11pt; color: #222; }
h1 { font-size: 16pt; margin-bottom: 2pt; } h2 { font-size: 12pt; margin-top: 14pt; }
table { width: 100%; } td, th { vertical-align: top; text-align: left; }
th { border-bottom: 1px solid #999; } .met { color: #1b6e20; } .missed { color: #8a5a00; } .violated { color: #a4161a; }
.customer { color: #444; } .trainee { font-weight: bold; } .evidence { background: #fff3a8; }
.cost { background: #f7c9c5; }
.action { color: #8a1c7c; font-weight: bold; }
.title { font-size: 13pt; font-weight: bold; padding-top: 14pt; }
.small { color: #666; font-size: 9pt; } .feedback { color: #444; font-size: 10pt; padding-bottom: 6pt; } .nowrap { white-space: nowrap; }
"""
# Qt's printing sizes unwidthed columns to their words and lets a long word run into the next cell
# ("violatedEnded…"): every table says how wide its columns are, and the short cells do not wrap.
_TABLE = "<table width='100%' cellpadding='4' cellspacing='2'>"


def verdict_words(status: str, automatic: str) -> str:
    """A verdict as a manager reads it: a thing to avoid (scored "violated") happened or did not happen;
    "missed" there would read as a failure when it is the good outcome."""
    if automatic == "violated":
        return {"violated": "happened", "missed": "did not happen"}.get(status, status)
    return status


def _verdict_class(status: str, automatic: str) -> str:
    return "met" if automatic == "violated" and status == "missed" else status


def _head(*columns: tuple[str, int], title: str = "") -> str:
    # A header row in <thead> is printed again at the top of each page the table continues on. The table's title
    # goes in it too: as a heading of its own, "Transcript" was left alone at the foot of a page, its table on the next.
    caption = (f"<tr><td colspan='{len(columns)}' class='title'>{escape(title)}</td></tr>" if title else "")
    return ("<thead>" + caption + "<tr>" + "".join(f"<th width='{w}%' class='nowrap'>{escape(text)}</th>"
                                                   for text, w in columns) + "</tr></thead>")


def when(ts: float | None) -> str:
    return "" if ts is None else dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def session_html(record: SessionRecord) -> str:
    s = record.summary
    e = escape
    title = f"{s.trainee} – {s.scenario_title} – {when(s.started_at)}"
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{e(s.scenario_title)}</h1>",
             f"<p>Trainee: <b>{e(s.trainee)}</b> &middot; {e(when(s.started_at))} &middot; "
             f"status: {e(s.status.replace('_', ' '))}"
             + (f" &middot; intensity: {e(record.intensity)}" if record.intensity else "") + "</p>"]
    parts.append(f"<p>{escape(path_sentence(record))}</p>")
    if s.overall is not None:
        parts.append(_scores(record))
    parts += _verdicts(record), _measures(record), _overrides(record), _disputes(record), _transcript(record)
    versions = record.result.get("versions", {})
    parts.append(f"<p class='small'>Session {e(record.id)} &middot; scenario {e(record.scenario_sha256[:12])}"
                 + "".join(f" &middot; {e(k)} {e(str(v)[:12])}" for k, v in versions.items() if k != "scenario")
                 + "</p></body></html>")
    return "".join(parts)


def _scores(record: SessionRecord) -> str:
    s = record.summary
    reviewed = s.reviewed_overall is not None
    heading = (f"<h2>Score after review: {figure(s.reviewed_overall)} / 100 (automatic score: {figure(s.overall)})</h2>"
               if reviewed else f"<h2>Score: {figure(s.overall)} / 100 (automatic"
               + ("; reviewed, no verdict changed" if record.reviews else "") + ")</h2>")
    columns = [("Dimension", 40), ("Automatic", 20)] + ([("After review", 20)] if reviewed else []) + [("Weight", 20)]
    rows = [heading, _TABLE, _head(*columns)]
    for sc in record.scores:
        after = sc.get("reviewed")
        cell = f"<td>{figure(after if after is not None else sc['score'])}</td>" if reviewed else ""
        rows.append(f"<tr><td>{escape(dimension_label(sc['dimension']))}</td><td>{figure(sc['score'])}</td>{cell}"
                    f"<td>{sc['weight']:g}</td></tr>")
    rows.append("</table>")
    if record.reviews:
        rows.append("<p class='small'>Reviewed by " + ", ".join(
            f"{escape(r['reviewer'])} ({escape(when(r['reviewed_at']))})" for r in record.reviews) + "</p>")
    return "".join(rows)


def path_sentence(record: SessionRecord) -> str:
    """ "Path: Start → Asked once → Hung up without warning (ended: bad)", in node titles."""
    sid = record.summary.scenario_id
    text = "Path: " + (path_words(sid, record.path) or "—")
    if record.ending_node and record.ending_node not in record.path[-1:]:
        text += f" → {node_title(sid, record.ending_node)}"
    return text + (f" (ended: {record.ending_outcome})" if record.ending_outcome else "")


def write_html(record: SessionRecord, out: Path) -> Path:
    """The report as an HTML file, written whole or not at all, readable by its owner only."""
    return write_private(out, session_html(record).encode("utf-8"))


def _verdicts(record: SessionRecord) -> str:
    if not record.verdicts:
        return ""
    e = escape
    now = latest_overrides(record.overrides)
    changes = {(o.dimension, o.item): o for o in record.overrides}  # the latest of each (oldest come first)
    reviewed = bool(now)
    # The feedback gets a full-width row under its criterion: in a column of its own it was squeezed to a
    # few words a line and pushed the report onto extra pages.
    columns = [("Automatic", 15)] + ([("After review", 17)] if reviewed else []) + [
        ("Criterion", 30 if reviewed else 35), ("Evidence", 38 if reviewed else 50)]
    rows = [_TABLE, _head(*columns, title="What you did")]
    replies = reply_numbers((int(t["index"]), t["speaker"], t["kind"]) for t in record.turns)
    for v in record.verdicts:
        quotes = "<br>".join(_evidence(ev, replies) for ev in v["evidence"][:3])
        auto = v["status"]
        unsure = "<br><span class='small'>(uncertain)</span>" if v.get("uncertain") else ""
        cells = [f"<td class='{_verdict_class(auto, auto)} nowrap'>{e(verdict_words(auto, auto))}{unsure}</td>"]
        if reviewed:
            after = now.get((v["dimension"], v["item"]))
            cells.append(f"<td class='{_verdict_class(after, auto)} nowrap'><b>{e(verdict_words(after, auto))}</b></td>"
                         if after else "<td class='small'>unchanged</td>")
        rows.append(f"<tr>{''.join(cells)}<td><b>{e(item_label(v['item']))}</b></td><td>{quotes}</td></tr>")
        feedback = v["feedback"]
        change = changes.get((v["dimension"], v["item"]))
        if change is not None and change.status != auto:  # the automatic advice no longer applies: the reason does
            feedback = f"Changed after review by {change.reviewer}: {change.comment}"
        if feedback:
            rows.append(f"<tr><td></td><td colspan='{len(columns) - 1}' class='feedback'>{e(feedback)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _measures(record: SessionRecord) -> str:
    said = measure_sentences(record.result.get("measures") or {})
    return f"<h2>Handling the abuse</h2><p>{escape(' '.join(said))}</p>" if said else ""


def _overrides(record: SessionRecord) -> str:
    if not record.overrides:
        return ""
    e = escape
    autos = {(v["dimension"], v["item"]): v["status"] for v in record.verdicts}
    rows = [_TABLE, _head(("When", 18), ("Who", 16), ("Criterion", 22), ("Changed to", 18), ("Why", 26),
                          title="Changes by reviewers")]
    for o in record.overrides:
        auto = autos.get((o.dimension, o.item), "")
        rows.append(f"<tr><td class='nowrap'>{e(when(o.created_at))}</td><td>{e(o.reviewer)}</td>"
                    f"<td>{e(item_label(o.item))}</td><td><b>{e(verdict_words(o.status, auto))}</b><br>"
                    f"<span class='small'>automatic: {e(verdict_words(auto, auto) or '?')}</span></td>"
                    f"<td>{e(o.comment)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _disputes(record: SessionRecord) -> str:
    """The trainee's disputes and the answers: a changed verdict is also listed with the changes above."""
    if not record.disputes:
        return ""
    e = escape
    words = {"open": "waiting for an answer", "upheld": "upheld: the verdict stands",
             "overturned": "overturned: the verdict was changed"}
    rows = [_TABLE, _head(("When", 16), ("Criterion", 18), ("Trainee's reason", 26), ("Outcome", 16), ("Answer", 24),
                          title="Disputes by the trainee")]
    for d in record.disputes:
        answer = "" if d.is_open else f"{d.response or ''} ({d.resolver or ''}, {when(d.resolved_at)})"
        rows.append(f"<tr><td class='nowrap'>{e(when(d.created_at))}</td><td>{e(item_label(d.item))} "
                    f"({e(verdict_words(d.disputed_status, d.disputed_status))})</td><td>{e(d.reason)}</td>"
                    f"<td>{e(words.get(d.outcome, d.outcome))}</td><td>{e(answer)}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _evidence(ev: dict, replies: dict[int, int]) -> str:
    """A quote of the trainee's words with where they were said ("reply 2, turn 5", the transcript's numbering
    beside the trainee pages'), or a call action marked as the transcript marks it, not quoted as words."""
    turn = int(ev["turn"])
    if turn not in replies and ev["quote"].startswith("[") and ev.get("end", 0) <= ev.get("start", 0):
        return f"turn {turn}: <span class='action'>◆ {escape(ev['quote'].strip('[]'))}</span>"
    place = f"reply {replies[turn]}, turn {turn}" if turn in replies else f"turn {turn}"
    return f"{place}: <span class='evidence'>&ldquo;{escape(ev['quote'])}&rdquo;</span>"


def _transcript(record: SessionRecord) -> str:
    return transcript_table(record, title="Transcript")


def transcript_table(record: SessionRecord, *, times: bool = False, recordings: bool = False, title: str = "") -> str:
    """Every turn, the evidence marked in the trainee's words (class 'evidence', or 'cost' for words that cost
    points) and call actions marked (class 'action'); the styles come from whoever shows it (the report's sheet,
    review mode's palette).

    The report numbers the turns. Review mode (`times`) gives each turn's time into the call and an anchor
    `turn-N` that a verdict scrolls to, and (`recordings`) a `play:N` link on a reply whose recording was kept.
    """
    e = escape
    evidence: dict[int, list[tuple[int, int, bool]]] = {}
    now = latest_overrides(record.overrides)
    for v in record.verdicts:
        status = now.get((v["dimension"], v["item"]), v["status"])
        if status != v["status"] and status not in ("met", "violated"):
            continue  # a reviewer found it did not happen: its words are no longer evidence of anything
        for ev in v["evidence"]:
            if ev.get("end", 0) > ev.get("start", 0):
                cost = status == "violated"  # words that cost points, marked apart from those that earned them
                evidence.setdefault(int(ev["turn"]), []).append((int(ev["start"]), int(ev["end"]), cost))
    rows = [_TABLE, _head(("Time" if times else "Turn", 6), ("Who", 18), ("Said", 76), title=title)]
    for t in record.turns:
        # The trainee is named above the transcript; a long name in this narrow column broke mid-word
        # ("Montgomer / y-Featherston / ehaugh") on every reply.
        who = "Trainee" if t["speaker"] == "trainee" else "Customer"
        if t["kind"] == "action":
            text = f"<span class='action'>◆ {e(ACTION_LABELS.get(t['action'], t['action'] or ''))}</span>"
        elif t["kind"] == "silence":
            text = "<i>(silence)</i>"
        else:
            text = highlight(t["text"], evidence.get(t["index"], []))
        if t.get("source") == "spoken":
            text += " <span class='small'>(spoken)</span>"
        if recordings and t.get("audio"):
            text += f" <a href='play:{t['index']}'>▶ play recording</a>"
        if times:
            at = max(0, int(t["started_at"] - record.summary.started_at))
            first = f"<a name='turn-{t['index']}'></a>{at // 60}:{at % 60:02d}"
        else:
            first = str(t["index"])
        # nowrap: at 150 % text in review mode's narrow pane "Customer" broke as "Custome / r".
        rows.append(f"<tr><td class='small'>{first}</td><td class='{e(t['speaker'])}' style='white-space:nowrap'>"
                    f"{e(who)}</td><td>{text}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def highlight(text: str, spans: list[tuple[int, int, bool]], attributes=None) -> str:
    """The text, escaped, with evidence spans (start, end, whether it cost points) marked; overlapping spans merge.
    `attributes(cost)` are the span's HTML attributes: by default class 'evidence', or 'cost' (one class: Qt's
    rich text, which prints the report, reads one)."""
    attributes = attributes or (lambda cost: "class='cost'" if cost else "class='evidence'")
    # Words that cost points show as such even where a quote that earned points runs on over them.
    bad_starts = [s for s, _e, cost in spans if cost]
    spans = [(s, e if cost else min([e, *(b for b in bad_starts if s < b < e)]), cost) for s, e, cost in spans]
    out, pos = [], 0
    for start, end, cost in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"<span {attributes(cost)}>{escape(text[start:end])}</span>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)
