"""The coach's tools: the branch picture, random walks, the spoken check, and the whole library passing."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import MINIMAL, REPO
from simulator.engine.walk import random_walks
from simulator.paths import shipped_scenarios
from simulator.scenario import load_scenario
from simulator.scenario.graph import OUTCOME_COLOURS, edges, layout, to_dot, to_svg, wrap
from simulator.scoring import PhraseDetector

SVG = "{http://www.w3.org/2000/svg}"


def simulator(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, **kw)


# -- the whole library --------------------------------------------------------------------------------

def test_the_whole_library_validates_and_passes_its_tests_and_walks():
    assert simulator("validate").returncode == 0
    run = simulator("test", "--walk", "100")
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 failed" in run.stdout


def test_the_library_covers_what_front_line_staff_meet(shipped):
    scenarios = [load_scenario(p).scenario for p in shipped]
    assert len(scenarios) >= 12
    for s in scenarios:
        assert s.tests, f"{s.id} has no tests"
        assert len(s.intensity) >= 2, f"{s.id} has one intensity"
        assert any(len(v) > 1 for n in s.nodes.values() for v in n.say.values()), f"{s.id} has no line variants"
        assert {"good", "poor"} <= {n.end for n in s.nodes.values()}, f"{s.id} needs a good and a poor ending"
        assert any(t.score and t.score.max < 60 for t in s.tests), f"{s.id} has no test of a poor handling"
    by_id = {s.id: s for s in scenarios}
    assert by_id["threat-of-violence"].nodes["threat"].threat
    assert by_id["chat-harassment"].channel == "chat"
    assert not by_id["blunt-not-abusive"].content and not by_id["demands-manager"].content


# -- the branch picture --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["svg", "png", "dot"])
def test_graph_draws_every_shipped_scenario(tmp_path, shipped, fmt):
    run = simulator("graph", str(shipped_scenarios()), "-o", str(tmp_path), "--format", fmt)
    assert run.returncode == 0, run.stderr
    for path in shipped:
        sf = load_scenario(path)
        out = tmp_path / f"{sf.id}.{fmt}"
        assert out.exists(), out
        if fmt == "svg":
            root = ET.parse(out).getroot()
            texts = {t.text for t in root.iter(f"{SVG}text")}
            assert set(sf.scenario.nodes) <= texts
            for node_id, node in sf.scenario.nodes.items():
                if node.is_ending:
                    group = root.find(f".//{SVG}g[@id='node-{node_id}']")
                    assert group.find(f"{SVG}rect").get("stroke") == OUTCOME_COLOURS[node.end]
        elif fmt == "png":
            head = out.read_bytes()[:24]
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", head[16:24])
            assert width > 600 and height > 300
        else:
            text = out.read_text(encoding="utf-8")
            assert text.startswith("digraph")
            assert text.count(" -> ") == len({(e.source, e.target) for e in edges(sf.scenario)})


def test_graph_labels_criteria_actions_and_timeouts():
    sf = load_scenario(shipped_scenarios() / "swearing-caller.yaml")
    labels = {(e.source, e.target): e.label for e in edges(sf.scenario) if e.kind != "silence"}
    assert labels[("start", "ignores_warning")] == "states consequence"
    assert labels[("start", "hung_up_without_warning")] == "◆ End call"
    assert labels[("start", "keeps_swearing")] == "otherwise"
    assert "silence 8 s" in {e.label for e in edges(sf.scenario)}
    svg = to_svg(sf.scenario)
    assert "◆ End call" in svg and "silence 8 s" in svg
    assert 'label="◆ End call"' in to_dot(sf.scenario)


def test_graph_shows_a_node_nothing_leads_to(write):
    # Valid YAML for the picture, though `validate` would flag the node: the coach sees it too.
    from simulator.scenario.model import Scenario
    import yaml
    data = yaml.safe_load(MINIMAL.replace("on:", "'on':"))
    data["nodes"]["orphan"] = {"say": "Nobody gets here.", "end": "mixed"}
    picture = layout(Scenario.model_validate(data))
    assert not picture.boxes["orphan"].reachable
    assert picture.notes == ["'orphan' cannot be reached from the start"]
    assert picture.boxes["orphan"].rank > max(b.rank for n, b in picture.boxes.items() if n != "orphan")


def test_long_labels_wrap_between_words():
    assert wrap("retaliates | states situation or asks for exits clear") == [
        "retaliates | states", "situation or asks for exits", "clear"]


def test_graph_errors_are_plain(tmp_path):
    run = simulator("graph", "swearing-caller", "-o", str(tmp_path / "x.jpg"))
    assert run.returncode == 2 and "end the file name with .svg, .png or .dot" in run.stderr
    run = simulator("graph", "no-such-scenario")
    assert run.returncode == 2 and "available:" in run.stderr


# -- random walks ----------------------------------------------------------------------------------

SHADOWED = MINIMAL.replace("""      - if: names_behavior
        goto: calm
      - else: angry""", """      - if: names_behavior
        goto: calm
      - if: {all: [names_behavior, sets_expectation]}
        goto: firm
      - else: angry
  firm:
    say: "Oh. Right."
    end: good""")


def test_walks_find_an_ending_an_earlier_transition_always_takes_first(write):
    path = write(SHADOWED)
    sf = load_scenario(path)
    report = random_walks(sf, PhraseDetector(sf.criteria), walks=100)
    assert [(p.kind, p.node) for p in report.problems] == [("unreachable ending", "firm")]
    assert report.endings["calm"] > 0 and report.endings["angry"] > 0
    run = simulator("test", str(path), "--walk", "50")
    assert run.returncode == 1
    line = next(i for i, text in enumerate(SHADOWED.splitlines(), 1) if text.strip() == "firm:")
    assert f"{path}:{line}:3: walk: unreachable ending: ending 'firm' was not reached in 50 random walks" in run.stdout


def test_walks_report_a_crash_with_the_steps_to_replay_it(write):
    sf = load_scenario(write(MINIMAL))

    class Fragile(PhraseDetector):  # a detector bug, as a scenario could trigger one
        def detect(self, text, **kw):
            if "unacceptable" in text.lower():
                raise ValueError("detector fell over")
            return super().detect(text, **kw)

    report = random_walks(sf, Fragile(sf.criteria), walks=60)
    crashes = [p for p in report.problems if p.kind == "crash"]
    assert crashes and "ValueError: detector fell over" in crashes[0].message
    assert any("unacceptable" in s.lower() for s in crashes[0].steps)


def test_walks_are_repeatable(shipped):
    sf = load_scenario(shipped[0])
    detector = PhraseDetector(sf.criteria)
    assert random_walks(sf, detector, walks=40, seed=3).endings == random_walks(sf, detector, walks=40, seed=3).endings


# -- the spoken check ----------------------------------------------------------------------------------

OWN = MINIMAL.replace("rubric:", """criteria:
  - id: mentions_refund
    dimension: boundary_setting
    description: Talks about the refund.
    phrases: [refund]
    spoken: [refund, fund]
    examples:
      yes: [I will process your refund today.]
      no: [Good morning and welcome.]
