"""A hand-set market view for unit tests of the decision rules (:mod:`agents.view`).

:func:`stub_view` builds a :class:`StubView` from a few keyword arguments and gives every other
member of the protocols a neutral value. A per-firm argument is a scalar (the same for every
firm) or one value per firm. The defaults are the paper economy in the first round of the
episode: firms with capacity 1 and emission rate 1 producing at capacity, 20 coins, no
allowances, no abatement option (``abatement_cost`` inf) and no baseline (``baseline_emissions``
nan), an empty book and no price expectation yet.

As in the real view the arrays are read-only, so a rule that writes to one fails; the scalars
(``expected_price``, ``price_floor``, ``rounds_left``, ...) are plain attributes that a test may
set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.decisions import Levers
from market.config import MarketConfig
from market.firm_kernels import research_rate_kept
from market.orders import Side
from market.random_kernels import export_state

PerFirm = float | Sequence[float] | np.ndarray


def column(value: PerFirm, n: int) -> np.ndarray:
    """``value`` as a read-only float array of shape ``(n,)``; a scalar is repeated."""
    array = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    array.flags.writeable = False
    return array


@dataclass
class StubFirms:
    """The firms' columns (:class:`agents.view.FirmsView`)."""

    n: int
    capacity: np.ndarray
    research_ability: np.ndarray
    research_attempt_cost: np.ndarray
    research_rate_kept: np.ndarray
    initial_emission_rate: np.ndarray
    emission_rate: np.ndarray
    baseline_emissions: np.ndarray
    abatement_cost: np.ndarray
    sector: np.ndarray
    knowledge: np.ndarray
    output: np.ndarray
    ytd_output: np.ndarray
    ytd_emissions: np.ndarray
    last_year_output: np.ndarray
    last_year_emissions: np.ndarray
    owed: np.ndarray
    emitted_total: np.ndarray
    over_emission: np.ndarray
    green_projects_completed: int = 0


@dataclass
class StubAccounts:
    """The firms' coins and allowances (:class:`agents.view.AccountsView`)."""

    coins: np.ndarray
    allowances: np.ndarray
    escrow_coins: np.ndarray
    escrow_allowances: np.ndarray

    def total_coins(self) -> np.ndarray:
        """Free plus escrowed coins per firm."""
        return self.coins + self.escrow_coins

    def total_allowances(self) -> np.ndarray:
        """Free plus escrowed allowances per firm."""
        return self.allowances + self.escrow_allowances


@dataclass
class StubBook:
    """An order book reduced to its best prices and each firm's resting quantity per side.

    Attributes:
        bid: the best bid (ticks), None for an empty bid side.
        ask: the best ask (ticks), None for an empty ask side.
        open_bids: allowances each firm has resting in bids, shape ``(n,)``.
        open_asks: allowances each firm has resting in asks, shape ``(n,)``.
        last_price: price of the last trade (ticks), None before the first.
    """

    bid: int | None
    ask: int | None
    open_bids: np.ndarray
    open_asks: np.ndarray
    last_price: int | None = None

    def best_bid(self) -> int | None:
        """Highest resting bid (ticks)."""
        return self.bid

    def best_ask(self) -> int | None:
        """Lowest resting ask (ticks)."""
        return self.ask

    def spread(self) -> int | None:
        """Best ask minus best bid (ticks), None unless both sides rest."""
        return None if self.bid is None or self.ask is None else self.ask - self.bid

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """One level per side: the best price with all the firms' resting quantity."""
        price, quantity = (
            (self.bid, self.open_bids) if side == Side.BID else (self.ask, self.open_asks)
        )
        return [] if price is None or levels < 1 else [(price, int(quantity.sum()))]

    def open_quantity(self, side: Side) -> np.ndarray:
        """Allowances each firm has resting on ``side``."""
        return self.open_bids if side == Side.BID else self.open_asks

    def open_counts(self) -> np.ndarray:
        """Open orders per firm, counting at most one order per side."""
        return (self.open_bids > 0).astype(np.int64) + (self.open_asks > 0)


@dataclass
class StubView:
    """A market view whose every member is set by hand (:class:`agents.view.MarketView`)."""

    config: MarketConfig
    enterprises: StubFirms
    accounts: StubAccounts
    book: StubBook
    rng_state: np.ndarray
    scenario_allocation: np.ndarray
    initial_coins: np.ndarray
    rounds_left: int
    rounds_left_episode: int
    expected_price: float | None
    price_floor: int
    year: int
    round_in_year: int
    years_done: int
    budget: float
    remaining_budget: float
    output_price: float
    running: bool = True
    levers: Levers = field(default_factory=Levers)
    year_records: Sequence[Mapping[str, float]] = ()
    measures: Mapping[str, float | int | None] = field(default_factory=dict)

    @property
    def last_year_record(self) -> Mapping[str, float] | None:
        """The last of ``year_records``, or None."""
        return self.year_records[-1] if self.year_records else None

    def latest_measure(self, name: str) -> float | int | None:
        """One of ``measures``."""
        return self.measures[name]


