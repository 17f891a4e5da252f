"""Files and lines a user points the product at that are not what they should be.

Named pipes, devices, symlink loops, unreadable folders, huge or odd scenario
files and bad lines for `simulator classify`: each is refused quickly with one
message naming the file (and line) and what to do, never a hang, a traceback
or a message that blames the wrong thing.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO
from simulator.errors import ScenarioError, SimulatorError
from simulator.files import read_regular_file, read_text_file
from simulator.scenario import load_scenario, standard_criteria
from simulator.scenario.yamlsource import MAX_FILE_BYTES, parse_yaml, read_yaml


def simulator(*args: str, stdin: str = "", timeout: float = 90, prefix: list[str] | None = None,
              memory: int | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it; a hang fails the test at the timeout instead of stopping the run."""
    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return subprocess.run([*(prefix or []), sys.executable, "-m", "simulator", *args], input=stdin, text=True,
                          capture_output=True, cwd=REPO, timeout=timeout, preexec_fn=limit,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    os.mkfifo(path)
    return path


# -- 9: only regular files are read --------------------------------------------------------

def test_validate_refuses_a_named_pipe_without_waiting_for_a_writer(fifo):
    out = simulator("validate", str(fifo))
    assert out.returncode == 1
    assert f"{fifo}: error: cannot read the file: it is a named pipe" in out.stderr


def test_play_refuses_a_named_pipe_as_scenario_and_as_policy(fifo):
    out = simulator("play", str(fifo), "--practice", "--replies", "-", stdin="/end\n")
    assert out.returncode == 1 and "named pipe" in out.stderr and str(fifo) in out.stderr
    out = simulator("play", "swearing-caller", "--practice", "--policy", str(fifo), "--replies", "-", stdin="/end\n")
    assert out.returncode == 1 and "named pipe" in out.stderr and str(fifo) in out.stderr


def test_score_refuses_a_named_pipe_and_a_transcript_nested_too_deeply(fifo, tmp_path):
    out = simulator("score", str(fifo), timeout=60)  # another person's "transcript": it waited for a writer
    assert out.returncode != 0 and "named pipe" in out.stderr and "Traceback" not in out.stderr
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    out = simulator("score", str(deep), timeout=60)
    assert out.returncode != 0 and "nested too deeply" in out.stderr and "Traceback" not in out.stderr


def test_a_recording_whose_header_says_zero_hertz_is_refused_by_name(tmp_path):
    import struct
    from simulator.speech.wav import read_wav
    path = tmp_path / "1.wav"  # as an imported bundle may carry it
    data = bytes(3200)
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 0, 0, 2, 16)
                     + b"data" + struct.pack("<I", len(data)) + data)
    with pytest.raises(SimulatorError, match="not a recording this app can play"):
        read_wav(path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_validate_refuses_a_device_without_reading_it(device):
    # The memory cap turns the old behaviour (read until MemoryError) into a quick failure, not a swap storm.
    out = simulator("validate", device, memory=1024 ** 3)
    assert out.returncode == 1
    assert f"{device}: error: cannot read the file: it is a device, not a file saved on disk" in out.stderr


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 3000)
    with pytest.raises(SimulatorError) as info:
        read_regular_file(big, 2048, "bundle")
    assert f"cannot read the bundle {big}: it is 3 KB, over the 2 KB limit for a bundle" == info.value.message
    assert read_regular_file(big, 3000, "bundle") == b"x" * 3000


def test_errors_from_the_system_become_simulator_errors(tmp_path):
    with pytest.raises(SimulatorError) as info:
        read_regular_file(tmp_path / "nope.txt", 100, "replies file")
    assert "there is no such file or folder" in info.value.message and info.value.hint == "check the path"
    with pytest.raises(SimulatorError) as info:
        read_regular_file(tmp_path, 100, "replies file")
    assert "it is a folder" in info.value.message


def test_read_text_file_drops_a_byte_order_mark_and_names_a_bad_line(tmp_path):
    f = tmp_path / "replies.txt"
    f.write_bytes(b"\xef\xbb\xbfhello\n")
    assert read_text_file(f, 100, "replies file") == "hello\n"
    f.write_bytes(b"hello\ncaf\xe9\n")
    with pytest.raises(SimulatorError) as info:
        read_text_file(f, 100, "replies file")
    assert "line 2 is not UTF-8 text" in info.value.message


# -- 10: a large valid scenario loads, once, quickly -------------------------------------------