rubric:""").replace("criteria: [names_behavior]", "criteria: [names_behavior, mentions_refund]")


def test_speech_check_speaks_and_recognises_each_example(write):
    path = write(OWN)
    run = simulator("test", "--speech", str(path), timeout=300)
    assert "example replies still classified correctly once spoken (pocketsphinx" in run.stdout, run.stdout + run.stderr
    last = run.stdout.strip().splitlines()[-1]
    kept, total = int(last.split()[0]), int(last.split()[2])
    assert total == 2 and run.returncode == (0 if kept == total else 1)
    for line in run.stdout.splitlines()[:-1]:  # any example that changed is named with its file and line
        assert line.startswith(f"{path}:") and "was heard as" in line


def test_the_guides_annotated_example_validates_and_passes_its_tests(tmp_path):
    import re
    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(# yaml-language-server.*?)```", guide, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    assert simulator("validate", str(path)).returncode == 0
    run = simulator("test", str(path), "--walk", "50")
    assert run.returncode == 0, run.stdout


def test_one_nodes_lines_can_be_drawn_strong_with_their_labels_and_the_rest_faint(tmp_path):
    # Where a column's lines meet, a coach could not tell which label went with which line.
    sf = load_scenario(shipped_scenarios() / "swearing-caller.yaml")
    every = ET.fromstring(to_svg(sf.scenario))
    one = ET.fromstring(to_svg(sf.scenario, None, "keeps_swearing"))
    labels = lambda root: [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "10"]  # noqa: E731
    ours = [e for e in edges(sf.scenario) if "keeps_swearing" in (e.source, e.target)]
    assert 0 < len(labels(one)) < len(labels(every))
    assert len([p for p in one.iter(f"{SVG}path") if p.get("stroke-opacity") is None and p.get("marker-end")]) \
        == len({(e.source, e.target) for e in ours})
    faint = {g.get("id") for g in one.iter(f"{SVG}g") if g.get("opacity")}
    assert "node-keeps_swearing" not in faint and "node-final_warning" in faint
    run = simulator("graph", str(shipped_scenarios() / "swearing-caller.yaml"), "--node", "nowhere",
                    "-o", str(tmp_path / "g.svg"))
    assert run.returncode != 0 and "'nowhere' is not a node" in run.stderr
    for args in ((str(shipped_scenarios()), "--node", "start", "-o", str(tmp_path / "all")),  # one scenario's node
                 (str(shipped_scenarios() / "swearing-caller.yaml"), "--node", "start", "-o", str(tmp_path / "g.dot"))):
        run = simulator("graph", *args)
        assert run.returncode != 0 and "--node" in run.stderr, run.stderr
