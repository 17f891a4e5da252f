"""Loading scenarios: every kind of mistake is named with its line and a fix."""

import pytest

from conftest import MINIMAL, REPO
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario


def errors_of(write, text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    return [p for p in info.value.problems if p.severity == "error"]


def one_error(write, text: str):
    found = errors_of(write, text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_minimal_scenario_loads_with_defaults(write):
    sf = load_scenario(write(MINIMAL))
    s = sf.scenario
    assert s.id == "tiny" and s.start_node == "start"
    assert s.intensity == ["standard"] and s.settings.silence_after_s == 8
    assert s.persona.voice.rate == 175
    assert [ln.text for ln in s.lines("start", "standard")] == ["You're useless!"]
    assert len(sf.sha256) == 64 and "names_behavior" in sf.criteria


def test_shipped_scenarios_load_without_warnings(shipped):
    assert len(shipped) >= 3
    for path in shipped:
        sf = load_scenario(path)
        assert sf.warnings == (), [str(w) for w in sf.warnings]


def test_unknown_key_suggests_the_right_one(write):
    text = MINIMAL.replace("    say: \"Fine.\"", "    sya: \"Fine.\"")
    p = one_error(write, text)
    assert p.line == line_of(text, "sya:") and p.column == 5
    assert "unknown key 'sya'" in p.message and "did you mean 'say'?" in p.hint


def test_unknown_top_level_key(write):
    text = MINIMAL.replace("title:", "titel:")
    found = errors_of(write, text)
    messages = {p.message for p in found}
    assert "unknown key 'titel'" in messages and "'title' is missing" in messages
    assert any(p.hint == "did you mean 'title'?" for p in found)


def test_wrong_type_names_what_was_expected(write):
    text = MINIMAL.replace("persona: {name: Alex}", "persona: Alex")
    p = one_error(write, text)
    assert p.line == line_of(text, "persona:")
    assert "expected a mapping" in p.message and "found text" in p.message


@pytest.mark.parametrize("weight, said", [("150", "'weight' must be at most 100; it is 150"),
                                           ("-5", "'weight' must be more than 0; it is -5"),
                                           (".nan", "'weight' is not a number (.nan)")])
def test_a_number_out_of_range_names_its_key_and_the_range(write, weight, said):
    # "Input should be less than or equal to 100" named neither the key nor the way back (a coach's weight: 150).
    text = MINIMAL.replace("weight: 100", f"weight: {weight}")
    p = one_error(write, text)
    assert p.line == line_of(text, "weight:") and p.message == said and p.hint.startswith("write a number")


def test_wrong_value_from_a_fixed_list(write):
    text = MINIMAL.replace("    end: good", "    end: great")
    p = one_error(write, text)
    assert p.line == line_of(text, "end: great")
    assert "'great' is not allowed here" in p.message and "good" in p.message


def test_transition_to_a_missing_node(write):
    text = MINIMAL.replace("goto: calm", "goto: clam")
    found = errors_of(write, text)
    missing = next(p for p in found if "'clam' is not a node" in p.message)
    assert missing.line == line_of(text, "goto: clam")
    assert missing.hint == "did you mean 'calm'?"


def test_unreachable_node(write):
    text = MINIMAL + "  orphan:\n    say: \"Nobody gets here.\"\n    end: mixed\n"
    p = one_error(write, text)
    assert p.line == line_of(text, "orphan:")
    assert "'orphan' cannot be reached from 'start'" in p.message


def test_node_with_no_way_out(write):
    text = MINIMAL.replace("      - else: angry\n", "")
    found = errors_of(write, text)
    messages = [p.message for p in found]
    assert "node 'start' has no way out for a reply that matches nothing" in messages
    stuck = next(p for p in found if "no way out" in p.message)
    assert stuck.line == line_of(text, "  start:") and "else" in stuck.hint


def test_loop_that_never_reaches_an_ending(write):
    text = MINIMAL.replace("      - else: angry\n", "      - else: loop\n") + (
        "  loop:\n    say: \"Again!\"\n    on:\n      - else: loop\n")
    found = errors_of(write, text)
    assert any(p.message == "from 'loop' no ending can be reached" and p.line == line_of(text, "  loop:")
               for p in found)


def test_transitions_after_else_are_flagged(write):
    text = MINIMAL.replace("      - else: angry\n", "      - else: angry\n      - if: end_call\n        goto: calm\n")
    p = one_error(write, text)
    assert "after 'else' can never be chosen" in p.message
    assert p.line == line_of(text, "- if: end_call")


def test_duplicate_node_id(write):
    text = MINIMAL + "  calm:\n    say: \"Again.\"\n    end: good\n"
    found = errors_of(write, text)
    dup = next(p for p in found if "defined twice" in p.message)
    assert dup.line == len(text.splitlines()) - 2
    assert f"first on line {line_of(text, '  calm:')}" in dup.message


def test_duplicate_criterion_id(write):
    own = ("criteria:\n"
           "  - {id: mine, dimension: empathy, description: one}\n"
           "  - {id: mine, dimension: empathy, description: two}\n")
    text = MINIMAL.replace("rubric:", own + "rubric:")
    p = one_error(write, text)
    assert "criterion 'mine' is defined twice" in p.message and p.line == line_of(text, "description: two")


def test_unknown_criterion_in_a_condition(write):
    text = MINIMAL.replace("- if: names_behavior", "- if: names_behaviour")
    p = one_error(write, text)
    assert "unknown criterion 'names_behaviour'" in p.message
    assert p.hint == "did you mean 'names_behavior'?"
    assert p.line == line_of(text, "- if: names_behaviour")


def test_call_control_written_as_a_criterion_gets_a_hint(write):
    text = MINIMAL.replace("- if: names_behavior", "- if: {any: [end_call]}")
    p = one_error(write, text)
    assert "write 'action: end_call'" in p.hint


def test_unknown_criterion_in_the_rubric(write):
    text = MINIMAL.replace("criteria: [names_behavior]", "criteria: [names_behavior, sets_expectations]")
    p = one_error(write, text)
    assert "unknown criterion 'sets_expectations'" in p.message and p.line == line_of(text, "boundary_setting:")


def test_negative_criterion_as_a_goal_is_caught(write):
    text = MINIMAL.replace("criteria: [names_behavior]", "criteria: [names_behavior, retaliates]")
    p = one_error(write, text)
    assert "move it to 'avoid: [retaliates]'" in p.hint


def test_weights_not_adding_to_100_is_a_warning_only(write):
    sf = load_scenario(write(MINIMAL.replace("weight: 100", "weight: 60")))
    assert [w.message for w in sf.warnings] == ["the weights add up to 60, not 100"]


def test_intensity_lines_must_cover_the_mildest(write):
    text = MINIMAL.replace("persona:", "intensity: [mild, strong]\npersona:").replace(
        "    say: \"You're useless!\"", "    say:\n      strong: \"You're bloody useless!\"")
    p = one_error(write, text)
    assert "mildest intensity 'mild' are missing" in p.message


def test_lines_fall_back_to_a_milder_level_never_a_harsher_one(write):
    text = MINIMAL.replace("persona:", "intensity: [mild, medium, strong]\npersona:").replace(
        "    say: \"You're useless!\"", "    say:\n      mild: \"Come on.\"\n      strong: \"You're useless!\"")
    s = load_scenario(write(text)).scenario
    assert [ln.text for ln in s.lines("start", "medium")] == ["Come on."]
    assert [ln.text for ln in s.lines("start", "strong")] == ["You're useless!"]
    assert s.lines("start", "strong")[0].id == "start.strong.1"


def test_unknown_intensity_in_lines(write):
    text = MINIMAL.replace("    say: \"You're useless!\"", "    say:\n      standard: \"Hm.\"\n      harsh: \"Argh.\"")
    p = one_error(write, text)
    assert "'harsh' is not an intensity" in p.message and p.line == line_of(text, "harsh:")


def test_ending_with_transitions(write):
    text = MINIMAL.replace("    end: poor\n", "    end: poor\n    on:\n      - else: calm\n")
    p = one_error(write, text)
    assert "is an ending but has transitions" in p.message


def test_transition_needs_if_and_goto(write):
    text = MINIMAL.replace("        goto: calm\n", "")
    p = one_error(write, text)
    assert "needs both 'if' and 'goto'" in p.message and p.line == line_of(text, "- if: names_behavior")


def test_bad_id(write):
    text = MINIMAL.replace("id: tiny", "id: Tiny Scenario")
    p = one_error(write, text)
    assert "cannot be used as an id" in p.message and p.line == 2


def test_format_version_is_required(write):
    p = one_error(write, MINIMAL.replace("format: 1\n", ""))
    assert p.message == "'format' is missing"


def test_not_a_mapping_at_the_top(write):
    p = one_error(write, "- just\n- a list\n")
    assert "expected key: value lines at the top" in p.message and "format: 1" in p.hint


def test_all_errors_are_reported_at_once_in_line_order(write):
    text = MINIMAL.replace("goto: calm", "goto: clam").replace("- else: angry", "- else: angy")
    found = errors_of(write, text)
    assert len(found) == 2 and found[0].line < found[1].line


def test_scenario_tests_are_checked(write):
    text = MINIMAL + "tests:\n  - replies: [hi, /dance]\n    path: [start, nowhere]\n"
    found = errors_of(write, text)
    messages = {p.message for p in found}
    assert "'/dance' is not a call control" in messages and "'nowhere' is not a node" in messages


def test_problem_text_is_file_line_column(write):
    path = write(MINIMAL.replace("sya", "x").replace("    say: \"Fine.\"", "    sya: \"Fine.\""))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:{line_of(path.read_text(), 'sya')}:5: error: unknown key 'sya'")


def test_rubric_advice_must_be_for_a_scored_item(write):
    text = MINIMAL.replace("weight: 100}", "weight: 100, advice: {escalates: Call someone.}}")
    p = one_error(write, text)
    assert "advice for 'escalates'" in p.message


def test_type_error_inside_lines_points_at_the_say_key(write):
    text = MINIMAL.replace("    say: \"Fine.\"", "    say: [\"Fine.\", {a: b}]")
    p = one_error(write, text)
    assert p.line == line_of(text, "say: [\"Fine.\"") and "expected text" in p.message


def test_within_without_abusive_lines_is_a_warning(write):
    sf = load_scenario(write(MINIMAL.replace("weight: 100}", "weight: 100, within: 2}")))
    assert [w.message for w in sf.warnings] == [
        "'within' counts from the first abusive line, but no node is marked abusive"]


def test_a_scenario_criterion_is_headed_in_words_not_by_its_id():
    # A tester read "Offered to solve the real problem or sends refund" on the results page.
    from simulator.scoring.verdict import item_label
    load_scenario(REPO / "scenarios" / "late-refund-empathy.yaml")
    assert item_label("redirects_to_issue|sends_refund") == (
        "Offered to solve the real problem or put the refund through and said when it would arrive")
    assert item_label("sends_refund") == "Put the refund through and said when it would arrive"


def test_after_takes_alternatives_and_names_the_unknown_one(write):
    gated = MINIMAL.replace("{criteria: [names_behavior], weight: 100}",
                            "{criteria: [names_behavior], after: 'sets_expectation|redirects_to_issue', weight: 100}")
    assert load_scenario(write(gated)).scenario.rubric["boundary_setting"].after == "sets_expectation|redirects_to_issue"
    p = one_error(write, gated.replace("|redirects_to_issue", "|redirect_to_issue"))
    assert "unknown criterion or action 'redirect_to_issue'" in p.message and "redirects_to_issue" in p.hint


def test_a_scenario_criterion_is_headed_in_words_where_no_scenario_was_loaded():
    # `simulator sessions show` and a report name stored verdicts without loading a scenario first.
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "from simulator.scoring.verdict import item_label; "
                          "print(item_label('rebooks_visit'))"], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Booked the visit again and said when"
