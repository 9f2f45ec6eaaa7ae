"""Comparing learned with heuristic firms in one market: the crossover design."""

import numpy as np
import pandas as pd
import pytest

from learning.evaluate import profit_comparison, run_policy, swap_learned
from model import CarbonMarket

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

SHORT = {"years": 1, "steps_per_year": 20}


def test_swapping_makes_every_firm_play_the_other_role():
    market = CarbonMarket("paper", seed=3, learned_share=0.5, **SHORT)
    before = market.behaviour_names.copy()
    swap_learned(market)
    assert ((before == "learned") == (market.behaviour_names == "rule-based")).all()
    assert len({id(f.behaviour) for f in market.firms if f.behaviour.name == "learned"}) == 1


def test_swapping_needs_one_learned_and_one_heuristic_behaviour():
    with pytest.raises(ValueError, match="learned_share"):
        swap_learned(CarbonMarket("paper", seed=3, **SHORT))


def test_a_mixed_run_reports_each_firm_once_in_each_role():
    row = run_policy("paper", "flat-benchmarking", 5, 0.2, learned_share=0.5, **SHORT)
    draw = CarbonMarket("paper", seed=5, policy="flat-benchmarking", learned_share=0.5, **SHORT)
    swapped = CarbonMarket("paper", seed=5, policy="flat-benchmarking", learned_share=0.5, **SHORT)
    swap_learned(swapped)
    profits = []
    for market in (draw, swapped):
        while market.running:
            market.step()
        profits.append(market.accounts.total_coins() - market.initial_coins)
    learned = draw.behaviour_names == "learned"
    as_learned = np.where(learned, profits[0], profits[1])
    as_heuristic = np.where(learned, profits[1], profits[0])
    assert row["crossover_learned_profit"] == pytest.approx(as_learned.mean())
    assert row["crossover_heuristic_profit"] == pytest.approx(as_heuristic.mean())
    assert row["learned_firm_profit"] == pytest.approx(profits[0][learned].mean())
    heuristic_only = run_policy("paper", "flat-benchmarking", 5, 0.2, **SHORT)
    assert np.isnan(heuristic_only["crossover_learned_profit"])


def test_profit_comparison_pairs_by_seed():
    scored = pd.DataFrame(
        {
            "policy": ["a"] * 3,
            "crossover_learned_profit": [10.0, 12.0, 14.0],
            "crossover_heuristic_profit": [9.0, 12.5, 11.0],
            "learned_firm_profit": [1.0, 2.0, 3.0],
            "heuristic_firm_profit": [1.0, 1.0, 1.0],
            "learned_corrected_share": [0.0, 0.1, 0.2],
        }
    )
    (row,) = profit_comparison(scored).to_dict(orient="records")
    assert row["difference"] == pytest.approx(np.mean([1.0, -0.5, 3.0]))
    assert row["wins"] == 2 and row["seeds"] == 3
    assert row["difference_ci"] == pytest.approx(
        4.303 * np.std([1.0, -0.5, 3.0], ddof=1) / 3**0.5, rel=1e-3
    )
    assert row["draw_difference"] == pytest.approx(1.0)
    assert row["corrected_share"] == pytest.approx(0.1)
