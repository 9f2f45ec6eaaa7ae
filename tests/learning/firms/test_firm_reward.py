"""What a learned firm is rewarded for: isoelastic utility of its net worth."""

import numpy as np
import pytest

from agents.learned_firm import ACTION_SIZE
from learning.firm_reward import isoelastic_utility, net_worth
from market.orders import Side
from market.theory import compliance_cost
from model import CarbonMarket


def training_market(name="classroom", seed=0, **overrides):
    return CarbonMarket(name, seed=seed, learned_share=1.0, enterprise_policy="", **overrides)


def test_utility_is_isoelastic_and_keeps_falling_in_debt():
    coins = np.array([-50.0, 0.0, 1.0, 100.0])
    u = isoelastic_utility(coins)
    assert u[2] == pytest.approx(0.0)
    assert u[3] == pytest.approx((100**0.77 - 1) / 0.77)
    assert np.all(np.diff(u) > 0)
    assert u[0] == pytest.approx(-51.0)


def test_net_worth_counts_the_compliance_liability():
    """A purchase below value raises net worth at once; coins alone would fall."""
    market = training_market("classroom")
    no_trade = np.zeros((3, ACTION_SIZE))
    no_trade[:, 3] = -1.0
    market.firms[0].behaviour.set_actions(no_trade)
    market.step()  # allocation only: holdings [80, 80, 70], baselines 100
    firms = np.arange(3)
    acc = market.accounts
    before = net_worth(market.view, firms)
    liability = compliance_cost(100.0 - acc.total_allowances(), np.array([1.0, 2.0, 4.0]), 200.0)
    np.testing.assert_allclose(before, acc.total_coins() - liability)
    market.submit_order(0, Side.ASK, 60, 1)  # firm 1 sells at 60 ...
    market.submit_order(2, Side.BID, 60, 1)  # ... to firm 3, who values it 118
    after = net_worth(market.view, firms)
    assert after[2] - before[2] == pytest.approx(4 * (30 - 0.5) - 60)
    assert after[0] - before[0] == pytest.approx(60 - 1 * (20 + 0.5))
