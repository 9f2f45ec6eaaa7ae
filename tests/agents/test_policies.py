"""Allocation policies on the paper economy: exact year-1 allocations and budget accounting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.decisions import Allocation
from agents.policies import (
    RANK_WEIGHTS,
    SCHEDULES,
    SIZE_RANK_WEIGHTS,
    EUBenchmark,
    rank_weights,
    schedule_share,
    split,
)
from agents.registry import POLICIES
from model import CarbonMarket
from model.episode import run_episode

PAPER_BASELINES = [
    f"{s}-{r}" for r in ("grandfathering", "benchmarking", "size") for s in SCHEDULES
]
ALL_BUT_SCENARIO = [name for name in POLICIES if name != "scenario"]


def first_year(policy: str, seed: int = 0, **overrides: object) -> tuple[CarbonMarket, Allocation]:
    """A paper market whose government has made the first year's allocation (no trading yet)."""
    market = CarbonMarket("paper", seed=seed, policy=policy, **overrides)
    return market, allocate(market)


def allocate(market: CarbonMarket) -> Allocation:
    """The government decides this year's allocation and the market applies it."""
    return market.allocate(market.government.decide(market.view))


# --------------------------------------------------------------------------- year 1


def test_policy_list_is_the_paper_baselines_and_eight_more() -> None:
    assert list(POLICIES) == [
        *PAPER_BASELINES,
        "equal",
        "auction",
        "eu-benchmark",
        "msr",
        "price-collar",
        "price-target",
        "scenario",
        "manual",
    ]


def test_flat_grandfathering_year_one() -> None:
    # release 10% of 200 = 20: 2 green projects, 18 to firms; no emissions yet, so every
    # firm ties and the weights [7, 6, 5, 4, 3] go in firm order: floor(18 w / 25).
    market, alloc = first_year("flat-grandfathering")
    assert alloc.free.tolist() == [5, 4, 3, 2, 2]
    assert alloc.green_projects == 2
    assert alloc.auctioned == 0
    assert market.run.green_projects_available == 2
    assert market.accounts.allowances.tolist() == [5, 4, 3, 2, 2]
    assert market.government.release == 18.0  # 16 to firms + 2 green; floor remainders stay
    assert market.government.remaining_budget == 182.0
    assert market.allowances_issued == 16.0


def test_flat_size_is_equal_split() -> None:
    _, alloc = first_year("flat-size")
    assert alloc.free.tolist() == [3, 3, 3, 3, 3]  # floor(18 / 5)
    assert alloc.green_projects == 2


def test_decreasing_size_year_one() -> None:
    # 16% of 200 = 32: 3 green, 29 to firms; capacities [1.6, 1.4, 1.2, 1.2, 1.0] rank the
    # firms in order (the tie keeps firm order) -> weights [5, 5, 4, 3, 3], sum 20.
    market, alloc = first_year("decreasing-size")
    assert alloc.green_projects == 3
    assert alloc.free.tolist() == [7, 7, 5, 4, 4]
    assert market.government.remaining_budget == 200 - 27 - 3


def test_convex_benchmarking_year_one() -> None:
    # 6% of 200 = 12: 1 green, 11 to firms; equal emission rates, so output per emission ranks
    # by capacity -> weights [7, 6, 5, 4, 3]: floor(11 w / 25).
    market, alloc = first_year("convex-benchmarking")
    assert alloc.green_projects == 1
    assert alloc.free.tolist() == [3, 2, 2, 1, 1]
    assert market.government.remaining_budget == 200 - 9 - 1


def test_benchmarking_ranks_by_output_per_emission() -> None:
    market = CarbonMarket("paper", seed=0, policy="flat-benchmarking")
    market.enterprises.emission_rate[:] = [1.6, 1.4, 1.2, 0.1, 1.0]  # firm 3 is the cleanest
    alloc = allocate(market)
    # V / Er = [1, 1, 1, 12, 1]: firm 3 gets 7, the others 6, 5, 4, 3 in firm order.
    assert alloc.free.tolist() == [4, 3, 2, 5, 2]


def test_grandfathering_ranks_by_last_year_emissions() -> None:
    market = CarbonMarket("paper", seed=0, policy="flat-grandfathering")
    market.enterprises.last_year_emissions[:] = [1.0, 2.0, 5.0, 4.0, 3.0]
    # weights [3, 4, 7, 6, 5]: floor(18 w / 25)
    assert allocate(market).free.tolist() == [2, 2, 5, 4, 3]


def test_equal_policy() -> None:
    market, alloc = first_year("equal")
    assert alloc.free.tolist() == [3, 3, 3, 3, 3]
    assert alloc.green_projects == 2
    assert market.government.policy.name == "equal"


def test_paper_baseline_reports_its_name() -> None:
    market, _ = first_year("convex-size")
    assert market.government.policy.name == "convex-size"


# --------------------------------------------------------------------------- schedules


