"""The episode's uncertainty: demand, technology and the market, drawn once from its seed.

:func:`draw_shocks` turns a scenario's ``[shocks]`` table (:class:`market.config.ShockConfig`)
and a market's seed into one :class:`EpisodeShocks`: the output price of every year, the
recession behind it, the R&D success probability, a factor on every firm's R&D skill, and
the number of firms. It draws from a stream of its own, a child of the market's seed
sequence (:func:`shock_generator`), and always draws the same numbers in the same order
(seven uniforms, then one normal per year), so

* the same seed gives the same shocks, whatever else the market draws while it trades and
  wherever it sits in a batch;
* switching one shock on or off leaves the others' draws as they were (a recession is the
  same with or without the AR(1) noise: common random numbers for comparisons).

:func:`episode_scenario` is the scenario the episode plays: the drawn number of firms and
R&D success probability written into its frozen tables. Docs: ``docs/shocks.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from market.scenario import Scenario

#: The spawn key of the shock stream under the market's seed sequence (its first child).
SHOCK_STREAM = 0
#: The uniforms drawn first, in this order.
UNIFORMS = ("n_firms", "research_success", "research_ability", "recession", "depth", "length",
            "start")  # fmt: skip


@dataclass(frozen=True)
class EpisodeShocks:
    """What one episode drew.

    Attributes:
        output_price: the output price of every year (coins per unit), shape ``(years,)``.
        recession_start: the year (from 0) the recession starts, -1 if the episode has none.
        recession_years: its length in years (0 if none); it may run past the episode.
        recession_depth: the fall of the output price in its years (share; 0 if none).
        research_success: the probability an R&D attempt succeeds.
        research_ability_factor: every firm's R&D skill R is multiplied by it.
        n_firms: the number of firms.
    """

    output_price: np.ndarray
    recession_start: int
    recession_years: int
    recession_depth: float
    research_success: float
    research_ability_factor: float
    n_firms: int

    @property
    def in_recession(self) -> np.ndarray:
        """Whether each year of the episode is a recession year, shape ``(years,)``."""
        years = np.arange(self.output_price.size)
        start = self.recession_start
        return (start >= 0) & (years >= start) & (years < start + self.recession_years)


def shock_generator(entropy: int) -> np.random.Generator:
    """The shock stream of a market seeded with ``entropy`` (its seed sequence's entropy)."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(SHOCK_STREAM,)))


def _between(interval: tuple, u: float, otherwise: float) -> float:
    """``low + u (high - low)`` for u uniform on [0, 1); ``otherwise`` for an empty interval."""
    if not interval:
        return otherwise
    low, high = interval
    return low + u * (high - low)


def _integer_between(interval: tuple, u: float, otherwise: int) -> int:
    """An integer uniform on ``[low, high]`` from u uniform on [0, 1); ``otherwise`` if empty."""
    if not interval:
        return otherwise
    low, high = interval
    return low + min(int(u * (high - low + 1)), high - low)


def draw_shocks(scenario: Scenario, entropy: int) -> EpisodeShocks:
    """The episode's shocks for a market of ``scenario`` whose seed sequence has ``entropy``.

    Args:
        scenario: the scenario as loaded (its ``[shocks]`` table says what is drawn).
        entropy: the market's seed (``np.random.SeedSequence(seed).entropy`` is the seed).

    Returns:
        The draws; with every switch off, the scenario's own values and a constant price.
    """
    shocks, market = scenario.shocks, scenario.market
    rng = shock_generator(entropy)
    u = dict(zip(UNIFORMS, rng.random(len(UNIFORMS)), strict=True))
    noise = rng.standard_normal(market.years)
    start, length, depth = -1, 0, 0.0
    if u["recession"] < shocks.recession_probability:
        start = _integer_between(shocks.recession_start, u["start"], start)
        length = _integer_between(shocks.recession_years, u["length"], length)
        depth = _between(shocks.recession_depth, u["depth"], depth)
    drawn = EpisodeShocks(
        output_price=market.output_price
        * np.exp(log_ar1(noise, shocks.output_price_rho, shocks.output_price_sigma)),
        recession_start=start,
        recession_years=length,
        recession_depth=depth,
        research_success=_between(
            shocks.research_success_range, u["research_success"], market.research_success
        ),
        research_ability_factor=_between(
            shocks.research_ability_factor, u["research_ability"], 1.0
        ),
        n_firms=_integer_between(shocks.n_firms_range, u["n_firms"], scenario.n_firms),
    )
    drawn.output_price[drawn.in_recession] *= 1.0 - drawn.recession_depth
    return drawn


def log_ar1(noise: np.ndarray, rho: float, sigma: float) -> np.ndarray:
    """The AR(1) ``x_t = rho x_(t-1) + sigma e_t`` from standard normal ``noise`` e.

    ``x_0 = sigma e_0 / sqrt(1 - rho^2)``: the first year is drawn from the process's
    stationary distribution, so every year has the same spread. All zero when sigma is 0.
    """
    x = np.zeros(noise.size)
    if noise.size:
        x[0] = sigma * noise[0] / math.sqrt(1.0 - rho * rho)
    for t in range(1, noise.size):
        x[t] = rho * x[t - 1] + sigma * noise[t]
    return x


def episode_scenario(scenario: Scenario, shocks: EpisodeShocks) -> Scenario:
    """``scenario`` with the episode's number of firms and R&D success probability in it."""
    drawn = scenario.shocks
    if drawn.research_success_range:
        market = dataclasses.replace(scenario.market, research_success=shocks.research_success)
        scenario = dataclasses.replace(scenario, market=market)
    if drawn.n_firms_range:
        generator = dataclasses.replace(scenario.generator, n_firms=shocks.n_firms)
        scenario = dataclasses.replace(scenario, generator=generator)
    return scenario
