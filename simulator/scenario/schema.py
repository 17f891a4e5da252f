"""JSON Schemas of the coach's files, for editors that complete and check keys.

They come from the same models that validate the files, so an editor and
`simulator validate` agree on shape. What a schema cannot say (a goto to a
node that exists, a criterion that is defined) only `simulator validate`
checks.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .model import CriteriaLibrary, Policy, Scenario

KINDS: dict[str, type[BaseModel]] = {"scenario": Scenario, "criteria": CriteriaLibrary, "policy": Policy}
FILE_NAMES = {kind: f"{kind}.schema.json" for kind in KINDS}
TITLES = {
    "scenario": "Difficult-conversation scenario",
    "criteria": "Criteria library",
    "policy": "Organisation policy for abusive contacts",
}


def schema(kind: str = "scenario") -> dict[str, Any]:
    model = KINDS[kind]
    body = model.model_json_schema(mode="validation", by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": FILE_NAMES[kind],
        "title": TITLES[kind],
        **{k: v for k, v in body.items() if k != "title"},
    }


def schema_text(kind: str = "scenario") -> str:
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"


def modeline(kind: str = "scenario") -> str:
    """The first line that points YAML editors (yaml-language-server) at the schema beside the file."""
    return f"# yaml-language-server: $schema={FILE_NAMES[kind]}"
