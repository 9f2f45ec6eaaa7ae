"""Exporting a trained SB3 policy: the numpy network acts as SB3's deterministic predict."""

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from agents.network import load_network, network_path
from cli import main
from learning.export import export_network, load_ppo
from market.data import POLICY_DIR
from tests.learning.regulator.support import sb3_recurrent_episodes

SHIPPED = sorted(POLICY_DIR.glob("*.zip"))


def sb3_actions(model_path, observations):
    model, normalizer = load_ppo(model_path, "test")
    obs = normalizer.normalize_obs(observations) if normalizer is not None else observations
    return model.predict(obs, deterministic=True)[0]


@pytest.mark.parametrize("model_path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_network_is_its_models_export(model_path, tmp_path):
    """The shipped .npz holds exactly what exporting the shipped .zip writes."""
    copy = tmp_path / model_path.name
    copy.write_bytes(model_path.read_bytes())
    (tmp_path / f"{model_path.stem}.vecnormalize.pkl").write_bytes(
        model_path.with_name(f"{model_path.stem}.vecnormalize.pkl").read_bytes()
    )
    exported = np.load(export_network(copy))
    shipped = np.load(network_path(model_path))
    assert sorted(exported.files) == sorted(shipped.files)
    for key in shipped.files:
        np.testing.assert_array_equal(exported[key], shipped[key])


@pytest.mark.parametrize("model_path", SHIPPED, ids=lambda p: p.stem)
def test_the_network_acts_as_sb3_predicts(model_path):
    network = load_network(model_path, "test")
    rng = np.random.default_rng(0)
    observations = (rng.normal(size=(500, network.observation_size)) * 3).astype(np.float32)
    expected = sb3_actions(model_path, observations)
    np.testing.assert_allclose(network.act(observations), expected, rtol=0, atol=1e-5)
    # the normalisation matters: the raw observations give other actions
    raw = load_ppo(model_path, "test")[0].predict(observations, deterministic=True)[0]
    assert np.abs(raw - expected).max() > 1e-2


def test_a_trained_regulator_is_exported_by_training(tiny_regulator):
    network = load_network(tiny_regulator, "test")
    observations = np.random.default_rng(1).normal(size=(50, network.observation_size))
    expected = sb3_actions(tiny_regulator, observations.astype(np.float32))
    np.testing.assert_allclose(network.act(observations.astype(np.float32)), expected, atol=1e-5)


def test_export_policy_command_writes_the_network(tiny_regulator, tmp_path, capsys):
    copy = tmp_path / "reg.zip"
    copy.write_bytes(tiny_regulator.read_bytes())
    stats = tiny_regulator.with_name(f"{tiny_regulator.stem}.vecnormalize.pkl")
    (tmp_path / "reg.vecnormalize.pkl").write_bytes(stats.read_bytes())
    assert main(["export-policy", str(copy)]) == 0
    assert network_path(copy).is_file()
    assert "reg.npz" in capsys.readouterr().out
    assert main(["export-policy", str(tmp_path / "none.zip")]) == 2
    assert "export-policy: no policy file at" in capsys.readouterr().err


def test_a_recurrent_network_acts_as_sb3_contrib_predicts_over_whole_episodes(
    tiny_recurrent_regulator,
):
    network = load_network(tiny_recurrent_regulator, "test")
    assert network.recurrent
    episodes = sb3_recurrent_episodes(tiny_recurrent_regulator, market_seeds=[1, 2, 3])
    observations = np.concatenate([e.observations for e in episodes])
    expected = np.concatenate([e.actions for e in episodes])
    starts = np.zeros(len(expected), dtype=bool)
    starts[::4] = True  # 4-year episodes, each starting with a fresh LSTM state
    assert len(expected) == 12
    acted, forgetful, state = [], [], network.initial_state()
    for obs, start in zip(observations, starts, strict=True):
        if start:
            state = network.initial_state()
        action, state = network.act_recurrent(obs[None, :], state)
        acted.append(action[0])
        forgetful.append(network.act_recurrent(obs[None, :], network.initial_state())[0][0])
    np.testing.assert_allclose(np.array(acted), expected, rtol=0, atol=1e-5)
    # the memory matters: acting every year from a fresh state gives other actions
    assert np.abs(np.array(forgetful) - expected)[~starts].max() > 1e-3


def test_a_recurrent_network_refuses_to_act_without_its_state(tiny_recurrent_regulator):
    network = load_network(tiny_recurrent_regulator, "test")
    with pytest.raises(ValueError, match="a recurrent policy acts with act_recurrent"):
        network.act(np.zeros((1, network.observation_size), dtype=np.float32))


def test_a_recurrent_model_loads_and_exports_as_training_wrote_it(
    tiny_recurrent_regulator, tmp_path
):
    from sb3_contrib import RecurrentPPO

    model, _ = load_ppo(tiny_recurrent_regulator, "test")
    assert isinstance(model, RecurrentPPO)
    copy = tmp_path / "reg.zip"
    copy.write_bytes(tiny_recurrent_regulator.read_bytes())
    stats = tiny_recurrent_regulator.with_name(f"{tiny_recurrent_regulator.stem}.vecnormalize.pkl")
    (tmp_path / "reg.vecnormalize.pkl").write_bytes(stats.read_bytes())
    exported = np.load(export_network(copy))
    trained = np.load(network_path(tiny_recurrent_regulator))
    assert {"lstm_0_weight_ih", "lstm_0_weight_hh"} <= set(exported.files)
    assert exported["lstm_0_weight_hh"].shape == (4 * 8, 8)
    for key in trained.files:
        np.testing.assert_array_equal(exported[key], trained[key])
