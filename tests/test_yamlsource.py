"""Reading YAML: positions kept, hostile files refused quickly with a clear message."""

import time

import pytest

from simulator.errors import ScenarioError
from simulator.scenario.yamlsource import MAX_FILE_BYTES, parse_yaml, read_yaml


def problems(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "f.yaml")
    return info.value.problems


def test_positions_are_recorded_for_keys_and_items():
    located = parse_yaml("a: 1\nb:\n  - x\n  - y\n", "f.yaml")
    assert located.data == {"a": 1, "b": ["x", "y"]}
    assert located.where(("b",)) == (2, 1)
    assert located.where(("b", 1)) == (4, 5)
    assert located.where(("b", 7, "nope")) == (2, 1)  # falls back to the nearest known part


def test_on_yes_no_stay_words_not_booleans():
    # YAML 1.1 would turn the key `on` into True and the line "No" into False.
    data = parse_yaml("on: [No, yes, off]\nflag: true\n", "f.yaml").data
    assert data == {"on": ["No", "yes", "off"], "flag": True}


def test_syntax_error_names_line_and_column():
    (p,) = problems("title: ok\nnodes:\n  start:\n    say: [unclosed\n")
    assert p.file == "f.yaml" and (p.line, p.column) == (4, 10) and "never closed" in p.message


def test_tab_indentation_gets_a_hint():
    (p,) = problems("a:\n\tb: 1\n")
    assert p.line == 2 and "tab" in p.hint


def test_duplicate_key_is_reported_with_both_lines():
    (p,) = problems("nodes:\n  start: 1\n  other: 2\n  start: 3\n")
    assert p.line == 4 and p.column == 3
    assert "'start' is defined twice (first on line 2)" in p.message


def test_python_tags_are_refused_not_executed():
    (p,) = problems("x: !!python/object/apply:os.system ['echo hacked']\n")
    assert "tag" in p.message and p.line == 1


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    began = time.monotonic()
    (p,) = problems(bomb)
    assert "alias bomb" in p.message
    assert time.monotonic() - began < 30  # a guard against a hang, not a speed test


def test_recursive_alias_is_refused():
    (p,) = problems("a: &a [*a]\n")
    assert "nested" in p.message or "alias" in p.message


def test_deep_nesting_is_refused():
    (p,) = problems("[" * 5000 + "]" * 5000)
    assert "nest" in p.message


def test_oversized_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(ScenarioError) as info:
        read_yaml(big)
    assert "limit" in info.value.problems[0].message


def test_non_utf8_file_names_the_line(tmp_path):
    f = tmp_path / "latin.yaml"
    f.write_bytes(b"title: ok\nsay: caf\xe9\n")
    with pytest.raises(ScenarioError) as info:
        read_yaml(f)
    p = info.value.problems[0]
    assert p.line == 2 and "UTF-8" in p.message


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ScenarioError) as info:
        read_yaml(tmp_path / "nope.yaml")
    assert "cannot read" in info.value.problems[0].message
