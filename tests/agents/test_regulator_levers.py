"""The learned regulator's action decoded into the year's levers (agents.regulator_levers)."""

import dataclasses

import numpy as np
import pytest

from agents.decisions import Levers
from agents.policies import rule_shares
from agents.regulator_levers import ActionSpec
from model import CarbonMarket


def manual_market(**overrides):
    return CarbonMarket("paper", seed=0, policy="manual", **overrides)


def test_sizes_of_both_modes_and_optional_levers():
    assert ActionSpec("rules", 5).size == 1 + 4
    assert ActionSpec("per-firm", 5).size == 1 + 5
    assert ActionSpec("per-firm", 7, auction=True, price_floor=True).size == 1 + 7 + 2


def test_unknown_mode_is_rejected_by_name():
    with pytest.raises(ValueError, match="action_mode: 'x' is not one of per-firm, rules"):
        ActionSpec("x", 5)


def test_release_share_spans_zero_to_the_yearly_maximum():
    view = manual_market().view
    spec = ActionSpec("per-firm", 5)
    assert spec.decode(np.array([1.0, 0, 0, 0, 0, 0]), view).release_share == pytest.approx(0.25)
    assert spec.decode(np.array([-1.0, 0, 0, 0, 0, 0]), view).release_share == 0.0
    clipped = spec.decode(np.array([3.0, 0, 0, 0, 0, 0]), view)  # clipped to 1
    assert clipped.release_share == pytest.approx(0.25)


def test_per_firm_weights_and_the_resulting_allocation():
    market = manual_market()
    levers = ActionSpec("per-firm", 5).decode(np.array([1.0, 1, 0, -1, -1, -1]), market.view)
    np.testing.assert_allclose(levers.weights, [1, 0.5, 0, 0, 0])
    market.set_levers(levers)
    allocation = market.allocate(market.government.decide(market.view))
    # 25% of 200 = 50 released: 5 green projects, 45 split 2:1 between the first two firms
    assert allocation.green_projects == 5
    np.testing.assert_array_equal(allocation.free, [30, 15, 0, 0, 0])


def test_rules_mode_mixes_the_rule_splits():
    view = manual_market().view
    size_only = ActionSpec("rules", 5).decode(np.array([0.0, -1, -1, 1, -1]), view)
    np.testing.assert_allclose(size_only.weights, rule_shares(view)[2])
    all_zero = ActionSpec("rules", 5).decode(np.array([0.0, -1, -1, -1, -1]), view)
    np.testing.assert_allclose(all_zero.weights, rule_shares(view).mean(0))


def test_auction_share_and_price_floor_levers():
    market = manual_market()
    spec = ActionSpec("rules", 5, auction=True, price_floor=True)
    levers = spec.decode(np.array([1.0, 0, 0, 0, 1, 0.0, 1.0]), market.view)
    assert levers.auction_share == pytest.approx(0.5)
    assert levers.price_floor == 19  # one tick below the ceiling of 20
    market.set_levers(levers)
    market.step()
    assert market.book.price_floor == 19 and market.view.price_floor == 19
    assert market.config.price_floor == 0  # the scenario's own floor stays as loaded
    assert market.government.auctions[-1].sold + market.accounts.allowances.sum() >= 0


def test_the_floor_lever_spans_from_the_scenarios_own_floor():
    market = manual_market(price_floor=4)
    spec = ActionSpec("rules", 5, price_floor=True)
    assert spec.decode(np.array([0.0, 0, 0, 0, 0, -1.0]), market.view).price_floor == 4
    assert spec.decode(np.array([0.0, 0, 0, 0, 0, 0.0]), market.view).price_floor == round(4 + 7.5)


def test_wrong_action_length_is_rejected():
    with pytest.raises(ValueError, match="action: expected 5 entries, got 3"):
        ActionSpec("rules", 5).decode(np.zeros(3), manual_market().view)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"release_share": 1.5}, r"release_share: 1\.5 must be in \[0, 1\]"),
        ({"auction_share": -0.1}, r"auction_share: -0\.1 must be in \[0, 1\]"),
        ({"weights": np.ones(4)}, "weights: expected 5 non-negative numbers"),
        ({"weights": np.array([1, 1, np.nan, 1, 1])}, "weights: expected 5 non-negative"),
        ({"price_floor": 20}, r"price_floor: 20 must be in \[0, 19\]"),
    ],
)
def test_levers_out_of_range_are_refused_and_leave_the_levers(change, message):
    market = manual_market()
    with pytest.raises(ValueError, match=message):
        market.set_levers(dataclasses.replace(Levers(), **change))
    assert market.run.levers == Levers()