@pytest.mark.parametrize("schedule", list(SCHEDULES))
@pytest.mark.parametrize("years", [1, 2, 3, 7, 10, 15, 40])
def test_schedule_shares_sum_to_one(schedule: str, years: int) -> None:
    shares = [schedule_share(schedule, y, years) for y in range(years)]
    assert sum(shares) == pytest.approx(1.0, abs=1e-12)
    assert min(shares) > 0


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_ten_year_schedule_is_the_paper_table(schedule: str) -> None:
    shares = [schedule_share(schedule, y, 10) for y in range(10)]
    assert shares == pytest.approx([p / 100 for p in SCHEDULES[schedule]])


def test_resampled_schedule_keeps_its_shape() -> None:
    decreasing = [schedule_share("decreasing", y, 5) for y in range(5)]
    assert decreasing == sorted(decreasing, reverse=True)
    convex = [schedule_share("convex", y, 5) for y in range(5)]
    assert convex[0] == pytest.approx(convex[-1])
    assert convex[2] == max(convex)
    assert [schedule_share("flat", y, 4) for y in range(4)] == pytest.approx([0.25] * 4)


def test_rank_weights_five_firms_reproduce_the_profile() -> None:
    assert rank_weights(np.array([3, 1, 2, 5, 4]), RANK_WEIGHTS).tolist() == [5, 3, 4, 7, 6]
    assert rank_weights(np.ones(5), RANK_WEIGHTS).tolist() == [7, 6, 5, 4, 3]
    assert rank_weights(np.array([1, 1, 2, 2, 0]), SIZE_RANK_WEIGHTS).tolist() == [4, 3, 5, 5, 3]


def test_rank_weights_seven_firms_keep_end_values() -> None:
    weights = rank_weights(np.array([0, 6, 1, 5, 2, 4, 3]), RANK_WEIGHTS)
    by_rank = np.array([7, 19 / 3, 17 / 3, 5, 13 / 3, 11 / 3, 3])
    assert weights == pytest.approx(by_rank[[6, 0, 5, 1, 4, 2, 3]])
    assert weights.max() == 7
    assert weights.min() == 3
    assert rank_weights(np.array([2.0]), RANK_WEIGHTS).tolist() == [7]


def test_split_floors_and_handles_zero_weights() -> None:
    assert split(18, np.array([7, 6, 5, 4, 3])).tolist() == [5, 4, 3, 2, 2]
    assert split(10, np.zeros(4)).tolist() == [2, 2, 2, 2]
    assert split(9, np.array([1, 2])).tolist() == [3, 6]  # exact products are not floored down


# --------------------------------------------------------------------------- whole episodes


@pytest.mark.parametrize("policy", ALL_BUT_SCENARIO)
def test_budget_falls_by_the_release_and_never_below_zero(policy: str) -> None:
    market = CarbonMarket("paper", seed=1, policy=policy, steps_per_year=3)
    gov = market.government
    released = []
    while market.running:
        before = gov.remaining_budget
        market.step()
        if market.round_in_year == 0:
            assert before - gov.remaining_budget == pytest.approx(gov.release, abs=1e-9)
            assert 0 <= gov.release <= 0.25 * 200
            released.append(gov.release)
        assert gov.remaining_budget >= 0
    assert len(released) == 10
    assert len(gov.allocations) == 10
    assert sum(released) == pytest.approx(200 - gov.remaining_budget)
    assert market.allowances_issued <= 200 - gov.remaining_budget + 1e-9


def test_flat_grandfathering_releases_eighteen_every_year() -> None:
    market = CarbonMarket("paper", seed=5, policy="flat-grandfathering", steps_per_year=3)
    releases = []
    while market.running:
        market.step()
        if market.round_in_year == 0:
            releases.append(market.government.release)
            assert market.government.allocations[-1].sum() == 16
    assert releases == [18.0] * 10
    assert market.government.remaining_budget == 20.0


def test_release_is_capped_by_what_remains() -> None:
    market = CarbonMarket("paper", seed=0, policy="decreasing-grandfathering")
    market.run.remaining_budget = 10.0
    alloc = allocate(market)
    assert alloc.green_projects == 1  # floor(10 x 0.1)
    assert alloc.free.sum() <= 9
    assert market.government.remaining_budget >= 0


# --------------------------------------------------------------------------- auctions


def test_full_auction_first_year_lump_sum() -> None:
    market, alloc = first_year("auction", seed=1)
    gov = market.government
    result = gov.auctions[0]
    assert alloc.free.tolist() == [0, 0, 0, 0, 0]
    assert result.sold == alloc.auctioned
    assert 0 < result.sold <= 18
    assert result.price is not None
    assert market.accounts.allowances.tolist() == result.won.tolist()
    assert gov.auction_revenue == result.price * result.sold
    assert gov.recycled == gov.auction_revenue
    expected = 20.0 - result.won * result.price + gov.auction_revenue / 5
    assert market.accounts.coins == pytest.approx(expected)
    assert market.accounts.coins.sum() == pytest.approx(100.0)  # recycling returns it all
    assert gov.remaining_budget == 200 - result.sold - alloc.green_projects


