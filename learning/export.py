"""Export a trained Stable-Baselines3 policy to the network file learned agents act with.

``export_network(NAME.zip)`` reads the PPO model (feed-forward or recurrent) and its
``NAME.vecnormalize.pkl`` and writes ``NAME.npz``: the observation statistics, the actor's LSTM
(recurrent policies) and layers and the action box, the numbers
:class:`agents.network.PolicyNetwork` evaluates with numpy. Training calls it for every policy
it saves; ``carbon-market export-policy`` does it for a model saved before.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
from torch import nn

from agents.network import network_path
from learning.algorithms import saved_algorithm
from market.config import ScenarioError

ACTIVATION_NAMES = {nn.Tanh: "tanh", nn.ReLU: "relu"}


def sidecars(model_path: Path) -> tuple[Path, Path]:
    """The normalisation-statistics and metadata files that belong to a model ``.zip``."""
    stem = model_path.with_suffix("")
    return stem.with_name(stem.name + ".vecnormalize.pkl"), stem.with_suffix(".json")


def network_arrays(model, normalizer=None) -> dict[str, np.ndarray]:
    """The arrays of ``NAME.npz`` for a PPO ``model`` and its VecNormalize statistics.

    A recurrent policy's actor LSTM adds ``lstm_{k}_weight_ih``, ``lstm_{k}_weight_hh``,
    ``lstm_{k}_bias_ih`` and ``lstm_{k}_bias_hh`` for each of its layers k (torch's layout:
    the gates stacked input, forget, cell, output).

    Raises:
        ValueError: the policy is not an MLP actor with a Gaussian (Box) action.
    """
    policy = model.policy
    activation = ACTIVATION_NAMES.get(policy.activation_fn)
    if activation is None or getattr(policy, "squash_output", False):
        raise ValueError(f"policy: cannot export a {type(policy).__name__} with this activation")
    linear = [layer for layer in policy.mlp_extractor.policy_net if isinstance(layer, nn.Linear)]
    arrays: dict[str, np.ndarray] = {}
    lstm = getattr(policy, "lstm_actor", None)
    for k in range(lstm.num_layers if lstm is not None else 0):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            weights = getattr(lstm, f"{name}_l{k}").detach().cpu().numpy()
            arrays[f"lstm_{k}_{name}"] = weights.astype(np.float32)
    for i, layer in enumerate(linear):
        arrays[f"layer_{i}_weight"] = layer.weight.detach().cpu().numpy().astype(np.float32)
        arrays[f"layer_{i}_bias"] = layer.bias.detach().cpu().numpy().astype(np.float32)
    arrays["action_weight"] = policy.action_net.weight.detach().cpu().numpy().astype(np.float32)
    arrays["action_bias"] = policy.action_net.bias.detach().cpu().numpy().astype(np.float32)
    arrays["activation"] = np.array(activation)
    arrays["action_low"] = np.asarray(model.action_space.low, dtype=np.float32)
    arrays["action_high"] = np.asarray(model.action_space.high, dtype=np.float32)
    if normalizer is not None and normalizer.norm_obs:
        arrays["obs_mean"] = np.asarray(normalizer.obs_rms.mean, dtype=np.float64)
        arrays["obs_var"] = np.asarray(normalizer.obs_rms.var, dtype=np.float64)
        arrays["epsilon"] = np.asarray(normalizer.epsilon, dtype=np.float64)
        arrays["clip_obs"] = np.asarray(normalizer.clip_obs, dtype=np.float64)
    return arrays


def load_ppo(model_path: Path, where: str, stats_path: Path | None = None, envs=None):
    """A saved PPO model (recurrent or not) and its normalisation statistics (None if none).

    Args:
        model_path: the model's ``.zip``.
        where: what every error message starts with (the option or key that named the file).
        stats_path: its VecNormalize statistics; by default ``NAME.vecnormalize.pkl`` beside it.
        envs: to train further, the environments the statistics wrap and the model acts in.

    Raises:
        ScenarioError: the files are missing, corrupt, or hold something other than a PPO
            model (an A2C or DQN model) and VecNormalize statistics.
    """
    from stable_baselines3.common.vec_env import VecNormalize

    if not model_path.is_file():
        raise ScenarioError(f"{where}: no policy file at {model_path}")
    algorithm = saved_algorithm(model_path, where)
    stats_path = stats_path or sidecars(model_path)[0]
    normalizer = None
    if stats_path.is_file():
        try:
            with stats_path.open("rb") as handle:
                normalizer = pickle.load(handle)  # a trusted file: SB3 saves it so
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as err:
            raise ScenarioError(f"{where}: {stats_path.name} is corrupt ({err})") from err
        if not isinstance(normalizer, VecNormalize):
            raise ScenarioError(
                f"{where}: {stats_path.name} holds a {type(normalizer).__name__}, "
                "not the VecNormalize statistics training saves"
            )
        if envs is not None:
            normalizer.set_venv(envs)
    elif envs is not None:
        raise ScenarioError(f"{where}: missing {stats_path.name} beside {model_path.name}")
    try:
        model = algorithm.model_class().load(
            model_path, env=normalizer if envs is not None else None, device="cpu"
        )
    except (
        zipfile.BadZipFile,
        ValueError,
        KeyError,
        EOFError,
        RuntimeError,
        pickle.UnpicklingError,
    ) as err:
        raise ScenarioError(
            f"{where}: {model_path} is not a readable Stable-Baselines3 PPO "
            f"file ({type(err).__name__}: {err})"
        ) from err
    return model, normalizer


def export_network(model_path: str | Path, model=None, normalizer=None) -> Path:
    """Write ``NAME.npz`` beside ``NAME.zip``; return its path.

    Args:
        model_path: the saved model.
        model: the PPO model already in memory (else it is loaded from ``model_path``).
        normalizer: its VecNormalize statistics (loaded with the model when not given).

    Raises:
        ScenarioError: the model cannot be read.
    """
    model_path = Path(model_path)
    if model is None:
        model, normalizer = load_ppo(model_path, "export-policy")
    target = network_path(model_path)
    with target.open("wb") as handle:
        np.savez(handle, **network_arrays(model, normalizer))
    return target