def long_chain(nodes: int = 17_000, size: int = 900_000) -> str:
    """A valid scenario of `nodes` nodes in a chain, its lines padded to about `size` bytes in all."""
    head = ("format: 1\nid: long-chain\ntitle: A long chain\npersona: {name: Alex}\n"
            "rubric:\n  boundary_setting: {criteria: [names_behavior], weight: 100}\nnodes:\n")
    tail = f"  n{nodes - 1}: {{say: Bye., end: good}}\n"

    def chain(pad: str) -> str:
        return "".join(f"  n{i}: {{say: Line {i}{pad}., on: [{{else: n{i + 1}}}]}}\n" for i in range(nodes - 1))

    spare = -(-(size - len(head) - len(chain("")) - len(tail)) // (nodes - 1))  # rounded up
    pad = " " + "x" * (spare - 1) if spare > 1 else ""
    return head + chain(pad) + tail


def test_a_900_kb_scenario_of_17000_nodes_loads(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(long_chain())
    assert 900_000 <= path.stat().st_size < MAX_FILE_BYTES
    sf = load_scenario(path, standard_criteria())  # no "alias bomb?": no alias is used
    assert len(sf.scenario.nodes) == 17_000 and sf.scenario.nodes["n16998"].on[0].target == "n16999"


def test_a_late_error_in_a_long_scenario_names_its_line(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(long_chain(5000, 200_000).replace("else: n4999}", "else: n5000}"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, standard_criteria())
    (p,) = [p for p in info.value.problems if "'n5000' is not a node" in p.message]
    assert p.line == 8 + 4998  # n0 is on line 8


def test_a_scenario_over_the_limit_says_its_size_and_the_limit(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(long_chain(20_000, 1_200_000))
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    p = info.value.problems[0]
    assert "over the 1 MB limit for a scenario file" in p.message and "alias" not in p.message


def test_validate_reads_each_file_once(tmp_path, capsys):
    from simulator.cli import main
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL)
    opened = _opens_of(path, lambda: main(["validate", str(path)]))
    assert "ok" in capsys.readouterr().out
    assert opened == 1


_watched: list = []


def _opens_of(path: Path, action) -> int:
    """How many times `action` opens `path` (through Python's audit events: no file is patched)."""
    if not _watched:
        sys.addaudithook(lambda event, args: _watched[-1](event, args) if event == "open" else None)
    seen = []
    _watched.append(lambda _event, args: seen.append(1) if str(args[0]) == str(path) else None)
    try:
        action()
    finally:
        _watched[-1] = lambda *_: None
    return len(seen)


# -- 11: every message has a place and says what is really wrong ---------------------------------

@pytest.mark.parametrize("char, name", [("\x00", "U+0000 NUL"), ("\x1b", "U+001B ESC")])
def test_a_control_character_is_named_with_its_line_and_column(char, name):
    with pytest.raises(ScenarioError) as info:
        parse_yaml(f"title: ok\nsay: ab{char}c\n".encode(), "f.yaml")
    (p,) = info.value.problems
    assert (p.line, p.column) == (2, 8) and p.message == f"{name} is not allowed in a YAML file"
    assert str(p).startswith("f.yaml:2:8: error:")


def test_a_node_id_with_a_zero_width_space_is_refused_and_shown(write):
    path = write(MINIMAL.replace("  calm:", "  calm\u200b:").replace("goto: calm", "goto: calm\u200b"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, standard_criteria())
    (p,) = info.value.problems
    assert p.message == "the key 'calm<U+200B>' holds U+200B ZERO WIDTH SPACE, which cannot be seen"
    assert p.line == 14 and "\u200b" not in str(info.value)


def test_a_scenario_id_with_a_right_to_left_override_is_shown_escaped(write):
    path = write(MINIMAL.replace("id: tiny", "id: \"ti\u202eny\""))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, standard_criteria())
    (p,) = info.value.problems
    assert "'ti<U+202E>ny' cannot be used as an id" in p.message and "U+202E RIGHT-TO-LEFT OVERRIDE" in p.message
    assert "\u202e" not in str(info.value)


def test_a_reference_with_a_hidden_character_is_shown_escaped(write):
    path = write(MINIMAL.replace("goto: calm", "goto: \"calm\u200b\""))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, standard_criteria())
    assert any(p.message == "'calm<U+200B>' is not a node" for p in info.value.problems)


def test_a_self_referencing_alias_says_it_refers_to_itself():
    with pytest.raises(ScenarioError) as info:
        parse_yaml("nodes:\n  a: &loop\n    say: [*loop]\n", "f.yaml")
    (p,) = info.value.problems
    assert "'*loop' refers to itself" in p.message and "nested" not in p.message
    assert (p.line, p.column) == (3, 11)


def test_a_symlink_loop_is_called_a_symlink_loop(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    out = simulator("validate", str(loop))
    assert out.returncode == 1 and "symlink loop" in out.stderr and "no such file" not in out.stderr


def _unprivileged() -> list[str]:
    """A command prefix under which a mode-000 folder cannot be read: root reads anything, so drop that power."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root and setpriv cannot drop the power to read any file here")
    return prefix


@pytest.fixture
def locked(tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL)
    folder.chmod(0)
    yield folder
    folder.chmod(0o755)


def test_validate_says_a_folder_cannot_be_read(locked):
    out = simulator("validate", str(locked), prefix=_unprivileged())
    assert out.returncode == 1, out.stdout
    assert f"{locked}: error: cannot read the folder: permission denied" in out.stderr
    assert "no scenario files found" not in out.stderr


def test_the_folder_check_lists_a_subfolder_that_cannot_be_read(locked):
    code = ("import sys; from pathlib import Path; from simulator.scenario.folder import check_folder\n"
            "for c in check_folder(Path(sys.argv[1])): print(c.path.name, c.kind, c.title, c.problems[0].message)")
    out = subprocess.run([*_unprivileged(), sys.executable, "-c", code, str(locked.parent)],
                         capture_output=True, text=True, cwd=REPO, timeout=90)
    assert "locked folder folder that cannot be read cannot read the folder: permission denied" in out.stdout, out.stderr


# -- 17: `simulator classify` gives each bad line its own error and keeps the others -------------

GOOD = json.dumps({"id": "first", "text": "please stop swearing"}).encode()
LAST = json.dumps({"id": "last", "text": "Goodbye."}).encode()


@pytest.mark.parametrize("bad, error", [
    (b"[" * 20_000 + b"]" * 20_000, "the JSON is nested too deeply to read"),
    (b'{"id": "u", "text": "caf\xe9"}', "byte 25 of the line is not UTF-8 text"),
    (b'{"id": "s", "text": "a \\ud800 b"}', "the text holds a lone surrogate"),
    (b'{"id": "\\udc00", "text": "hi"}', "the id holds a lone surrogate"),
    (b'{"id": NaN, "text": "hello"}', "NaN is not a JSON number"),
    (b'{"id": 1e999, "text": "hello"}', "the id is a number too large to write back as JSON"),
    (b'{"id": "long", "text": "' + b"word " * 4000 + b'"}', "the text is 20,000 characters; a reply may be at most 5,000"),
    (b'{"id": "huge", "text": "' + b"x" * 4_000_000 + b'"}', "the line is longer than 64 KB"),
    (b"not json", "the line is not valid JSON (expecting value at character 1)"),
    # Each mistake named for what it is: a walker got one message for all of these.
    (b"{'id': 7, 'text': 'x'}", "the line is not valid JSON (expecting property name enclosed in double quotes"),
    (b'{"id": 3}', 'the object has no "text"'),
    (b'{"id": 4, "text": 5}', '"text" is a JSON number, not text in quotes'),
    (b'{"id": 5, "text": "x", "source": "voice"}', '"source" is "voice": it must be "typed" or "spoken"'),
    (b"[1, 2]", "the line holds a JSON list, not an object"),
])
def test_classify_gives_a_bad_line_an_error_record_and_keeps_the_others(tmp_path, capsys, bad, error):
    from simulator.cli import main
    src = tmp_path / "replies.jsonl"
    src.write_bytes(b"\n".join([GOOD, bad, LAST]) + b"\n")
    assert main(["classify", str(src)]) == 2
    out, err = capsys.readouterr()
    records = [json.loads(line, parse_constant=_no_constant) for line in out.splitlines()]
    assert [r["id"] for r in records][::2] == ["first", "last"] and records[0]["labels"] == ["sets_expectation"]
    assert records[1]["line"] == 2 and records[1]["error"].startswith(error)
    assert f"error: {src}:2: {error}" in err


def _no_constant(name: str):
    raise AssertionError(f"{name} written: not JSON")


def test_classify_reads_past_a_byte_order_mark(tmp_path, capsys):
    from simulator.cli import main
    src = tmp_path / "replies.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + GOOD + b"\n")
    assert main(["classify", str(src)]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "first"


def test_classify_refuses_a_named_pipe_and_says_to_use_standard_input(fifo):
    out = simulator("classify", str(fifo))
    assert out.returncode == 2 and "it is a named pipe" in out.stderr
    assert f"simulator classify - < {fifo}" in out.stderr


def test_classify_names_the_line_of_a_reply_without_an_id(tmp_path, capsys):
    # Classified as "id": null, a reply without an id could not be matched to its line.
    from simulator.cli import main
    src = tmp_path / "replies.jsonl"
    src.write_bytes(GOOD + b'\n{"text": "please stop swearing"}\n')
    assert main(["classify", str(src)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert "line" not in first and second["id"] is None and second["line"] == 2 and second["labels"]


def test_classify_offers_a_pipe_only_for_a_pipe(tmp_path, capsys):
    from simulator.cli import main
    for path in (tmp_path / "missing.jsonl", tmp_path):
        assert main(["classify", str(path)]) != 0
        assert "redirect" not in capsys.readouterr().err
