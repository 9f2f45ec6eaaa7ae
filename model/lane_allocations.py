"""A year's allocation of a batch's lanes, decided as arrays and applied as arrays.

The lanes whose government decides in kernels (the scheduled policies,
``model.scheduled_lanes``; the supply rules, ``model.supply_lanes``) hand their year's
decision over as a :class:`LaneYear`; :func:`apply_allocations` applies it to every lane at
once as a market applies its own (``model.compliance_year.ComplianceYear.allocate``): the
checks, the price floor, the free allowances, the call auction of the lanes that auction
(``model.lane_auctions.auction_lanes``) and the release's tallies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.accounts import ALLOWANCES
from market.book_kernels import FLOOR
from market.lanes import MarketArrays
from market.tallies import REMAINING
from model.compliance_year import check_allocations, release_allowances
from model.lane_auctions import auction_lanes


@dataclass(frozen=True)
class LaneYear:
    """What the governments of some lanes decided for the year (shapes ``(k,)`` or ``(k, n)``).

    Attributes:
        lanes: the lanes' indices in the block.
        names: each lane's policy name, for the checks' messages.
        free: free allowances per lane and firm, whole numbers.
        auctioned: allowances each lane auctions, int64.
        green: green projects each lane offers, int64.
        floors: each lane's new price floor (ticks), int64; -1 leaves it.
        recycle: whether each lane pays its auction revenue back lump-sum.
    """

    lanes: np.ndarray
    names: np.ndarray
    free: np.ndarray
    auctioned: np.ndarray
    green: np.ndarray
    floors: np.ndarray
    recycle: np.ndarray


@dataclass(frozen=True)
class AppliedYear:
    """What a :class:`LaneYear` gave (shapes ``(k,)`` or ``(k, n)``).

    Attributes:
        received: the allowances each firm received, free and won.
        price: each lane's clearing price (ticks; -1: nothing sold or no auction).
        won: the allowances each firm won at auction, int64.
        revenue: the coins each lane's auction raised.
        recycled: the coins paid back to each lane's firms.
    """

    received: np.ndarray
    price: np.ndarray
    won: np.ndarray
    revenue: np.ndarray
    recycled: np.ndarray


def apply_allocations(
    arrays: MarketArrays, decided: LaneYear, first: int, params: np.ndarray, ceiling: int
) -> AppliedYear:
    """Apply the year's allocation of ``decided.lanes`` (distinct lanes), as each market would.

    Args:
        arrays: the block's arrays; the lanes' accounts, books' floors, generators and
            tallies change.
        decided: the lanes' decisions.
        first: the year's first round (from 0).
        params: the block's rules (``model.round_kernel.PARAMS``), ``(lanes, len(PARAMS))``.
        ceiling: the price ceiling (ticks).

    Raises:
        RuntimeError: a policy allocated a negative amount or more than remains.
        ValueError: a price floor is outside the price band.
    """
    lanes, free, auctioned, green = decided.lanes, decided.free, decided.auctioned, decided.green
    given = check_allocations(
        decided.names, free, auctioned, green, arrays.tallies[lanes, REMAINING]
    )
    setting = decided.floors >= 0
    if setting.any():
        bad = setting & (decided.floors >= ceiling)
        if bad.any():
            floor = int(decided.floors[np.argmax(bad)])
            raise ValueError(f"price_floor: {floor} must be in [0, {ceiling - 1}]")
        arrays.book.meta[lanes[setting], FLOOR] = decided.floors[setting]
    arrays.accounts[lanes, ALLOWANCES] += free
    k, n = free.shape
    price = np.full(k, -1, dtype=np.int64)
    won = np.zeros((k, n), dtype=np.int64)
    revenue, recycled = np.zeros(k), np.zeros(k)
    selling = np.flatnonzero(auctioned > 0)
    if selling.size:
        book = arrays.book
        price[selling], won[selling], revenue[selling], recycled[selling] = auction_lanes(
            lanes[selling],
            auctioned[selling],
            first,
            decided.recycle[selling],
            arrays.firms.floats,
            arrays.accounts,
            book.firm_info,
            book.meta,
            params,
            arrays.rng,
            arrays.tallies,
        )
    release_allowances(arrays.tallies, lanes, given, won.sum(axis=1), green)
    return AppliedYear(free + won, price, won, revenue, recycled)
