"""Training envs for learned firms: every learned firm of one market is one slot of a VecEnv.

:class:`EnterpriseVecEnv` is a Stable-Baselines3 ``VecEnv`` over a single
:class:`~model.carbon_market.CarbonMarket`: slot i is the i-th firm holding the learned
behaviour, so one PPO policy acting on all slots is the paper's parameter sharing, and one
rollout collects every learned firm's experience. One step is one trading round; the episode
is the market's (all slots end together, then a fresh market starts from the next seed).
:class:`EnterpriseEnv` is the same with a single learned firm, as a plain Gymnasium env (it
passes ``check_env``). Observations and actions: :mod:`agents.learned_firm`; rewards:
:mod:`learning.firm_reward`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv

from agents.learned_firm import ACTION_SIZE, FIRM_FEATURES, LearnedBehaviour, firm_observations
from learning.firm_reward import isoelastic_utility, net_worth
from learning.seeds import EVALUATION_SEED_START
from model import CarbonMarket

OBSERVATION_SPACE = gym.spaces.Box(-np.inf, np.inf, (len(FIRM_FEATURES),), np.float32)
ACTION_SPACE = gym.spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)


class FirmMarket:
    """A market whose learned firms are driven from outside, one round at a time.

    Args:
        scenario: shipped scenario name or TOML path.
        seed: seeds the sequence of market seeds (or None).
        seed_pool: market seeds to use in turn instead (held-out evaluation).
        **overrides: scenario keys; by default every firm is learned (``learned_share=1``).
    """

    render_mode = None  # nothing to render; SB3's VecEnv asks

    def __init__(
        self,
        scenario: str = "paper",
        seed: int | None = None,
        seed_pool: Sequence[int] | None = None,
        **overrides: Any,
    ) -> None:
        self.scenario = scenario
        self.overrides = {
            "learned_share": 1.0,
            "firm_data": "year",
            **overrides,
            "enterprise_policy": "",
        }
        self.rng = np.random.default_rng(seed)
        self.seed_pool = list(seed_pool) if seed_pool is not None else None
        self.episodes = 0
        self.new_market()

    def new_market(self) -> np.ndarray:
        """Start the next episode; return the slots' first observations."""
        if self.seed_pool is not None:
            seed = self.seed_pool[self.episodes % len(self.seed_pool)]
        else:
            seed = int(self.rng.integers(EVALUATION_SEED_START))
        self.episodes += 1
        self.market = CarbonMarket(self.scenario, seed=seed, **self.overrides)
        groups = [
            (b, f) for b, f in self.market.behaviour_groups() if isinstance(b, LearnedBehaviour)
        ]
        if not groups:
            raise ValueError("learned_share: the market has no learned firm to train")
        self.behaviour, self.slots = groups[0]
        self.utility = isoelastic_utility(net_worth(self.market.view, self.slots))
        return firm_observations(self.market.view, self.slots)

    def play_round(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """One trading round with the slots' ``actions``: (observations, rewards, episode over)."""
        self.behaviour.set_actions(actions)
        self.market.step()
        utility = isoelastic_utility(net_worth(self.market.view, self.slots))
        rewards, self.utility = utility - self.utility, utility
        return firm_observations(self.market.view, self.slots), rewards, not self.market.running


class EnterpriseVecEnv(VecEnv):
    """All learned firms of one market as the slots of a VecEnv (parameter sharing)."""

    def __init__(
        self,
        scenario: str = "paper",
        seed: int | None = None,
        seed_pool: Sequence[int] | None = None,
        **overrides: Any,
    ) -> None:
        self.firms = FirmMarket(scenario, seed, seed_pool, **overrides)
        super().__init__(len(self.firms.slots), OBSERVATION_SPACE, ACTION_SPACE)
        self._actions: np.ndarray | None = None

    def reset(self) -> np.ndarray:
        """A fresh market."""
        return self.firms.new_market()

    def step_async(self, actions: np.ndarray) -> None:
        """Store the slots' actions for the next round."""
        self._actions = np.asarray(actions)

    def step_wait(self):
        """Play the round; at the episode's end start a new market (SB3's auto-reset)."""
        obs, rewards, over = self.firms.play_round(self._actions)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if over:
            for info, terminal in zip(infos, obs, strict=True):
                info["terminal_observation"] = terminal
                info["TimeLimit.truncated"] = False
            obs = self.firms.new_market()
        return obs, rewards.astype(np.float32), np.full(self.num_envs, over), infos

    def close(self) -> None:
        """Nothing to release."""

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        """An attribute of the shared market wrapper, once per slot."""
        return [getattr(self.firms, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        """Set an attribute of the shared market wrapper."""
        setattr(self.firms, attr_name, value)

    def env_method(self, method_name: str, *args, indices=None, **kwargs) -> list[Any]:
        """Call a method of the shared market wrapper, once per slot."""
        result = getattr(self.firms, method_name)(*args, **kwargs)
        return [result] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        """No slot is wrapped."""
        return [False] * len(self._get_indices(indices))


class EnterpriseEnv(gym.Env):
    """One learned firm among heuristic ones, as a Gymnasium env (one step = one round).

    Args:
        scenario: shipped scenario name or TOML path.
        learned_share: share of learned firms; it must leave exactly one learned firm.
        **overrides: further scenario keys.
    """

    metadata: ClassVar[dict] = {"render_modes": []}
    observation_space = OBSERVATION_SPACE
    action_space = ACTION_SPACE

    def __init__(
        self, scenario: str = "paper", learned_share: float = 0.2, **overrides: Any
    ) -> None:
        super().__init__()
        self.scenario, self.overrides = scenario, {**overrides, "learned_share": learned_share}
        self.firms: FirmMarket | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """A fresh market seeded from the env's ``np_random``."""
        super().reset(seed=seed)
        self.firms = FirmMarket(
            self.scenario, int(self.np_random.integers(2**31)), **self.overrides
        )
        if len(self.firms.slots) != 1:
            raise ValueError(
                f"learned_share: {self.overrides['learned_share']} gives "
                f"{len(self.firms.slots)} learned firms; this env drives one"
            )
        return firm_observations(self.firms.market.view, self.firms.slots)[0], {}

    def step(self, action: np.ndarray):
        """One trading round for the learned firm."""
        obs, rewards, over = self.firms.play_round(np.asarray(action)[None, :])
        return obs[0], float(rewards[0]), over, False, {}
