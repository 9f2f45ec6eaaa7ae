"""The leaderboard and the gains from trade of a textbook room, from ``market.theory``.

Each year a firm starts from the holdings and coins it has once the year's allocation is in
(after paying for what it won at auction). Its profit in the year is its coins at the end
(after compliance is settled) less its coins at the start; while the year is open, the cost
of settling its holdings now is counted against it. Its score is that profit less its profit
in the competitive equilibrium from the same start (:func:`market.theory.firm_compliance_costs`),
so no firm type starts ahead: a firm that trades to the efficient holdings at p* scores 0.

The class's gains from trade are the fall in total compliance cost since the year started;
the most it can gain is the unit-permit optimum's (:func:`market.theory.unit_permit_equilibrium`).
A market whose firms produce has no closed-form benchmark: scores and gains are then None and
profit is the change in coins since the game began.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.theory import (
    competitive_equilibrium,
    compliance_cost,
    firm_compliance_costs,
    realised_compliance_cost,
    unit_permit_equilibrium,
)
from model import CarbonMarket


@dataclass(frozen=True)
class YearStart:
    """Where a textbook year's trading starts from, and its theory.

    Attributes:
        year: the year (0-based).
        coins: each firm's coins after the allocation (coins).
        holdings: each firm's allowances after the allocation (tonnes).
        benchmark: each firm's profit in the competitive equilibrium from this start (coins).
        p_star: the competitive price (coins per allowance).
        price_low: the unit-permit competitive interval's lower end (coins per allowance).
        price_high: its upper end (coins per allowance).
        max_gains: the most the year's trading can save in compliance cost (coins).
    """

    year: int
    coins: np.ndarray
    holdings: np.ndarray
    benchmark: np.ndarray
    p_star: float
    price_low: float
    price_high: float
    max_gains: float


def year_start(
    market: CarbonMarket,
    coins_before: np.ndarray,
    holdings_before: np.ndarray,
    recycled_before: float,
) -> YearStart:
    """The start of the year just allocated (call after the year's first round).

    The year's first round both allocates and trades, so the start is rebuilt from what was
    held before the round: the allocation (free and won at auction) is added, the auction's
    payments taken off and any revenue recycled lump-sum paid back.

    Args:
        market: a textbook market right after its year's first round.
        coins_before: each firm's coins before that round.
        holdings_before: each firm's allowances before that round (banked ones).
        recycled_before: ``market.run.recycled`` before that round.
    """
    ent, run, cfg = market.enterprises, market.run, market.config
    auction = run.auctions[-1]
    paid = auction.won * (auction.price or 0)
    coins = coins_before - paid + (run.recycled - recycled_before) / ent.n
    holdings = holdings_before + np.asarray(run.allocations[-1], dtype=float)
    cap = float(holdings.sum())
    emissions, slopes = ent.baseline_emissions, ent.abatement_cost
    equilibrium = competitive_equilibrium(emissions, slopes, cap, cfg.penalty)
    units = unit_permit_equilibrium(emissions, slopes, holdings, cfg.penalty)
    return YearStart(
        year=market.year,
        coins=coins,
        holdings=holdings,
        benchmark=-firm_compliance_costs(equilibrium, ent.abatement_cost, holdings),
        p_star=float(equilibrium.price),
        price_low=float(units.price_low),
        price_high=float(units.price_high),
        max_gains=float(units.max_gains_from_trade),
    )


def open_year_profit(market: CarbonMarket, start: YearStart) -> np.ndarray:
    """Each firm's profit in the open year: coins gained less the cost of settling now (coins)."""
    ent, acc = market.enterprises, market.accounts
    settle = compliance_cost(
        ent.baseline_emissions - acc.total_allowances(), ent.abatement_cost, market.config.penalty
    )
    return acc.total_coins() - start.coins - settle


def gains_from_trade(market: CarbonMarket, start: YearStart) -> float:
    """Compliance cost saved by the year's trades so far (coins)."""
    ent, penalty = market.enterprises, market.config.penalty
    cost = [
        realised_compliance_cost(ent.baseline_emissions, ent.abatement_cost, h, penalty)
        for h in (start.holdings, market.accounts.total_allowances())
    ]
    return cost[0] - cost[1]
