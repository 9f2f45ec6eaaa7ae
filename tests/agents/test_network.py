"""The numpy policy network: normalisation, layers and clipping against hand-computed values."""

from pathlib import Path

import numpy as np
import pytest

from agents.network import PolicyNetwork, load_network, network_path
from market.config import ScenarioError


def save_network(model_path: Path, observation: int, action: int, hidden: int = 3) -> Path:
    """A small random network saved as ``NAME.npz`` beside ``model_path`` (which need not exist)."""
    rng = np.random.default_rng(0)
    np.savez(
        network_path(model_path),
        layer_0_weight=rng.normal(size=(hidden, observation)).astype(np.float32),
        layer_0_bias=np.zeros(hidden, dtype=np.float32),
        action_weight=rng.normal(size=(action, hidden)).astype(np.float32),
        action_bias=np.zeros(action, dtype=np.float32),
        activation=np.array("tanh"),
        action_low=-np.ones(action, dtype=np.float32),
        action_high=np.ones(action, dtype=np.float32),
    )
    return model_path


def hand_network(**extra) -> PolicyNetwork:
    """obs (2) -> tanh layer of 2 -> action (1), with simple weights."""
    arrays = {
        "layer_0_weight": np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32),
        "layer_0_bias": np.array([0.0, 0.5], dtype=np.float32),
        "action_weight": np.array([[1.0, -1.0]], dtype=np.float32),
        "action_bias": np.array([0.25], dtype=np.float32),
        "activation": np.array("tanh"),
        "action_low": np.array([-1.0], dtype=np.float32),
        "action_high": np.array([1.0], dtype=np.float32),
        **extra,
    }
    return PolicyNetwork(arrays, Path("hand.npz"))


def test_layers_compute_tanh_then_the_linear_action():
    x = np.array([0.3, -0.1], dtype=np.float32)
    expected = np.tanh(0.3) - np.tanh(2 * -0.1 + 0.5) + 0.25
    assert hand_network().act(x)[0] == pytest.approx(expected, abs=1e-6)


def test_actions_are_clipped_to_the_box():
    x = np.array([5.0, -5.0], dtype=np.float32)  # tanh(5) - tanh(-9.5) + 0.25 > 1
    assert hand_network().act(x)[0] == 1.0


def test_observations_are_normalised_and_clipped_as_vecnormalize_does():
    stats = {
        "obs_mean": np.array([1.0, -1.0]),
        "obs_var": np.array([4.0, 0.25]),
        "epsilon": np.array(1e-8),
        "clip_obs": np.array(2.0),
    }
    x = np.array([2.0, 9.0], dtype=np.float32)
    normalised = np.array([(2 - 1) / np.sqrt(4 + 1e-8), 2.0])  # (9 + 1) / 0.5 = 20, clipped
    expected = np.tanh(normalised[0]) - np.tanh(2 * normalised[1] + 0.5) + 0.25
    assert hand_network(**stats).act(x)[0] == pytest.approx(expected, abs=1e-6)
    assert hand_network().act(x)[0] != pytest.approx(expected, abs=1e-3)


def test_a_batch_gives_one_action_per_row():
    x = np.array([[0.3, -0.1], [0.0, 0.0]], dtype=np.float32)
    actions = hand_network().act(x)
    assert actions.shape == (2, 1)
    assert actions[0, 0] == hand_network().act(x[0])[0]


def test_layers_that_do_not_chain_are_refused():
    with pytest.raises(ScenarioError, match="do not chain"):
        hand_network(action_weight=np.ones((1, 3), dtype=np.float32))


def test_loading_refuses_pickled_objects(tmp_path):
    model = tmp_path / "evil.zip"
    np.savez(network_path(model), layer_0_weight=np.array([object()], dtype=object))
    with pytest.raises(ScenarioError, match=r"evil\.npz is corrupt"):
        load_network(model, "here")
