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

A recurrent policy (sb3-contrib's ``MlpLstmPolicy``) puts an LSTM between the normalised
observation and those layers and carries its hidden and cell state from year to year
(:class:`LstmState`, zero at an episode's start): :meth:`PolicyNetwork.act_recurrent` is one
step of torch's ``nn.LSTM`` (gates ``i, f, g, o = W_ih x + b_ih + W_hh h + b_hh``, then
``c' = sigmoid(f) c + sigmoid(i) tanh(g)`` and ``h' = sigmoid(o) tanh(c')``), in float32.

A saved network holds (``.npz`` keys):

* ``obs_mean``, ``obs_var``, ``epsilon``, ``clip_obs``: VecNormalize statistics (``normalize``
  false: none);
* ``layer_i_weight`` / ``layer_i_bias`` for the hidden layers, ``action_weight`` /
  ``action_bias`` for the output, ``activation`` (``tanh`` or ``relu``);
* ``action_low``, ``action_high``: the action box;
* recurrent policies: ``lstm_k_weight_ih``, ``lstm_k_weight_hh``, ``lstm_k_bias_ih``,
  ``lstm_k_bias_hh`` for each LSTM layer k.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from market.config import ScenarioError

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, np.float32(0.0))}
LSTM_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass(frozen=True)
class LstmState:
    """What a recurrent policy remembers between years: one market's (or a batch's) LSTM.

    Attributes:
        hidden: the LSTM's output of the last step, shape ``(layers, k, units)``.
        cell: its cell state, the same shape.
    """

    hidden: np.ndarray
    cell: np.ndarray


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.float32(1.0) / (np.float32(1.0) + np.exp(-x))


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
            n_lstm = sum(
                1 for key in arrays if key.startswith("lstm_") and key.endswith("_weight_ih")
            )
            self.lstm = [
                tuple(arrays[f"lstm_{k}_{name}"] for name in LSTM_KEYS) for k in range(n_lstm)
            ]
            self.layers.append((arrays["action_weight"], arrays["action_bias"]))
            self.activation = ACTIVATIONS[str(arrays["activation"])]
            self.action_low = arrays["action_low"]
            self.action_high = arrays["action_high"]
            stats = ("obs_mean", "obs_var", "epsilon", "clip_obs")
            self.normalization = tuple(arrays[k] for k in stats) if "obs_mean" in arrays else None
        except KeyError as err:
            raise ScenarioError(f"{path.name}: not a saved policy network (no {err})") from None
        width = self.lstm[0][0].shape[-1] if self.lstm else self.layers[0][0].shape[1]
        for weight_ih, weight_hh, bias_ih, bias_hh in self.lstm:
            units = weight_hh.shape[-1]
            gates = (4 * units, width)
            if weight_ih.shape != gates or weight_hh.shape != (4 * units, units):
                raise ScenarioError(f"{path.name}: the LSTM's shapes do not chain")
            if bias_ih.shape != (4 * units,) or bias_hh.shape != (4 * units,):
                raise ScenarioError(f"{path.name}: the LSTM's shapes do not chain")
            width = units
        for weight, bias in self.layers:
            if weight.ndim != 2 or weight.shape[1] != width or bias.shape != (weight.shape[0],):
                raise ScenarioError(f"{path.name}: the layers' shapes do not chain")
            width = weight.shape[0]

    @property
    def recurrent(self) -> bool:
        """Whether the policy remembers (an LSTM): it acts with :meth:`act_recurrent`."""
        return bool(self.lstm)

    @property
    def observation_size(self) -> int:
        """Length of one observation."""
        return int(self.lstm[0][0].shape[1] if self.lstm else self.layers[0][0].shape[1])

    @property
    def action_size(self) -> int:
        """Length of one action."""
        return int(self.layers[-1][0].shape[0])

    def act(self, observations: np.ndarray) -> np.ndarray:
        """Deterministic actions, shape ``(k, action_size)``, for observations ``(k, d)``.

        A single observation ``(d,)`` gives a single action ``(action_size,)``.

        Raises:
            ValueError: the policy is recurrent (it needs its state: :meth:`act_recurrent`).
        """
        if self.recurrent:
            raise ValueError(f"{self.path.name}: a recurrent policy acts with act_recurrent")
        return self._head(self._normalized(observations))

    def initial_state(self, k: int = 1) -> LstmState:
        """The state of ``k`` episodes at their start: zeros, as sb3-contrib starts them."""
        units = self.lstm[0][1].shape[1]
        zeros = np.zeros((len(self.lstm), k, units), dtype=np.float32)
        return LstmState(zeros, zeros.copy())

    def act_recurrent(
        self, observations: np.ndarray, state: LstmState
    ) -> tuple[np.ndarray, LstmState]:
        """One year of ``k`` episodes: their actions ``(k, action_size)`` and the next state.

        Args:
            observations: this year's observations, shape ``(k, d)``.
            state: what the episodes remember, from :meth:`initial_state` at their start
                and from the previous call after.
        """
        x = self._normalized(observations)
        hidden, cell = [], []
        for (weight_ih, weight_hh, bias_ih, bias_hh), h, c in zip(
            self.lstm, state.hidden, state.cell, strict=True
        ):
            gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
            i, f, g, o = np.split(gates, 4, axis=-1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            x = _sigmoid(o) * np.tanh(c)
            hidden.append(x)
            cell.append(c)
        return self._head(x), LstmState(np.stack(hidden), np.stack(cell))

    def _normalized(self, observations: np.ndarray) -> np.ndarray:
        obs = np.asarray(observations)
        if self.normalization is not None:
            mean, var, epsilon, clip = self.normalization
            obs = np.clip((obs - mean) / np.sqrt(var + epsilon), -clip, clip)
        return obs.astype(np.float32)

    def _head(self, hidden: np.ndarray) -> np.ndarray:
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
