"""A training run's configuration: an RL-Zoo-style YAML entry per scenario, typed and checked.

:class:`TrainConfig` holds every setting of a run (the algorithm and its hyperparameters,
the network, normalisation, validation and checkpoint cadence, the env's own settings) and
checks each on construction; :func:`load_train_config` reads one scenario's entry of a YAML
file (``learning/configs``) into it, naming the file, the entry or the key that is wrong.
The regulator's training (``learning.train``) and the learned firms'
(``learning.train_enterprises``) both read their settings here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from learning.algorithms import ALGORITHMS

DEFAULT_CONFIG = Path(__file__).resolve().parent / "configs" / "ppo_regulator.yaml"
#: The most markets one learned-firm env plays side by side (``env_kwargs.markets``).
MAX_MARKETS = 256


def check_markets(markets: Any, field: str = "markets") -> int:
    """``markets`` (how many markets one env plays side by side) as an int.

    Args:
        markets: the value to check.
        field: its name in the error message (``env_kwargs.markets`` in a training config).

    Raises:
        ValueError: not an integer in ``[1, MAX_MARKETS]`` (the message names the field).
    """
    if (
        isinstance(markets, bool)
        or not isinstance(markets, int | np.integer)
        or not 1 <= markets <= MAX_MARKETS
    ):
        raise ValueError(f"{field}: {markets!r} must be an integer in [1, {MAX_MARKETS}]")
    return int(markets)


@dataclass
class TrainConfig:
    """PPO hyperparameters and the env's settings (one entry of the YAML file).

    Units: every count is env steps, i.e. compliance years. ``n_steps`` is per worker and
    rollout (as in SB3); ``n_timesteps``, ``eval_freq`` and ``checkpoint_freq`` are totals
    over all workers. ``algorithm`` is ``ppo`` (policy ``MlpPolicy``) or ``recurrent-ppo``
    (policy ``MlpLstmPolicy``, an LSTM of ``lstm_hidden_size`` units before ``net_arch``).
    """

    n_timesteps: int = 40_000
    n_envs: int = 2
    algorithm: str = "ppo"
    policy: str = "MlpPolicy"
    lstm_hidden_size: int = 64  # units of the actor's and of the critic's LSTM (recurrent-ppo)
    learning_rate: float = 3e-4
    n_steps: int = 200
    batch_size: int = 100
    n_epochs: int = 10
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.0
    net_arch: list[int] = field(default_factory=lambda: [64, 64])
    #: initial log standard deviation of the Gaussian policy: one for every action dimension,
    #: or a list with one per dimension (explore some decisions more than others)
    log_std_init: float | list[float] = 0.0
    normalize: bool = True
    eval_freq: int = 2_000
    eval_episodes: int = 10  # validation episodes (markets) per evaluation
    checkpoint_freq: int = 4_000
    keep: str = "last"  # the policy written at the end: "last" trained or "best" validated
    #: torch's threads for the network's updates and forward passes. These networks are
    #: small: on 2 cores shared with the env workers, torch's default (one thread per core)
    #: made each call 8-24 ms instead of well under one, and a 1,200-year run took 245 s
    #: instead of 6 s.
    torch_threads: int = 1
    #: the env's settings (scenario keys and env arguments); for learned firms
    #: ``markets``, an integer in [1, 256], is how many markets one env plays side by side
    env_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (
            "n_timesteps",
            "n_envs",
            "n_steps",
            "batch_size",
            "n_epochs",
            "eval_freq",
            "eval_episodes",
            "checkpoint_freq",
            "lstm_hidden_size",
            "torch_threads",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: {value!r} must be an integer >= 1")
        for name, low, high in (
            ("learning_rate", 0, 1),
            ("gamma", 0, 1),
            ("gae_lambda", 0, 1),
            ("clip_range", 0, 1),
            ("ent_coef", 0, 1),
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"{name}: {value!r} must be a number in [{low}, {high}]")
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"algorithm: {self.algorithm!r} must be one of {', '.join(ALGORITHMS)}"
            )
        policy = ALGORITHMS[self.algorithm].policy
        if self.policy != policy:
            raise ValueError(
                f"policy: {self.policy!r} is not what {self.algorithm} trains; use {policy!r}"
            )
        if self.keep not in ("last", "best"):
            raise ValueError(f"keep: {self.keep!r} must be 'last' or 'best'")
        if not isinstance(self.env_kwargs, dict):
            raise ValueError(f"env_kwargs: {self.env_kwargs!r} must be a mapping of env settings")
        if "markets" in self.env_kwargs:  # learned firms: markets per EnterpriseVecEnv
            check_markets(self.env_kwargs["markets"], "env_kwargs.markets")


def load_train_config(path: str | Path, scenario: str) -> TrainConfig:
    """The ``scenario`` entry of an RL-Zoo-style YAML file, validated.

    Raises:
        ValueError: the file, the entry or a key is missing or wrong (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--config: no file at {path}")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ValueError(f"--config: {path} is not valid YAML: {err}") from err
    if not isinstance(data, dict) or scenario not in data:
        raise ValueError(f"--config: {path} has no entry for scenario {scenario!r}")
    entry = data[scenario]
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValueError(
            f"{scenario}.{unknown[0]}: unknown key in {path.name}; "
            f"allowed: {', '.join(sorted(known))}"
        )
    return TrainConfig(**entry)
