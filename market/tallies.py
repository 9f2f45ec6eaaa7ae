"""A market's running totals and round results, one row of numbers per lane.

Besides its firms, accounts and book, a market keeps a few numbers that every round changes:
what its firms earned and spent, the allowances issued and expired, the round's price and
volume, the traders' price expectation, the year's release and what remains of the budget.
They live in one float row per market (``MarketArrays.tallies``, shape
``(lanes, len(TALLIES))``), so the round kernel updates them in place and a batch reads and
closes every lane's year with array operations, without Python per market.

Units: coins for ``revenue``, ``research_spent``, ``penalties_paid``, ``abatement_spent`` and
``year_value``; allowances for ``allowances_issued``, ``allowances_expired``,
``year_volume``, ``round_volume``, ``release`` and ``remaining_budget``; tonnes for
``round_emissions``; coins per allowance for ``round_price`` (the round's VWAP, nan without a
trade) and ``expected_price`` (nan: no expectation yet); counts for ``rejected_orders``,
``green_projects_available``, ``trades_seen`` (the book's trades already in the ledger and
in a round's price), ``years_settled`` and ``rated_green`` (the green projects completed
when the round kernel last computed the emission rates, -1 before it has: the rates change
only with knowledge or these projects, so a round with neither new recomputes nothing).
"""

from __future__ import annotations

import math

import numpy as np

TALLIES = (
    "revenue",
    "research_spent",
    "allowances_issued",
    "allowances_expired",
    "penalties_paid",
    "abatement_spent",
    "rejected_orders",
    "year_value",
    "year_volume",
    "round_price",
    "round_volume",
    "round_emissions",
    "expected_price",
    "green_projects_available",
    "trades_seen",
    "release",
    "remaining_budget",
    "years_settled",
    "rated_green",
)
(REVENUE, RESEARCH_SPENT, ISSUED, EXPIRED, PENALTIES, ABATEMENT, REFUSED, YEAR_VALUE,
 YEAR_VOLUME, ROUND_PRICE, ROUND_VOLUME, ROUND_EMISSIONS, EXPECTED, GREEN_AVAILABLE,
 TRADES_SEEN, RELEASE, REMAINING, YEARS_SETTLED, RATED_GREEN) = range(len(TALLIES))  # fmt: skip


def empty_tallies(lanes: int) -> np.ndarray:
    """The tallies of ``lanes`` markets before their first round: zeros, no price yet."""
    tallies = np.zeros((lanes, len(TALLIES)))
    tallies[:, ROUND_PRICE] = tallies[:, EXPECTED] = math.nan
    tallies[:, RATED_GREEN] = -1.0
    return tallies
