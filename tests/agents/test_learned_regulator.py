"""A trained regulator as the government's policy (``learned:PATH``), and its file errors."""

import json
import shutil

import numpy as np
import pytest

from agents.learned_regulator import LearnedPolicy
from agents.network import metadata_path, network_path
from cli import main
from model import CarbonMarket, ScenarioError, load_scenario
from model.batch import MarketBatch

#: The tiny recurrent regulator's episodes (tests/learning/regulator/support.py).
RECURRENT_EPISODE_KEYS = {"years": 4, "steps_per_year": 10}


def copy_regulator(source, target_dir, name="reg"):
    """The files of a saved regulator (model, network, metadata), copied under a new name."""
    target = target_dir / f"{name}.zip"
    shutil.copy(source, target)
    shutil.copy(network_path(source), network_path(target))
    shutil.copy(metadata_path(source), metadata_path(target))
    return target


def releases(market: CarbonMarket) -> list[float]:
    while market.running:
        market.step()
    return [record["release"] for record in market.year_records]


def test_a_trained_regulator_runs_as_a_policy_and_repeats_itself(tiny_regulator):
    def market():
        return CarbonMarket(
            "paper", seed=5, years=2, steps_per_year=10, policy=f"learned:{tiny_regulator}"
        )

    first = market()
    assert isinstance(first.government.policy, LearnedPolicy)
    released = releases(first)
    assert len(released) == 2
    assert all(0 <= r <= 0.25 * 200 for r in released)
    assert releases(market()) == released  # deterministic


class RecordingSpec:
    """A regulator's action layout that keeps every action it decodes (one per year)."""

    def __init__(self, spec) -> None:
        self.spec, self.actions = spec, []

    def __getattr__(self, name):
        return getattr(self.spec, name)

    def decode(self, action, view):
        self.actions.append(np.array(action))
        return self.spec.decode(action, view)


def recording(market) -> RecordingSpec:
    """Record the actions of ``market``'s learned regulator from now on."""
    policy = market.government.policy
    policy.spec = RecordingSpec(policy.spec)
    return policy.spec


@pytest.mark.learn
def test_a_recurrent_regulator_plays_each_market_as_sb3_contrib_does(tiny_recurrent_regulator):
    from tests.learning.regulator.support import RECURRENT_EPISODE, sb3_recurrent_episodes

    assert RECURRENT_EPISODE == RECURRENT_EPISODE_KEYS
    seeds = [11, 12]
    episodes = sb3_recurrent_episodes(tiny_recurrent_regulator, seeds)
    policy = f"learned:{tiny_recurrent_regulator}"
    for seed, episode in zip(seeds, episodes, strict=True):
        market = CarbonMarket("paper", seed=seed, policy=policy, **RECURRENT_EPISODE_KEYS)
        spec = recording(market)
        assert releases(market) == episode.releases
        np.testing.assert_allclose(np.array(spec.actions), episode.actions, rtol=0, atol=1e-5)


@pytest.mark.learn
def test_a_recurrent_regulator_repeats_itself_and_remembers_per_market(tiny_recurrent_regulator):
    policy = f"learned:{tiny_recurrent_regulator}"

    def played(seed):
        market = CarbonMarket("paper", seed=seed, policy=policy, **RECURRENT_EPISODE_KEYS)
        spec = recording(market)
        return releases(market), np.array(spec.actions)

    alone = [played(seed) for seed in (5, 6)]
    again = played(5)  # the same seed, the same episode
    assert again[0] == alone[0][0]
    np.testing.assert_array_equal(again[1], alone[0][1])
    assert np.abs(alone[0][1] - alone[1][1]).max() > 1e-4  # another market, other actions
    # two markets under the same regulator file, played in one batch, each keep their memory
    batch = MarketBatch("paper", [5, 6], policy=policy, **RECURRENT_EPISODE_KEYS)
    specs = [recording(market) for market in batch.markets]
    while batch.running:
        batch.play_year()
    for market, spec, (released, actions) in zip(batch.markets, specs, alone, strict=True):
        assert [record["release"] for record in market.year_records] == released
        np.testing.assert_array_equal(np.array(spec.actions), actions)


