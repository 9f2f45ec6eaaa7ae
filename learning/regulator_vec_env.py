"""The regulator's env for many markets at once: a VecEnv over a batch of markets.

:class:`RegulatorVecEnv` is a Stable-Baselines3 ``VecEnv`` of ``n_envs`` regulator envs
whose markets play their years together (:class:`model.batch.MarketBatch`): one ``step``
sets every lane's levers from its action, plays one compliance year of every market in one
compiled call, and returns every lane's observation and reward. Lane i is exactly the
:class:`~learning.regulator_env.RegulatorEnv` of the same seed: it draws its market seeds
and climate coefficients from its own generator in the same way, and its market plays the
same year for the same action (a test holds them to it). Every lane's episode has the same
length, so all lanes end together and start new markets together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.utils import seeding
from stable_baselines3.common.vec_env import VecEnv

from agents.regulator_observation import observe
from learning.regulator_env import RegulatorEnv
from learning.seeds import EVALUATION_SEED_START
from model import load_scenario
from model.batch import MarketBatch


class RegulatorVecEnv(VecEnv):
    """``n_envs`` regulator envs over one batch of markets (one step = one year each).

    Args:
        n_envs: markets played together.
        scenario: shipped scenario name or TOML path.
        seed_pool: market seeds to use in turn instead of drawing them (held-out evaluation),
            shared by the lanes: they take the next seeds in lane order, so a batch plays
            different markets of the pool at once.
        **env_kwargs: :class:`RegulatorEnv`'s other arguments (action mode, levers,
            climate coefficients, behaviour, scenario keys).
    """

    render_mode = None

    def __init__(
        self,
        n_envs: int = 1,
        scenario: str = "paper",
        seed_pool: Sequence[int] | None = None,
        **env_kwargs: Any,
    ) -> None:
        self.template = RegulatorEnv(scenario, **env_kwargs)
        super().__init__(n_envs, self.template.observation_space, self.template.action_space)
        self.scenario = scenario
        self.seed_pool = list(seed_pool) if seed_pool is not None else None
        self._next_in_pool = 0
        self._generators = [seeding.np_random()[0] for _ in range(n_envs)]
        self._scenarios = {
            c: load_scenario(scenario, **self.template.overrides, climate_coefficient=c)
            for c in self.template.coefficients.tolist()
        }
        self.batch: MarketBatch | None = None
        self._welfare = np.zeros(n_envs)
        self._actions: np.ndarray | None = None

    # ------------------------------------------------------------------ VecEnv API

    def reset(self) -> np.ndarray:
        """New markets for every lane, each seeded as its RegulatorEnv would seed it."""
        seeds, coefficients = [], []
        for i, seed in enumerate(self._seeds):
            if seed is not None:
                self._generators[i] = seeding.np_random(seed)[0]
            generator = self._generators[i]
            if self.seed_pool is not None:
                seeds.append(self.seed_pool[self._next_in_pool % len(self.seed_pool)])
                self._next_in_pool += 1
            else:
                seeds.append(int(generator.integers(EVALUATION_SEED_START)))
            coefficients.append(float(generator.choice(self.template.coefficients)))
        self._reset_seeds()
        self.batch = MarketBatch([self._scenarios[c] for c in coefficients], seeds)
        self._welfare = np.array([market.welfare for market in self.batch.markets])
        self.reset_infos = [
            {"market_seed": seed, "climate_coefficient": c}
            for seed, c in zip(seeds, coefficients, strict=True)
        ]
        return self._observe()

    def step_async(self, actions: np.ndarray) -> None:
        """Store every lane's action for the coming year."""
        self._actions = np.asarray(actions)

    def step_wait(self):
        """Play one year of every market; start new ones when the episodes end."""
        markets, spec = self.batch.markets, self.template.action_spec
        for market, action in zip(markets, self._actions, strict=True):
            market.set_levers(spec.decode(action, market.view))
        self.batch.play_year()
        welfare = np.array([market.welfare for market in markets])
        rewards, self._welfare = (welfare - self._welfare).astype(np.float32), welfare
        obs = self._observe()
        over = not self.batch.running
        infos = [
            {**m.last_year_record, "years_done": m.years_settled, "welfare": w}
            for m, w in zip(markets, welfare, strict=True)
        ]
        if over:
            for info, terminal in zip(infos, obs, strict=True):
                info["terminal_observation"] = terminal
                info["TimeLimit.truncated"] = False
            obs = self.reset()
        return obs, rewards, np.full(self.num_envs, over), infos

    def close(self) -> None:
        """Nothing to release."""

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        """An attribute of the template env, once per lane."""
        return [getattr(self.template, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        """Set an attribute of the template env."""
        setattr(self.template, attr_name, value)

    def env_method(self, method_name: str, *args, indices=None, **kwargs) -> list[Any]:
        """Call a method of the template env, once per lane."""
        result = getattr(self.template, method_name)(*args, **kwargs)
        return [result] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        """No lane is wrapped."""
        return [False] * len(self._get_indices(indices))

    # ------------------------------------------------------------------ helpers

    def _observe(self) -> np.ndarray:
        per_firm = self.template.action_spec.per_firm
        return np.stack([observe(market.view, per_firm) for market in self.batch.markets])
