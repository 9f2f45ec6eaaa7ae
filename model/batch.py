"""A batch of markets that play their years together: one compiled call per year for all.

:class:`MarketBatch` builds ``len(seeds)`` markets of one scenario into the lanes of shared
arrays (:class:`market.lanes.MarketArrays`), one set of arrays per number of firms (a
scenario may draw it per episode, ``shocks.n_firms_range``). Each is a full
:class:`CarbonMarket` (its agents, view, government and records), seeded from its own seed,
so a lane plays exactly the trajectory ``CarbonMarket(scenario, seed=s)`` plays alone,
whatever the batch size or the lane's position in it. A year is: every market's allocation
(its government's policy, in Python), every round of every lane in one kernel call per set
of arrays (:func:`model.round_kernel.play_rounds`), then every market's settlement and
measures. The data collector records each year's end, not each round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agents import allocation_kernels
from agents.decisions import Allocation
from agents.policies import ScheduledRule
from market.book_kernels import N_TRADES
from market.config import ScenarioError
from market.enterprises import FLOAT_ROW, ComplianceResult
from market.lanes import MarketArrays
from market.scenario import Scenario
from market.shocks import draw_shocks
from model.carbon_market import CarbonMarket
from model.round_kernel import (
    LAST_EMISSIONS,
    LAST_PRICE,
    LAST_VOLUME,
    OFFSETS,
    REFUSED,
    RESEARCH_SPENT,
    REVENUE,
    TOTALS,
    VALUE,
    VOLUME,
    play_rounds,
)
from model.validation import load_scenario
from model.year_kernels import settle_lanes

#: Rounds a batch's trade arrays are grown for at a time (``Block._rounds_with_room``).
ROUNDS_PER_CALL = 10

#: The behaviours a batch can play (compiled: ``model.carbon_market.COMPILED_BEHAVIOURS``).
BATCHABLE_BEHAVIOURS = ("zi-c", "zi-u", "truthful", "rule-based")


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
        # Lanes with the same number of firms (drawn per episode, or the scenario's) share arrays.
        sizes = [draw_shocks(lane, int(s)).n_firms for s, lane in zip(seeds, lanes, strict=True)]
        shapes = {n: [i for i, size in enumerate(sizes) if size == n] for n in dict.fromkeys(sizes)}
        markets: dict[int, CarbonMarket] = {}
        for n_firms, members in shapes.items():
            arrays = MarketArrays.empty(len(members), n_firms, self.config)
            for b, i in enumerate(members):
                markets[i] = CarbonMarket(lanes[i], seed=int(seeds[i]), lane=(arrays, b))
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
        while self.running:
            self.play_year()
        return self


class Block:
    """Markets of one number of firms in the lanes of one set of arrays, played in one call.

    Args:
        markets: markets built into lanes ``0 .. len(markets) - 1`` of the same arrays.
    """

    def __init__(self, markets: list[CarbonMarket]) -> None:
        self.markets = markets
        self.config = markets[0].config
        self.arrays = markets[0].arrays
        self._lane_groups = self._groups()
        # Each market's rules are a row of the block's: a market changes its own (the
        # year's output price) and the kernel reads the change.
        self._params = np.stack([market._params for market in markets])
        for b, market in enumerate(markets):
            market._params = self._params[b]
        self._scheduled = ScheduledLanes.of(markets)
        self._settle_rules = (
            np.array([m.config.penalty for m in markets], dtype=float),
            np.array([m.config.production for m in markets], dtype=np.bool_),
            np.array([m.config.banking for m in markets], dtype=np.bool_),
            np.array([m.config.make_good for m in markets], dtype=np.bool_),
        )

    def start_year(self, year: int) -> None:
        """Every lane's allocation of ``year``: the scheduled policies' in one call."""
        decided = self._scheduled.allocate(year, self.markets, self.arrays)
        for b, market in enumerate(self.markets):
            market.start_year(decided.get(b))

    def play_rounds(self, first: int) -> None:
        """Every lane's rounds of the year starting at round ``first``, then its settlement."""
        cfg, markets = self.config, self.markets
        totals = np.zeros((len(markets), len(TOTALS)))
        for b, market in enumerate(markets):  # the counters go on from where they stand
            totals[b, REVENUE] = market.revenue
            totals[b, RESEARCH_SPENT] = market.research_spent
            totals[b, OFFSETS] = market.allowances_issued
            totals[b, VALUE] = market._year_value
        expected = np.array(
            [math.nan if m.expected_price is None else m.expected_price for m in markets]
        )
        green = np.array([m.run.green_projects_available for m in markets], dtype=np.int64)
        counted = np.array([m._trades_seen for m in markets], dtype=np.int64)
        book, played = self.arrays.book, 0
        while played < cfg.steps_per_year:
            rounds = self._rounds_with_room(cfg.steps_per_year - played)
            play_rounds(
                first + played,
                rounds,
                cfg.steps_per_year,
                cfg.years,
                expected,
                green,
                counted,
                self._lane_groups,
                self.arrays.firms.as_tuple(),
                self.arrays.accounts,
                book.as_tuple(),
                self.arrays.rng,
                self._params,
                totals,
                self.arrays.scratch,
            )
            played += rounds
        for b, market in enumerate(markets):
            self._count(market, totals[b], expected[b], int(green[b]), first)
        settled = settle_lanes(
            *book.core, self.arrays.accounts, self.arrays.firms.floats, *self._settle_rules
        )
        for b, market in enumerate(markets):
            market.end_year(ComplianceResult(*settled[b].tolist()))
            market.measure()

    def _rounds_with_room(self, left: int) -> int:
        """How many of the ``left`` rounds to play in one call, the trade arrays grown for them.

        A round records at most ``(max_orders + 2) x n_firms`` trades per lane, but the books
        trade a few a year: room for a whole year in every lane would be tens of megabytes
        zeroed and copied for nothing. The arrays grow for :data:`ROUNDS_PER_CALL` rounds at
        a time, and a call plays as many rounds as the room left holds.
        """
        book, cfg = self.arrays.book, self.config
        per_round = (cfg.max_orders + 2) * self.markets[0].enterprises.n
        free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        wanted = min(left, ROUNDS_PER_CALL)
        if free // per_round < wanted:
            book.make_room(wanted * per_round)
            free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        return min(left, free // per_round)

    def _groups(self) -> tuple[np.ndarray, ...]:
        """Every market's behaviour groups, padded to one shape, with the lane first."""
        compiled = [m._compiled_groups for m in self.markets]
        widest = max(groups[0].size for groups in compiled)
        n = self.markets[0].enterprises.n
        codes = np.zeros((len(compiled), widest), dtype=np.int64)
        members = np.zeros((len(compiled), widest, n), dtype=np.int64)
        sizes = np.zeros((len(compiled), widest), dtype=np.int64)
        quantities = np.ones((len(compiled), widest), dtype=np.int64)
        for b, (code, member, size, quantity) in enumerate(compiled):
            g = code.size
            codes[b, :g], members[b, :g], sizes[b, :g], quantities[b, :g] = (
                code,
                member,
                size,
                quantity,
            )
        return codes, members, sizes, quantities

    def _count(
        self, market: CarbonMarket, totals: np.ndarray, expected: float, green: int, first: int
    ) -> None:
        """A market's year after its rounds, before its settlement: the counters, the ledger."""
        cfg = self.config
        market.steps = first + cfg.steps_per_year
        market.year, market.round_in_year = divmod(market.steps - 1, cfg.steps_per_year)
        market.year_ended = True
        market.revenue = totals[REVENUE]
        market.research_spent = totals[RESEARCH_SPENT]
        market.allowances_issued = totals[OFFSETS]
        market.rejected_orders += int(totals[REFUSED])
        market.run.green_projects_available = green
        market._year_value = totals[VALUE]
        market._year_volume += int(totals[VOLUME])
        market.round_emissions = totals[LAST_EMISSIONS]
        market.round_price = totals[LAST_PRICE]
        market.round_volume = int(totals[LAST_VOLUME])
        market.expected_price = None if math.isnan(expected) else float(expected)
        market._record_ledger()


class ScheduledLanes:
    """The lanes of a block whose policy is a table of yearly shares times a split.

    Their allocations are made in one call a year
    (:func:`agents.allocation_kernels.scheduled_allocations`, the kernel each such policy
    calls for one market), the auctioned-share lever applied as the government applies it.

    Args:
        lanes: the lanes' indices in the block.
        rules: each lane's :class:`agents.policies.ScheduledRule`.
        markets: the block's markets.
    """

    def __init__(self, lanes: list[int], rules: list[ScheduledRule], markets: list) -> None:
        self.lanes = np.array(lanes, dtype=np.int64)
        n = markets[0].enterprises.n
        years = markets[0].config.years
        self.shares = np.array([rule.shares for rule in rules]).reshape(len(lanes), years)
        self.splits = np.array([rule.split for rule in rules], dtype=np.int64)
        self.keys = np.array([rule.key for rule in rules], dtype=np.int64)
        self.by_rank = np.array(
            [np.ones(n) if rule.by_rank is None else rule.by_rank for rule in rules]
        ).reshape(len(lanes), n)
        chosen = [markets[b] for b in lanes]
        self.max_release = np.array([m.config.max_release_share for m in chosen], dtype=float)
        self.green_share = np.array([m.config.green_share for m in chosen], dtype=float)
        self.auction_share = np.array(
            [m.government.policy.config.auction_share for m in chosen], dtype=float
        )
        self.columns = [FLOAT_ROW[name] for name in allocation_kernels.RANKED_COLUMNS]

    @classmethod
    def of(cls, markets: list[CarbonMarket]) -> ScheduledLanes:
        """The lanes of ``markets`` whose policy is scheduled (the rest decide in Python)."""
        lanes, rules = [], []
        for b, market in enumerate(markets):
            rule = market.government.policy.scheduled(market.enterprises.n, market.config.years)
            if rule is not None:
                lanes.append(b)
                rules.append(rule)
        return cls(lanes, rules, markets)

    def allocate(
        self, year: int, markets: list[CarbonMarket], arrays: MarketArrays
    ) -> dict[int, Allocation]:
        """This year's allocation of every scheduled lane, by lane."""
        if not self.lanes.size:
            return {}
        runs = [markets[b].run for b in self.lanes]
        free, auctioned, green = allocation_kernels.scheduled_allocations(
            year,
            self.shares,
            self.splits,
            self.keys,
            self.by_rank,
            np.array([float(run.budget) for run in runs]),
            np.array([float(run.remaining_budget) for run in runs]),
            self.max_release,
            self.green_share,
            arrays.firms.floats[self.lanes][:, self.columns],
        )
        allocation_kernels.move_to_auction(free, auctioned, self.auction_share)
        return {
            int(b): Allocation(free[k], int(auctioned[k]), int(green[k]))
            for k, b in enumerate(self.lanes)
        }
