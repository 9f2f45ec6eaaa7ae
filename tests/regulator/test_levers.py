import numpy as np
import pytest

from agents.policies import rule_shares
from learning.levers import ActionSpec
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
    market = manual_market()
    spec = ActionSpec("per-firm", 5)
    spec.apply(np.array([1.0, 0, 0, 0, 0, 0]), market, 0)
    assert market.government.policy.release_share == pytest.approx(0.25)
    spec.apply(np.array([-1.0, 0, 0, 0, 0, 0]), market, 0)
    assert market.government.policy.release_share == 0.0
    spec.apply(np.array([3.0, 0, 0, 0, 0, 0]), market, 0)  # clipped to 1
    assert market.government.policy.release_share == pytest.approx(0.25)


def test_per_firm_weights_and_the_resulting_allocation():
    market = manual_market()
    ActionSpec("per-firm", 5).apply(np.array([1.0, 1, 0, -1, -1, -1]), market, 0)
    np.testing.assert_allclose(market.government.policy.weights, [1, 0.5, 0, 0, 0])
    allocation = market.government.allocate()
    # 25% of 200 = 50 released: 5 green projects, 45 split 2:1 between the first two firms
    assert allocation.green_projects == 5
    np.testing.assert_array_equal(allocation.free, [30, 15, 0, 0, 0])


def test_rules_mode_mixes_the_rule_splits():
    market = manual_market()
    ActionSpec("rules", 5).apply(np.array([0.0, -1, -1, 1, -1]), market, 0)  # size only
    np.testing.assert_allclose(market.government.policy.weights, rule_shares(market)[2])
    ActionSpec("rules", 5).apply(np.array([0.0, -1, -1, -1, -1]), market, 0)  # all zero
    np.testing.assert_allclose(market.government.policy.weights, rule_shares(market).mean(0))


def test_auction_share_and_price_floor_levers():
    market = manual_market()
    spec = ActionSpec("rules", 5, auction=True, price_floor=True)
    spec.apply(np.array([1.0, 0, 0, 0, 1, 0.0, 1.0]), market, 0)
    assert market.government.policy.auction_share == pytest.approx(0.5)
    assert market.government.policy.price_floor == 19  # one tick below the ceiling of 20
    market.step()
    assert market.book.price_floor == 19 and market.config.price_floor == 19
    assert market.government.auctions[-1].sold + market.accounts.allowances.sum() >= 0


def test_wrong_action_length_is_rejected():
    with pytest.raises(ValueError, match="action: expected 5 entries, got 3"):
        ActionSpec("rules", 5).apply(np.zeros(3), manual_market(), 0)


def test_levers_need_a_manual_government():
    with pytest.raises(TypeError, match="policy='manual'"):
        ActionSpec("rules", 5).apply(np.zeros(5), CarbonMarket("paper", seed=0), 0)
