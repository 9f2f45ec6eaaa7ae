"""The government's uniform-price sealed-bid call auction, run before trading opens.

Each bid is for one allowance at a limit price (whole ticks). The auction sells up to
``supply`` allowances to the highest bids at or above the reserve price; every winner pays the
same price, the lowest accepted bid (as California's auctions settle). Ties at the margin are
broken in random order. Unsold allowances stay in the government's budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from market.random_kernels import permutation


@dataclass(frozen=True)
class AuctionResult:
    """Outcome of one call auction.

    Attributes:
        price: clearing price (coins per allowance), None if nothing sold.
        won: allowances won per firm, shape ``(n_firms,)``.
        revenue: coins paid to the government.
    """

    price: int | None
    won: np.ndarray

    @property
    def sold(self) -> int:
        """Allowances sold."""
        return int(self.won.sum())

    @property
    def revenue(self) -> float:
        """Coins paid in total: price x allowances sold."""
        return 0.0 if self.price is None else float(self.price * self.sold)


@njit(cache=True)
def clear_auction(bidders, prices, supply, n_firms, reserve, rng_state):
    """Clear a uniform-price call auction of unit bids (the kernel of every market and lane).

    Args: as :func:`uniform_price_auction`'s (``bidders`` and ``prices`` int64, ``supply``
    >= 0); ``rng_state`` moves as the tie-breaking shuffle draws.

    Returns:
        ``(price, won)``: the clearing price (ticks; -1 if nothing sold) and the allowances
        each firm won, int64 of shape ``(n_firms,)``.
    """
    valid = np.flatnonzero(prices >= reserve)
    bidders, prices = bidders[valid], prices[valid]
    shuffled = permutation(rng_state, np.arange(prices.size))
    order = shuffled[np.argsort(-prices[shuffled], kind="mergesort")]
    winners = order[: min(supply, order.size)]
    won = np.zeros(n_firms, dtype=np.int64)
    for k in range(winners.size):
        won[bidders[winners[k]]] += 1
    price = prices[winners[-1]] if winners.size else -1
    return price, won


def uniform_price_auction(
    bidders: np.ndarray,
    prices: np.ndarray,
    supply: int,
    n_firms: int,
    reserve: int,
    rng_state: np.ndarray,
) -> AuctionResult:
    """Clear a uniform-price call auction of unit bids (:func:`clear_auction`).

    Args:
        bidders: firm index of each unit bid, shape ``(b,)``.
        prices: limit price of each unit bid (ticks), shape ``(b,)``.
        supply: allowances offered.
        n_firms: number of firms (length of the result's ``won``).
        reserve: lowest acceptable price (ticks).
        rng_state: the market's random generator (:mod:`market.random_kernels`), for the
            random order that breaks ties.

    Returns:
        The clearing price and the allowances each firm won.
    """
    if supply < 0:
        raise ValueError(f"supply: {supply} must be >= 0")
    bidders, prices = np.asarray(bidders, dtype=np.int64), np.asarray(prices, dtype=np.int64)
    price, won = clear_auction(bidders, prices, int(supply), int(n_firms), int(reserve), rng_state)
    return AuctionResult(None if price < 0 else int(price), won)
