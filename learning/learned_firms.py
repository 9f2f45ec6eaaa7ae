"""The learned behaviour: firms that act through one shared Stable-Baselines3 policy.

All firms holding a :class:`LearnedBehaviour` act through the same policy (parameter sharing, as
in the paper): once a round, the behaviour observes every one of its firms and asks the policy
for all their actions in one batch; each action corrects one decision of the rule-based firm
(:mod:`learning.firm_interface`).

A saved enterprise policy is three files side by side, as for the regulator: ``NAME.zip``,
``NAME.vecnormalize.pkl`` and ``NAME.json``. They are pickles: load only trusted files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.behaviours import Quotes, RuleBased
from learning.firm_interface import (
    ACTION_SIZE,
    FIRM_FEATURES,
    MAX_QUANTITY,
    clip_actions,
    corrected_output,
    corrected_quotes,
    corrections,
    firm_observations,
    reverse,
)
from learning.learned_policy import load_saved_policy
from model.scenario import DATA_DIR, ScenarioError

if TYPE_CHECKING:
    from model.market import CarbonMarket

SHIPPED_ENTERPRISES = DATA_DIR / "policies" / "enterprises-paper.zip"


class LearnedBehaviour(RuleBased):
    """The rule-based firm's decisions, corrected by a shared policy's actions.

    The policy observes the firms at the end of each round (``observe``), when a training env
    observes them too, and its actions for the next round apply phase by phase to the rule's
    decisions of that moment (:mod:`learning.firm_interface`). A trained policy acts by its
    mean action, so the same seed gives the same run. While the firms are being trained, the
    training env sets the actions instead (``set_actions``).

    Args:
        model: a PPO model mapping firm observations to actions; None while training.
        normalizer: the VecNormalize statistics the model was trained with, if any.

    Attributes:
        next_actions: the actions for the coming round, shape ``(k, ACTION_SIZE)``.
        corrected: firm-rounds in which each action departed from the rule, shape
            ``(ACTION_SIZE,)``, out of ``decided`` firm-rounds (a trained policy only).
    """

    name = "learned"

    def __init__(self, model: Any = None, normalizer: Any = None) -> None:
        super().__init__(max_quantity=MAX_QUANTITY)
        self.model, self.normalizer = model, normalizer
        self.next_actions: np.ndarray | None = None
        self.corrected = np.zeros(ACTION_SIZE, dtype=np.int64)
        self.decided = 0

    def set_actions(self, actions: np.ndarray) -> None:
        """Actions for the next round, one row per firm holding the behaviour (training)."""
        self.next_actions = np.asarray(actions, dtype=float)

    def observe(self, market: CarbonMarket, firms: np.ndarray) -> None:
        """Choose the next round's actions from the firms' observations (a trained policy)."""
        if self.model is None:
            return
        obs = firm_observations(market, firms)
        if self.normalizer is not None:
            obs = self.normalizer.normalize_obs(obs)
        self.next_actions, _ = self.model.predict(obs, deterministic=True)
        if market.running:
            self.corrected += corrections(clip_actions(self.next_actions, len(firms))).sum(axis=0)
            self.decided += len(firms)

    def _current(self, firms: np.ndarray) -> np.ndarray:
        if self.next_actions is None:
            raise RuntimeError("a learned behaviour needs a policy or actions set by an env")
        return clip_actions(self.next_actions, len(firms))

    def production(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """The rule's output corrected by action 0 (units)."""
        return corrected_output(market, firms, self._current(firms))

    def research(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """The rule's R&D choice, reversed where action 1 says so."""
        return reverse(super().research(market, firms), self._current(firms)[:, 1])

    def offsets(self, market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
        """The rule's green-project choice, reversed where action 2 says so."""
        return reverse(super().offsets(market, firms), self._current(firms)[:, 2])

    def quote(self, market: CarbonMarket, firms: np.ndarray) -> Quotes:
        """The rule's orders corrected by actions 3-5, clipped to what each firm can post."""
        return corrected_quotes(market, firms, self._current(firms))


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
