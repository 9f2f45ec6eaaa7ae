"""RegulatorEnv: a Gymnasium environment in which one step is one compliance year.

The env owns a :class:`~model.carbon_market.CarbonMarket` whose government holds the manual
policy. Each ``step(action)`` decodes the action into the year's levers
(:mod:`agents.regulator_levers`), sets them on the market, plays the year's rounds and returns
the observation of the next year (:mod:`agents.regulator_observation`) and the reward: the
change in the market's own welfare over the year,
``welfare = equality x productivity x exp(-c x over_emission)`` with the final year's
over-emission charged (the paper's code never charged it, a loophole its learned regulator used).
``reset(seed=...)`` builds a fresh market whose seed is drawn from the env's ``np_random`` (or
taken in turn from a fixed pool of seeds, for held-out evaluation), with the episode's climate
coefficient c as its own, so the market's welfare is the reward's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from agents.regulator_levers import DEFAULT_CORRECTION_SCALE, ActionSpec
from agents.regulator_observation import observation_size, observe
from agents.schedule import load_schedule
from learning.seeds import EVALUATION_SEED_START
from market.config import ScenarioError
from model import CarbonMarket, load_scenario


class RegulatorEnv(gym.Env):
    """The government's allocation problem as a single-agent Gymnasium env.

    Args:
        scenario: shipped scenario name or TOML path.
        action_mode: ``"rules"`` (weights over allocation rules, any N) or ``"per-firm"``.
        auction: the action also sets the auctioned share.
        price_floor: the action also sets a price floor.
        climate_coefficient: c in welfare; a sequence draws one per episode (c is in the
            observation, so one regulator serves several coefficients); None keeps the
            scenario's.
        behaviour: the firms' behaviour (``rule-based``, ``zi-c``, ...); None keeps the
            scenario's.
        seed_pool: market seeds to use in turn instead of drawing them (held-out evaluation).
        base_schedule: a schedule file (``schedule:FILE``'s JSON) the action corrects instead
            of setting the levers on its own: a schedule-anchored (residual) regulator,
            :mod:`agents.regulator_levers`. None: the action sets the levers.
        correction_scale: the residual regulator's largest correction, in (0, 1], as a share
            of the yearly maximum release and of the base rule weights' sum (default 0.25);
            only with ``base_schedule``.
        **overrides: further scenario keys (e.g. ``years=5``).

    Observation: ``Box(-inf, inf, (d,), float32)``, see :mod:`agents.regulator_observation`.
    Action: ``Box(-1, 1, (k,), float32)``, see :mod:`agents.regulator_levers`.
    """

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(
        self,
        scenario: str = "paper",
        action_mode: str = "rules",
        auction: bool = False,
        price_floor: bool = False,
        climate_coefficient: float | Sequence[float] | None = None,
        behaviour: str | None = None,
        seed_pool: Sequence[int] | None = None,
        base_schedule: str | None = None,
        correction_scale: float | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        # Per-firm data only at year ends: the env reads model-level measures.
        self.overrides = {"firm_data": "year", **overrides, "policy": "manual"}
        if behaviour is not None:
            self.overrides["behaviour"] = behaviour
        self.checked = checked = load_scenario(scenario, **self.overrides)
        if climate_coefficient is None:
            coefficients = [checked.market.climate_coefficient]
        else:
            coefficients = np.atleast_1d(np.asarray(climate_coefficient, dtype=float)).tolist()
            if not coefficients:
                raise ValueError("climate_coefficient: give at least one value")
            for c in coefficients:  # the scenario's own range check, for each value drawn
                load_scenario(scenario, **self.overrides, climate_coefficient=c)
        self.coefficients = np.asarray(coefficients, dtype=float)
        self.seed_pool = list(seed_pool) if seed_pool is not None else None
        self._next_in_pool = 0
        self.action_spec = ActionSpec(
            action_mode,
            checked.n_firms,
            auction,
            price_floor,
            **residual_levers(base_schedule, correction_scale, checked.market.years),
        )
        if self.action_spec.per_firm and checked.shocks.n_firms_range:
            raise ScenarioError(
                "action_mode: 'per-firm' needs a fixed number of firms; the scenario draws it "
                "per episode (shocks.n_firms_range; n_firms=N fixes it)"
            )
        size = observation_size(self.action_spec.per_firm, checked.n_firms)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (size,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (self.action_spec.size,), np.float32)
        self.market: CarbonMarket | None = None
        self.climate_coefficient = float(self.coefficients[0])

    # ------------------------------------------------------------------ gym API

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict]:
        """Build a fresh market; its seed comes from ``np_random`` or the seed pool."""
        super().reset(seed=seed)
        if self.seed_pool is not None:
            market_seed = self.seed_pool[self._next_in_pool % len(self.seed_pool)]
            self._next_in_pool += 1
        else:
            market_seed = int(self.np_random.integers(EVALUATION_SEED_START))
        self.climate_coefficient = float(self.np_random.choice(self.coefficients))
        self.market = CarbonMarket(
            self.scenario,
            seed=market_seed,
            **self.overrides,
            climate_coefficient=self.climate_coefficient,
        )
        self._welfare = self.welfare()
        return self._observe(), {
            "market_seed": market_seed,
            "climate_coefficient": self.climate_coefficient,
        }

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Play one compliance year under the levers ``action`` sets."""
        if self.market is None or not self.market.running:
            raise RuntimeError("call reset() before step() (the episode has ended)")
        market = self.market
        market.set_levers(self.action_spec.decode(action, market.view))
        for _ in range(market.config.steps_per_year):
            market.step()
        welfare = self.welfare()
        reward = welfare - self._welfare
        self._welfare = welfare
        info = {**market.last_year_record, "years_done": market.years_settled, "welfare": welfare}
        return self._observe(), float(reward), not market.running, False, info

    # ------------------------------------------------------------------ helpers

    def welfare(self) -> float:
        """The market's welfare now (its climate coefficient is this episode's)."""
        return self.market.welfare

    def _observe(self) -> np.ndarray:
        return observe(self.market.view, self.action_spec.per_firm)


def residual_levers(
    base_schedule: str | None, correction_scale: float | None, years: int
) -> dict[str, Any]:
    """The :class:`ActionSpec` arguments of a schedule-anchored regulator (none without one).

    Raises:
        ScenarioError: the schedule file is missing or invalid (the message names it).
        ValueError: ``correction_scale`` without ``base_schedule``.
    """
    if base_schedule is None:
        if correction_scale is not None:
            raise ValueError("correction_scale: corrects a base_schedule; give one")
        return {}
    scale = DEFAULT_CORRECTION_SCALE if correction_scale is None else correction_scale
    try:
        base = load_schedule(base_schedule, years)
    except ScenarioError as err:
        raise ScenarioError(f"base_schedule: {err}") from None
    return {"base": base, "correction_scale": scale}
