"""Turning pydantic's validation errors into messages a coach can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .model import ALL_INTENSITIES
from .visible import hidden, naming, shown
from .yamlsource import Located

_KIND = {dict: "a mapping (key: value lines)", list: "a list", str: "text", int: "a number",
         float: "a number", bool: "true/false", type(None): "nothing"}


def describe(value: Any) -> str:
    return _KIND.get(type(value), type(value).__name__)


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model reachable inside a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found += _models_in(arg)
    return found


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model whose keys apply at `loc` (for 'did you mean')."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, str):
            field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
            if field is None:
                # inside a dict or list value: keep the model found so far
                continue
            models = _models_in(field.annotation)
            model = models[0] if models else None
    return model


def _written(loc: tuple) -> tuple:
    """Drop the key that widening `say: text` to `say: {any: [text]}` added."""
    return tuple(p for i, p in enumerate(loc) if not (p == ALL_INTENSITIES and i and loc[i - 1] == "say"))


_BOUNDS = {"less_than_equal": ("at most", "le"), "less_than": ("less than", "lt"),
           "greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt")}


def bound(err: dict) -> str | None:
    """A range error's limit in words ("at most 100"), for scenario files and bundles alike; None for another error."""
    if err["type"] not in _BOUNDS:
        return None
    word, key = _BOUNDS[err["type"]]
    limit = err.get("ctx", {}).get(key)
    return f"{word} {limit:g}" if isinstance(limit, (int, float)) else f"{word} {limit}"


def describe_value(value: object) -> str:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else describe(value)


def problems_from(exc: ValidationError, located: Located, root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = _written(tuple(err["loc"]))
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            key = loc[-1]
            parent = _model_at(root, loc[:-1])
            options = _keys(parent) if parent else []
            hint = did_you_mean(str(key), options) or (
                f"allowed here: {', '.join(options)}" if options else "remove it")
            message, at = f"unknown key '{key}'", loc
        elif kind == "missing":
            message, at = f"'{loc[-1]}' is missing", loc[:-1]
            hint = f"add '{loc[-1]}:' here"
        elif kind == "literal_error":
            allowed = err.get("ctx", {}).get("expected", "")
            choices = [c.strip(" '") for c in allowed.replace(" or ", ",").split(",") if c.strip(" '")]
            message, at = f"'{value}' is not allowed here; use one of: {', '.join(choices)}", loc
            hint = did_you_mean(str(value), choices)
        elif kind in ("string_type", "int_type", "int_parsing", "float_type", "float_parsing",
                      "list_type", "dict_type", "model_type", "model_attributes_type", "bool_type",
                      "int_from_float", "bool_parsing"):
            want = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping (key: value lines)",
                    "model_type": "a mapping (key: value lines)", "model_attributes_type": "a mapping (key: value lines)",
                    "bool_type": "true or false", "bool_parsing": "true or false"}.get(kind, "a number")
            message, at = f"expected {want} here, found {describe(value)}", loc
            hint = "put text containing ':' or '#' in quotes" if want == "text" and isinstance(value, dict) else ""
        elif kind == "string_pattern_mismatch":
            message, at = f"'{value}' cannot be used as an id", loc
            hint = "use lower-case letters, digits, '-' and '_' (at most 64), starting with a letter or digit"
            if isinstance(value, str) and (unseen := hidden(value)):
                message += f": it holds {naming(unseen)}, which cannot be seen"
                hint = "retype it using " + hint.removeprefix("use ")
        elif kind == "value_error":
            message, at = str(err["msg"]).removeprefix("Value error, "), loc
            hint = ""
        elif kind in ("too_short", "string_too_short"):
            message, at = f"'{loc[-1]}' must not be empty", loc
            hint = ""
        elif (within := bound(err)) is not None:
            # "Input should be less than or equal to 100" named neither the key nor the way back.
            key = next((p for p in reversed(loc) if isinstance(p, str)), "the value")
            if isinstance(value, float) and value != value:
                message = f"'{key}' is not a number (.nan)"
            else:
                message = f"'{key}' must be {within}; it is {describe_value(value)}"
            at, hint = loc, f"write a number {within}"
        else:
            message, at = str(err["msg"]), loc
            hint = ""
        line, col = located.where(at)
        if (line, col, message) in seen:
            continue
        seen.add((line, col, message))
        problems.append(Problem(located.file, line, col, shown(message), shown(hint)))
    return problems
