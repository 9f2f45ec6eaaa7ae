"""The learned behaviour: firms that act through one shared Stable-Baselines3 policy.

All firms holding a :class:`LearnedBehaviour` act through the same policy (parameter sharing, as
in the paper): once a round, the behaviour observes every one of its firms, asks the policy for
all their actions in one batch and decodes them (:mod:`learning.firm_interface`). While the
firms are being trained, the training env sets the actions instead (``set_actions``).

A saved enterprise policy is three files side by side, as for the regulator: ``NAME.zip``,
``NAME.vecnormalize.pkl`` and ``NAME.json``. They are pickles: load only trusted files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.behaviours import Behaviour, Quotes
from learning.firm_interface import ACTION_SIZE, FIRM_FEATURES, decode_actions, firm_observations
from learning.learned_policy import load_saved_policy
from model.scenario import DATA_DIR, ScenarioError

if TYPE_CHECKING:
    from model.market import CarbonMarket

SHIPPED_ENTERPRISES = DATA_DIR / "policies" / "enterprises-paper.zip"


class LearnedBehaviour(Behaviour):
    """Decisions from a shared policy (or from actions a training env sets each round).

    Args:
        model: a PPO model mapping firm observations to actions; None while training.
        normalizer: the VecNormalize statistics the model was trained with, if any.
    """

    name = "learned"
    replaces_quotes = True

    def __init__(self, model: Any = None, normalizer: Any = None) -> None:
        super().__init__(max_quantity=1)
        self.model, self.normalizer = model, normalizer
        self._pending: np.ndarray | None = None
        self._decided_at = -1
        self._decisions: tuple | None = None

    def set_actions(self, actions: np.ndarray) -> None:
        """Actions for this round, one row per firm holding the behaviour (training)."""
        self._pending = np.asarray(actions, dtype=float)

    def _decide(self, market: CarbonMarket, firms: np.ndarray) -> tuple:
        if self._decided_at != market.steps:
            if self._pending is not None:
                actions, self._pending = self._pending, None
            elif self.model is not None:
                obs = firm_observations(market, firms)
                if self.normalizer is not None:
                    obs = self.normalizer.normalize_obs(obs)
                actions = sample_actions(self.model, obs, market.rng)
            else:
                raise RuntimeError("a learned behaviour needs a policy or actions set by an env")
            self._decisions = decode_actions(market, firms, actions)
            self._decided_at = market.steps
        return self._decisions

    def production(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """Output chosen by the policy (units)."""
        return self._decide(market, firms)[0]

    def research(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """R&D chosen by the policy."""
        return self._decide(market, firms)[1]

    def offsets(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """Green projects chosen by the policy."""
        return self._decide(market, firms)[2]

    def quote(self, market: CarbonMarket, firms: np.ndarray) -> Quotes:
        """Orders chosen by the policy, already clipped to what the firm can post."""
        return self._decide(market, firms)[3]


def sample_actions(model: Any, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions drawn from the policy's Gaussian with ``rng`` (the market's: a seed reproduces).

    Learned firms act as they were trained, sampling: the mean action alone is a frozen
    bargaining stance (buyers and sellers each shade a little and never meet), while the
    sampled policy trades to near full allocative efficiency.
    """
    import torch

    with torch.no_grad():
        tensor, _ = model.policy.obs_to_tensor(obs)
        gaussian = model.policy.get_distribution(tensor).distribution
        mean, std = gaussian.mean.cpu().numpy(), gaussian.stddev.cpu().numpy()
    return mean + std * rng.standard_normal(mean.shape)


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Any, Any]:
    model, normalizer, metadata, model_path = load_saved_policy(path, "market.enterprise_policy")
    if metadata.get("kind") != "enterprises":
        raise ScenarioError(f"market.enterprise_policy: {model_path} is not an enterprise policy")
    if model.observation_space.shape != (len(FIRM_FEATURES),) or model.action_space.shape != (
        ACTION_SIZE,
    ):
        raise ScenarioError(
            f"market.enterprise_policy: {model_path} expects observation "
            f"{model.observation_space.shape} and action "
            f"{model.action_space.shape}, not ({len(FIRM_FEATURES)},) and "
            f"({ACTION_SIZE},)"
        )
    return model, normalizer


def make_learned_behaviour(policy: str) -> LearnedBehaviour:
    """The learned behaviour for a market.

    Args:
        policy: ``""`` while a training env drives the firms, ``shipped`` for the shipped
            paper enterprise policy, else the path of a saved policy ``.zip``.
    """
    if not policy:
        return LearnedBehaviour()
    path = SHIPPED_ENTERPRISES if policy == "shipped" else Path(policy)
    return LearnedBehaviour(*_load(str(path)))