def test_acting_needs_only_the_network_and_metadata(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    target.unlink()  # the SB3 model itself is for training further, not for acting
    market = CarbonMarket("paper", seed=5, years=2, steps_per_year=10, policy=f"learned:{target}")
    reference = CarbonMarket(
        "paper", seed=5, years=2, steps_per_year=10, policy=f"learned:{tiny_regulator}"
    )
    assert releases(market) == releases(reference)


def test_cli_simulates_with_a_learned_policy(tiny_regulator, capsys):
    code = main(
        [
            "simulate",
            "--policy",
            f"learned:{tiny_regulator}",
            "--years",
            "2",
            "--set",
            "steps_per_year=10",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["policy"] == f"learned:{tiny_regulator}"
    assert summary["rounds"] == 20


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"learned:.*nothing\.zip: no policy file at"):
        CarbonMarket("paper", seed=0, policy=f"learned:{tmp_path / 'nothing.zip'}")


def test_a_missing_network_says_how_to_write_it(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    network_path(target).unlink()
    with pytest.raises(ScenarioError, match=r"missing reg\.npz .*carbon-market export-policy"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_corrupt_network_file_is_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    network_path(target).write_bytes(b"this is not an npz file")
    with pytest.raises(ScenarioError, match=r"reg\.npz is corrupt"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_a_network_file_with_missing_arrays_is_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    np.savez(network_path(target), layer_0_weight=np.zeros((2, 2)))
    with pytest.raises(
        ScenarioError, match=r"reg\.npz: not a saved policy network \(no 'action_weight'\)"
    ):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_missing_or_corrupt_metadata_is_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    meta = metadata_path(target)
    meta.write_text("{not json")
    with pytest.raises(ScenarioError, match=r"reg\.json is corrupt"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    meta.write_text(json.dumps({"action_mode": "rules"}))
    with pytest.raises(ScenarioError, match=r"reg\.json is corrupt \(no 'auction'\)"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    meta.write_text(json.dumps({"action_mode": "bogus", "auction": False, "price_floor": False}))
    with pytest.raises(ScenarioError, match=r"reg\.json: action_mode: 'bogus' is not one of"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    meta.unlink()
    with pytest.raises(ScenarioError, match=r"missing reg\.json"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_a_mismatched_layout_is_refused_when_the_market_is_built(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    meta_path = metadata_path(target)
    meta = json.loads(meta_path.read_text())
    meta["action_mode"] = "per-firm"  # claims a layout its network does not have
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ScenarioError, match=r"was trained for 5 firms in per-firm mode"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_a_regulator_for_five_firms_is_refused_in_a_larger_per_firm_market(tmp_path):
    from tests.agents.test_network import save_network

    target = tmp_path / "wide.zip"
    save_network(target, observation=13 + 4 * 5, action=1 + 5)
    metadata_path(target).write_text(
        json.dumps(
            {"action_mode": "per-firm", "auction": False, "price_floor": False, "n_firms": 5}
        )
    )
    CarbonMarket("paper", seed=0, policy=f"learned:{target}")  # fits five firms
    with pytest.raises(ScenarioError, match=r"needs observation \(41,\) and action \(8,\)"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}", n_firms=7)


def test_a_per_firm_regulator_is_refused_where_the_number_of_firms_is_drawn(tmp_path):
    from tests.agents.test_network import save_network

    target = tmp_path / "wide.zip"
    save_network(target, observation=13 + 4 * 5, action=1 + 5)
    metadata_path(target).write_text(
        json.dumps(
            {"action_mode": "per-firm", "auction": False, "price_floor": False, "n_firms": 5}
        )
    )
    with pytest.raises(ScenarioError, match=r"acts per firm, for 5 firms; this scenario draws"):
        load_scenario("paper-shocks", policy=f"learned:{target}")
    CarbonMarket("paper-shocks", seed=0, policy=f"learned:{target}", n_firms=5)
    assert load_scenario("paper-shocks", policy="learned:shipped").shocks.n_firms_range == (3, 8)
