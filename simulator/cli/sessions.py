"""`simulator sessions`: the kept role plays: list, show, disputes, export, import, report, push, purge."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

from ..errors import SimulatorError
from ..scenario import ACTION_LABELS, load_policy
from ..store import Filter, Store, data_dir, find_session, list_sessions, load_session
from ..store.bundle import export_bundle, import_bundle, organisation_key
from ..store.csvexport import export_csv
from ..store.disputes import OUTCOME_WORDS, OVERTURNED, UPHELD, list_disputes, resolve_dispute
from ..store.lrs import push_sessions, queue_disputes_if_lrs, queue_review_if_lrs
from ..store.purge import purge
from ..scoring.verdict import figure, item_label
from ..store.report import session_html, when, write_html
from . import gate, restore
from ..printable import printable
from ..words import counted


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="the kept sessions: list, show, disputes, answer, export, import, report, "
                                        "push, purge, restore",
                       description="Work with the sessions kept in the data folder.")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = cmds.add_parser("list", help="list sessions, newest first")
    _filters(ls)
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    gate.add_arguments(ls)
    ls.set_defaults(run=run_list)

    show = cmds.add_parser("show", help="one session: score, verdicts, transcript")
    show.add_argument("id", help="a session id (the first characters are enough)")
    show.add_argument("--json", action="store_true")
    gate.add_arguments(show)
    show.set_defaults(run=run_show)

    dis = cmds.add_parser("disputes", help="verdicts trainees dispute, and the managers' answers",
                          description="Disputes: open ones first (the longest waiting first), then answered ones.")
    dis.add_argument("--open", action="store_true", help="only those waiting for an answer")
    dis.add_argument("--json", action="store_true")
    gate.add_arguments(dis)
    dis.set_defaults(run=run_disputes)

    ans = cmds.add_parser("answer", help="answer a dispute: overturn the verdict (an override) or uphold it",
                          description="Answer a trainee's dispute, as review mode's Disputes tab does. Both answers "
                                      "need a reason, which the trainee reads beside the verdict.")
    ans.add_argument("dispute", help="a dispute id from `sessions disputes` (the first characters are enough)")
    how = ans.add_mutually_exclusive_group(required=True)
    how.add_argument("--overturn", choices=["met", "missed", "violated"], metavar="VERDICT",
                     help="change the verdict to met, missed or violated (through an override)")
    how.add_argument("--uphold", action="store_true", help="keep the verdict")
    ans.add_argument("--reason", required=True, help="why (the trainee reads it)")
    ans.add_argument("--reviewer", required=True, help="your name")
    gate.add_arguments(ans)
    ans.set_defaults(run=run_answer)

    ex = cmds.add_parser("export", help="a signed bundle for your manager, or CSV for a spreadsheet")
    ex.add_argument("ids", nargs="*", help="sessions to export (default: those the filters select)")
    _filters(ex)
    out = ex.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", type=Path, metavar="FILE", help="write a signed bundle (.simbundle)")
    out.add_argument("--csv", type=Path, metavar="FILE", help="write CSV: one row per session and per verdict")
    ex.add_argument("--key-file", help="the organisation's key file (or $SIMULATOR_ORG_KEY_FILE)")
    gate.add_arguments(ex)
    ex.set_defaults(run=run_export)

    im = cmds.add_parser("import", help="verify and import bundles")
    im.add_argument("bundles", nargs="+", type=Path)
    im.add_argument("--key-file", help="the organisation's key file (or $SIMULATOR_ORG_KEY_FILE)")
    im.add_argument("--answers-only", action="store_true",
                    help="take only the answers to disputes of sessions already here (a trainee taking in the "
                         "manager's answers: no one else's sessions are added)")
    im.set_defaults(run=run_import)

    rep = cmds.add_parser("report", help="a readable report of one session")
    rep.add_argument("id", help="the session's id, or the start of it (`simulator sessions list` gives them)")
    fmt = rep.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--html", type=Path, metavar="FILE", help="write the report as an HTML page")
    fmt.add_argument("--pdf", type=Path, metavar="FILE", help="write the report as a PDF, ready to print or file")
    gate.add_arguments(rep)
    rep.set_defaults(run=run_report)

    push = cmds.add_parser("push", help="send sessions to the Learning Record Store (see `simulator lrs`)")
    push.add_argument("ids", nargs="*", help="sessions to send (default: every finished session not yet queued)")
    push.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file (pass mark)")
    push.set_defaults(run=run_push)

    pu = cmds.add_parser("purge", help="delete recordings and sessions past the retention period")
    pu.add_argument("--audio-days", type=int, help="delete recordings older than this (default: the policy's)")
    pu.add_argument("--session-days", type=int, help="delete sessions older than this (default: the policy's)")
    pu.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    pu.add_argument("--yes", action="store_true", help="really delete (without it, only say what would go)")
    pu.set_defaults(run=run_purge)

    restore.add_parser(cmds)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trainee")
    p.add_argument("--scenario", help="a scenario id")
    p.add_argument("--status", choices=["completed", "ended_by_trainee", "interrupted", "in_progress"])
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--min-score", type=float)
    p.add_argument("--max-score", type=float)
    p.add_argument("--search", help="words that appear in the transcript")


def _date(text: str) -> float:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None


def _filter(args: argparse.Namespace) -> Filter:
    return Filter(args.trainee, args.scenario, args.status, args.since, args.until, args.min_score, args.max_score,
                  args.search)


def _store(args: argparse.Namespace) -> Store:
    return Store(data_dir(args.data_dir))


def _gated_filter(args: argparse.Namespace, allowed: gate.Access) -> Filter:
    if allowed.only is not None and args.trainee not in (None, allowed.only):
        raise SimulatorError(f"{printable(args.trainee)}'s sessions are another trainee's",
                             "add --all: it asks for the review passphrase your organisation has set")
    f = _filter(args)
    return f if allowed.only is None else dataclasses.replace(f, trainee=allowed.only)


def run_list(args: argparse.Namespace) -> int:
    allowed = gate.access(args)
    with _store(args) as store:
        rows = list_sessions(store, _gated_filter(args, allowed), limit=args.limit)
    if args.json:
        json.dump([r.__dict__ for r in rows], sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print("no sessions")
        return 0
    # Names as long as the longest shown, up to 32 letters: cut at 16, "Bartholomew Okonkwo-Smith" read "Bartholomew Okon".
    wide = min(32, max(16, *(len(printable(r.trainee)) for r in rows)))
    print(f"{'id':<9} {'started':<16} {'trainee':<{wide}} {'scenario':<28} {'status':<16} score")
    for r in rows:
        score = _score(r)
        print(f"{r.id[:8]:<9} {when(r.started_at):<16} {printable(r.trainee)[:wide]:<{wide}} {r.scenario_id[:28]:<28} "
              f"{r.status.replace('_', ' '):<16} {score}")
    return 0


def _score(s) -> str:
    """The score that counts, the reviewed one where a manager changed a verdict (marked, with the automatic one), as
    the review list and the report show it: the list's --min-score and --max-score filter on it too."""
    if s.overall is None:
        return ""
    if s.reviewed_overall is None or round(s.reviewed_overall) == round(s.overall):
        return figure(s.score) + (" ✎" if s.reviewed_overall is not None else "")
    return f"{figure(s.reviewed_overall)} ✎ (automatic {figure(s.overall)})"


