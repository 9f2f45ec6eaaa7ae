"""The simulated market against textbook theory (MODEL.md "Theory").

Gode & Sunder: budget-constrained random traders (ZI-C) reach high allocative efficiency,
unconstrained ones (ZI-U) do clearly worse. Price-taking traders bring the price to the
competitive equilibrium p*, whatever the initial allocation (Montgomery's independence), and a
penalty below p* caps the price.
"""

import functools
import tomllib

import numpy as np
import pytest

from market.data import SCENARIO_DIR
from market.scenario import parse_scenario
from market.theory import competitive_equilibrium, unit_permit_equilibrium
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


@functools.cache
def rule_based_prices(name, penalty=None):
    """Final-year prices of rule-based traders on five seeds (shared by the tests below)."""
    market = {} if penalty is None else {"penalty": penalty}
    return tuple(final_year_price(textbook(name, "rule-based", **market), s) for s in range(5))


def competitive_interval(name, penalty=None):
    """The unit-permit competitive price interval: theory's own tolerance (coins)."""
    market = CarbonMarket(
        textbook(name, "rule-based", **({} if penalty is None else {"penalty": penalty})), seed=0
    )
    ent = market.enterprises
    units = unit_permit_equilibrium(
        ent.baseline_emissions,
        ent.abatement_cost,
        market.scenario_allocation,
        market.config.penalty,
    )
    return units.price_low, units.price_high


@pytest.mark.parametrize("name", ["classroom", "classroom-12"])
def test_rule_based_traders_find_the_competitive_price(name):
    p_star = equilibrium_price(name)
    assert np.mean(rule_based_prices(name)) == pytest.approx(p_star, rel=0.10)


#: Why the rule-based market misses theory's interval (issue 14, item 17, investigated): the
#: rule bids one tick above and asks one tick below its expected price, and trades happen at
#: the resting order's tick, so on the integer tick grid its price settles about one tick off
#: the unit-permit interval. Measured final-year VWAP, five seeds: classroom 41.2 for
#: [39.5, 40.5], classroom-12 59.1 for [58, 58], capped by a penalty of 30: 29.0 for [30, 30].
ONE_TICK_OFF = "rule-based quotes sit one tick off the expectation (see ONE_TICK_OFF)"


@pytest.mark.xfail(strict=True, reason=ONE_TICK_OFF)
@pytest.mark.parametrize(
    ("name", "penalty"), [("classroom", None), ("classroom-12", None), ("classroom", 30.0)]
)
def test_rule_based_price_lies_in_the_competitive_interval(name, penalty):
    low, high = competitive_interval(name, penalty)
    assert low <= np.mean(rule_based_prices(name, penalty)) <= high


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
    prices = rule_based_prices("classroom", 30.0)
    assert max(prices) <= 30.0
    assert np.mean(prices) == pytest.approx(30.0, rel=0.10)
