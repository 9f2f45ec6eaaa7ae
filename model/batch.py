"""A batch of markets that play their years together: one compiled call per year for all.

:class:`MarketBatch` puts ``len(seeds)`` markets of one scenario into the lanes of shared
arrays (:class:`market.lanes.MarketArrays`), one set of arrays per number of firms (a
scenario may draw it per episode, ``shocks.n_firms_range``). Each lane starts as
``CarbonMarket(scenario, seed=s)`` starts, written straight into the arrays
(:mod:`model.lane_start`); its :class:`CarbonMarket` (agents, view, government, data
collector) is built only when Python must decide for it or someone reads it
(:meth:`Block.market`), over the lane as it then stands. So a lane plays exactly the
trajectory ``CarbonMarket(scenario, seed=s)`` plays alone, whatever the batch size, the
lane's position in it or when its market is first read. A year is: every market's
allocation (the scheduled policies', the supply rules' and eu-benchmark's in one call each,
applied to all their lanes as arrays with the call auction of those that auction; the
others by their government in Python), every round of every lane in one kernel call per
set of arrays (:func:`model.round_kernel.play_rounds`), then every lane's settlement, its
year's record and its measures, each one call or array operation for all lanes. The data
collector records each year's end, not each round.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from market.config import ScenarioError
from market.lanes import MarketArrays
from market.scenario import Scenario
from market.shocks import draw_shocks
from model.block import Block, collector_paused
from model.lane_start import start_lanes
from model.validation import load_scenario

#: The behaviours a batch can play (compiled: ``model.behaviour_groups.COMPILED_BEHAVIOURS``).
BATCHABLE_BEHAVIOURS = ("zi-c", "zi-u", "truthful", "rule-based", "learned")


def batchable(scenario: Scenario) -> bool:
    """Whether markets of ``scenario`` can play in a batch: every firm's behaviour compiled.

    Learned firms play in a batch when they act through a trained policy (a training env
    drives its market's learned firms itself).
    """
    if holds_learned_firms(scenario) and not scenario.market.enterprise_policy:
        return False
    return all(name in BATCHABLE_BEHAVIOURS for name in _named_behaviours(scenario))


def holds_learned_firms(scenario: Scenario) -> bool:
    """Whether markets of ``scenario`` hold learned firms (named, or drawn by their share)."""
    return scenario.market.learned_share > 0 or "learned" in _named_behaviours(scenario)


def _named_behaviours(scenario: Scenario) -> list[str]:
    """The behaviours the scenario's firm table or generator names."""
    if scenario.firms is not None:
        return [firm.behaviour for firm in scenario.firms]
    return [scenario.generator.behaviour]


class MarketBatch:
    """Markets of one scenario, one per seed, playing their years together.

    Args:
        scenario: a shipped scenario name, a TOML path or a :class:`Scenario`; or one
            checked :class:`Scenario` per market (``model.load_scenario``), which may differ
            in the number of firms and anything else but the arrays' other dimensions (price
            ceiling, order limit and duration, R&D delay) and the horizon.
        seeds: one seed per market.
        climate_coefficients: one climate coefficient per market (default: the scenario's),
            for markets scored with different c.
        **overrides: scenario keys to change, as for :class:`CarbonMarket`.

    Attributes:
        markets: the markets, in the order of ``seeds``; each is built when first read.
        blocks: the markets grouped by number of firms, each in the lanes of its arrays.

    Raises:
        ScenarioError: the scenario is wrong, or a market's firms hold a behaviour that is
            not compiled (such markets play alone, round by round).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | Sequence[Scenario],
        seeds: Sequence[int],
        climate_coefficients: Sequence[float] | None = None,
        **overrides: Any,
    ) -> None:
        with collector_paused():
            self._build(scenario, seeds, climate_coefficients, overrides)

    def _build(
        self,
        scenario: str | Path | Scenario | Sequence[Scenario],
        seeds: Sequence[int],
        climate_coefficients: Sequence[float] | None,
        overrides: dict[str, Any],
    ) -> None:
        """Build the markets and their blocks (the arguments are :class:`MarketBatch`'s)."""
        if not len(seeds):
            raise ScenarioError("seeds: a batch needs at least one market")
        if isinstance(scenario, list | tuple):
            lanes = list(scenario)
        else:
            lanes = [load_scenario(scenario, **overrides)] * len(seeds)
            if climate_coefficients is not None:
                by_c = {
                    c: load_scenario(scenario, **overrides, climate_coefficient=c)
                    for c in set(climate_coefficients)
                }
                lanes = [by_c[c] for c in climate_coefficients]
        if len(lanes) != len(seeds):
            raise ScenarioError("scenario: give one scenario (and coefficient) per seed")
        self.config = lanes[0].market
        # Lanes with the same number of firms (drawn per episode, or the scenario's) share
        # arrays; each market is handed the shocks drawn here (from its seed, as it would).
        shocks = [draw_shocks(lane, int(s)) for s, lane in zip(seeds, lanes, strict=True)]
        sizes = [drawn.n_firms for drawn in shocks]
        shapes = {n: [i for i, size in enumerate(sizes) if size == n] for n in dict.fromkeys(sizes)}
        self.blocks, places = [], [None] * len(seeds)
        for n_firms, members in shapes.items():
            arrays = MarketArrays.empty(len(members), n_firms, self.config)
            starts = start_lanes(
                arrays,
                [lanes[i] for i in members],
                [int(seeds[i]) for i in members],
                [shocks[i] for i in members],
            )
            block = Block(arrays, starts)
            self.blocks.append(block)
            for b, i in enumerate(members):
                places[i] = (block, b)
        self.markets = LaneMarkets(places)
        self._steps = 0

    @property
    def running(self) -> bool:
        """Whether the markets have years left (they end together)."""
        return self.blocks[0].running

    def play_year(self) -> None:
        """Play one compliance year of every market."""
        with collector_paused():
            self._play_year()

    def _play_year(self) -> None:
        """:meth:`play_year`, the collector already paused."""
        cfg, first = self.config, self._steps
        year, round_in_year = divmod(first, cfg.steps_per_year)
        for block in self.blocks:
            block.set_clock(first + 1, year, round_in_year, cfg.steps_per_year == 1)
        for block in self.blocks:
            block.start_year(year)
        for block in self.blocks:
            block.play_rounds(first)
        self._steps = first + cfg.steps_per_year

    def run(self) -> MarketBatch:
        """Play every year of every market."""
        with collector_paused():
            while self.running:
                self._play_year()
        return self


class LaneMarkets(Sequence):
    """A batch's markets in the order of its seeds, each built when first read.

    Args:
        places: each market's block and lane.
    """

    def __init__(self, places: list[tuple[Block, int]]) -> None:
        self._places = places

    def __len__(self) -> int:
        return len(self._places)

    def place(self, i: int) -> tuple[Block, int]:
        """Market ``i``'s block and lane (its market is not built)."""
        return self._places[i]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        block, b = self._places[i]
        return block.market(b)
