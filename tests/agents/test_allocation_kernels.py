"""The allocation kernels give exactly what the numpy rules they replaced gave, on random inputs.

Each oracle below is the numpy expression the rule was written as before it was compiled
(``agents.policies`` before the move); the kernels must match it to the last bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents import allocation_kernels as kernels
from agents.policies import RANK_WEIGHTS, SIZE_RANK_WEIGHTS, rank_profile

SEEDS = range(40)


def inputs(seed: int) -> tuple[np.random.Generator, int]:
    rng = np.random.default_rng(seed)
    return rng, int(rng.integers(1, 12))


def numpy_split(amount: float, weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    shares = weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))
    return np.floor(amount * shares + 1e-9)


def numpy_rank_weights(key: np.ndarray, by_rank: np.ndarray) -> np.ndarray:
    weights = np.empty(len(key))
    weights[np.argsort(-key, kind="stable")] = by_rank
    return weights


def numpy_rule_shares(emissions, capacity, rate) -> np.ndarray:
    keys = np.stack([emissions, capacity / rate, capacity, np.ones(len(capacity))])
    totals = keys.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, keys / totals, np.full_like(keys, 1.0 / len(capacity)))


def weights_of(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random weights with ties and zeros, sometimes all zero."""
    weights = rng.choice([0.0, 1.0, 2.5, rng.random() * 10], size=n)
    return weights * (rng.random() > 0.1)


@pytest.mark.parametrize("seed", SEEDS)
def test_split_is_the_numpy_split(seed: int) -> None:
    rng, n = inputs(seed)
    amount, weights = rng.random() * 500, weights_of(rng, n)
    np.testing.assert_array_equal(kernels.split(amount, weights), numpy_split(amount, weights))


@pytest.mark.parametrize("seed", SEEDS)
def test_rank_weights_are_the_numpy_ranks_with_ties_in_firm_order(seed: int) -> None:
    rng, n = inputs(seed)
    key = rng.choice([0.0, 1.0, 3.0, rng.random()], size=n)
    for profile in (RANK_WEIGHTS, SIZE_RANK_WEIGHTS):
        by_rank = rank_profile(n, profile)
        np.testing.assert_array_equal(
            kernels.rank_weights(key, by_rank), numpy_rank_weights(key, by_rank)
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_rule_shares_are_the_numpy_shares(seed: int) -> None:
    rng, n = inputs(seed)
    emissions = rng.random(n) * 50 * (rng.random() > 0.2)  # all zero in a first year
    capacity, rate = rng.random(n) * 10 + 0.1, rng.random(n) + 0.05
    np.testing.assert_array_equal(
        kernels.rule_shares(emissions, capacity, rate),
        numpy_rule_shares(emissions, capacity, rate),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_release_and_the_lever_are_the_numpy_release_and_lever(seed: int) -> None:
    rng, n = inputs(seed)
    share, budget, remaining = rng.random() * 0.3, 200 + rng.random() * 1e4, rng.random() * 1e3
    max_release, green_share = rng.random(), rng.random() * 0.2
    release = min(share * budget, max_release * budget, remaining)
    green = int(np.floor(release * green_share + 1e-9))
    assert kernels.release_for(share, budget, remaining, max_release, green_share) == (
        release - green,
        green,
    )
    free, lever = rng.random((3, n)) * 40, rng.choice([0.0, rng.random()], size=3)
    got, auctioned = free.copy(), np.array([5, 0, 7])
    kernels.move_to_auction(got, auctioned, lever)
    for b in range(3):
        want = np.floor(free[b])
        moved = np.floor(want * lever[b]) if lever[b] > 0 else np.zeros(n)
        np.testing.assert_array_equal(got[b], want - moved)
        assert auctioned[b] == [5, 0, 7][b] + int(moved.sum())


@pytest.mark.parametrize("seed", SEEDS)
def test_scheduled_allocations_compose_the_rules_in_every_lane(seed: int) -> None:
    rng, n = inputs(seed)
    lanes, years, year = 4, 10, int(rng.integers(10))
    shares = rng.random((lanes, years)) * 0.2
    splits = rng.integers(0, 3, size=lanes)
    keys = rng.integers(0, 3, size=lanes)
    by_rank = np.stack([rank_profile(n, RANK_WEIGHTS)] * lanes)
    budget, remaining = rng.random(lanes) * 1e3 + 100, rng.random(lanes) * 300
    max_release, green_share = rng.random(lanes), rng.random(lanes) * 0.2
    columns = rng.choice([1.0, 2.0, rng.random() + 0.1], size=(lanes, 3, n))
    free, auctioned, green = kernels.scheduled_allocations(
        year, shares, splits, keys, by_rank, budget, remaining, max_release, green_share, columns
    )
    for b in range(lanes):
        to_firms, g = kernels.release_for(
            shares[b, year], budget[b], remaining[b], max_release[b], green_share[b]
        )
        assert green[b] == g
        emissions, capacity, rate = columns[b]
        key = (emissions, capacity / rate, capacity)[keys[b]]
        weights = numpy_rank_weights(key, by_rank[b]) if splits[b] == kernels.RANKED else np.ones(n)
        if splits[b] == kernels.AUCTIONED:
            assert (auctioned[b], free[b].sum()) == (int(to_firms), 0)
        else:
            assert auctioned[b] == 0
            np.testing.assert_array_equal(free[b], numpy_split(to_firms, weights))
