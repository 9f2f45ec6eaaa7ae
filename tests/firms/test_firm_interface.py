import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from learning.firm_interface import (
    ACTION_SIZE,
    FIRM_FEATURES,
    decode_actions,
    firm_observations,
    isoelastic_utility,
)
from learning.learned_firms import LearnedBehaviour
from model import CarbonMarket
from model.orders import Side


def training_market(name="classroom-12", seed=0, **overrides):
    return CarbonMarket(name, seed=seed, learned_share=1.0, enterprise_policy="", **overrides)


def test_learned_share_picks_a_seeded_share_of_firms():
    a = CarbonMarket("paper", seed=3, learned_share=0.5, enterprise_policy="")
    b = CarbonMarket("paper", seed=3, learned_share=0.5, enterprise_policy="")
    learned = [f.index for f in a.firms if isinstance(f.behaviour, LearnedBehaviour)]
    assert len(learned) == 3  # round(2.5) up
    assert learned == [f.index for f in b.firms if isinstance(f.behaviour, LearnedBehaviour)]
    assert len({id(f.behaviour) for f in a.firms if f.index in learned}) == 1  # one policy


def test_observation_shape_and_scale():
    market = training_market()
    market.firms[0].behaviour.set_actions(np.zeros((12, ACTION_SIZE)))
    market.step()
    obs = firm_observations(market, np.arange(12))
    assert obs.shape == (12, len(FIRM_FEATURES)) and obs.dtype == np.float32
    assert np.isfinite(obs).all()
    held = FIRM_FEATURES.index("allowances")
    np.testing.assert_allclose(obs[:, held], market.accounts.total_allowances() / 100.0, rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    actions=arrays(np.float64, (12, ACTION_SIZE), elements=st.floats(-3, 3)),
    rounds=st.integers(0, 30),
    seed=st.integers(0, 5),
)
def test_decoded_orders_are_always_valid(actions, rounds, seed):
    """Whatever the policy outputs, the firm never posts what it cannot honour."""
    market = training_market(seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        market.firms[0].behaviour.set_actions(rng.uniform(-1, 1, (12, ACTION_SIZE)))
        market.step()
    firms = np.arange(12)
    _, _, _, quotes = decode_actions(market, firms, actions)
    from agents.valuation import allowance_values

    value, cost = allowance_values(market, quotes.firms)
    bids = quotes.side == Side.BID
    assert (quotes.quantity >= 1).all()
    assert (quotes.price[bids] <= np.floor(value[bids])).all()  # never above its value
    assert (quotes.price[~bids] >= np.ceil(cost[~bids]) - 1e-9).all()  # never below its cost
    acc = market.accounts
    assert (quotes.price[bids] * quotes.quantity[bids] <= acc.coins[quotes.firms[bids]]).all()
    assert (quotes.quantity[~bids] <= acc.allowances[quotes.firms[~bids]]).all()
    for firm, side, price, quantity in zip(
        quotes.firms, quotes.side, quotes.price, quotes.quantity, strict=True
    ):
        market.book.submit(int(firm), int(side), int(price), int(quantity), market.steps)


def test_utility_is_isoelastic_and_keeps_falling_in_debt():
    coins = np.array([-50.0, 0.0, 1.0, 100.0])
    u = isoelastic_utility(coins)
    assert u[2] == pytest.approx(0.0)
    assert u[3] == pytest.approx((100**0.77 - 1) / 0.77)
    assert np.all(np.diff(u) > 0)
    assert u[0] == pytest.approx(-51.0)


def test_net_worth_counts_the_compliance_liability():
    """A purchase below value raises net worth at once; coins alone would fall."""
    from learning.firm_interface import net_worth
    from model.theory import compliance_cost

    market = training_market("classroom")
    no_trade = np.zeros((3, ACTION_SIZE))
    no_trade[:, 3] = -1.0
    market.firms[0].behaviour.set_actions(no_trade)
    market.step()  # allocation only: holdings [80, 80, 70], baselines 100
    firms = np.arange(3)
    acc = market.accounts
    before = net_worth(market, firms)
    liability = compliance_cost(100.0 - acc.total_allowances(), np.array([1.0, 2.0, 4.0]), 200.0)
    np.testing.assert_allclose(before, acc.total_coins() - liability)
    market.book.submit(0, int(Side.ASK), 60, 1, market.steps)  # firm 1 sells at 60 ...
    market.book.submit(2, int(Side.BID), 60, 1, market.steps)  # ... to firm 3, who values it 118
    after = net_worth(market, firms)
    assert after[2] - before[2] == pytest.approx(4 * (30 - 0.5) - 60)
    assert after[0] - before[0] == pytest.approx(60 - 1 * (20 + 0.5))
