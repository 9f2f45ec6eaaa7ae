"""Lane i of a batch plays exactly what CarbonMarket(seed=s_i) plays alone.

The trade ledger, every year's record and the final accounts, for every scenario, every rule
policy and every compiled behaviour, whatever the batch size and the order of the seeds; in
the scenarios with shocks, each lane with its own output prices, technology and number of
firms (the short versions keep a recession inside their years).
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from agents.registry import POLICIES
from market.config import ScenarioError
from model import CarbonMarket
from model.batch import MarketBatch

SHORT = {
    "paper": {"years": 3},
    "classroom": {"years": 2, "steps_per_year": 100},
    "classroom-12": {"years": 2, "steps_per_year": 60},
    "eu-large": {"n_firms": 100, "years": 2},
    "paper-shocks": {"years": 3, "recession_start": [1, 2]},
    "eu-shocks": {"years": 2, "n_firms_range": [20, 80], "recession_start": [1, 1]},
}
RULES = [name for name in POLICIES if name != "scenario"]
BEHAVIOURS = ("zi-c", "zi-u", "truthful", "rule-based")


def alone(scenario: str, seed: int, **overrides) -> CarbonMarket:
    market = CarbonMarket(scenario, seed=seed, **overrides)
    while market.running:
        market.step()
    return market


def assert_same(lane: CarbonMarket, single: CarbonMarket) -> None:
    pd.testing.assert_frame_equal(
        lane.datacollector.get_table_dataframe("trades"),
        single.datacollector.get_table_dataframe("trades"),
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(lane.year_records), pd.DataFrame(single.year_records)
    )
    np.testing.assert_array_equal(lane.accounts.block, single.accounts.block)
    np.testing.assert_array_equal(lane.enterprises.emission_rate, single.enterprises.emission_rate)
    assert lane.measures["welfare"] == single.measures["welfare"]
    np.testing.assert_array_equal(lane.shocks.output_price, single.shocks.output_price)
    assert (lane.revenue, lane.research_spent, lane.rejected_orders) == (
        single.revenue,
        single.research_spent,
        single.rejected_orders,
    )


def check(scenario: str, seeds: list[int], **overrides) -> None:
    batch = MarketBatch(scenario, seeds, **SHORT[scenario], **overrides).run()
    for lane, seed in zip(batch.markets, seeds, strict=True):
        assert_same(lane, alone(scenario, seed, **SHORT[scenario], **overrides))


@pytest.mark.parametrize("scenario", list(SHORT))
@pytest.mark.parametrize("policy", RULES)
def test_every_rule_policy_in_a_batch_of_seven_shuffled_seeds(scenario, policy):
    if scenario.startswith("classroom") and policy == "eu-benchmark":
        pytest.skip("eu-benchmark allocates by output, which a textbook market has none of")
    check(scenario, [11, 3, 7, 0, 5, 2, 9], policy=policy)


@pytest.mark.parametrize("scenario", list(SHORT))
@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_every_behaviour_in_a_batch(scenario, behaviour):
    check(scenario, [4, 1, 8, 6, 0, 3, 2], behaviour=behaviour)


@pytest.mark.parametrize("scenario", list(SHORT))
def test_a_batch_of_one(scenario):
    check(scenario, [13])


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SHORT))
def test_a_batch_of_sixty_four(scenario):
    check(scenario, np.random.default_rng(1).permutation(64).tolist())


def test_a_markets_trajectory_does_not_depend_on_its_lane():
    first = MarketBatch("paper", [3, 1, 2], years=2).run().markets[0]
    last = MarketBatch("paper", [1, 2, 3], years=2).run().markets[2]
    assert_same(first, last)


def read_after(seeds: list[int], years_played: int, **overrides) -> list[CarbonMarket]:
    """A three-year batch's markets, first read once ``years_played`` years are played."""
    batch = MarketBatch("paper", seeds, years=3, **overrides)
    for year in range(3):
        if year == years_played:
            markets = list(batch.markets)
        batch.play_year()
    return markets if years_played < 3 else list(batch.markets)


@pytest.mark.parametrize("policy", ["flat-benchmarking", "auction", "msr"])
def test_a_lanes_market_reads_the_same_whenever_it_is_first_read(policy):
    # Read before the first year, every market is built at once and plays as it always has;
    # read later, it is built over its lane as the lane stands.
    seeds = [4, 2, 9, 2]
    first, *later = (read_after(seeds, played, policy=policy) for played in (0, 1, 3))
    for markets in later:
        for lane, built in zip(markets, first, strict=True):
            assert_same(lane, built)
            for read in ("get_model_vars_dataframe", "get_agent_vars_dataframe"):
                pd.testing.assert_frame_equal(
                    getattr(lane.datacollector, read)(), getattr(built.datacollector, read)()
                )
            assert (lane.steps, lane.year, lane.round_in_year, lane.running) == (
                built.steps, built.year, built.round_in_year, built.running
            )  # fmt: skip
            np.testing.assert_array_equal(lane.run.allocations, built.run.allocations)
            assert [a.sold for a in lane.run.auctions] == [a.sold for a in built.run.auctions]
            np.testing.assert_array_equal(lane.initial_coins, built.initial_coins)


def test_a_batch_refuses_learned_firms_a_training_env_would_drive():
    with pytest.raises(ScenarioError, match="a batch's learned firms act through a trained"):
        MarketBatch("paper", [0, 1], learned_share=0.5, enterprise_policy="")


@pytest.mark.parametrize("enabled", [True, False])
def test_building_and_playing_a_batch_leave_the_garbage_collector_as_they_found_it(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        batch = MarketBatch("paper", [0, 1], years=1)
        assert gc.isenabled() is enabled
        batch.run()
        assert gc.isenabled() is enabled
        with pytest.raises(ScenarioError):
            MarketBatch("paper", [0, 1], learned_share=0.5, enterprise_policy="")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
