"""A trained policy network, evaluated with numpy: how learned firms and regulators act.

Training (``learning``, with Stable-Baselines3 and torch) saves each policy as an SB3 model.
To act, a learned agent needs only the deterministic action of that model: the observation
normalised with the statistics it was trained with, passed through the actor's layers and
clipped to the action box. :func:`export_network` (in ``learning.export``) writes exactly those
numbers to ``NAME.npz`` beside the model; :class:`PolicyNetwork` reads them back here, with
``allow_pickle=False``, so acting needs neither torch nor Stable-Baselines3, and loading a
policy file cannot run code.

The arithmetic follows SB3's ``predict(obs, deterministic=True)`` for an ``MlpPolicy`` with a
Gaussian action distribution and VecNormalize observation statistics: normalisation in
float64, then float32 layers ``h = tanh(h @ W.T + b)`` and the mean action ``h @ W.T + b``,
clipped to the action box.

A saved network holds (``.npz`` keys):

* ``obs_mean``, ``obs_var``, ``epsilon``, ``clip_obs``: VecNormalize statistics (``normalize``
  false: none);
* ``layer_i_weight`` / ``layer_i_bias`` for the hidden layers, ``action_weight`` /
  ``action_bias`` for the output, ``activation`` (``tanh`` or ``relu``);
* ``action_low``, ``action_high``: the action box.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from market.config import ScenarioError

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, np.float32(0.0))}


class PolicyNetwork:
    """The deterministic action of a trained policy, for a batch of observations.

    Args:
        arrays: the saved arrays (see the module docstring).
        path: where they came from (for messages).

    Raises:
        ScenarioError: a key is missing or the layer shapes do not chain.
    """

    def __init__(self, arrays: dict[str, np.ndarray], path: Path) -> None:
        self.path = path
        try:
            n_layers = sum(1 for key in arrays if key.endswith("_weight")) - 1
            self.layers = [
                (arrays[f"layer_{i}_weight"], arrays[f"layer_{i}_bias"]) for i in range(n_layers)
            ]
            self.layers.append((arrays["action_weight"], arrays["action_bias"]))
            self.activation = ACTIVATIONS[str(arrays["activation"])]
            self.action_low = arrays["action_low"]
            self.action_high = arrays["action_high"]
            stats = ("obs_mean", "obs_var", "epsilon", "clip_obs")
            self.normalization = tuple(arrays[k] for k in stats) if "obs_mean" in arrays else None
        except KeyError as err:
            raise ScenarioError(f"{path.name}: not a saved policy network (no {err})") from None
        widths = [self.layers[0][0].shape[1], *(w.shape[0] for w, _ in self.layers)]
        for (weight, bias), width in zip(self.layers, widths, strict=False):
            if weight.ndim != 2 or weight.shape[1] != width or bias.shape != (weight.shape[0],):
                raise ScenarioError(f"{path.name}: the layers' shapes do not chain")

    @property
    def observation_size(self) -> int:
        """Length of one observation."""
        return int(self.layers[0][0].shape[1])

    @property
    def action_size(self) -> int:
        """Length of one action."""
        return int(self.layers[-1][0].shape[0])

    def act(self, observations: np.ndarray) -> np.ndarray:
        """Deterministic actions, shape ``(k, action_size)``, for observations ``(k, d)``.

        A single observation ``(d,)`` gives a single action ``(action_size,)``.
        """
        obs = np.asarray(observations)
        if self.normalization is not None:
            mean, var, epsilon, clip = self.normalization
            obs = np.clip((obs - mean) / np.sqrt(var + epsilon), -clip, clip)
        hidden = obs.astype(np.float32)
        for weight, bias in self.layers[:-1]:
            hidden = self.activation(hidden @ weight.T + bias)
        weight, bias = self.layers[-1]
        return np.clip(hidden @ weight.T + bias, self.action_low, self.action_high)


def network_path(model_path: Path) -> Path:
    """The ``.npz`` network that belongs to a saved model ``NAME.zip``."""
    return model_path.with_suffix(".npz")


def metadata_path(model_path: Path) -> Path:
    """The ``.json`` metadata that belongs to a saved model ``NAME.zip``."""
    return model_path.with_suffix(".json")


def read_metadata(model_path: Path, where: str) -> dict[str, Any]:
    """The metadata saved beside a policy: its kind, layout and provenance.

    ``model_path`` names the policy (``NAME.zip``; the model itself need not be present to
    act, only ``NAME.npz`` and ``NAME.json``).

    Raises:
        ScenarioError: no policy there, or its metadata is missing or corrupt.
    """
    if not model_path.is_file() and not network_path(model_path).is_file():
        raise ScenarioError(f"{where}: no policy file at {model_path}")
    path = metadata_path(model_path)
    if not path.is_file():
        raise ScenarioError(
            f"{where}: missing {path.name} beside it (written by "
            "training; it says how the policy's inputs and outputs are laid out)"
        )
    try:
        metadata = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{where}: {path.name} is corrupt ({err})") from None
    if not isinstance(metadata, dict):
        raise ScenarioError(f"{where}: {path.name} is corrupt (not a JSON object)")
    return metadata


def load_network(model_path: Path, where: str) -> PolicyNetwork:
    """The network saved beside ``model_path``; ``where`` prefixes every error message.

    Raises:
        ScenarioError: no network file, or one that is corrupt.
    """
    path = network_path(model_path)
    if not path.is_file():
        raise ScenarioError(
            f"{where}: missing {path.name} beside {model_path.name} (the policy's network; "
            f"`carbon-market export-policy {model_path}` writes it from the model)"
        )
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {key: saved[key] for key in saved.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ScenarioError(f"{where}: {path.name} is corrupt ({err})") from None
    try:
        return PolicyNetwork(arrays, path)
    except ScenarioError as err:
        raise ScenarioError(f"{where}: {err}") from None
