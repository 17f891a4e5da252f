"""Second pass: does the scenario hold together?

The first pass (the model) checks each value's shape. This one checks what
refers to what: nodes that do not exist, criteria nobody defined, nodes no
path reaches, nodes that lead nowhere. Each problem says where and how to
fix it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..errors import Problem
from .errors_from_model import did_you_mean
from .visible import naming, unkept
from .model import ACTIONS, ALL_INTENSITIES, COMMANDS, Criterion, Scenario, split_command
from .yamlsource import Located


def check(scenario: Scenario, criteria: Mapping[str, Criterion], located: Located) -> list[Problem]:
    problems = list(_targets(scenario, located))
    problems += _criteria_refs(scenario, criteria, located)
    problems += _lines(scenario, located)
    problems += _unshown(located.data, (), located)
    if not any(p.severity == "error" for p in problems):
        problems += _graph(scenario, located)
    problems += _rubric_problems(scenario, criteria, located)
    problems += _tests(scenario, criteria, located)
    return problems


def _node_hint(name: str, scenario: Scenario) -> str:
    return did_you_mean(name, scenario.nodes) or f"nodes are: {', '.join(scenario.nodes)}"


def _targets(scenario: Scenario, loc: Located) -> Iterator[Problem]:
    if scenario.start is not None and scenario.start not in scenario.nodes:
        yield loc.problem(("start",), f"start node '{scenario.start}' does not exist", _node_hint(scenario.start, scenario))
    for node_id, node in scenario.nodes.items():
        where = ("nodes", node_id)
        for i, tr in enumerate(node.on):
            key = "else" if tr.otherwise is not None else "goto"
            if tr.target not in scenario.nodes:
                yield loc.problem(where + ("on", i, key), f"'{tr.target}' is not a node", _node_hint(tr.target, scenario))
        if node.on_silence is not None and node.on_silence not in scenario.nodes:
            yield loc.problem(where + ("on_silence",), f"'{node.on_silence}' is not a node", _node_hint(node.on_silence, scenario))
        if node.is_ending:
            if node.on or node.on_silence:
                yield loc.problem(where + ("end",), f"'{node_id}' is an ending but has transitions",
                                  "remove 'on'/'on_silence' from an ending, or remove 'end' to continue the conversation")
            continue
        kinds = ["else" if t.otherwise is not None else "if" for t in node.on]
        if "else" not in kinds:
            yield loc.problem(where, f"node '{node_id}' has no way out for a reply that matches nothing",
                              "add '- else: NODE' as the last item under 'on', or 'end: good|mixed|poor' to make it an ending")
        elif kinds.index("else") != len(kinds) - 1:
            yield loc.problem(where + ("on", kinds.index("else") + 1),
                              "transitions after 'else' can never be chosen", "move '- else: ...' to the end of the list")
        for i, tr in enumerate(node.on):
            if tr.when and tr.when.action == "end_call" and tr.goto in scenario.nodes and not scenario.nodes[tr.goto].is_ending:
                yield loc.problem(where + ("on", i, "goto"), "after End call the call is over, but this goes to a node that continues it",
                                  "point it at an ending (a node with 'end:')", severity="warning")


def _criteria_refs(scenario: Scenario, criteria: Mapping[str, Criterion], loc: Located) -> Iterator[Problem]:
    own: dict[str, int] = {}
    for i, c in enumerate(scenario.criteria):
        if c.id in own:
            yield loc.problem(("criteria", i, "id"), f"criterion '{c.id}' is defined twice", "give each criterion its own id")
        own[c.id] = i
    for node_id, node in scenario.nodes.items():
        for i, tr in enumerate(node.on):
            if tr.when is None:
                continue
            for key in ("any", "all", "none"):
                for name in getattr(tr.when, key):
                    if name not in criteria:
                        yield loc.problem(("nodes", node_id, "on", i, "if", key), f"unknown criterion '{name}'",
                                          _criterion_hint(name, criteria))


def _criterion_hint(name: str, criteria: Mapping[str, Criterion]) -> str:
    if name in ACTIONS:
        return f"'{name}' is a call control: write 'action: {name}'"
    return did_you_mean(name, criteria) or "define it under 'criteria:' or use one from scenarios/criteria.yaml"


def _lines(scenario: Scenario, loc: Located) -> Iterator[Problem]:
    levels = scenario.intensity
    for node_id, node in scenario.nodes.items():
        where = ("nodes", node_id, "say")
        keyed = [k for k in node.say if k != ALL_INTENSITIES]
        for level in keyed:
            if level not in levels:
                yield loc.problem(where + (level,), f"'{level}' is not an intensity of this scenario",
                                  did_you_mean(level, levels) or f"intensities are: {', '.join(levels)}")
        if keyed and levels[0] not in node.say:
            yield loc.problem(where, f"lines for the mildest intensity '{levels[0]}' are missing",
                              "harsher levels fall back to milder ones, never the other way: add the mildest")
        if not node.say and not node.is_ending:
            yield loc.problem(("nodes", node_id), f"node '{node_id}' has no customer line", "add 'say: \"...\"'")


def _unshown(data: object, where: tuple, loc: Located) -> Iterator[Problem]:
    """Text holding a control or bidirectional character: a customer line with U+202E reads backwards from there
    on, and a session that kept it could be exported but not imported (store/bundleschema.py)."""
    if isinstance(data, str):
        if not data.isprintable() and (found := list(dict.fromkeys(ch for ch in data if unkept(ch)))):
            yield loc.problem(where, f"this text holds {naming(found)}, which changes how the words show",
                              "retype the text without it; copying from a web page or a terminal can bring it in")
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _unshown(value, where + (key,), loc)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _unshown(value, where + (i,), loc)


def _graph(scenario: Scenario, loc: Located) -> Iterator[Problem]:
    edges = {n: [t.target for t in node.on] + ([node.on_silence] if node.on_silence else [])
             for n, node in scenario.nodes.items()}
    reached = _reach([scenario.start_node], edges)
    for node_id in scenario.nodes:
        if node_id not in reached:
            yield loc.problem(("nodes", node_id), f"node '{node_id}' cannot be reached from '{scenario.start_node}'",
                              "add a transition that goes to it, or remove it")
    endings = [n for n, node in scenario.nodes.items() if node.is_ending]
    if not endings:
        yield loc.problem(("nodes",), "the scenario has no ending", "add a node with 'end: good' (or mixed, poor)")
        return
    reverse: dict[str, list[str]] = {n: [] for n in scenario.nodes}
    for src, targets in edges.items():
        for t in targets:
            reverse[t].append(src)
    can_end = _reach(endings, reverse)
    for node_id in scenario.nodes:
        if node_id in reached and node_id not in can_end:
            yield loc.problem(("nodes", node_id), f"from '{node_id}' no ending can be reached",
                              "add a transition from this loop to an ending")


def _reach(starts: list[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in edges.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _rubric_problems(scenario: Scenario, criteria: Mapping[str, Criterion], loc: Located) -> list[Problem]:
    problems = []
    names = set(criteria) | set(ACTIONS)
    for dim, item in scenario.rubric.items():
        where = ("rubric", dim)
        for key, plain in (("criteria", set(criteria)), ("actions", set(ACTIONS)), ("avoid", names)):
            for entry in getattr(item, key):
                alternatives = entry.split("|")
                allowed = names if len(alternatives) > 1 else plain
                for name in alternatives:
                    if name not in allowed:
                        hint = (_criterion_hint(name, criteria) if key == "criteria"
                                else did_you_mean(name, allowed) or f"use one of: {', '.join(sorted(allowed))}")
                        what = "call control" if key == "actions" and len(alternatives) == 1 else "criterion"
                        problems.append(loc.problem(where + (key,), f"unknown {what} '{name}'", hint))
        # "a|b": counts after either (the scorer reads alternatives there as it does in criteria)
        for name in item.after.split("|") if item.after is not None else []:
            if name not in names:
                problems.append(loc.problem(where + ("after",), f"unknown criterion or action '{name}'",
                                            did_you_mean(name, names) or "use a criterion id or end_call, escalate, hold, flag"))
        scored = {n for e in (*item.criteria, *item.actions, *item.avoid) for n in (e, *e.split("|"))}
        for name in item.advice:
            if name not in scored:
                problems.append(loc.problem(where + ("advice", name), f"advice for '{name}', which this dimension does not score",
                                            "advice is for items listed under criteria, actions or avoid here"))
        for name in item.criteria:
            c = criteria.get(name)
            if c is not None and c.negative:
                problems.append(loc.problem(where + ("criteria",), f"'{name}' is something to avoid, not to do",
                                            f"move it to 'avoid: [{name}]'"))
    if not any(n.abusive for n in scenario.nodes.values()):
        for dim, item in scenario.rubric.items():
            if item.within is not None:
                problems.append(loc.problem(("rubric", dim, "within"), "'within' counts from the first abusive line, but no node is marked abusive",
                                            "add 'abusive: true' to the nodes whose lines are abusive", severity="warning"))
    total = sum(i.weight for i in scenario.rubric.values())
    if abs(total - 100) > 1e-6:
        problems.append(loc.problem(("rubric",), f"the weights add up to {total:g}, not 100",
                                    "they are scaled to 100; set them to add up to 100 to make that plain", severity="warning"))
    return problems


def _tests(scenario: Scenario, criteria: Mapping[str, Criterion], loc: Located) -> Iterator[Problem]:
    for i, test in enumerate(scenario.tests):
        where = ("tests", i)
        for j, node in enumerate(test.path or []):
            if node not in scenario.nodes:
                yield loc.problem(where + ("path", j), f"'{node}' is not a node", _node_hint(node, scenario))
        if test.ending is not None and (test.ending not in scenario.nodes or not scenario.nodes[test.ending].is_ending):
            yield loc.problem(where + ("ending",), f"'{test.ending}' is not an ending",
                              did_you_mean(test.ending, [n for n, v in scenario.nodes.items() if v.is_ending]))
        if test.intensity is not None and test.intensity not in scenario.intensity:
            yield loc.problem(where + ("intensity",), f"'{test.intensity}' is not an intensity of this scenario",
                              f"intensities are: {', '.join(scenario.intensity)}")
        for reply_i, reply in enumerate(test.replies):
            command, words = split_command(reply) if reply.startswith("/") else ("", "")
            if reply.startswith("/") and command not in COMMANDS:
                yield loc.problem(where + ("replies", reply_i), f"'{reply}' is not a call control",
                                  f"use one of: {', '.join('/' + c for c in COMMANDS)}")
            elif words and command == "silence":
                yield loc.problem(where + ("replies", reply_i), f"'{reply}': silence says nothing",
                                  "put the words on a line of their own, or write /end or /escalate with them "
                                  "(the words are said on the way out)")
        for name in test.verdicts:
            if name == "ended_without_warning":  # the policy's own verdict on ending before a warning
                continue
            for one in name.split("|"):
                if one not in criteria and one not in ACTIONS:
                    yield loc.problem(where + ("verdicts", name), f"unknown criterion '{one}'", _criterion_hint(one, criteria))
