"""A coach's second pass: YAML mistakes in plain words, one way to name a scenario, try-out that explains itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from conftest import MINIMAL
from simulator.errors import ScenarioError
from simulator.scenario.yamlsource import parse_yaml
from simulator.speech.kit import FileDevices
from simulator.speech.playback import FileSpeaker
from simulator.ui.authoring.window import AuthoringWindow
from simulator.ui.tasks import Tasks


def problem(text: str):
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "f.yaml")
    (p,) = info.value.problems
    return p


# -- 9: the parser's mistakes in plain words, with the fix, at file:line:col -------------------------------
JARGON = ("<block", "block end", "block mapping", "expected key", "indicator", "token", "scalar", "stream")


@pytest.mark.parametrize("text, place, said, fix", [
    ("a:\n  b: 1\n c: 2\n", (3, 2), "indentation (column 2) matches neither line 2", "move this line to column 1"),
    # The first line under a key deeper than the two after it, which agree: that first line is out of step.
    ("persona:\n     name: Sam\n  role: caller\n  voice: male\n", (2, 6), "indented deeper (column 6) than the line "
     "after it (column 3), both under 'persona' on line 1", "move this line to column 3"),
    ("nodes:\n  - id: a\n  say: x\n", (3, 3), "does not start with '- '", "column 5"),
    ("say: Hello: world\n", (1, 11), "a second ': ' on this line", "in quotes"),
    ("id: a\ntitle: b\n  extra: c\n", (3, 3), "indented more than the line above", "column 1"),
    ("say: \"hello\nnext: b\n", (1, 6), "quote opened on line 1 is never closed", "closing quote"),
    ("tags: [a, b\nnext: c\n", (1, 7), "'[' opened on line 1 is never closed", "']'"),
    ("a: 1\nb\nc: 2\n", (2, 1), "not 'key: value'", "add ':'"),
    ("say: @hello\n", (1, 6), "cannot start with '@'", "quotes"),
    ("a: 1\n- b\n", (2, 1), "a list item where a key was expected", "indent the list"),
    ("say: \"hi\" there\n", (1, 11), "after the value's closing quote", "quotes"),
    # left open, a quote runs on to the next quote mark lines below: named where it opened (a coach's trial)
    ("title: \"Caller\nsummary: Sam\nsay: \"Hello\" there\n", (1, 8), "quote opened on line 1 is not closed on that line",
     "closing quote"),
    ("a:\n\tb: 1\n", (2, 1), "tab", "spaces"),
])
def test_yaml_mistakes_are_said_in_plain_words_with_the_fix(text, place, said, fix):
    p = problem(text)
    assert (p.line, p.column) == place
    assert said in p.message and fix in p.hint
    assert not any(word in p.message + p.hint for word in JARGON)


def open_authoring(qtbot, folder):
    window = AuthoringWindow(tasks=Tasks(), devices=FileDevices(speaker=FileSpeaker(speed=0)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.checked, timeout=20_000):
        window.open_folder(folder)
    return window


def test_the_hint_column_wraps_a_long_hint_instead_of_cutting_it(qtbot, tmp_path):
    (tmp_path / "bad.yaml").write_text(MINIMAL.replace('    say: "Fine."', '     say: "Fine."'), encoding="utf-8")
    window = open_authoring(qtbot, tmp_path)
    window.files.setCurrentRow(0)
    tree = window.problems
    item = tree.topLevelItem(0)
    assert item.text(0) == "bad.yaml:16:5" and "give lines 15 and 16 the same indentation" in item.text(2)
    qtbot.wait(50)
    needed = tree.fontMetrics().horizontalAdvance(item.text(2)) // tree.header().sectionSize(2) + 1
    assert needed >= 2 and tree.visualItemRect(item).height() >= needed * tree.fontMetrics().lineSpacing()


def test_at_200_percent_the_problem_keeps_the_larger_share_of_the_room(qtbot, tmp_path, qapp):
    # The fix's column was 24 letters wide whatever the text size: at 200 % it took half the room and the problem
    # read three words a line beside it.
    from simulator.ui.theme import apply_theme
    (tmp_path / "bad.yaml").write_text(MINIMAL.replace('    say: "Fine."', '     say: "Fine."'), encoding="utf-8")
    try:
        for scale in (100, 200):
            apply_theme(qapp, "system", scale)
            window = open_authoring(qtbot, tmp_path)
            window.files.setCurrentRow(0)
            header = window.problems.header()
            qtbot.wait(50)
            assert header.sectionSize(1) >= header.sectionSize(2) >= window.problems.fontMetrics().horizontalAdvance("M") * 8
            item = window.problems.topLevelItem(0)
            assert all(item.textAlignment(c) & Qt.AlignmentFlag.AlignTop for c in range(3))  # side by side from the top
            window.close()
    finally:
        apply_theme(qapp, "system", 100)


# -- 11: every command that takes a scenario takes a file or an id; `test -v` names each test -------------
@pytest.fixture
def coach_folder(tmp_path):
    """A coach's own folder, added in the app's settings, holding a scenario with an id of its own."""
    from simulator.paths import shipped_scenarios
    from simulator.settings import AppSettings, save_settings

    folder = tmp_path / "mine"
    folder.mkdir()
    text = (shipped_scenarios() / "swearing-caller.yaml").read_text(encoding="utf-8")
    (folder / "swearing.yaml").write_text(text.replace("id: swearing-caller", "id: my-swearing"), encoding="utf-8")
    save_settings(AppSettings(scenario_folders=[str(folder)]))
    return folder


@pytest.mark.parametrize("command", [["graph", "-o", "{out}"], ["validate"], ["test", "-v"]])
@pytest.mark.parametrize("given", ["my-swearing", "{folder}/swearing.yaml"])
def test_every_command_that_takes_a_scenario_takes_a_file_or_an_id(command, given, coach_folder, tmp_path, capsys):
    from simulator.cli import main

    fill = {"out": str(tmp_path / "picture.svg"), "folder": str(coach_folder)}
    argv = [command[0], given.format(**fill), *(a.format(**fill) for a in command[1:])]
    assert main(argv) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "swearing.yaml" in out or "picture.svg" in out


def test_an_unknown_id_is_named_with_the_ids_there_are(coach_folder, capsys):
    from simulator.cli import main

    assert main(["validate", "my-swaering"]) == 2
    err = capsys.readouterr().err
    assert "no scenario with id 'my-swaering'" in err and "my-swearing" in err


def test_verbose_test_names_each_test_and_a_failure_is_always_named(coach_folder, capsys):
    from simulator.cli import main

    assert main(["test", "-v", "my-swearing"]) == 0
    out = capsys.readouterr().out
    lines = (coach_folder / "swearing.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "name: warning, then ending the call" in text)
    assert f"swearing.yaml:{line}:5: test 'warning, then ending the call' passed" in out
    assert "is recognised as" in out
    assert main(["test", "my-swearing"]) == 0
    quiet = capsys.readouterr().out
    assert "passed\n" not in quiet.replace(" passed, 0 failed\n", "") and quiet.count("\n") == 1


# -- 12: "Try it" shows the criteria a reply met, with its words, and the transition taken ----------------
def test_try_it_shows_the_criteria_met_with_their_words_and_the_transition_taken(qtbot, tmp_path):
    from simulator.paths import shipped_scenarios
    import shutil

    shutil.copy(shipped_scenarios() / "swearing-caller.yaml", tmp_path)
    window = open_authoring(qtbot, tmp_path)
    window.files.setCurrentRow(0)
    panel = window.tryout
    panel.speak.setChecked(False)
    panel.node.setCurrentText("ignores_warning")
    panel.intensity.setCurrentText("strong")
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.reply.isEnabled(), timeout=10_000)
    panel.reply.setText("I'm ending this call now.")
    panel.reply.returnPressed.emit()
    said = panel.transcript.toPlainText()
    assert "Met: ✓ announces ending: “I'm ending this call now”" in said
    assert "→ ignores_warning to ending_announced (transition 3: if announces ending)" in said
    assert said.index("Met:") < said.index("→ ignores_warning") < said.index("[ending_announced]")
    panel.reply.setText("What is your account number?")
    panel.reply.returnPressed.emit()
    assert "Met no criteria." in panel.transcript.toPlainText()


# -- one way to do each thing: no code in the app that nothing uses ----------------------------------------
def test_every_function_and_class_of_the_app_is_used_somewhere():
    """A name defined under simulator/ui and written nowhere else is dead code (Qt's camelCase overrides,
    called by Qt itself, and decorated functions, called through their decorator, are left out)."""
    import ast
    import re
    from collections import Counter

    from conftest import REPO

    sources = [*(REPO / "simulator").rglob("*.py"), *(REPO / "tests").rglob("*.py"), *(REPO / "scripts").rglob("*.py")]
    words = Counter(w for p in sources for w in re.findall(r"\w+", p.read_text(encoding="utf-8")))
    unused = []
    for path in sorted((REPO / "simulator" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.decorator_list:
                continue
            if node.name.startswith("__") or re.search("[a-z][A-Z]", node.name):
                continue
            if words[node.name] == 1:
                unused.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert unused == []


# -- 10: a branch picture that can be read: no label on another or on a node; it fits the pane and zooms ----
def test_no_label_covers_another_label_or_a_node_in_any_shipped_picture():
    from simulator.paths import shipped_scenarios
    from simulator.scenario import find_scenario_files, load_scenario
    from simulator.scenario.graph import layout

    for path in find_scenario_files([shipped_scenarios()]):
        picture = layout(load_scenario(path).scenario)
        labels = [(f"{r.edge.source}->{r.edge.target}", r.label) for r in picture.routes]
        nodes = list(picture.node_rects().items())
        covered = [(a, b) for i, (a, ra) in enumerate(labels) for b, rb in [*labels[i + 1:], *nodes] if ra.overlaps(rb, pad=0)]
        assert covered == [], f"{path.name}: {covered}"
        assert all(0 <= r.x and r.x + r.w <= picture.width and 0 <= r.y and r.y + r.h <= picture.height for _, r in labels)
        assert len(picture.routes) == len(picture.edges)


def test_the_branch_picture_fits_the_pane_and_zooms(qtbot, tmp_path):
    from simulator.paths import shipped_scenarios
    import shutil

    shutil.copy(shipped_scenarios() / "swearing-caller.yaml", tmp_path)
    window = open_authoring(qtbot, tmp_path)
    window.files.setCurrentRow(0)
    window.tabs.setCurrentIndex(1)
    view = window.graph
    qtbot.waitUntil(lambda: view.svg.width() > 0.9 * view.viewport().width()
                    or view.svg.height() > 0.9 * view.viewport().height(), timeout=2_000)
    assert view.svg.width() <= view.viewport().width() and view.svg.height() <= view.viewport().height()
    fitted = view.zoom
    window.resize(1000, 700)  # a smaller window: the picture follows
    qtbot.waitUntil(lambda: view.zoom < fitted, timeout=2_000)
    view.set_zoom(view.zoom * 1.25)
    zoomed = view.zoom
    window.resize(1366, 768)
    qtbot.wait(50)
    assert view.zoom == zoomed and not view.fitting  # the coach's zoom stays
    view.fit()
    assert view.zoom == pytest.approx(fitted, rel=0.01)


# -- a copy whose id was not changed: refused everywhere, at its id line, before it takes on another's history --
def test_a_copy_with_a_shipped_scenarios_id_is_refused_by_the_library_validate_and_the_authoring_view(
        coach_folder, qtbot, capsys):
    from simulator.cli import main
    from simulator.paths import shipped_scenarios
    from simulator.scenario.library import available

    text = (shipped_scenarios() / "swearing-caller.yaml").read_text(encoding="utf-8")
    copy = coach_folder / "copy.yaml"
    copy.write_text(text.replace("title:", "title: My copy of", 1), encoding="utf-8")
    id_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("id:"))
    shipped = shipped_scenarios() / "swearing-caller.yaml"

    good, bad = available([coach_folder])
    assert [sf.path for sf in good if sf.id == "swearing-caller"] == [shipped]  # the library keeps the shipped one
    refused = next(exc for exc in bad if exc.path == str(copy))
    assert (refused.problems[0].line, "already used by") == (id_line, "already used by") and \
        str(shipped) in refused.problems[0].message and "id of its own" in refused.problems[0].hint

    # checked alone, the copy is a scenario with a warning (a coach may start from one); the app leaves it out
    assert main(["validate", str(copy)]) == 0
    assert (f"copy.yaml:{id_line}:1: warning: scenario id 'swearing-caller' is already used by {shipped} "
            "(the app's library leaves this file out)") in capsys.readouterr().err
    twice = coach_folder / "twice.yaml"
    twice.write_text(text.replace("id: swearing-caller", "id: my-swearing"), encoding="utf-8")
    assert main(["validate", str(coach_folder)]) == 1  # two in one folder: the second is an error
    assert "twice.yaml" in capsys.readouterr().err
    twice.unlink()

    window = open_authoring(qtbot, coach_folder)
    states = {c.path.name: c.state for c in window.checks}
    assert states == {"copy.yaml": "warnings", "swearing.yaml": "ok"}
    # valid to try out here, but the summary says the library refuses it (the walker saw "valid" in one window
    # and "left out" in the other)
    assert window.summary.text().endswith("2 valid, 0 with errors; 1 of the valid left out of the app's library "
                                          "(its id is taken)")
    window.files.setCurrentRow([c.path.name for c in window.checks].index("copy.yaml"))
    assert "already used by" in window.problems.topLevelItem(0).text(1)
