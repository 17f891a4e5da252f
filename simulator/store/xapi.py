"""xAPI 1.0.3 statements for a session, with ids that never change.

One attempt shares one context.registration (the session id). Statement ids
are UUIDv5 of the session and the statement's place in it, so sending a
session again can never create a second copy in the Learning Record Store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.parse
import uuid

from .records import SessionRecord

NAMESPACE = uuid.UUID("5d1f8a4e-3c1b-4d7e-9a55-2f6f1b0c8e11")
VERBS = {v: f"http://adlnet.gov/expapi/verbs/{v}"
         for v in ("attempted", "responded", "completed", "passed", "failed", "terminated")}
DEFAULT_BASE = "https://simulator.invalid"
DEFAULT_PASS_MARK = 70.0


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    return f"PT{max(0.0, seconds):.2f}S"


def statement_id(session_id: str, kind: str, n: int = 0) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{session_id}/{kind}/{n}"))


def statements(record: SessionRecord, base: str = DEFAULT_BASE, pass_mark: float = DEFAULT_PASS_MARK) -> list[dict]:
    s = record.summary
    base = base.rstrip("/")
    ext = f"{base}/xapi/extensions"
    actor = {"objectType": "Agent", "name": s.trainee, "account": {"homePage": base, "name": s.trainee}}
    scenario = {"objectType": "Activity", "id": f"{base}/scenarios/{s.scenario_id}",
                "definition": {"name": {"en-US": s.scenario_title},
                               "type": "http://adlnet.gov/expapi/activities/simulation"}}
    context = {"registration": str(uuid.UUID(s.id)),
               "extensions": {f"{ext}/scenario-sha256": record.scenario_sha256}}

    def make(kind: str, n: int, verb: str, ts: float, obj: dict, **extra: object) -> dict:
        body = {"id": statement_id(s.id, kind, n), "actor": actor,
                "verb": {"id": VERBS[verb], "display": {"en-US": verb}}, "object": obj,
                "timestamp": _iso(ts), "context": context, **extra}
        return body

    out = [make("attempted", 0, "attempted", s.started_at, scenario)]
    for t in record.turns:
        if t["speaker"] != "trainee" or t["kind"] != "reply":
            continue
        node = {"objectType": "Activity", "id": f"{base}/scenarios/{s.scenario_id}/nodes/{t['node']}",
                "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                               "interactionType": "long-fill-in"}}
        turn_context = {**context, "extensions": {**context["extensions"], f"{ext}/input": t.get("source") or "typed",
                                                  f"{ext}/confidence": t.get("confidence")},
                        "contextActivities": {"parent": [{"objectType": "Activity", "id": scenario["id"]}]}}
        criteria = sorted({m["criterion"] for m in t["matches"]})
        stmt = make("responded", t["index"], "responded", t["ended_at"], node,
                    result={"response": t["text"], "extensions": {f"{ext}/criteria": criteria}})
        stmt["context"] = turn_context
        out.append(stmt)
    end = s.ended_at or s.started_at
    if s.status == "completed" and s.overall is not None:
        verdicts: dict[str, dict[str, str]] = {}
        for v in record.verdicts:
            verdicts.setdefault(v["dimension"], {})[v["item"]] = v["status"]
        dims = {sc["dimension"]: sc["score"] for sc in record.scores}
        result = {"completion": True, "duration": _duration(end - s.started_at),
                  "score": {"scaled": round(s.overall / 100, 4), "raw": s.overall, "min": 0, "max": 100},
                  "extensions": {f"{ext}/dimensions": dims, f"{ext}/verdicts": verdicts}}
        out.append(make("completed", 0, "completed", end, scenario,
                        result={"completion": True, "duration": result["duration"]}))
        passed = s.overall >= pass_mark
        out.append(make("outcome", 0, "passed" if passed else "failed", end, scenario,
                        result={**result, "success": passed}))
    else:
        out.append(make("terminated", 0, "terminated", end, scenario,
                        result={"completion": False, "duration": _duration(end - s.started_at)}))
    return out


def reviewed_statement(record: SessionRecord, base: str = DEFAULT_BASE,
                       pass_mark: float = DEFAULT_PASS_MARK) -> dict | None:
    """The result after a manager's review, as its own statement: passed or failed on the reviewed score, the
    reviewer as the context's instructor, and a reference to the automatic result it stands beside.

    Its id is made from what the review says, so a later change to a verdict queues a new statement and
    sending the same review again cannot add a copy."""
    s = record.summary
    if s.status != "completed" or s.overall is None or not (record.reviews or record.overrides):
        return None
    base = base.rstrip("/")
    ext = f"{base}/xapi/extensions"
    score = s.reviewed_overall if s.reviewed_overall is not None else s.overall
    after: dict[str, dict[str, str]] = {}
    for v in record.verdicts:
        after.setdefault(v["dimension"], {})[v["item"]] = v["status"]
    changes = sorted(record.overrides, key=lambda o: o.created_at)
    for o in changes:
        after.setdefault(o.dimension, {})[o.item] = o.status
    people = sorted({r["reviewer"] for r in record.reviews} | {o.reviewer for o in changes})
    latest = max([r["reviewed_at"] for r in record.reviews] + [o.created_at for o in changes])
    digest = hashlib.sha256(json.dumps([score, after, people], sort_keys=True).encode()).hexdigest()[:16]
    instructor = {"objectType": "Group", "member": [_agent(p, base) for p in people]} if len(people) > 1 \
        else _agent(people[0], base)
    passed = score >= pass_mark
    return {
        "id": statement_id(s.id, f"reviewed-{digest}"),
        "actor": _agent(s.trainee, base),
        "verb": {"id": VERBS["passed" if passed else "failed"], "display": {"en-US": "passed" if passed else "failed"}},
        "object": {"objectType": "Activity", "id": f"{base}/scenarios/{s.scenario_id}",
                   "definition": {"name": {"en-US": s.scenario_title},
                                  "type": "http://adlnet.gov/expapi/activities/simulation"}},
        "result": {"success": passed, "completion": True,
                   "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
                   "extensions": {f"{ext}/verdicts": after, f"{ext}/automatic-score": s.overall,
                                  f"{ext}/reviewed": True}},
        "timestamp": _iso(latest),
        "context": {"registration": str(uuid.UUID(s.id)), "instructor": instructor,
                    "statement": {"objectType": "StatementRef", "id": statement_id(s.id, "outcome", 0)},
                    "extensions": {f"{ext}/scenario-sha256": record.scenario_sha256,
                                   f"{ext}/reviewers": people}},
    }


def _agent(name: str, base: str) -> dict:
    return {"objectType": "Agent", "name": name, "account": {"homePage": base, "name": name}}


def dispute_statements(record: SessionRecord, base: str = DEFAULT_BASE) -> list[dict]:
    """Each dispute as a statement by the trainee (`disputed`: the verdict, their reason as the response), and
    each answer as a statement by the manager (`upheld` or `overturned`) that refers to it.

    The verbs are the simulator's own (xAPI has none for contesting a result), under the activity base.
    Ids are made from the dispute's id, which is the same in every store: a dispute that reached the
    LRS from the trainee's machine is not sent again from the manager's."""
    s = record.summary
    base = base.rstrip("/")
    ext = f"{base}/xapi/extensions"
    out = []
    for d in record.disputes:
        item = urllib.parse.quote(d.item, safe="")  # "a|b" alternatives: "|" has no place in an IRI
        verdict = {"objectType": "Activity", "id": f"{base}/scenarios/{s.scenario_id}/rubric/{d.dimension}/{item}",
                   "definition": {"name": {"en-US": f"{d.dimension}: {d.item}"},
                                  "type": "http://adlnet.gov/expapi/activities/objective"}}
        context = {"registration": str(uuid.UUID(s.id)),
                   "statement": {"objectType": "StatementRef", "id": statement_id(s.id, "outcome", 0)},
                   "extensions": {f"{ext}/scenario-sha256": record.scenario_sha256, f"{ext}/dispute": d.id}}
        disputed_id = statement_id(s.id, f"disputed-{d.id}")
        out.append({"id": disputed_id, "actor": _agent(s.trainee, base), "verb": _verb(base, "disputed"),
                    "object": verdict, "timestamp": _iso(d.created_at), "context": context,
                    "result": {"response": d.reason, "extensions": {f"{ext}/disputed-verdict": d.disputed_status}}})
        if d.outcome == "open" or d.resolver is None or d.resolved_at is None:
            continue
        result: dict = {"response": d.response or "", "success": d.outcome == "upheld",
                        "extensions": {f"{ext}/disputed-verdict": d.disputed_status}}
        if d.resolved_status:
            result["extensions"][f"{ext}/reviewed-verdict"] = d.resolved_status
        out.append({"id": statement_id(s.id, f"{d.outcome}-{d.id}"), "actor": _agent(d.resolver, base),
                    "verb": _verb(base, d.outcome),
                    "object": {"objectType": "StatementRef", "id": disputed_id},
                    "timestamp": _iso(d.resolved_at), "result": result,
                    "context": {"registration": str(uuid.UUID(s.id)),
                                "extensions": {f"{ext}/dispute": d.id, f"{ext}/verdict": verdict["id"]}}})
    return out


def _verb(base: str, name: str) -> dict:
    return {"id": f"{base}/xapi/verbs/{name}", "display": {"en-US": name}}
