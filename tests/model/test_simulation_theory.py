"""The simulated market against textbook theory (MODEL.md "Theory").

Gode & Sunder: budget-constrained random traders (ZI-C) reach high allocative efficiency,
unconstrained ones (ZI-U) do clearly worse. Price-taking traders bring the price into the
competitive interval of whole permits around p*, whatever the initial allocation (Montgomery's
independence), and a penalty below p* caps the price.
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


@pytest.mark.parametrize("name", ["classroom", "classroom-12"])
def test_zi_c_is_efficient_and_clearly_beats_zi_u(name):
    seeds = range(20)
    zi_c = mean_efficiency(textbook(name, "zi-c", years=1), seeds)
    zi_u = mean_efficiency(textbook(name, "zi-u", years=1), seeds)
    assert zi_c >= 0.90
    assert zi_c - zi_u >= 0.3


def rule_based(name, penalty=None, allocation=None):
    """A shipped textbook market of rule-based traders (another penalty or holdings if told)."""
    market = {} if penalty is None else {"penalty": penalty}
    return textbook(name, "rule-based", allocation, **market)


@functools.cache
def rule_based_prices(name, penalty=None):
    """Final-year prices of rule-based traders on five seeds (shared by the tests below)."""
    return tuple(final_year_price(rule_based(name, penalty), s) for s in range(5))


def equilibrium_price(scenario):
    """The continuous competitive equilibrium price p* of a scenario (coins)."""
    market = CarbonMarket(scenario, seed=0)
    ent = market.enterprises
    return competitive_equilibrium(
        ent.baseline_emissions,
        ent.abatement_cost,
        market.scenario_allocation.sum(),
        market.config.penalty,
    ).price


def competitive_interval(scenario):
    """A scenario's unit-permit competitive price interval: theory's own tolerance (coins)."""
    market = CarbonMarket(scenario, seed=0)
    ent = market.enterprises
    units = unit_permit_equilibrium(
        ent.baseline_emissions,
        ent.abatement_cost,
        market.scenario_allocation,
        market.config.penalty,
    )
    return units.price_low, units.price_high


# Theory's own tolerance for the price is the unit-permit competitive interval: every price in
# it clears the market of whole permits, none outside it does. The tick grid adds nothing to
# it: both ends are whole or half ticks, and price-takers quoting the tick nearest their
# expectation trade only on the ticks inside it (classroom: 40 in [39.5, 40.5]; classroom-12:
# [58, 58]; capped by a penalty of 30: [30, 30]).


@pytest.mark.parametrize(
    ("name", "penalty"), [("classroom", None), ("classroom-12", None), ("classroom", 30.0)]
)
def test_rule_based_price_lies_in_the_competitive_interval(name, penalty):
    low, high = competitive_interval(rule_based(name, penalty))
    prices = rule_based_prices(name, penalty)
    assert all(low <= price <= high for price in prices)


def test_allocation_changes_who_pays_not_the_price():
    """Independence: three allocations of the same cap, the same price; different equality."""
    allocations = [[80, 80, 70], [130, 60, 40], [77, 77, 76]]
    scenarios = [rule_based("classroom", allocation=allocation) for allocation in allocations]
    # theory: the same interval whatever the allocation, and every run's price inside it
    intervals = {competitive_interval(scenario) for scenario in scenarios}
    assert intervals == {(39.5, 40.5)}
    prices = [final_year_price(scenario, seed) for scenario in scenarios for seed in range(3)]
    assert all(39.5 <= price <= 40.5 for price in prices)
    equalities = [
        run_episode(CarbonMarket(scenario, seed=0)).measures["equality"] for scenario in scenarios
    ]
    assert max(equalities) - min(equalities) > 0.01


def test_penalty_below_equilibrium_caps_the_price():
    """A penalty of 30 below p* = 40: theory's price is the penalty, and so is every run's."""
    assert equilibrium_price(rule_based("classroom")) == pytest.approx(40.0)
    assert equilibrium_price(rule_based("classroom", 30.0)) == 30.0
    assert competitive_interval(rule_based("classroom", 30.0)) == (30.0, 30.0)
    assert all(price == 30.0 for price in rule_based_prices("classroom", 30.0))