def run_show(args: argparse.Namespace) -> int:
    allowed = gate.access(args)
    with _store(args) as store:
        record = load_session(store, find_session(store, args.id))
    allowed.check(record.summary.trainee, record.id)
    if args.json:
        json.dump(record.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    s = record.summary
    print(f"{printable(s.scenario_title)}\n{printable(s.trainee)} · {when(s.started_at)} · {s.status.replace('_', ' ')}"
          + (f" · score {_score(s)}" if s.overall is not None else ""))
    for v in record.verdicts:
        quote = f' "{printable(v["evidence"][0]["quote"])}"' if v["evidence"] else ""
        print(f"  {v['status']:<9} {item_label(v['item'])}{quote}")
    for o in record.overrides:
        print(f"  override by {printable(o.reviewer)} ({when(o.created_at)}): {item_label(o.item)} -> {o.status}: "
              f"{printable(o.comment)}")
    for d in record.disputes:
        print(f"  dispute ({when(d.created_at)}): {item_label(d.item)} ({d.disputed_status}): {printable(d.reason)}")
        if not d.is_open:
            print(f"    {OUTCOME_WORDS[d.outcome]} by {printable(d.resolver or '')} ({when(d.resolved_at)})"
                  + (f" -> {d.resolved_status}" if d.resolved_status else "") + f": {printable(d.response or '')}")
    print()
    for t in record.turns:
        who = printable(s.trainee) if t["speaker"] == "trainee" else "Customer"
        text = (f"[{ACTION_LABELS.get(t['action'], t['action'])}]" if t["kind"] == "action"
                else "(silence)" if t["kind"] == "silence" else t["text"])
        print(f"  {t['index']:>3} {who}: {printable(text)}")
    return 0


def run_disputes(args: argparse.Namespace) -> int:
    allowed = gate.access(args)
    with _store(args) as store:
        found = list_disputes(store, args.open, allowed.only)
    if args.json:
        json.dump([{**d.to_dict(), "session": d.session_id, "trainee": d.trainee, "scenario_title": d.scenario_title}
                   for d in found], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if not found:
        print("no open disputes" if args.open else "no disputes")
        return 0
    print(f"{'dispute':<9} {'session':<9} {'disputed':<16} {'trainee':<16} {'verdict':<36} outcome")
    for d in found:
        verdict = f"{item_label(d.item)} ({d.disputed_status})"
        print(f"{d.id[:8]:<9} {d.session_id[:8]:<9} {when(d.created_at):<16} {printable(d.trainee[:16]):<16} "
              f"{printable(verdict[:36]):<36} {OUTCOME_WORDS[d.outcome]}")
        print(f"{'':<19} why: {printable(d.reason)}")
        if not d.is_open:
            print(f"{'':<19} {printable(d.resolver or '')}: {printable(d.response or '')}")
    return 0


def run_answer(args: argparse.Namespace) -> int:
    allowed = gate.access(args, "answer other trainees' disputes")
    with _store(args) as store:
        found = [d for d in list_disputes(store, False, allowed.only) if d.id.startswith(args.dispute.lower())]
        if len(found) != 1:
            raise SimulatorError(f"no dispute '{printable(args.dispute)}'" if not found else
                                 f"'{printable(args.dispute)}' matches more than one dispute",
                                 "see `simulator sessions disputes`" if not found else "give more of the id")
        outcome = OVERTURNED if args.overturn else UPHELD
        done = resolve_dispute(store, found[0].id, outcome, args.reason, args.reviewer, args.overturn)
        policy = load_policy(getattr(args, "policy", None))
        queue_disputes_if_lrs(store, done.session_id)
        if outcome == OVERTURNED:
            queue_review_if_lrs(store, done.session_id, policy.pass_mark)
    print(f"{OUTCOME_WORDS[done.outcome]}: {item_label(done.item)} for {printable(done.trainee)}"
          + (f" is now {done.resolved_status}" if done.resolved_status else ""))
    return 0


def _selected(store: Store, args: argparse.Namespace, allowed: gate.Access) -> list[str]:
    if args.ids:
        ids = [find_session(store, i) for i in args.ids]
        for sid in ids:
            allowed.check(load_session(store, sid).summary.trainee, sid)
        return ids
    ids = [r.id for r in list_sessions(store, _gated_filter(args, allowed), limit=1_000_000)]
    if not ids:
        raise SimulatorError("no sessions match", "see `simulator sessions list`")
    return ids


def run_export(args: argparse.Namespace) -> int:
    allowed = gate.access(args, "export other trainees' sessions")
    with _store(args) as store:
        ids = _selected(store, args, allowed)
        if args.csv:
            export_csv(store, ids, args.csv)
            print(f"wrote {_n(len(ids), 'session')} to {args.csv}")
        else:
            export_bundle(store, ids, args.out, organisation_key(args.key_file))
            print(f"wrote {_n(len(ids), 'session')} to {args.out}, signed with the organisation's key")
    return 0


def run_import(args: argparse.Namespace) -> int:
    key = organisation_key(args.key_file)
    with _store(args) as store:
        for bundle in args.bundles:
            report = import_bundle(store, bundle, key, answers_only=args.answers_only)
            if args.answers_only:  # a trainee taking in answers: what changed for them, and nothing else
                print(f"{bundle}: {_n(report.disputes, 'dispute')} of yours new or answered"
                      + (f"; {_n(len(report.left_out), 'session')} of others' left out" if report.left_out else ""))
                continue
            print(f"{bundle}: imported {_n(len(report.imported), 'session')}"
                  + (f", {len(report.already_there)} already here" if report.already_there else "")
                  + (f", {_n(report.disputes, 'dispute')} new or answered" if report.disputes else "")
                  + (f", {len(report.left_out)} left out (not here)" if report.left_out else ""))
    return 0


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def run_report(args: argparse.Namespace) -> int:
    allowed = gate.access(args)
    with _store(args) as store:
        record = load_session(store, find_session(store, args.id))
    allowed.check(record.summary.trainee, record.id)
    if args.html:
        write_html(record, args.html)
        print(f"wrote {args.html}")
    else:
        from ..ui.printing import html_to_pdf
        html_to_pdf(session_html(record), args.pdf)
        print(f"wrote {args.pdf}")
    return 0


def run_push(args: argparse.Namespace) -> int:
    with _store(args) as store:
        ids = [find_session(store, i) for i in args.ids] if args.ids else None
        report = push_sessions(store, ids, load_policy(args.policy).pass_mark, required=True)
    print(f"sent {counted(report.sent, 'statement')}; {report.waiting} waiting"
          + (f" (the LRS could not be reached or refused: {report.error}; they go on the next push)"
             if report.error else ""))
    return 1 if report.error else 0


def run_purge(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    audio_days = args.audio_days if args.audio_days is not None else policy.keep_audio_days
    session_days = args.session_days if args.session_days is not None else policy.keep_sessions_days
    if audio_days is None and session_days is None:
        print("nothing to purge: the policy keeps recordings and sessions (or pass --audio-days / --session-days)")
        return 0
    if args.yes:
        args.all_trainees = True  # deleting touches every trainee's sessions
        gate.access(args, "delete sessions")
    with _store(args) as store:
        report = purge(store, audio_days, session_days, dry_run=not args.yes)
    verb = "deleted" if args.yes else "would delete"
    print(f"{verb} recordings of {counted(report.audio_sessions, 'session')} and {counted(report.sessions, 'session')}"
          + ("" if args.yes else "; run again with --yes to delete"))
    return 0
