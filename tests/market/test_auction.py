"""The government's uniform-price sealed-bid call auction (model/auction.py)."""

from __future__ import annotations

import numpy as np
import pytest

from market.auction import uniform_price_auction
from market.random_kernels import export_state


def run(bidders, prices, supply, n_firms=3, reserve=0, seed=0):
    return uniform_price_auction(
        np.array(bidders),
        np.array(prices),
        supply,
        n_firms,
        reserve,
        export_state(np.random.default_rng(seed)),
    )


def test_uniform_price_is_the_lowest_accepted_bid() -> None:
    result = run([0, 1, 2, 0], [10, 8, 6, 4], supply=3)
    assert result.price == 6
    assert result.won.tolist() == [1, 1, 1]
    assert result.sold == 3
    assert result.revenue == 18.0


def test_highest_bids_win_whatever_their_order() -> None:
    result = run([2, 2, 1, 0, 0], [3, 9, 7, 1, 8], supply=2)
    assert result.price == 8
    assert result.won.tolist() == [1, 0, 1]


def test_reserve_price_is_respected() -> None:
    result = run([0, 1, 2, 0], [10, 8, 6, 4], supply=3, reserve=7)
    assert result.price == 8
    assert result.won.tolist() == [1, 1, 0]
    assert result.revenue == 16.0


def test_bid_at_the_reserve_is_accepted() -> None:
    result = run([0, 1], [5, 4], supply=2, reserve=5)
    assert result.price == 5
    assert result.won.tolist() == [1, 0, 0]


def test_nothing_at_or_above_reserve() -> None:
    result = run([0, 1], [3, 4], supply=5, reserve=5)
    assert result.price is None
    assert result.won.tolist() == [0, 0, 0]
    assert result.revenue == 0.0


def test_supply_larger_than_demand_sells_every_bid() -> None:
    result = run([0, 1, 2, 0], [10, 8, 6, 4], supply=10)
    assert result.sold == 4
    assert result.price == 4
    assert result.won.tolist() == [2, 1, 1]
    assert result.revenue == 16.0


def test_zero_supply() -> None:
    result = run([0, 1], [10, 8], supply=0, n_firms=4)
    assert result.price is None
    assert result.won.tolist() == [0, 0, 0, 0]
    assert result.won.dtype == np.int64
    assert result.sold == 0
    assert result.revenue == 0.0


def test_no_bids() -> None:
    result = run([], [], supply=3)
    assert result.price is None
    assert result.won.tolist() == [0, 0, 0]


def test_negative_supply_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^supply: -1 must be >= 0$"):
        run([0], [5], supply=-1)


def test_ties_at_the_margin_are_random_but_seeded() -> None:
    bidders, prices = [0, 1, 2, 0], [9, 5, 5, 5]
    winners = []
    for seed in range(60):
        first = run(bidders, prices, supply=2, seed=seed)
        again = run(bidders, prices, supply=2, seed=seed)
        assert first.won.tolist() == again.won.tolist()
        assert first.price == 5
        assert first.won[0] >= 1  # the 9 bid always wins
        assert first.sold == 2
        winners.append(first.won.tolist())
    # the tied unit goes to each of the three tied bids for some seed
    assert {tuple(w) for w in winners} == {(2, 0, 0), (1, 1, 0), (1, 0, 1)}


def test_tie_break_draws_from_the_rng() -> None:
    rng = export_state(np.random.default_rng(7))
    results = {
        tuple(uniform_price_auction(np.arange(3), np.full(3, 4), 1, 3, 0, rng).won)
        for _ in range(40)
    }
    assert results == {(1, 0, 0), (0, 1, 0), (0, 0, 1)}
