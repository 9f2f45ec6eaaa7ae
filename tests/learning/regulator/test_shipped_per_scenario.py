"""``learned:shipped`` and ``evaluate --policies all`` pick the regulator shipped for the scenario.

A scenario with a regulator of its own (``data/policies/regulator-NAME.zip``, its provenance
naming the scenario) plays that one; any other scenario falls back to the paper regulator.
"""

import json

import pytest

import agents.registry as registry
from agents.learned_regulator import SHIPPED_REGULATOR
from agents.registry import shipped_regulator, shipped_regulators
from market.data import POLICY_DIR
from model import CarbonMarket


def _fake_regulator(directory, name: str, scenario: str) -> None:
    (directory / f"{name}.zip").write_bytes(b"")
    (directory / f"{name}.json").write_text(json.dumps({"scenario": scenario}))


def test_a_scenario_with_its_own_regulator_gets_it_and_others_fall_back(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "POLICY_DIR", tmp_path)
    _fake_regulator(tmp_path, "regulator-paper", "paper")
    _fake_regulator(tmp_path, "regulator-paper-marl", "paper")
    _fake_regulator(tmp_path, "regulator-paper-shocks", "paper-shocks")
    assert shipped_regulator("paper-shocks") == tmp_path / "regulator-paper-shocks.zip"
    assert shipped_regulator("eu-large") == SHIPPED_REGULATOR
    assert shipped_regulators("paper") == [
        tmp_path / "regulator-paper-marl.zip",
        tmp_path / "regulator-paper.zip",
    ]
    assert shipped_regulators("paper-shocks") == [tmp_path / "regulator-paper-shocks.zip"]
    assert shipped_regulators("eu-large") == [SHIPPED_REGULATOR]


@pytest.mark.parametrize("scenario", ["paper", "paper-shocks", "eu-shocks", "eu-large"])
def test_learned_shipped_plays_the_scenarios_own_regulator(scenario):
    own = POLICY_DIR / f"regulator-{scenario}.zip"
    expected = own if own.is_file() else SHIPPED_REGULATOR
    market = CarbonMarket(scenario, seed=0, policy="learned:shipped")
    assert market.government.policy.path == expected
    market.step()  # it acts in the scenario's market


def test_each_shock_scenario_ships_its_own_regulator_with_provenance():
    for scenario in ("paper-shocks", "eu-shocks"):
        path = shipped_regulator(scenario)
        assert path == POLICY_DIR / f"regulator-{scenario}.zip"
        provenance = json.loads(path.with_suffix(".json").read_text())
        assert provenance["scenario"] == scenario
        assert provenance["command"].startswith(
            f"carbon-market train-regulator --scenario {scenario} "
        )
        assert len(provenance["commit"]) == 40 and provenance["wall_seconds"] > 0
        assert path.with_suffix(".npz").is_file()
        assert path.with_suffix(".vecnormalize.pkl").is_file()


@pytest.mark.slow  # an evaluation of every rule
def test_evaluate_all_plays_what_is_shipped_for_the_scenario(capsys):
    from cli import main

    assert main(["evaluate", "--scenario", "paper-shocks", "--seeds", "2", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)["0.2"]["table"]
    learned = [row["policy"] for row in table if row["policy"].startswith("learned:")]
    schedules = [row["policy"] for row in table if row["policy"].startswith("schedule:")]
    assert [name.rsplit("/", 1)[-1] for name in learned] == ["regulator-paper-shocks.zip"]
    assert [name.rsplit("/", 1)[-1] for name in schedules] == ["schedule-paper-shocks.json"]
