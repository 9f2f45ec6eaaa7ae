"""The compliance year's bookkeeping: the allocation that opens it, the settlement that ends it.

A year opens with the government's allocation (free allowances, the call auction, green
projects, a new price floor) and ends with every firm's settlement; what was released and
settled is tallied in the market's row of tallies (:mod:`market.tallies`) and written into
its table of years (``model.year_kernels.YEAR_COLUMNS``), from which ``year_records`` and
``compliance_by_year`` are read. The functions here (:func:`check_allocations`,
:func:`release_allowances`) and the year's kernels (``model.year_kernels.close_years``) work
on any number of markets' rows at once: a market applies them to its own row, a batch
(``model.batch``) to all its lanes in one go, so both keep the same books.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.decisions import Allocation
from agents.valuation import auction_bids
from market.auction import AuctionResult, uniform_price_auction
from market.enterprises import ComplianceResult
from market.tallies import GREEN_AVAILABLE, ISSUED, RELEASE, REMAINING, YEARS_SETTLED
from model.year_kernels import (
    COMPLIANCE_FIELDS,
    SETTLED,
    YEAR_COLUMNS,
    close_years,
    empty_years,
)

#: The entries of one of ``year_records``, each a column of the table of years.
RECORD_COLUMNS = {
    name: YEAR_COLUMNS.index(name)
    for name in ("release", "price", "volume", "emissions", "shortfall", "penalties")
}


def check_allocations(
    names: Sequence[str],
    free: np.ndarray,
    auctioned: np.ndarray,
    green: np.ndarray,
    remaining: np.ndarray,
) -> np.ndarray:
    """Check markets' allocations against their budgets; their free allowances in total.

    Args:
        names: each market's policy name, for the message.
        free: free allowances per firm, shape ``(markets, n_firms)``.
        auctioned: allowances to auction, shape ``(markets,)``.
        green: green projects to offer, shape ``(markets,)``.
        remaining: allowances left in each budget, shape ``(markets,)``.

    Returns:
        Each market's free allowances, shape ``(markets,)``.

    Raises:
        RuntimeError: a policy allocated a negative amount or more than remains.
    """
    negative = (free < 0).any(axis=1) | (auctioned < 0) | (green < 0)
    if negative.any():
        raise RuntimeError(f"policy {names[int(np.argmax(negative))]}: allocated a negative amount")
    given = free.sum(axis=1)
    release = given + auctioned + green
    over = release > remaining + 1e-9
    if over.any():
        k = int(np.argmax(over))
        raise RuntimeError(
            f"policy {names[k]}: released {release[k]:g} allowances but "
            f"only {remaining[k]:g} remain in the budget"
        )
    return given


def release_allowances(
    tallies: np.ndarray,
    lanes: np.ndarray | int,
    given: np.ndarray | float,
    sold: np.ndarray | int,
    green: np.ndarray | int,
) -> None:
    """Tally the year's release in the rows ``lanes`` of ``tallies`` (distinct rows).

    Args:
        tallies: the markets' tallies (:mod:`market.tallies`), shape ``(lanes, TALLIES)``.
        lanes: the rows to change.
        given: free allowances given, per row.
        sold: allowances sold at auction, per row.
        green: green projects put on offer, per row.
    """
    release = given + sold + green
    tallies[lanes, GREEN_AVAILABLE] += green
    tallies[lanes, RELEASE] = release
    tallies[lanes, REMAINING] -= release
    tallies[lanes, ISSUED] += given + sold


class ComplianceYear:
    """The year's allocation and settlement of :class:`model.carbon_market.CarbonMarket`.

    A mixin over the market's state: its ``tally`` (its row of ``arrays.tallies``), its
    ``years`` (its table of years), ``run``, ``accounts``, ``book``, ``enterprises``,
    ``government``, ``efficiency``, ``view`` and ``shocks``.
    """

    def start_year(self, allocation: Allocation | None = None) -> None:
        """Open the year: its output price, the allocation, the textbook market's holdings.

        Args:
            allocation: the government's decision when a batch has made it for all its
                lanes at once (``model.block.Block.start_year``); by default it decides now.
        """
        self.output_price = self.shocks.output_price[self.year]
        self.allocate(self.government.decide(self.view) if allocation is None else allocation)
        if not self.config.production:
            self.efficiency.start_year()

    def allocate(self, allocation: Allocation) -> Allocation:
        """Apply the year's allocation: the floor, free allowances, the auction, green projects.

        Returns:
            What was allocated: the free allowances, those sold at auction (``auctioned``)
            and the green projects.

        Raises:
            RuntimeError: the policy allocated a negative amount or more than remains.
            ValueError: the allocation's price floor is outside the price band.
        """
        free, green = allocation.free, allocation.green_projects
        (given,) = check_allocations(
            [self.government.policy.name],
            free[None],
            np.array([allocation.auctioned]),
            np.array([green]),
            np.array([self.run.remaining_budget]),
        )
        if allocation.price_floor is not None:
            self._set_price_floor(allocation.price_floor)
        self.accounts.allowances += free
        result = self._auction(allocation.auctioned)
        release_allowances(self.arrays.tallies, self.lane, given, result.sold, green)
        self.run.allocations.append(free + result.won)
        self.run.auctions.append(result)
        return Allocation(free, result.sold, green, allocation.price_floor)

    def _auction(self, supply: int) -> AuctionResult:
        """Sell ``supply`` allowances to the firms' unit bids; recycle or keep the revenue."""
        n = self.enterprises.n
        if supply <= 0:
            return AuctionResult(None, np.zeros(n, dtype=np.int64))
        bidders, prices = auction_bids(self.view, max_units=supply)
        result = uniform_price_auction(
            bidders, prices, supply, n, self.run.price_floor, self.rng_state
        )
        acc = self.accounts
        acc.allowances += result.won
        acc.coins -= result.won * (result.price or 0)
        self.run.auction_revenue += result.revenue
        if self.government.policy.config.recycling == "lump-sum" and result.revenue > 0:
            acc.coins += result.revenue / n
            self.run.recycled += result.revenue
        return result

    def _set_price_floor(self, price_floor: int) -> None:
        """Change the lowest price tick for new orders (a government lever).

        Raises:
            ValueError: the floor is negative or not below the ceiling.
        """
        if not 0 <= price_floor < self.config.price_ceiling:
            raise ValueError(
                f"price_floor: {price_floor} must be in [0, {self.config.price_ceiling - 1}]"
            )
        self.run.price_floor = self.book.price_floor = int(price_floor)

    def end_year(self, settled: ComplianceResult | None = None) -> None:
        """Clear the book (full refund), settle compliance, end the episode after the last year.

        Args:
            settled: the settlement when it was made outside (by default it is made now:
                the book cleared, every firm settled).
        """
        if settled is None:
            self.book.clear()
            settled = self.enterprises.settle_compliance()
        if self.years_settled == len(self.year_table):  # played on past the episode's years
            more = empty_years(1, len(self.year_table))[0]
            self.year_table = np.concatenate([self.year_table, more])
        close_years(
            self.year,
            self.tally[None],
            self.year_table[None],
            np.array([[getattr(settled, name) for name in COMPLIANCE_FIELDS]]),
        )
        self.closed_year()

    def closed_year(self) -> None:
        """After the year's settlement: the textbook efficiency's year, the episode's end."""
        self.efficiency.end_year()
        if self.year == self.config.years - 1:
            self.running = False

    @property
    def years_settled(self) -> int:
        """Compliance years settled so far."""
        return int(self.tally[YEARS_SETTLED])

    @property
    def year_records(self) -> list[dict[str, float]]:
        """One record per settled year (a new list of new dicts at each read).

        Each holds the year, its release, price, volume, emissions, shortfall and penalties.
        """
        return [_year_record(row) for row in self.year_table[: self.years_settled].tolist()]

    @property
    def last_year_record(self) -> dict[str, float] | None:
        """The last settled year's record (as in ``year_records``), or None before the first."""
        settled = self.years_settled
        if not settled:
            return None
        return _year_record(self.year_table[settled - 1].tolist())

    @property
    def compliance_by_year(self) -> list[ComplianceResult]:
        """Every settled year's settlement."""
        return [
            ComplianceResult(*row[SETTLED:])
            for row in self.year_table[: self.years_settled].tolist()
        ]


def _year_record(row: list[float]) -> dict[str, float]:
    """A row of the table of years as a year's record (``RECORD_COLUMNS``, the year an int)."""
    return {"year": int(row[0])} | {name: row[k] for name, k in RECORD_COLUMNS.items()}
