"""A lane's results read from the batch's arrays are exactly its built market's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.batch import MarketBatch
from model.episode import episode_summary
from model.lane_results import lane_results

SEEDS = (5, 0, 3, 8, 1, 2)  # not in order: a lane's place in the batch must not matter
CASES = [
    ("paper", {"years": 3, "policy": "decreasing-size"}),
    ("paper-shocks", {"years": 3}),  # firms drawn per seed: lanes of several sizes
    ("classroom", {"years": 2, "steps_per_year": 30}),  # textbook lanes: built, efficiency
    ("paper", {"years": 2, "policy": "msr"}),  # a supply rule, decided over lanes
    ("paper", {"years": 2, "policy": "auction"}),  # a call auction every year, over lanes
    ("paper", {"years": 2, "learned_share": 0.5}),  # learned firms acting between rounds
]
SUMMARY = (
    "welfare", "equality", "productivity", "total_emissions", "over_emission", "mean_price",
    "volume", "allowances_issued", "penalties_paid", "abatement_cost",
    "allocative_efficiency", "green_projects", "rejected_orders",
)  # fmt: skip


def years_of(market) -> list[dict[str, float]]:
    """Each year's metrics from a built market's Mesa records (the sweep's rule before)."""
    n_years = len(market.compliance_by_year)
    steps_per_year = market.config.steps_per_year
    model_vars = market.datacollector.model_vars
    trades = market.datacollector.tables["trades"]
    trade_year = np.asarray(trades["year"], dtype=np.int64)
    quantity = np.asarray(trades["quantity"], dtype=float)
    value = quantity * np.asarray(trades["price"], dtype=float)
    volume = np.bincount(trade_year, weights=quantity, minlength=n_years)
    turnover = np.bincount(trade_year, weights=value, minlength=n_years)
    row_of = {int(r): k for k, r in enumerate(model_vars["round"])}
    ends = [row_of[(year + 1) * steps_per_year] for year in range(n_years)]
    green = [0, *(model_vars["green_projects"][end] for end in ends)]
    number = lambda v: math.nan if v is None else float(v)  # noqa: E731
    rows = []
    for year, (settled, end) in enumerate(zip(market.compliance_by_year, ends, strict=True)):
        efficiency = market.efficiency_by_year[year] if market.efficiency_by_year else math.nan
        rows.append(
            {
                "year": year,
                "welfare": number(model_vars["welfare"][end]),
                "equality": number(model_vars["equality"][end]),
                "productivity": number(model_vars["productivity"][end]),
                "total_emissions": settled.emissions,
                "over_emission": settled.shortfall,
                "mean_price": turnover[year] / volume[year] if volume[year] else math.nan,
                "volume": float(volume[year]),
                "penalties_paid": settled.penalties,
                "abatement_cost": settled.abatement_spent,
                "allocative_efficiency": number(efficiency),
                "green_projects": float(green[year + 1] - green[year]),
            }
        )
    return rows


def expected_of(market) -> tuple[str, dict, list]:
    summary = episode_summary(market)
    return market.scenario.government.policy, {k: summary[k] for k in SUMMARY}, years_of(market)


def assert_exactly(got, expected) -> None:
    """Equal value for value and of the same type (nan equal to nan, None to None)."""
    np.testing.assert_equal(got, expected)
    assert [type(v) for v in got[1].values()] == [type(v) for v in expected[1].values()]


@pytest.mark.parametrize(("scenario", "params"), CASES, ids=lambda c: str(c))
def test_a_lane_read_from_the_arrays_is_its_built_market(scenario: str, params: dict) -> None:
    read = MarketBatch(scenario, SEEDS, **params).run()
    built = MarketBatch(scenario, SEEDS, **params).run()
    got = [(r.policy, r.summary, r.years) for r in lane_results(read)]
    expected = [expected_of(market) for market in built.markets]
    for lane in range(len(SEEDS)):
        assert_exactly(got[lane], expected[lane])
    # read again once every market is built: the same figures
    again = [(r.policy, r.summary, r.years) for r in lane_results(built)]
    for lane in range(len(SEEDS)):
        assert_exactly(again[lane], expected[lane])


def test_reading_builds_no_market() -> None:
    batch = MarketBatch("paper", SEEDS, years=2).run()
    lane_results(batch)
    assert all(block.built(b) is None for block in batch.blocks for b in range(len(block.starts)))


def test_lanes_of_several_sizes_come_back_in_the_order_of_the_seeds() -> None:
    batch = MarketBatch("paper-shocks", SEEDS, years=1).run()
    assert len(batch.blocks) > 1  # the drawn numbers of firms differ
    alone = [lane_results(MarketBatch("paper-shocks", [seed], years=1).run())[0] for seed in SEEDS]
    assert_same = np.testing.assert_equal
    assert_same([r.summary for r in lane_results(batch)], [r.summary for r in alone])


@pytest.mark.parametrize(("scenario", "params"), CASES[:4], ids=lambda c: str(c))
def test_an_evaluation_row_read_from_a_lane_is_its_built_market_row(
    scenario: str, params: dict
) -> None:
    from learning.evaluate import lane_row, run_row

    c = 0.3
    read = MarketBatch(scenario, SEEDS, climate_coefficient=c, **params).run()
    built = MarketBatch(scenario, SEEDS, climate_coefficient=c, **params).run()
    policy = params.get("policy", "scenario's")
    got = [lane_row(lane, policy, s, c) for lane, s in zip(lane_results(read), SEEDS, strict=True)]
    expected = [run_row(m, policy, s, c) for m, s in zip(built.markets, SEEDS, strict=True)]
    np.testing.assert_equal(got, expected)
    assert [[type(v) for v in row.values()] for row in got] == [
        [type(v) for v in row.values()] for row in expected
    ]
