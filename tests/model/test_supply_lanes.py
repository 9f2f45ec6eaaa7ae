"""Lanes under a supply rule, and lanes that auction, play as their markets alone, unbuilt.

msr, price-collar and price-target decide every lane's release in one kernel call a year
(``model.supply_lanes``), eu-benchmark its lanes' allocations too (``model.benchmark_lanes``),
and the call auction runs over the lanes (``model.lane_allocations``):
lane i still plays exactly what ``CarbonMarket(seed=s_i)`` plays alone (the ledger, every
year's record, the final accounts, what each auction sold and raised, the rule's reserve),
for every ``supply_split``, and no lane's market is built to play the year.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from model.batch import MarketBatch
from model.block import Block
from tests.model.test_batch import SHORT, alone, assert_same

SUPPLY_RULES = ("msr", "price-collar", "price-target")
SPLITS = ("auction", "grandfathering", "benchmarking", "size", "equal")
SCENARIOS = ("paper", "paper-shocks", "eu-large")
SEVEN = [11, 3, 7, 0, 5, 2, 9]
#: Each rule with what makes it act within a short episode: releases not capped at the
#: scenario's flat year; the MSR's TNAC only exists with banking (free splits then fill its
#: reserve); the collar's reserve is released only after a year priced above its trigger.
ACTIVE = {
    "msr": {"banking": True, "max_release_share": 0.6},
    "price-collar": {
        "ccr_trigger_share": 0.05,
        "reserve_price_share": 0.2,
        "max_release_share": 0.6,
    },
    "price-target": {"target_gain": 0.5, "max_release_share": 0.6},
}


def assert_same_government(lane, single) -> None:
    """The two markets' governments released, sold and raised the same, and hold the same."""
    np.testing.assert_array_equal(lane.run.allocations, single.run.allocations)
    assert [(a.price, a.won.tolist()) for a in lane.run.auctions] == [
        (a.price, a.won.tolist()) for a in single.run.auctions
    ]
    assert (lane.run.auction_revenue, lane.run.recycled, lane.run.price_floor) == (
        single.run.auction_revenue,
        single.run.recycled,
        single.run.price_floor,
    )
    assert lane.run.remaining_budget == single.run.remaining_budget
    policy, alone_policy = lane.government.policy, single.government.policy
    if hasattr(alone_policy, "reserve"):
        assert policy.reserve == alone_policy.reserve


def check(scenario: str, seeds: list[int], **overrides) -> MarketBatch:
    overrides = SHORT[scenario] | overrides
    batch = MarketBatch(scenario, seeds, **overrides).run()
    for lane, seed in zip(batch.markets, seeds, strict=True):
        single = alone(scenario, seed, **overrides)
        assert_same(lane, single)
        assert_same_government(lane, single)
    return batch


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("policy", SUPPLY_RULES)
def test_a_supply_rule_lane_plays_as_its_market_alone(scenario, split, policy):
    check(scenario, SEVEN, policy=policy, supply_split=split, **ACTIVE[policy])


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("policy", SUPPLY_RULES)
def test_a_supply_rule_lane_with_the_default_rules_plays_as_alone(scenario, policy):
    check(scenario, [13], policy=policy)
    check(scenario, SEVEN, policy=policy)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("policy", SUPPLY_RULES)
def test_sixty_four_shuffled_supply_rule_lanes_play_as_alone(scenario, policy):
    seeds = np.random.default_rng(2).permutation(64).tolist()
    check(scenario, seeds, policy=policy, **ACTIVE[policy])


@pytest.mark.parametrize("scenario", [*SCENARIOS, "eu-shocks"])
@pytest.mark.parametrize("size", [1, 7, 64])
def test_an_eu_benchmark_lane_plays_as_its_market_alone(scenario, size):
    seeds = np.random.default_rng(3).permutation(64).tolist()[:size]
    check(scenario, seeds, policy="eu-benchmark")


@pytest.mark.parametrize(
    "overrides",
    [
        {"policy": "eu-benchmark", "auction_share": 0.3, "recycling": "kept"},
        {"policy": "auction"},
        {"policy": "flat-grandfathering", "auction_share": 0.4},
        {"policy": "msr", "supply_split": "size", "auction_share": 0.5} | ACTIVE["msr"],
        {"policy": "price-collar", "recycling": "kept", "ccr_trigger_share": 0.05},
    ],
)
def test_a_lane_that_auctions_plays_as_alone(overrides):
    check("paper", SEVEN, **overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"policy": "msr", "banking": True},
        {"policy": "price-collar", "ccr_trigger_share": 0.05},
        {"policy": "price-target", "supply_split": "benchmarking"},
        {"policy": "auction"},
        {"policy": "flat-size", "auction_share": 0.3},
        {"policy": "eu-benchmark"},
    ],
)
def test_a_batch_under_a_kernel_policy_builds_no_market_to_play(monkeypatch, overrides):
    built = []
    build = Block._build_market

    def counted(self, b):
        built.append(b)
        return build(self, b)

    monkeypatch.setattr(Block, "_build_market", counted)
    batch = MarketBatch("paper", [5, 1, 4], years=3, **overrides)
    batch.run()
    assert built == []
    assert batch.markets[1].years_settled == 3 and built == [1]  # read: built then


@pytest.mark.parametrize(
    "overrides",
    [
        {"policy": "msr", "supply_split": "grandfathering"} | ACTIVE["msr"],
        {"policy": "price-collar"} | ACTIVE["price-collar"],
        {"policy": "price-target", "supply_split": "equal"} | ACTIVE["price-target"],
    ],
)
def test_a_supply_rule_lanes_market_read_mid_run_plays_on_as_alone(overrides):
    # Built after a year, its policy reads and moves the lane's reserve, which the batch
    # keeps moving; its government's run state follows the lane's auctions.
    seeds = [6, 2, 8]
    batch = MarketBatch("paper", seeds, years=3, **overrides)
    batch.play_year()
    early = list(batch.markets)
    batch.run()
    for lane, seed in zip(early, seeds, strict=True):
        single = alone("paper", seed, years=3, **overrides)
        assert_same(lane, single)
        assert_same_government(lane, single)


def test_a_years_auction_over_lanes_leaves_the_lanes_arrays_referenced_as_before():
    # The auction kernel's sight views the lanes' arrays; a sight compiled without reference
    # counting (as the round kernels compile theirs) would release views it never held and
    # free the arrays under the batch. Played after a market alone, as a sweep would.
    alone("paper", 0, years=1)
    batch = MarketBatch("paper", [1, 2, 3], years=2, policy="auction")
    arrays = batch.blocks[0].arrays
    viewed = (arrays.accounts, arrays.firms.floats, arrays.book.firm_info)
    held = [sys.getrefcount(array) for array in viewed]
    batch.play_year()
    assert [sys.getrefcount(array) for array in viewed] == held
    assert batch.markets[0].run.auctions[0].sold > 0
