"""What a decision rule may see of the market: a read-only view, declared as typed protocols.

Behaviours and policies never receive the market itself. They receive a :class:`MarketView`
(``CarbonMarket.view``), read what it shows and return decisions (:mod:`agents.decisions`);
the market applies them. The view's arrays are read-only numpy views of the market's state:
writing to one raises ``ValueError: assignment destination is read-only``.

Units: money in coins, emissions and allowances in tonnes (one allowance covers one tonne),
prices in ticks (coins per allowance), output in units per round. Per-firm arrays have shape
``(n_firms,)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from agents.decisions import Levers
from market.config import MarketConfig
from market.orders import Side


class FirmsView(Protocol):
    """Every firm's technology and this year's production, as read-only columns."""

    n: int
    capacity: np.ndarray  #: output per round at full use (units)
    research_ability: np.ndarray  #: R&D skill R
    research_attempt_cost: np.ndarray  #: coins one R&D attempt costs (research_cost / R)
    research_rate_kept: np.ndarray  #: share of the emission rate kept per unit of knowledge
    initial_emission_rate: np.ndarray  #: t per unit of output at the start
    emission_rate: np.ndarray  #: t per unit of output now
    baseline_emissions: np.ndarray  #: t per year without abatement (textbook economy; else nan)
    abatement_cost: np.ndarray  #: slope c of marginal abatement cost (inf = none)
    sector: np.ndarray  #: sector label (object array)
    knowledge: np.ndarray  #: units of R&D knowledge n
    output: np.ndarray  #: output this round (units)
    ytd_output: np.ndarray  #: output so far this year (units)
    ytd_emissions: np.ndarray  #: tonnes emitted so far this year
    last_year_output: np.ndarray  #: last year's output (units)
    last_year_emissions: np.ndarray  #: last year's verified emissions (t)
    owed: np.ndarray  #: make-good debt carried from earlier years (t)
    emitted_total: np.ndarray  #: tonnes emitted over the episode
    over_emission: np.ndarray  #: tonnes emitted that no allowance ever covered

    @property
    def green_projects_completed(self) -> int:
        """Green projects completed by all firms so far."""


class AccountsView(Protocol):
    """Every firm's coins and allowances, free and locked in open orders."""

    coins: np.ndarray  #: free coins
    allowances: np.ndarray  #: free allowances
    escrow_coins: np.ndarray  #: coins locked in open bids
    escrow_allowances: np.ndarray  #: allowances locked in open asks

    def total_coins(self) -> np.ndarray:
        """Free plus escrowed coins per firm."""

    def total_allowances(self) -> np.ndarray:
        """Free plus escrowed allowances per firm."""


class BookView(Protocol):
    """What the order book shows: quotes, depth, the last trade and each firm's open orders."""

    @property
    def last_price(self) -> int | None:
        """Price of the most recent trade (ticks), None before the first."""

    def best_bid(self) -> int | None:
        """Highest resting bid (ticks), None if there is none."""

    def best_ask(self) -> int | None:
        """Lowest resting ask (ticks), None if there is none."""

    def spread(self) -> int | None:
        """Best ask minus best bid (ticks), None unless both sides rest."""

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """The best ``levels`` price levels of a side as ``(price, quantity)`` pairs."""

    def open_quantity(self, side: Side) -> np.ndarray:
        """Allowances each firm has resting on ``side``, shape ``(n_firms,)``."""

    def open_counts(self) -> np.ndarray:
        """Open orders per firm, shape ``(n_firms,)``."""


class MarketView(Protocol):
    """Everything a behaviour or a policy may read, and the market's random generator.

    Attributes:
        config: the scenario's market rules (frozen).
        enterprises: the firms' state.
        accounts: the firms' coins and allowances.
        book: the order book.
        rng_state: the market's random generator, as the state the kernels draw from
            (:mod:`market.random_kernels`; a rule draws its random choices from it, so a seed
            fixes the whole trajectory).
        scenario_allocation: each firm's yearly allocation in the scenario file (else 0).
        initial_coins: each firm's coins at the start of the episode.
    """

    config: MarketConfig
    enterprises: FirmsView
    accounts: AccountsView
    book: BookView
    rng_state: np.ndarray
    scenario_allocation: np.ndarray
    initial_coins: np.ndarray

    @property
    def year(self) -> int:
        """The compliance year, from 0."""

    @property
    def round_in_year(self) -> int:
        """The round within the compliance year, from 0."""

    @property
    def years_done(self) -> int:
        """Compliance years settled so far."""

    @property
    def rounds_left(self) -> int:
        """Rounds of this compliance year after the current one."""

    @property
    def rounds_left_episode(self) -> int:
        """Rounds of the episode after the current one."""

    @property
    def running(self) -> bool:
        """Whether the episode goes on."""

    @property
    def output_price(self) -> float:
        """This year's revenue per unit of output (coins; the config's unless shocks move it)."""

    @property
    def expected_price(self) -> float | None:
        """The traders' price expectation (ticks), None before any trade or waiting order."""

    @property
    def price_floor(self) -> int:
        """This year's lowest price tick (a government lever may raise the scenario's)."""

    @property
    def budget(self) -> float:
        """Allowances the government may issue over the episode."""

    @property
    def remaining_budget(self) -> float:
        """Allowances of the budget not yet released."""

    @property
    def levers(self) -> Levers:
        """The levers set from outside for the manual policy (a person or a regulator)."""

    @property
    def year_records(self) -> Sequence[Mapping[str, float]]:
        """One record per settled year: release, price, volume, emissions, shortfall, ..."""

    @property
    def last_year_record(self) -> Mapping[str, float] | None:
        """The last of ``year_records``, or None before the first year is settled."""

    @property
    def measures(self) -> Mapping[str, float | int | None]:
        """The measures of the round just played (``model.datacollection.MEASURES``)."""

    def latest_measure(self, name: str) -> float | int | None:
        """One of ``measures``, read without the others."""