def stub_view(
    n_firms: int = 3,
    *,
    capacity: PerFirm = 1.0,
    emission_rate: PerFirm = 1.0,
    research_ability: PerFirm = 1.0,
    coins: PerFirm = 20.0,
    allowances: PerFirm = 0.0,
    escrow_coins: PerFirm = 0.0,
    escrow_allowances: PerFirm = 0.0,
    ytd_emissions: PerFirm = 0.0,
    output: PerFirm | None = None,
    baseline_emissions: PerFirm = np.nan,
    abatement_cost: PerFirm = np.inf,
    owed: PerFirm = 0.0,
    expected_price: float | None = None,
    best_bid: int | None = None,
    best_ask: int | None = None,
    open_bids: PerFirm = 0.0,
    rounds_left: int | None = None,
    rounds_left_episode: int | None = None,
    price_floor: int | None = None,
    seed: int = 0,
    **config: Any,
) -> StubView:
    """A view of ``n_firms`` firms in the state given; every other member is neutral.

    Args:
        n_firms: number of firms.
        capacity: output per round at full use (units).
        emission_rate: tonnes per unit of output now (and at the start).
        research_ability: R&D skill R; an attempt costs ``config.research_cost / R``.
        coins: free coins.
        allowances: free allowances.
        escrow_coins: coins locked in open bids.
        escrow_allowances: allowances locked in open asks (they rest in the book's asks).
        ytd_emissions: tonnes emitted so far this year.
        output: output this round (units); None: the capacity.
        baseline_emissions: tonnes a year in the textbook economy (nan: none).
        abatement_cost: slope c of the marginal abatement cost (inf: cannot abate).
        owed: make-good debt from earlier years (t).
        expected_price: the traders' price expectation (None: none yet).
        best_bid: the book's best bid (ticks), None for none.
        best_ask: the book's best ask (ticks), None for none.
        open_bids: allowances each firm has resting in bids.
        rounds_left: rounds of the year after this one; None: the year's first round.
        rounds_left_episode: rounds of the episode after this one; None: as if in year 0.
        price_floor: this year's floor tick, which a policy may have raised above the
            scenario's (``config.price_floor`` stays at its default); None: the scenario's.
        seed: seed of the view's random generator.
        **config: :class:`MarketConfig` keys to override (the paper's values otherwise).
    """
    cfg = MarketConfig(**config)
    steps = cfg.steps_per_year
    rounds_left = steps - 1 if rounds_left is None else rounds_left
    if rounds_left_episode is None:
        rounds_left_episode = (cfg.years - 1) * steps + rounds_left
    round_ = steps * cfg.years - 1 - rounds_left_episode
    n = n_firms
    zeros, ability, rate = column(0.0, n), column(research_ability, n), column(emission_rate, n)
    escrowed = column(escrow_allowances, n)
    kept = np.empty(n)
    research_rate_kept(cfg.research_effect, ability, kept)
    kept.flags.writeable = False
    sector = np.full(n, "", dtype=object)
    sector.flags.writeable = False
    firms = StubFirms(
        n=n,
        capacity=column(capacity, n),
        research_ability=ability,
        research_attempt_cost=column(cfg.research_cost / ability, n),
        research_rate_kept=kept,
        initial_emission_rate=rate,
        emission_rate=rate,
        baseline_emissions=column(baseline_emissions, n),
        abatement_cost=column(abatement_cost, n),
        sector=sector,
        knowledge=zeros,
        output=column(capacity if output is None else output, n),
        ytd_output=zeros,
        ytd_emissions=column(ytd_emissions, n),
        last_year_output=zeros,
        last_year_emissions=zeros,
        owed=column(owed, n),
        emitted_total=zeros,
        over_emission=zeros,
    )
    accounts = StubAccounts(
        column(coins, n), column(allowances, n), column(escrow_coins, n), escrowed
    )
    return StubView(
        config=cfg,
        enterprises=firms,
        accounts=accounts,
        book=StubBook(best_bid, best_ask, column(open_bids, n), escrowed),
        rng_state=export_state(np.random.default_rng(seed)),
        scenario_allocation=zeros,
        initial_coins=column(coins, n),
        rounds_left=rounds_left,
        rounds_left_episode=rounds_left_episode,
        expected_price=expected_price,
        price_floor=cfg.price_floor if price_floor is None else price_floor,
        year=round_ // steps,
        round_in_year=steps - 1 - rounds_left,
        years_done=round_ // steps,
        budget=cfg.budget,
        remaining_budget=cfg.budget,
        output_price=cfg.output_price,
    )
