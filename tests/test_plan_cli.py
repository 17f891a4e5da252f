"""`simulator plan`, `simulator certificates` and `simulator assignments`: the same facts as the windows, behind the
same review passphrase."""

from __future__ import annotations

import json
import os

import pytest

from simulator.access import hash_passphrase
from simulator.cli import main
from simulator.store import Store, data_dir
from test_certificates import GOOD_REFUND, GOOD_SWEARING, _record

PASSPHRASE = "team lead only"
CERTS = ("certificates:\n  - id: basics\n    title: Basics\n    scenarios:\n      - scenario: swearing-caller\n"
         "        intensity: mild\n      - scenario: late-refund-empathy\n")


@pytest.fixture
def team(tmp_path, isolated_folders):
    """Ana holds the certificate, Ben has started; the app's settings say Ana is practising here."""
    with Store(data_dir()) as store:
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        _record(store, "swearing-caller", ["Please calm down.", "/end"], "Ben", "mild")
    config = isolated_folders / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"trainee": "Ana", "reviewer": "Maria"}))
    policy = tmp_path / "policy.yaml"
    policy.write_text("format: 1\npass_mark: 60\n" + CERTS, encoding="utf-8")
    locked = tmp_path / "locked.yaml"
    locked.write_text(f'format: 1\npass_mark: 60\nreview_passphrase: "{hash_passphrase(PASSPHRASE)}"\n' + CERTS,
                      encoding="utf-8")
    return {"policy": str(policy), "locked": str(locked), "tmp": tmp_path}


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_plan_names_the_reason_the_scenario_and_the_command_to_play_it(team, capsys):
    code, out, _ = run(capsys, "plan", "--trainee", "Ben", "--policy", team["policy"])
    assert code == 0
    assert "Practise next, for Ben:" in out
    assert "You haven't yet named the behaviour as unacceptable" in out
    assert "simulator play " in out
    assert "Basics: 0 of 2 passed" in out


def test_plan_and_certificates_say_the_same_in_json(team, capsys):
    code, out, _ = run(capsys, "plan", "--json", "--policy", team["policy"])  # the settings' trainee: Ana
    plan = json.loads(out)
    assert code == 0 and plan["trainee"] == "Ana"
    assert plan["certificates"][0]["state"] == "certified"
    assert {"scenario", "title", "intensity", "reason", "kind"} <= set(plan["practise_next"][0])
    code, out, _ = run(capsys, "certificates", "--json", "--policy", team["policy"])
    table = {(c["trainee"], c["certificate"]): c for c in json.loads(out)}
    assert table[("Ana", "basics")]["summary"] == plan["certificates"][0]["summary"]
    assert table[("Ben", "basics")]["state"] == "in progress"
    code, out, _ = run(capsys, "certificates", "--policy", team["policy"], "--csv", str(team["tmp"] / "team.csv"))
    assert "Basics (basics): 1 of 2 certified" in out and "Ana  Certified on" in out
    assert (team["tmp"] / "team.csv").read_text().count("\n") == 3


def test_the_review_passphrase_keeps_other_trainees_plans_and_certificates_out(team, capsys, monkeypatch):
    code, out, err = run(capsys, "certificates", "--json", "--policy", team["locked"])
    assert code == 0 and [c["trainee"] for c in json.loads(out)] == ["Ana"]
    code, _, err = run(capsys, "plan", "--trainee", "Ben", "--policy", team["locked"])
    assert code == 2 and "another trainee's" in err
    monkeypatch.setenv("SIMULATOR_REVIEW_PASSPHRASE", PASSPHRASE)
    code, out, _ = run(capsys, "plan", "--trainee", "Ben", "--all", "--policy", team["locked"])
    assert code == 0 and "for Ben" in out
    code, out, _ = run(capsys, "certificates", "--json", "--all", "--policy", team["locked"])
    assert [c["trainee"] for c in json.loads(out)] == ["Ana", "Ben"]


def test_an_assignment_goes_from_the_managers_command_to_the_trainees_plan(team, capsys, monkeypatch, tmp_path):
    key = tmp_path / "org.key"
    key.write_text("our-organisation-key-0123456789")
    monkeypatch.setenv("SIMULATOR_ORG_KEY_FILE", str(key))
    out_file = tmp_path / "week1.simassign"
    code, out, err = run(capsys, "assignments", "make", "--title", "Week 1", "--scenario", "threat-of-violence:strong",
                         "--scenario", "demands-manager", "--due", "2030-01-31", "--trainee", "Ben",
                         "--out", str(out_file))
    assert code == 0, err
    assert ", 2 scenarios, due 2030-01-31" in out
    code, out, err = run(capsys, "assignments", "make", "--title", "One", "--scenario", "demands-manager", "--due",
                         "2030-01-31", "--out", str(tmp_path / "one.simassign"))
    assert code == 0 and ", 1 scenario, due" in out, err
    code, _, err = run(capsys, "assignments", "make", "--title", "Typo", "--scenario", "no-such", "--due",
                       "2030-01-31", "--out", str(tmp_path / "x.simassign"))
    assert code == 2 and "no scenario with id 'no-such'" in err
    ben = tmp_path / "ben-data"
    code, out, _ = run(capsys, "--data-dir", str(ben), "assignments", "import", str(out_file))
    assert code == 0 and "Week 1" in out
    code, out, _ = run(capsys, "--data-dir", str(ben), "plan", "--trainee", "Ben", "--json", "--policy", team["policy"])
    plan = json.loads(out)
    first = {(s["scenario"], s["intensity"], s["kind"]) for s in plan["practise_next"][:2]}
    assert first == {("threat-of-violence", "strong", "assigned"), ("demands-manager", "mild", "assigned")}
    assert plan["assignments"][0]["title"] == "Week 1"
    tampered = tmp_path / "tampered.simassign"
    tampered.write_bytes(out_file.read_bytes().replace(b"Week 1", b"Week 2"))
    code, _, err = run(capsys, "--data-dir", str(ben), "assignments", "import", str(tampered))
    assert code == 2 and "changed or cut short since it was signed" in err
    code, out, _ = run(capsys, "assignments", "list")  # the manager's own copy
    assert "Week 1" in out and "for Ben; by Maria" in out


def test_a_certificate_naming_a_missing_scenario_is_noted(team, capsys, tmp_path):
    policy = tmp_path / "typo.yaml"
    policy.write_text("format: 1\n" + CERTS.replace("late-refund-empathy", "late-refund"), encoding="utf-8")
    code, out, err = run(capsys, "certificates", "--policy", str(policy))
    assert code == 0 and "note: certificate 'basics' names scenario 'late-refund', which is not in the library" in err
