"""`simulator plan` and `simulator certificates`: what to practise next and who holds which certificate.

The same facts as the library's "Practise next" panel and review mode's
Team tab (both read store.trainee_plan and store.team_certificates). Whose
records a command may show follows gate.py: without the review passphrase,
only the trainee named in the app's settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import SimulatorError
from ..printable import printable
from ..scenario import load_policy
from ..scenario.library import available
from ..scoring.certificates import CERTIFIED, CertificateStatus, unknown_requirements
from ..settings import load_settings
from ..store import Store, data_dir
from ..words import counted
from . import gate
from .library import coach_folders


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="what to practise next, your certificates and assignments",
                       description="What to practise next (with the reason), progress toward each certificate the "
                                   "organisation's policy names, and assignments from your manager.")
    p.add_argument("--trainee", help="whose plan (default: the name set in the app); another trainee's needs --all "
                                     "when a review passphrase is set")
    p.add_argument("--json", action="store_true")
    gate.add_arguments(p)
    p.set_defaults(run=run_plan)

    c = sub.add_parser("certificates", help="who holds which certificate, and since when",
                       description="Every trainee's progress toward each certificate in the policy: who is certified "
                                   "and when, who has lapsed, what is still to pass.")
    c.add_argument("--json", action="store_true")
    c.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    c.add_argument("--push", action="store_true",
                   help="send completed/passed statements for certificates held to the Learning Record Store")
    gate.add_arguments(c)
    c.set_defaults(run=run_certificates)


def run_plan(args: argparse.Namespace) -> int:
    from ..store.trainee_plan import trainee_plan
    allowed = gate.access(args, "see another trainee's plan")
    trainee = (args.trainee or load_settings()[0].trainee).strip()
    if not trainee:
        raise SimulatorError("no trainee is named", "give --trainee NAME, or set your name in the app")
    if not allowed.allows(trainee):
        raise SimulatorError(f"{printable(trainee)}'s plan is another trainee's",
                             "add --all: it asks for the review passphrase your organisation has set")
    good, _ = available(coach_folders())
    policy = load_policy(args.policy)
    _note_unknown(policy, good)
    with Store(data_dir(args.data_dir)) as store:
        plan = trainee_plan(store, trainee, good, policy)
    if args.json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"Practise next, for {printable(trainee)}:")
    for n, s in enumerate(plan.suggestions, 1):
        level = f" --intensity {s.intensity}" if s.intensity else ""
        print(f"  {n}. {printable(s.reason)}\n     simulator play {s.scenario_id}{level}")
    if not plan.suggestions:
        print("  nothing: every skill is practised and nothing is due. Play anything you like.")
    if plan.certificates:
        print("\nCertificates:")
        for c in plan.certificates:
            _print_certificate(c)
    if plan.assignments:
        print("\nAssignments:")
        for a in plan.assignments:
            print(f"  {printable(a.words(plan.now))}")
            for item in a.items:
                mark = "✓" if item.done_at is not None else "·"
                level = f" ({item.intensity})" if item.intensity else ""
                print(f"    {mark} {printable(a.titles.get(item.scenario, item.scenario))}{level}")
    return 0


def _note_unknown(policy, scenarios) -> None:
    for problem in unknown_requirements(policy.certificates, {sf.id: sf.scenario.intensity for sf in scenarios}):
        print(f"note: {printable(problem)}; ask whoever keeps the policy file to fix it", file=sys.stderr)


def _print_certificate(c: CertificateStatus) -> None:
    print(f"  {printable(c.title)}: {c.words()}")
    for r in c.requirements:
        print(f"    {'✓' if r.passed else '·'} {printable(r.words())}")


def run_certificates(args: argparse.Namespace) -> int:
    from ..store.team_certificates import certificates_csv, push_certificates, team_certificates
    allowed = gate.access(args, "see other trainees' certificates")
    policy = load_policy(args.policy)
    if not policy.certificates:
        raise SimulatorError("the organisation's policy names no certificates",
                             "add a certificates: list to the policy file (see the README, Certificates)")
    good, _ = available(coach_folders())
    _note_unknown(policy, good)
    titles = {sf.id: sf.scenario.title for sf in good}
    with Store(data_dir(args.data_dir)) as store:
        statuses = team_certificates(store, policy, trainee=allowed.only, titles=titles) if allowed.only != "" else []
        if args.csv:
            certificates_csv(statuses, args.csv)
        report = push_certificates(store, statuses) if args.push else None
    if args.json:
        print(json.dumps([s.to_dict() for s in statuses], indent=2, ensure_ascii=False))
    else:
        for cert in policy.certificates:
            mine = [s for s in statuses if s.certificate_id == cert.id]
            held = sum(s.state == CERTIFIED for s in mine)
            print(f"{printable(cert.title)} ({cert.id}): {held} of {len(mine)} certified")
            width = max((len(printable(s.trainee)) for s in mine), default=0)
            for s in mine:
                print(f"  {printable(s.trainee):<{width}}  {s.words()}")
    if args.csv:
        print(f"wrote {args.csv}", file=sys.stderr)
    if report is not None:
        note = f"queued {counted(report.queued, 'statement')}; sent {report.sent}; {report.waiting} waiting"
        print(note + (f" (the LRS answered: {report.error})" if report.error else ""), file=sys.stderr)
    return 0
