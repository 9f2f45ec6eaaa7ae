"""A market plays its episode's shocks: the year's output price, the drawn technology and firms.

The same seed gives the same shocks and the same trajectory; the shocks do not depend on how
many random numbers the trading draws; each year's revenue is earned at that year's price;
and the firms a seed draws lie in the scenario's ranges and differ between seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import CarbonMarket
from model.batch import MarketBatch

SHORT = {"years": 4, "recession_probability": 1.0, "recession_start": [1, 2]}


def played(market: CarbonMarket) -> CarbonMarket:
    while market.running:
        market.step()
    return market


def test_the_same_seed_plays_the_same_shocks_and_trajectory() -> None:
    first, again = (played(CarbonMarket("paper-shocks", seed=4, **SHORT)) for _ in range(2))
    np.testing.assert_array_equal(first.shocks.output_price, again.shocks.output_price)
    pd.testing.assert_frame_equal(
        first.datacollector.get_model_vars_dataframe(),
        again.datacollector.get_model_vars_dataframe(),
    )
    pd.testing.assert_frame_equal(
        first.datacollector.get_table_dataframe("trades"),
        again.datacollector.get_table_dataframe("trades"),
    )
    other = CarbonMarket("paper-shocks", seed=5, **SHORT)
    assert not np.array_equal(first.shocks.output_price, other.shocks.output_price)


@pytest.mark.parametrize("behaviour", ["zi-c", "zi-u", "truthful"])
def test_the_shocks_do_not_depend_on_the_trading_draws(behaviour: str) -> None:
    rule_based = played(CarbonMarket("paper-shocks", seed=9, **SHORT))
    random_traders = played(CarbonMarket("paper-shocks", seed=9, behaviour=behaviour, **SHORT))
    np.testing.assert_array_equal(
        rule_based.shocks.output_price, random_traders.shocks.output_price
    )
    assert rule_based.shocks.n_firms == random_traders.shocks.n_firms
    assert rule_based.config.research_success == random_traders.config.research_success


@pytest.mark.parametrize("compiled", [True, False])
def test_each_round_earns_its_years_output_price(compiled: bool) -> None:
    market = CarbonMarket("paper-shocks", seed=2, **SHORT)
    if not compiled:  # the phases one by one, as for a behaviour written in Python
        market._compiled_groups = None
    assert market.shocks.in_recession.any()
    while market.running:
        before = market.revenue
        market.step()
        price = market.shocks.output_price[market.year]
        assert market.output_price == market.view.output_price == price
        earned = price * market.enterprises.output.sum()
        assert market.revenue - before == pytest.approx(earned, rel=1e-12, abs=1e-12)


def test_a_recession_lowers_the_price_firms_earn() -> None:
    market = CarbonMarket("paper-shocks", seed=2, output_price_sigma=0.0, **SHORT)
    shocks = market.shocks
    prices = np.where(shocks.in_recession, 10.0 * (1 - shocks.recession_depth), 10.0)
    np.testing.assert_array_equal(shocks.output_price, prices)
    played(market)
    assert market.output_price == prices[-1]


def test_the_drawn_firms_lie_in_the_scenarios_ranges_and_vary_by_seed() -> None:
    markets = [CarbonMarket("paper-shocks", seed=seed) for seed in range(40)]
    counts = {m.enterprises.n for m in markets}
    assert counts <= set(range(3, 9)) and len(counts) >= 5
    for m in markets:
        ent, shocks = m.enterprises, m.shocks
        assert ent.n == shocks.n_firms == m.scenario.n_firms == len(m.firms)
        assert set(ent.capacity) <= {1.0, 1.2, 1.4, 1.6}
        skills = ent.research_ability / shocks.research_ability_factor
        np.testing.assert_allclose(np.round(skills, 1), skills, rtol=1e-12)
        assert set(np.round(skills, 1)) <= {1.0, 1.2, 1.4, 1.6}
        assert ((ent.initial_emission_rate >= 0.8) & (ent.initial_emission_rate <= 1.2)).all()
        assert 0.5 <= m.config.research_success < 0.9
        # The budget is 6.25% of the drawn firms' emissions at full capacity (500 rounds).
        full = (ent.capacity * ent.initial_emission_rate).sum() * 500
        assert m.run.budget == pytest.approx(0.0625 * full, rel=1e-12)
    capacities = {tuple(m.enterprises.capacity) for m in markets}
    assert len(capacities) == len(markets)


def test_eu_shocks_draws_50_to_500_firms_in_their_sectors() -> None:
    markets = [CarbonMarket("eu-shocks", seed=seed, years=1) for seed in range(6)]
    sizes = [m.enterprises.n for m in markets]
    assert all(50 <= n <= 500 for n in sizes) and len(set(sizes)) == len(sizes)
    for m in markets:
        assert set(m.enterprises.sector) <= {"power", "steel", "cement", "chemicals"}
        assert m.config.banking and m.config.make_good


def test_a_batch_of_markets_of_different_sizes_reports_each_lane_alone() -> None:
    seeds = [3, 0, 8, 1]
    batch = MarketBatch("eu-shocks", seeds, years=2, n_firms_range=[20, 24]).run()
    assert len(batch.blocks) == len({m.enterprises.n for m in batch.markets}) > 1
    for market, seed in zip(batch.markets, seeds, strict=True):
        alone = played(CarbonMarket("eu-shocks", seed=seed, years=2, n_firms_range=[20, 24]))
        assert market.enterprises.n == alone.enterprises.n
        np.testing.assert_array_equal(market.accounts.block, alone.accounts.block)
        pd.testing.assert_frame_equal(
            pd.DataFrame(market.year_records), pd.DataFrame(alone.year_records)
        )
