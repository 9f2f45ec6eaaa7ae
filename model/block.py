"""The markets of one number of firms in the lanes of one set of arrays, played in one call.

A :class:`model.batch.MarketBatch` groups its markets by number of firms into blocks. A
:class:`Block` holds its lanes' rules, tables of years and records as rows of its own
arrays, makes every lane's yearly allocation (the government's rules as kernels over lanes,
the rest through the lane's market), plays every lane's rounds of the year in one kernel
call (one round at a time when learned firms observe between rounds), and settles, closes
and records every lane's year. A lane's :class:`CarbonMarket` is built only when Python
must decide for it or someone reads it (:meth:`Block.market`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from market.accounts import COINS
from market.auction import AuctionResult
from market.book_kernels import FLOOR, N_TRADES
from market.lanes import MarketArrays
from model.behaviour_groups import lane_groups, learned_groups
from model.benchmark_lanes import BenchmarkLanes
from model.carbon_market import CarbonMarket
from model.lane_allocations import LaneYear, apply_allocations
from model.lane_records import LaneRecords
from model.lane_start import LaneStart
from model.learned_lanes import LearnedLanes
from model.round_kernel import OUTPUT_PRICE, params_of, play_rounds
from model.scheduled_lanes import ScheduledLanes
from model.supply_lanes import SupplyLanes
from model.year_kernels import close_years, empty_years, settle_lanes

#: Rounds a batch's trade arrays are grown for at a time (``Block._rounds_with_room``).
ROUNDS_PER_CALL = 10


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


class Block:
    """Markets of one number of firms in the lanes of one set of arrays, played in one call.

    Every lane's rules, table of years and round records are rows of the block's own arrays.
    A lane's :class:`CarbonMarket` is built only when it is needed (:meth:`market`): when
    Python decides for it (its policy is not one the kernels decide, it measures a
    textbook efficiency) or someone reads it; it is built as it would be alone and then given
    the lane as it stands, so it reads and plays on exactly as that market would.

    Args:
        arrays: the lanes' arrays, each lane as its market starts (``model.lane_start``).
        starts: what each lane's market is built from.

    Attributes:
        running: whether the lanes have years left.
        initial_coins: each lane's firms' coins at the start, ``(lanes, n_firms)``.
    """

    def __init__(self, arrays: MarketArrays, starts: list[LaneStart]) -> None:
        self.arrays, self.starts = arrays, starts
        self.config = cfg = starts[0].config
        n_firms = arrays.accounts.shape[2]
        self._markets: list[CarbonMarket | None] = [None] * len(starts)
        self._built: list[CarbonMarket] = []
        self._lane_groups = lane_groups([start.groups for start in starts], n_firms)
        rules = {id(start.config): start.config for start in starts}  # configs lanes share
        rules = {key: params_of(config) for key, config in rules.items()}
        self._params = np.stack([rules[id(start.config)] for start in starts])
        self._output_prices = np.stack([start.shocks.output_price for start in starts])
        self._params[:, OUTPUT_PRICE] = self._output_prices[:, 0]
        self._year_table = empty_years(len(starts), cfg.years)
        self.initial_coins = arrays.accounts[:, COINS].copy()  # each market's, as it is built
        # What each lane's government has released, shared with its market once built.
        self._allocations: list[list[np.ndarray]] = [[] for _ in starts]
        self._auctions: list[list[AuctionResult]] = [[] for _ in starts]
        self._revenue = np.zeros((2, len(starts)))  # the auctions' revenue, what was recycled
        self._no_auction = AuctionResult(None, np.zeros(n_firms, dtype=np.int64))
        self._records = LaneRecords(arrays, [start.config for start in starts], cfg.years)
        self._scheduled = ScheduledLanes.of(starts, n_firms)
        self._supply = SupplyLanes.of(starts)
        self._benchmark = BenchmarkLanes.of(starts, n_firms)
        in_arrays = {
            b
            for lanes in (self._scheduled, self._supply, self._benchmark)
            for b in lanes.lanes.tolist()
        }
        self._decide_in_python = sorted(set(range(len(starts))) - in_arrays)
        configs = [start.config for start in starts]
        self._settle_rules = (
            np.array([c.penalty for c in configs], dtype=float),
            np.array([c.production for c in configs], dtype=np.bool_),
            np.array([c.banking for c in configs], dtype=np.bool_),
            np.array([c.make_good for c in configs], dtype=np.bool_),
        )
        self._clock = (0, 0, 0, False)  # Mesa's steps, the year, its round, whether it ended
        self.running = True
        # Learned firms choose each round's actions after the round before (the first here).
        self._learned = LearnedLanes(starts, self._lane_groups[-1])
        if self._learned:
            self._learned.act(arrays, self._params, 0, True)
        # Textbook markets measure their allocative efficiency around the year's trading.
        self._textbook = [self.market(b) for b, c in enumerate(configs) if not c.production]

    def market(self, b: int) -> CarbonMarket:
        """Lane ``b``'s market, built over the lane as it stands if it has not been yet."""
        market = self._markets[b]
        if market is None:
            with collector_paused():
                market = self._markets[b] = self._build_market(b)
        return market

    def built(self, b: int) -> CarbonMarket | None:
        """Lane ``b``'s market if it has been built (None: the lane is in the arrays only)."""
        return self._markets[b]

    @property
    def records(self) -> LaneRecords:
        """The lanes' records (their opening and every year's end; ``model.lane_records``)."""
        return self._records

    @property
    def year_table(self) -> np.ndarray:
        """The lanes' tables of years, ``(lanes, years, len(YEAR_COLUMNS))``."""
        return self._year_table

    def _build_market(self, b: int) -> CarbonMarket:
        """Build lane ``b``'s market as it would be alone, then give it the lane's state."""
        start, arrays = self.starts[b], self.arrays
        state = arrays.lane_state(b)
        market = CarbonMarket(start.loaded, seed=start.seed, lane=(arrays, b), shocks=start.shocks)
        arrays.set_lane_state(b, state)  # building wrote the lane's opening state again
        market._params = self._params[b]
        market._kernel_arrays = market._lane_arrays()
        market.year_table = self._year_table[b]
        market.run.allocations, market.run.auctions = self._allocations[b], self._auctions[b]
        self._sync_run(b, market)
        if b in self._supply.row:
            self._supply.attach(b, market.government.policy)
        market.steps, market.year, market.round_in_year, market.year_ended = self._clock
        market.running = self.running
        for behaviour, _ in learned_groups(market.behaviour_groups()):
            behaviour.counts = self._learned.counts[b]  # the lane's decisions, counted here
        self._records.attach(b, market)
        self._built.append(market)
        return market

    def set_clock(self, steps: int, year: int, round_in_year: int, year_ended: bool) -> None:
        """Every lane's Mesa step count, year, round of the year and whether it ended."""
        self._clock = (steps, year, round_in_year, year_ended)
        for market in self._built:
            market.steps, market.year, market.round_in_year, market.year_ended = self._clock

    def _sync_run(self, b: int, market: CarbonMarket) -> None:
        """Lane ``b``'s government's run state that lives outside the arrays, into its market."""
        market.run.price_floor = int(self.arrays.book.meta[b, FLOOR])
        market.run.auction_revenue, market.run.recycled = self._revenue[:, b].tolist()

    def start_year(self, year: int) -> None:
        """Every lane's allocation of ``year``, as arrays for the policies the kernels decide.

        Their lanes' allocations are decided in one call each and applied to all of them at
        once, the call auction of those that auction included (``model.lane_allocations``);
        the other lanes' governments decide in Python, through their markets.
        """
        self._params[:, OUTPUT_PRICE] = self._output_prices[:, year]
        first = year * self.config.steps_per_year
        if self._scheduled.lanes.size:
            self._apply(self._scheduled.allocate(year, self.arrays), first)
        if self._supply.lanes.size:
            self._apply(self._supply.allocate(year, self.arrays, self._year_table), first)
        if self._benchmark.lanes.size:
            self._apply(self._benchmark.allocate(year, self.arrays), first)
        for b in self._decide_in_python:
            self.market(b).start_year()

    def _apply(self, decided: LaneYear, first: int) -> None:
        """Apply lanes' decided allocations; tell their built markets what changed."""
        applied = apply_allocations(
            self.arrays, decided, first, self._params, self.config.price_ceiling
        )
        lanes = decided.lanes
        self._revenue[:, lanes] += np.stack([applied.revenue, applied.recycled])
        price, won = applied.price, applied.won
        sold = np.flatnonzero(decided.auctioned > 0).tolist()
        for k, b in enumerate(lanes.tolist()):
            self._allocations[b].append(applied.received[k])
            self._auctions[b].append(self._no_auction)
        for k in sold:
            result = AuctionResult(None if price[k] < 0 else int(price[k]), won[k])
            self._auctions[int(lanes[k])][-1] = result
        for market in self._built:
            if market.lane in decided.lanes:
                self._sync_run(market.lane, market)
                if not market.config.production:
                    market.efficiency.start_year()

    def play_rounds(self, first: int) -> None:
        """Every lane's rounds of the year starting at round ``first``, then its settlement."""
        cfg, arrays = self.config, self.arrays
        book, played = arrays.book, 0
        while played < cfg.steps_per_year:
            # learned firms observe after every round, so their lanes play one at a time
            left = 1 if self._learned else cfg.steps_per_year - played
            rounds = self._rounds_with_room(left)
            if played and self._learned:
                self._learned.act(arrays, self._params, first + played, True)
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
        self.set_clock(steps, year, cfg.steps_per_year - 1, True)
        for market in self._textbook:
            market.efficiency.update()
        floats = arrays.firms.floats
        settled = settle_lanes(*book.core, arrays.accounts, floats, *self._settle_rules)
        close_years(year, arrays.tallies, self._year_table, settled)
        self.running = year != cfg.years - 1
        for market in self._built:
            market.closed_year()
        self._records.record(steps, year, self.market)
        if self._learned:
            self._learned.act(arrays, self._params, steps, self.running)

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
        per_round = (cfg.max_orders + 2) * self.arrays.accounts.shape[2]
        free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        wanted = min(left, ROUNDS_PER_CALL)
        if free // per_round < (wanted + 1) // 2:
            book.make_room(wanted * per_round)
            free = book.trades.shape[1] - int(book.meta[:, N_TRADES].max())
        return min(left, free // per_round)
