"""The layers: each imports only the ones below it (scenario < scoring < engine < store < speech < ui < cli).

The command line may open the app (`simulator app`, PNG pictures through Qt), never the reverse: what both need
lives in a lower layer. Chains through modules outside the layers (practice, settings, ...) count too.
"""

from __future__ import annotations

from conftest import REPO
from importlinter.cli import lint_imports

CONTRACT = """
[importlinter]
root_package = simulator

[importlinter:contract:layers]
name = Each layer imports only the layers below it
type = layers
layers =
    simulator.cli
    simulator.ui
    simulator.speech
    simulator.store
    simulator.engine
    simulator.scoring
    simulator.scenario
"""


def test_no_layer_imports_a_layer_above_it(tmp_path, monkeypatch, capsys):
    config = tmp_path / "layers.ini"
    config.write_text(CONTRACT, encoding="utf-8")
    monkeypatch.chdir(REPO)
    monkeypatch.syspath_prepend(str(REPO))
    kept = lint_imports(config_filename=str(config), no_cache=True)
    assert kept == 0, capsys.readouterr().out.split("Broken contracts")[-1]
