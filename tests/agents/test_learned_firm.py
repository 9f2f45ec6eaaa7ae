"""Learned firms: observations, the corrections of the rule's decisions, shared behaviour."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from agents.behaviours import RuleBased
from agents.learned_firm import (
    ACTION_SIZE,
    FIRM_FEATURES,
    LearnedBehaviour,
    corrected_output,
    corrected_quotes,
    corrections,
    firm_observations,
)
from agents.learned_kernels import MAX_QUANTITY, reverse
from market.orders import Side
from model import CarbonMarket

RULE = RuleBased(MAX_QUANTITY)  # the decisions a learned firm corrects


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
    obs = firm_observations(market.view, np.arange(12))
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
    quotes = corrected_quotes(market.view, firms, np.clip(actions, -1, 1))
    bids = quotes.side == Side.BID
    assert (quotes.quantity >= 1).all()
    acc = market.accounts
    assert (quotes.price[bids] * quotes.quantity[bids] <= acc.coins[quotes.firms[bids]]).all()
    assert (quotes.quantity[~bids] <= acc.allowances[quotes.firms[~bids]]).all()
    assert market.rejected_orders == 0  # the random corrections played so far
    open_orders = market.book.open_counts()
    for firm, side, price, quantity in zip(
        quotes.firms, quotes.side, quotes.price, quotes.quantity, strict=True
    ):
        if open_orders[firm] < market.config.max_orders:  # the market skips a full firm
            market.submit_order(int(firm), int(side), int(price), int(quantity))


def rule_and_corrected_markets(name, seed, actions, **overrides):
    """The same seed played by rule-based firms and by learned firms acting ``actions``."""
    rule = CarbonMarket(name, seed=seed, behaviour="rule-based", **overrides)
    learned = CarbonMarket(name, seed=seed, behaviour="rule-based", **overrides)
    behaviour = LearnedBehaviour()
    for firm in learned.firms:
        learned.assign_behaviour(firm.index, behaviour)
    for market in (rule, learned):
        while market.running:
            if market is learned:
                behaviour.set_actions(actions(market))
            market.step()
    return rule, learned


@pytest.mark.parametrize("name", ["paper", "classroom-12"])
def test_the_zero_action_is_the_rule_based_firm(name):
    """A learned firm that corrects nothing plays exactly as the rule-based firm."""
    from model.episode import trades_frame

    rule, learned = rule_and_corrected_markets(
        name, 4, lambda m: np.zeros((m.enterprises.n, ACTION_SIZE)), years=2
    )
    pd.testing.assert_frame_equal(trades_frame(rule), trades_frame(learned))
    np.testing.assert_array_equal(rule.accounts.coins, learned.accounts.coins)
    np.testing.assert_array_equal(rule.enterprises.emission_rate, learned.enterprises.emission_rate)


def test_actions_correct_the_rule_decisions():
    market = CarbonMarket("paper", seed=1)
    market.step()
    firms = np.arange(market.enterprises.n)
    rule_output = RULE.production(market.view, firms)
    actions = np.zeros((len(firms), ACTION_SIZE))
    capacity = market.enterprises.capacity
    actions[:, 0] = -0.2  # inside the dead zone: the rule's output
    np.testing.assert_allclose(corrected_output(market.view, firms, actions), rule_output)
    actions[:, 0] = -0.625  # half-way out of the dead zone: half the capacity less
    expected = np.clip(rule_output / capacity - 0.5, 0, 1) * capacity
    np.testing.assert_allclose(corrected_output(market.view, firms, actions), expected)
    actions[:, 0] = 1.0
    np.testing.assert_allclose(corrected_output(market.view, firms, actions), capacity)
    rule = [True, True, False, False]
    pushed = [reverse(r, a) for r, a in zip(rule, [-0.4, -0.6, 0.4, 0.6], strict=True)]
    assert pushed == [True, False, False, True]


def test_price_and_quantity_corrections_move_the_rule_quote():
    market = CarbonMarket("paper", seed=2)
    for _ in range(3):
        market.step()
    firms = np.arange(market.enterprises.n)
    side, price, quantity, active = RULE.plan(market.view, firms)
    assert active.any()
    zero = corrected_quotes(market.view, firms, np.zeros((len(firms), ACTION_SIZE)))
    np.testing.assert_array_equal(zero.firms, firms[active])
    np.testing.assert_array_equal(zero.price, price[active])
    np.testing.assert_array_equal(zero.quantity, quantity[active])
    silent = np.zeros((len(firms), ACTION_SIZE))
    silent[:, 3] = -1.0
    assert len(corrected_quotes(market.view, firms, silent).firms) == 0
    shaded = np.zeros((len(firms), ACTION_SIZE))
    shaded[:, 5] = np.where(side == Side.BID, -1.0, 1.0)  # bid lower, ask higher: 2 ticks
    moved = corrected_quotes(market.view, firms, shaded)
    cfg = market.config
    target = np.clip(price + np.where(side == Side.BID, -2, 2), cfg.price_floor, cfg.price_ceiling)
    np.testing.assert_array_equal(moved.price, target[np.isin(firms, moved.firms)])


def test_a_learned_firm_may_buy_where_the_rule_would_not():
    """Action 3 above one half bids at the rule's bid quote, limited only by the firm's coins."""
    market = CarbonMarket("paper", seed=2)
    market.step()
    firms = np.arange(market.enterprises.n)
    side, _, _, active = RULE.plan(market.view, firms)
    buy = np.zeros((len(firms), ACTION_SIZE))
    buy[:, 3] = 1.0
    buy[:, 4] = 1.0  # as many units as the coins allow, up to 5
    quotes = corrected_quotes(market.view, firms, buy)
    assert (quotes.side == Side.BID).all()
    assert not (active & (side == Side.BID)).all()  # some firm switched to buying
    bid = min(round(market.expected_price) + 1, market.config.price_ceiling)
    coins = market.accounts.coins[quotes.firms]
    np.testing.assert_array_equal(quotes.quantity, np.minimum(5, coins // max(bid, 1)))


def test_corrections_count_actions_that_change_a_decision():
    actions = np.array([[0.2, 0.4, -0.6, 0.0, -0.3, 0.26], [0.3, -0.5, 0.5, 0.51, 0.0, 0.0]])
    np.testing.assert_array_equal(
        corrections(actions),
        [[False, False, True, False, True, True], [True, False, False, True, False, False]],
    )
