"""The read-only view of a market that its behaviours and policies decide from.

:class:`MarketReader` implements :class:`agents.view.MarketView` over a
:class:`~model.carbon_market.CarbonMarket`: the firms' and accounts' columns as read-only
numpy views (taken once; the market updates its columns in place, so they always show the
current state), the order book's queries, and the market's scalars read through properties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import mesa
import numpy as np

from agents.decisions import Levers
from market.accounts import Accounts
from market.enterprises import Enterprises
from market.order_book import OrderBook
from market.orders import Side


def read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through (it still shows later writes)."""
    view = array.view()
    view.flags.writeable = False
    return view


class FirmsReader:
    """The firms' state columns, read-only (:class:`agents.view.FirmsView`)."""

    COLUMNS = (
        "capacity",
        "research_ability",
        "research_attempt_cost",
        "research_rate_kept",
        "initial_emission_rate",
        "emission_rate",
        "baseline_emissions",
        "abatement_cost",
        "sector",
        "knowledge",
        "output",
        "ytd_output",
        "ytd_emissions",
        "last_year_output",
        "last_year_emissions",
        "owed",
        "emitted_total",
    )

    def __init__(self, enterprises: Enterprises) -> None:
        self._enterprises = enterprises
        self.n = enterprises.n
        for name in self.COLUMNS:
            setattr(self, name, read_only(getattr(enterprises, name)))

    @property
    def green_projects_completed(self) -> int:
        """Green projects completed by all firms so far."""
        return self._enterprises.green_projects_completed

    @property
    def over_emission(self) -> np.ndarray:
        """Tonnes each firm emitted that no allowance ever covered."""
        return self._enterprises.over_emission


class AccountsReader:
    """The firms' coins and allowances, read-only (:class:`agents.view.AccountsView`)."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts
        self.coins = read_only(accounts.coins)
        self.allowances = read_only(accounts.allowances)
        self.escrow_coins = read_only(accounts.escrow_coins)
        self.escrow_allowances = read_only(accounts.escrow_allowances)

    def total_coins(self) -> np.ndarray:
        """Free plus escrowed coins per firm."""
        return self._accounts.total_coins()

    def total_allowances(self) -> np.ndarray:
        """Free plus escrowed allowances per firm."""
        return self._accounts.total_allowances()


class BookReader:
    """The order book's queries, without its operations (:class:`agents.view.BookView`)."""

    def __init__(self, book: OrderBook) -> None:
        self._book = book

    @property
    def last_price(self) -> int | None:
        """Price of the most recent trade (ticks), None before the first."""
        return self._book.last_price

    def best_bid(self) -> int | None:
        """Highest resting bid (ticks)."""
        return self._book.best_bid()

    def best_ask(self) -> int | None:
        """Lowest resting ask (ticks)."""
        return self._book.best_ask()

    def spread(self) -> int | None:
        """Best ask minus best bid (ticks)."""
        return self._book.spread()

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """The best ``levels`` price levels of a side as ``(price, quantity)`` pairs."""
        return self._book.depth(side, levels)

    def open_quantity(self, side: Side) -> np.ndarray:
        """Allowances each firm has resting on ``side``."""
        return self._book.open_quantity(side)

    def open_counts(self) -> np.ndarray:
        """Open orders per firm."""
        return self._book.open_counts()


class MarketReader:
    """What a decision rule sees of ``market``, a CarbonMarket (:class:`agents.view.MarketView`).

    Args:
        market: the market shown (typed as Mesa's model: the market imports this module).
    """

    def __init__(self, market: mesa.Model) -> None:
        self._market = market
        self.config = market.config
        self.enterprises = FirmsReader(market.enterprises)
        self.accounts = AccountsReader(market.accounts)
        self.book = BookReader(market.book)
        self.rng_state = market.rng_state
        self.scenario_allocation = read_only(market.scenario_allocation)
        self.initial_coins = read_only(market.initial_coins)

    @property
    def year(self) -> int:
        """The compliance year, from 0."""
        return self._market.year

    @property
    def round_in_year(self) -> int:
        """The round within the compliance year, from 0."""
        return self._market.round_in_year

    @property
    def years_done(self) -> int:
        """Compliance years settled so far."""
        return self._market.years_settled

    @property
    def rounds_left(self) -> int:
        """Rounds of this compliance year after the current one."""
        return self._market.rounds_left

    @property
    def rounds_left_episode(self) -> int:
        """Rounds of the episode after the current one."""
        return self._market.rounds_left_episode

    @property
    def running(self) -> bool:
        """Whether the episode goes on."""
        return self._market.running

    @property
    def output_price(self) -> float:
        """This year's revenue per unit of output (coins)."""
        return self._market.output_price

    @property
    def expected_price(self) -> float | None:
        """The traders' price expectation (ticks)."""
        return self._market.expected_price

    @property
    def price_floor(self) -> int:
        """This year's lowest price tick."""
        return self._market.run.price_floor

    @property
    def budget(self) -> float:
        """Allowances the government may issue over the episode."""
        return self._market.run.budget

    @property
    def remaining_budget(self) -> float:
        """Allowances of the budget not yet released."""
        return self._market.run.remaining_budget

    @property
    def levers(self) -> Levers:
        """The manual policy's levers for the coming year."""
        return self._market.run.levers

    @property
    def year_records(self) -> Sequence[Mapping[str, float]]:
        """One record per settled year."""
        return tuple(MappingProxyType(record) for record in self._market.year_records)

    @property
    def last_year_record(self) -> Mapping[str, float] | None:
        """The last settled year's record, or None before the first."""
        record = self._market.last_year_record
        return None if record is None else MappingProxyType(record)

    @property
    def measures(self) -> Mapping[str, float | int | None]:
        """The measures of the round just played."""
        return MappingProxyType(self._market.measures)

    def latest_measure(self, name: str) -> float | int | None:
        """One of the measures of the round just played."""
        return self._market.latest_measure(name)
