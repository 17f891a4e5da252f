"""Arbitrary and mutated files never crash the loader: only the project's own error."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.paths import shipped_scenarios
from simulator.scenario import load_scenario, standard_criteria

SHIPPED = sorted(p.read_text(encoding="utf-8") for p in shipped_scenarios().glob("*-*.yaml"))
LIBRARY = standard_criteria()
FUZZ = settings(max_examples=150, deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def load_text(tmp_path: Path, text: str | bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        load_scenario(path, LIBRARY)
    except ScenarioError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


yaml_pieces = st.sampled_from(list("abcdefgon:-[]{}&*!|>'\"# \n\t,.?%@`") + ["\n  ", "- ", ": ", "&a ", "*a"])


def yamlish(max_size: int) -> st.SearchStrategy[str]:
    return st.lists(yaml_pieces, max_size=max_size).map("".join)


@FUZZ
@given(text=yamlish(150))
def test_yamlish_text(tmp_path, text):
    load_text(tmp_path, text)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(tmp_path, raw):
    load_text(tmp_path, raw)


@FUZZ
@given(data=st.data())
def test_mutated_shipped_scenarios(tmp_path, data):
    text = data.draw(st.sampled_from(SHIPPED))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["delete", "insert", "swap_lines", "dup_line"]))
        if op == "delete":
            text = text[:pos] + text[pos + data.draw(st.integers(1, 40)):]
        elif op == "insert":
            text = text[:pos] + data.draw(yamlish(8)) + text[pos:]
        else:
            lines = text.splitlines()
            i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
            if op == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    load_text(tmp_path, text)


@FUZZ
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "id", "title", "persona", "rubric", "nodes", "say", "on", "if", "goto",
                         "else", "end", "criteria", "weight", "intensity", "tests", "name", "x"]), inner, max_size=5),
    max_leaves=30))
def test_structurally_random_documents(tmp_path, value):
    import yaml
    load_text(tmp_path, yaml.safe_dump({"format": 1, "nodes": value, "rubric": value, "persona": value}))
