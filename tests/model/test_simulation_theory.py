"""The simulated market against textbook theory (MODEL.md "Theory").

Gode & Sunder: budget-constrained random traders (ZI-C) reach high allocative efficiency,
unconstrained ones (ZI-U) do clearly worse. Price-taking traders bring the price to the
competitive equilibrium p*, whatever the initial allocation (Montgomery's independence), and a
penalty below p* caps the price.
"""

import tomllib

import numpy as np
import pytest

from market.data import SCENARIO_DIR
from market.scenario import parse_scenario
from market.theory import competitive_equilibrium
from model import CarbonMarket
from model.episode import run_episode, trades_frame

# Multi-seed simulation studies: tens of whole textbook episodes each (make test runs them).
pytestmark = pytest.mark.slow


def textbook(name, behaviour, allocation=None, **market):
    """A shipped textbook scenario with every firm on one behaviour (and other holdings)."""
    data = tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text())
    for i, firm in enumerate(data["firms"]):
        if allocation is not None:
            firm["allocation"] = float(allocation[i])
    data["market"].update(market)
    if allocation is not None:
        data["market"]["budget"] = float(np.sum(allocation)) * data["market"]["years"]
    return parse_scenario(data, name=name, overrides={"behaviour": behaviour})


def mean_efficiency(scenario, seeds):
    return np.mean(
        [np.mean(run_episode(CarbonMarket(scenario, seed=s)).efficiency_by_year) for s in seeds]
    )


def final_year_price(scenario, seed):
    """VWAP of the last year's trades: the price after a year of price discovery."""
    trades = trades_frame(run_episode(CarbonMarket(scenario, seed=seed)))
    last = trades[trades["year"] == trades["year"].max()]
    return float((last["price"] * last["quantity"]).sum() / last["quantity"].sum())


def equilibrium_price(name):
    market = CarbonMarket(name, seed=0)
    ent = market.enterprises
    return competitive_equilibrium(
        ent.baseline_emissions,
        ent.abatement_cost,
        market.scenario_allocation.sum(),
        market.config.penalty,
    ).price


@pytest.mark.parametrize("name", ["classroom", "classroom-12"])
def test_zi_c_is_efficient_and_clearly_beats_zi_u(name):
    seeds = range(20)
    zi_c = mean_efficiency(textbook(name, "zi-c", years=1), seeds)
    zi_u = mean_efficiency(textbook(name, "zi-u", years=1), seeds)
    assert zi_c >= 0.90
    assert zi_c - zi_u >= 0.3


@pytest.mark.parametrize("name", ["classroom", "classroom-12"])
def test_rule_based_traders_find_the_competitive_price(name):
    p_star = equilibrium_price(name)
    prices = [final_year_price(textbook(name, "rule-based"), seed) for seed in range(5)]
    assert np.mean(prices) == pytest.approx(p_star, rel=0.10)


def test_allocation_changes_who_pays_not_the_price():
    """Independence: three allocations of the same cap, the same price; different equality."""
    allocations = [[80, 80, 70], [130, 60, 40], [77, 77, 76]]
    prices, equalities = [], []
    for allocation in allocations:
        scenario = textbook("classroom", "rule-based", allocation)
        prices.append(np.mean([final_year_price(scenario, seed) for seed in range(3)]))
        market = run_episode(CarbonMarket(scenario, seed=0))
        equalities.append(market.measures["equality"])
    assert np.allclose(prices, 40.0, rtol=0.10)
    assert max(prices) - min(prices) <= 0.10 * 40.0
    assert max(equalities) - min(equalities) > 0.01


def test_penalty_below_equilibrium_caps_the_price():
    capped = textbook("classroom", "rule-based", penalty=30.0)
    prices = [final_year_price(capped, seed) for seed in range(3)]
    assert max(prices) <= 30.0
    assert np.mean(prices) == pytest.approx(30.0, rel=0.10)