def test_full_auction_revenue_kept() -> None:
    market, _ = first_year("auction", seed=1, recycling="kept")
    gov, result = market.government, market.government.auctions[0]
    assert result.sold > 0
    assert gov.recycled == 0.0
    assert market.accounts.coins == pytest.approx(20.0 - result.won * result.price)
    assert market.accounts.coins.sum() == pytest.approx(100.0 - gov.auction_revenue)


@pytest.mark.parametrize("policy", ["auction", "eu-benchmark", "flat-size"])
def test_coins_are_conserved_over_an_episode(policy: str) -> None:
    market = CarbonMarket("paper", seed=3, policy=policy, years=3, steps_per_year=20)
    start = market.accounts.total_coins().sum()
    run_episode(market)
    gov, ent = market.government, market.enterprises
    expected = (
        start
        + market.revenue
        - market.research_spent
        - market.penalties_paid
        - market.abatement_spent
        - ent.green_projects_completed * market.config.green_project_cost
        - gov.auction_revenue
        + gov.recycled
    )
    assert market.accounts.total_coins().sum() == pytest.approx(expected, rel=1e-12)
    assert market.revenue > 0
    assert market.accounts.escrow_coins.sum() == 0  # the year-end clear refunds every escrow
    if policy != "flat-size":
        assert gov.auction_revenue > 0
        assert gov.recycled == gov.auction_revenue


def test_eu_benchmark_first_year() -> None:
    market = CarbonMarket("paper", seed=0, policy="eu-benchmark")
    to_firms = market.government.policy.release_for(market.view, 1.0 / 9.01)[0]
    alloc = market.government.policy.allocate(market.view)
    assert alloc.free.sum() <= to_firms
    assert alloc.free.sum() + alloc.auctioned == math.floor(to_firms)
    assert alloc.green_projects == 2


def test_eu_benchmark_cap_falls_by_the_linear_reduction_factor() -> None:
    market = CarbonMarket("paper", seed=0, policy="eu-benchmark")
    policy = market.government.policy
    assert isinstance(policy, EUBenchmark)
    factors = 1 - 0.022 * np.arange(10)
    releases = []
    for year in range(10):
        market.year = year
        alloc = policy.allocate(market.view)
        nominal = 200 * factors[year] / factors.sum()
        assert alloc.release == math.floor(nominal)
        assert alloc.free.sum() <= alloc.release - alloc.green_projects
        releases.append(nominal)
    steps = np.diff(releases)
    assert steps == pytest.approx(np.full(9, -0.022 * 200 / factors.sum()))


def test_eu_benchmark_free_allocation_is_benchmark_times_activity() -> None:
    market = CarbonMarket("paper", seed=0, policy="eu-benchmark", budget=10_000.0)
    market.year = 1
    market.enterprises.last_year_output[:] = [10, 20, 30, 40, 50]
    market.enterprises.emission_rate[:] = [0.5, 1.0, 1.0, 1.0, 1.0]
    alloc = market.government.policy.allocate(market.view)
    # benchmark = mean rate of the cleanest 10% (one firm) = 0.5; the cap is not binding.
    assert alloc.free.tolist() == [5, 10, 15, 20, 25]


def test_eu_benchmark_scales_down_when_free_exceeds_the_cap() -> None:
    market = CarbonMarket("paper", seed=0, policy="eu-benchmark")
    alloc = market.government.policy.allocate(market.view)
    to_firms = alloc.release - alloc.green_projects
    wanted = 1.0 * market.enterprises.capacity * 50  # rate 1 x capacity x rounds in year 1
    assert wanted.sum() > to_firms
    assert alloc.free.tolist() == np.floor(wanted * (22.197 - 2) / wanted.sum()).tolist()


@pytest.mark.parametrize(("share", "free"), [(0.5, [3, 2, 2, 1, 1]), (1.0, [0, 0, 0, 0, 0])])
def test_auction_share_moves_free_allowances_to_the_auction(share: float, free: list[int]) -> None:
    market, alloc = first_year("flat-grandfathering", seed=1, auction_share=share)
    moved = 16 - sum(free)  # the policy's free allocation is [5, 4, 3, 2, 2]
    result = market.government.auctions[0]
    assert alloc.free.tolist() == free
    assert 0 < result.sold <= moved
    assert alloc.auctioned == result.sold
    assert market.accounts.allowances.tolist() == (np.array(free) + result.won).tolist()
    assert market.government.allocations[0].tolist() == (np.array(free) + result.won).tolist()
    assert market.government.remaining_budget == 200 - sum(free) - result.sold - 2


def test_scenario_policy_gives_the_file_allocation() -> None:
    market = CarbonMarket("classroom", seed=0)
    alloc = allocate(market)
    assert alloc.free.tolist() == [80, 80, 70]
    assert market.government.remaining_budget == 690 - 230
