"""The JSON Schema editors use: current, accepting the library, rejecting broken files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import copy

from jsonschema import Draft202012Validator

from simulator.paths import shipped_scenarios
from simulator.scenario import file_kind
from simulator.scenario.schema import FILE_NAMES, KINDS, modeline, schema, schema_text
from simulator.scenario.yamlsource import read_yaml

# Read as YAML 1.2 reads it (as editors do): `on:` and `yes:` are keys, not booleans.

SHIPPED = sorted(shipped_scenarios().glob("*.yaml"))
SWEARING = shipped_scenarios() / "swearing-caller.yaml"


def validator(kind: str = "scenario") -> Draft202012Validator:
    Draft202012Validator.check_schema(schema(kind))
    return Draft202012Validator(schema(kind))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_shipped_schema_files_are_current(kind):
    shipped = shipped_scenarios() / FILE_NAMES[kind]
    assert shipped.read_text(encoding="utf-8") == schema_text(kind), \
        f"run: simulator schema {kind} -o scenarios/"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_points_at_its_schema_and_passes_it(path):
    kind = file_kind(path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == modeline(kind)
    errors = [e.message for e in validator(kind).iter_errors(read_yaml(path).data)]
    assert errors == []


def broken(change) -> dict:
    data = copy.deepcopy(read_yaml(SWEARING).data)
    change(data)
    return data


BROKEN = {
    "unknown key": lambda d: d.update(titel="typo"),
    "missing persona": lambda d: d.pop("persona"),
    "difficulty not in the list": lambda d: d.update(difficulty="brutal"),
    "a line that is a number": lambda d: d["nodes"]["start"].update(say=42),
    "if without goto": lambda d: d["nodes"]["start"]["on"][0].pop("goto"),
    "else beside if": lambda d: d["nodes"]["start"]["on"][0].update({"else": "keeps_swearing"}),
    "an empty condition": lambda d: d["nodes"]["start"]["on"][0].update({"if": {}}),
    "an unknown action": lambda d: d["nodes"]["start"]["on"][0].update({"if": {"action": "hang_up"}}),
    "weight over 100": lambda d: d["rubric"]["boundary_setting"].update(weight=150),
    "an id with spaces": lambda d: d.update(id="Swearing caller"),
    "an unknown content tag": lambda d: d.update(content=["rudeness"]),
    "a test with no replies": lambda d: d["tests"][0].update(replies=[]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_schema_rejects_a_broken_scenario(name):
    assert list(validator().iter_errors(broken(BROKEN[name]))), f"schema accepted: {name}"


def test_the_schema_offers_descriptions_for_completion():
    node = schema()["$defs"]["Node"]["properties"]
    assert "description" in node["say"] and "description" in node["on_silence"]


def test_the_schema_command_writes_a_file_editors_can_use(tmp_path):
    out = subprocess.run([sys.executable, "-m", "simulator", "schema", "-o", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    written = tmp_path / "scenario.schema.json"
    assert json.loads(written.read_text(encoding="utf-8"))["title"]
    assert "yaml-language-server: $schema=scenario.schema.json" in out.stderr
    policy = subprocess.run([sys.executable, "-m", "simulator", "schema", "policy"], capture_output=True, text=True, check=True)
    assert json.loads(policy.stdout)["$id"] == "policy.schema.json"
