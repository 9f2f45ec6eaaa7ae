"""A batch of markets that play their years together: one compiled call per year for all.

:class:`MarketBatch` builds ``len(seeds)`` markets of one scenario into the lanes of shared
arrays (:class:`market.lanes.MarketArrays`), one set of arrays per number of firms (a
scenario may draw it per episode, ``shocks.n_firms_range``). Each is a full
:class:`CarbonMarket` (its agents, view, government and records), seeded from its own seed,
so a lane plays exactly the trajectory ``CarbonMarket(scenario, seed=s)`` plays alone,
whatever the batch size or the lane's position in it. A year is: every market's allocation
(the scheduled policies' in one call and applied to all their lanes as arrays, the others
by their government in Python), every round of every lane in one kernel call per set of
arrays (:func:`model.round_kernel.play_rounds`), then every lane's settlement, its year's
record and its measures, each one call or array operation for all lanes. The data
collector records each year's end, not each round.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from market.book_kernels import N_TRADES
from market.config import ScenarioError
from market.lanes import MarketArrays
from market.scenario import Scenario
from market.shocks import draw_shocks
from model.behaviour_groups import lane_groups
from model.carbon_market import CarbonMarket
from model.records import record_lanes
from model.round_kernel import OUTPUT_PRICE, play_rounds
from model.scheduled_lanes import ScheduledLanes
from model.validation import load_scenario
from model.year_kernels import close_years, empty_years, settle_lanes

#: Rounds a batch's trade arrays are grown for at a time (``Block._rounds_with_room``).
ROUNDS_PER_CALL = 10

#: The behaviours a batch can play (compiled: ``model.behaviour_groups.COMPILED_BEHAVIOURS``).
BATCHABLE_BEHAVIOURS = ("zi-c", "zi-u", "truthful", "rule-based")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a while, as it was again after.

    Building and playing a batch allocates many small objects (each market's Mesa agents,
    collector and view; each year's records) and frees nearly all of them by reference
    counting, but the allocations alone set off the collector, whose full passes walk every
    object in the process, the imported libraries' too: with it running, building 256
    ``paper`` markets took 0.5-1.4 ms a market of CPU instead of 0.26. Cycles made in the
    meantime are collected after, at the collector's next pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def batchable(scenario: Scenario) -> bool:
    """Whether markets of ``scenario`` can play in a batch: every firm's behaviour compiled."""
    named = (
        [firm.behaviour for firm in scenario.firms]
        if scenario.firms is not None
        else [scenario.generator.behaviour]
    )
    return scenario.market.learned_share == 0 and all(
        name in BATCHABLE_BEHAVIOURS for name in named
    )


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
        markets: the markets, in the order of ``seeds``.
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
        markets: dict[int, CarbonMarket] = {}
        for n_firms, members in shapes.items():
            arrays = MarketArrays.empty(len(members), n_firms, self.config)
            for b, i in enumerate(members):
                markets[i] = CarbonMarket(
                    lanes[i], seed=int(seeds[i]), lane=(arrays, b), shocks=shocks[i]
                )
        self.markets = [markets[i] for i in range(len(seeds))]
        if any(market._compiled_groups is None for market in self.markets):
            raise ScenarioError(
                "behaviour: a batch plays compiled behaviours only (zi-c, zi-u, truthful, "
                "rule-based); play other markets one by one"
            )
        self.blocks = [Block([markets[i] for i in members]) for members in shapes.values()]

    @property
    def running(self) -> bool:
        """Whether the markets have years left (they end together)."""
        return self.markets[0].running

    def play_year(self) -> None:
        """Play one compliance year of every market."""
        with collector_paused():
            self._play_year()

    def _play_year(self) -> None:
        """:meth:`play_year`, the collector already paused."""
        cfg = self.config
        first = self.markets[0].steps
        for market in self.markets:
            market.steps = first + 1
            market.year, market.round_in_year = divmod(first, cfg.steps_per_year)
            market.year_ended = cfg.steps_per_year == 1
        for block in self.blocks:
            block.start_year(first // cfg.steps_per_year)
        for block in self.blocks:
            block.play_rounds(first)

    def run(self) -> MarketBatch:
        """Play every year of every market."""
        with collector_paused():
            while self.running:
                self._play_year()
        return self


class Block:
    """Markets of one number of firms in the lanes of one set of arrays, played in one call.

    The markets' rules, tables of years and round records become rows of the block's own
    arrays (each market keeps a view of its row), so the block writes every lane's at once.

    Args:
        markets: markets built into lanes ``0 .. len(markets) - 1`` of the same arrays, none
            of which has played a round.
    """

    def __init__(self, markets: list[CarbonMarket]) -> None:
        self.markets = markets
        self.config = cfg = markets[0].config
        self.arrays = markets[0].arrays
        self._lane_groups = lane_groups(
            [m._compiled_groups for m in markets], markets[0].enterprises.n
        )
        # Each market's rules are a row of the block's: a market changes its own (the
        # year's output price) and the kernel reads the change.
        self._params = np.stack([market._params for market in markets])
        self._output_prices = np.stack([market.shocks.output_price for market in markets])
        self._year_table = empty_years(len(markets), cfg.years)
        for b, market in enumerate(markets):
            market._params = self._params[b]
            market._kernel_arrays = market._lane_arrays()
            market.year_table = self._year_table[b]
        self._records = LaneRecords(markets, cfg.years)
        self._scheduled = ScheduledLanes.of(markets)
        self._settle_rules = (
            np.array([m.config.penalty for m in markets], dtype=float),
            np.array([m.config.production for m in markets], dtype=np.bool_),
            np.array([m.config.banking for m in markets], dtype=np.bool_),
            np.array([m.config.make_good for m in markets], dtype=np.bool_),
        )
        # Textbook markets measure their allocative efficiency around the year's trading.
        self._textbook = [m for m in markets if not m.config.production]

    def start_year(self, year: int) -> None:
        """Every lane's allocation of ``year``: the scheduled policies' in one call."""
        self._params[:, OUTPUT_PRICE] = self._output_prices[:, year]
        decided = self._scheduled.allocate(year, self.markets, self.arrays)
        for b, market in enumerate(self.markets):
            if b not in decided:
                market.start_year()
            elif decided[b] is not None:  # one that auctions applies its own
                market.start_year(decided[b])

    def play_rounds(self, first: int) -> None:
        """Every lane's rounds of the year starting at round ``first``, then its settlement."""
        cfg, markets, arrays = self.config, self.markets, self.arrays
        book, played = arrays.book, 0
        while played < cfg.steps_per_year:
            rounds = self._rounds_with_room(cfg.steps_per_year - played)
            play_rounds(
                first + played,
                rounds,
                self._lane_groups,
                arrays.firms.as_tuple(),
                arrays.accounts,
                book.as_tuple(),
                arrays.rng,
                self._params,
                arrays.tallies,
                arrays.scratch,
            )
            played += rounds
        steps = first + cfg.steps_per_year
        year = first // cfg.steps_per_year
        for market in markets:
            market.steps, market.year = steps, year
            market.round_in_year, market.year_ended = cfg.steps_per_year - 1, True
        for market in self._textbook:
            market.efficiency.update()
        floats = arrays.firms.floats
        settled = settle_lanes(*book.core, arrays.accounts, floats, *self._settle_rules)
        close_years(year, arrays.tallies, self._year_table, settled)
        for market in markets:
            market.closed_year()
        self._records.record(steps, year)

    def _rounds_with_room(self, left: int) -> int:
        """How many of the ``left`` rounds to play in one call, the trade arrays grown for them.

        A round records at most ``(max_orders + 2) x n_firms`` trades per lane, but the books
        trade a few a year: room for a whole year in every lane would be tens of megabytes
        zeroed and copied for nothing. A call plays up to :data:`ROUNDS_PER_CALL` rounds, as
        many as the room left holds; the arrays grow (for that many rounds) only when it
        holds fewer than half of them, so the few trades of the first years do not double
        them at once.
        """
        book, cfg = self.arrays.book, self.config
        per_round = (cfg.max_orders + 2) * self.markets[0].enterprises.n
        free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        wanted = min(left, ROUNDS_PER_CALL)
        if free // per_round < (wanted + 1) // 2:
            book.make_room(wanted * per_round)
            free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        return min(left, free // per_round)


class LaneRecords:
    """The round records of a block's markets as rows of shared arrays, written in one call.

    Each market's :class:`model.records.RoundRecords` keeps views of its lane of
    :attr:`measures` and :attr:`firms`, made with room for every year of the episode, so
    :func:`model.records.record_lanes` writes every lane's year end at once and the
    markets' data collectors read them as their own.

    Args:
        markets: the block's markets.
        years: the years the block will record.
    """

    def __init__(self, markets: list[CarbonMarket], years: int) -> None:
        self.markets = markets
        self._collectors = [m.datacollector for m in markets]
        self._kept = kept = [c.records for c in self._collectors]
        rows = max(r.rows for r in kept) + years
        firm_rows = max(r.firm_rows for r in kept) + years
        n = markets[0].enterprises.n
        self.measures = np.empty((len(markets), rows, kept[0].measures.shape[1]))
        self.firms = np.empty((len(markets), firm_rows, kept[0].firms.shape[1], n))
        for b, records in enumerate(kept):
            self.measures[b, : records.rows] = records.measures[: records.rows]
            self.firms[b, : records.firm_rows] = records.firms[: records.firm_rows]
            records.measures, records.firms = self.measures[b], self.firms[b]
        self._climate = np.array([m.config.climate_coefficient for m in markets])
        # Only textbook markets measure an allocative efficiency; the others' is nan.
        self._efficiency = np.full(len(markets), np.nan)
        self._textbook = [(b, m) for b, m in enumerate(markets) if not m.config.production]

    def record(self, steps: int, year: int) -> None:
        """Record every lane's year end: its measures and its firms' numbers."""
        markets, kept = self.markets, self._kept
        rows = [r.rows for r in kept]
        firm_rows = [r.firm_rows for r in kept]
        if (
            max(rows) >= self.measures.shape[1]
            or max(firm_rows) >= self.firms.shape[1]
            or any(r.measures.base is not self.measures or r.firms.base is not self.firms
                   for r in kept)
        ):  # fmt: skip
            for market in markets:  # a lane's records outgrew its row: each records its own
                market.measure()
            return
        for b, market in self._textbook:
            self._efficiency[b] = market.allocative_efficiency
        arrays = markets[0].arrays
        record_lanes(
            np.array(rows, dtype=np.int64),
            np.array(firm_rows, dtype=np.int64),
            steps,
            year,
            arrays.tallies,
            self._efficiency,
            self._climate,
            *arrays.measured(),
            self.measures,
            self.firms,
        )
        for market, collector, row in zip(markets, self._collectors, firm_rows, strict=True):
            collector.recorded(market, row)
