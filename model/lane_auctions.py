"""The call auction of every lane of a batch that auctions this year, in one compiled call.

A market sells its year's auctioned allowances to its firms' truthful unit bids
(``agents.valuation_kernels.auction_bids``) in a uniform-price call auction
(``market.auction.clear_auction``), charges the winners, and recycles the revenue lump-sum
or keeps it (``model.compliance_year.ComplianceYear._auction``). :func:`auction_lanes` does
the same for the lanes of a batch, each through the same kernels over what its rules see of
the lane (``model.round_kernel``'s sight at the year's first round), so a year that
auctions needs no lane's market built.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.valuation_kernels import auction_bids
from market.accounts import ALLOWANCES, COINS
from market.auction import clear_auction
from market.book_kernels import FLOOR
from market.tallies import EXPECTED
from model.round_kernel import STEPS_PER_YEAR, YEARS, counted_sight


@njit(cache=True, error_model="numpy")
def auction_lanes(lanes, supply, first, recycle, floats, acc, firm_info, meta, params, rng,
                  tallies):  # fmt: skip
    """Every listed lane's call auction at the start of the year whose first round is ``first``.

    Args:
        lanes: the lanes that auction, shape ``(k,)``.
        supply: the allowances each auctions (> 0), shape ``(k,)``.
        first: the year's first round (from 0), the same in every lane.
        recycle: whether each lane pays its revenue back lump-sum, shape ``(k,)``.
        floats: the firms' float columns, shape ``(lanes, FLOAT_COLUMNS, n)``.
        acc: the accounts, shape ``(lanes, 4, n)``; the winners' change in place.
        firm_info: the books' per-firm counts (the open bids), ``(lanes, n, ...)``.
        meta: the books' metadata (the floor, the ceiling, the best ask).
        params: the lanes' rules (``model.round_kernel.PARAMS``), ``(lanes, len(PARAMS))``.
        rng: the lanes' generators, ``(lanes, STATE_SIZE)``; the ties' shuffles move them.
        tallies: the lanes' tallies (the price expectation), ``(lanes, len(TALLIES))``.

    Returns:
        ``(price, won, revenue, recycled)``: each lane's clearing price (ticks; -1: nothing
        sold) ``(k,)``, the allowances each firm won ``(k, n)``, the coins raised and those
        paid back ``(k,)``.
    """
    k, n = lanes.size, acc.shape[2]
    price = np.full(k, -1, dtype=np.int64)
    won = np.zeros((k, n), dtype=np.int64)
    revenue = np.zeros(k)
    recycled = np.zeros(k)
    for j in range(k):
        b = lanes[j]
        steps_per_year = np.int64(params[b, STEPS_PER_YEAR])
        rounds_left = steps_per_year - 1 - first % steps_per_year
        rounds_left_episode = steps_per_year * np.int64(params[b, YEARS]) - (first + 1)
        sight = counted_sight(b, floats, acc, firm_info, meta, params[b], rounds_left,
                              rounds_left_episode, tallies[b, EXPECTED])  # fmt: skip
        bidders, prices = auction_bids(sight, supply[j])
        reserve = np.int64(meta[b, FLOOR])
        price[j], won[j] = clear_auction(bidders, prices, supply[j], n, reserve, rng[b])
        paid = 0 if price[j] < 0 else price[j]
        for i in range(n):
            acc[b, ALLOWANCES, i] += won[j, i]
            acc[b, COINS, i] -= won[j, i] * paid
        sold = 0
        for i in range(n):
            sold += won[j, i]
        revenue[j] = 0.0 if price[j] < 0 else float(price[j] * sold)
        if recycle[j] and revenue[j] > 0:
            for i in range(n):
                acc[b, COINS, i] += revenue[j] / n
            recycled[j] = revenue[j]
    return price, won, revenue, recycled
