"""Orders from outside the market (a person, a test): bounded by the allowances there can be."""

from __future__ import annotations

import re

import pytest

from market.orders import OrderRejected, Side
from model import CarbonMarket


def test_an_order_cannot_ask_for_more_allowances_than_the_market_can_have():
    market = CarbonMarket("paper", seed=0, years=1)  # nothing held yet, a budget of 200
    message = (
        "quantity: 201 is outside the allowed [1, 200] allowances "
        "(those the firms hold, the green projects on offer and the budget left)"
    )
    with pytest.raises(OrderRejected, match=f"^{re.escape(message)}$"):
        market.submit_order(0, Side.BID, 0, 201)
    with pytest.raises(
        OrderRejected, match=rf"^quantity: {10**30} is outside the allowed \[1, 200\]"
    ):
        market.submit_order(0, Side.BID, 0, 10**30)
    assert len(market.book) == 0
    market.submit_order(0, Side.BID, 0, 200)  # a bid for every allowance there can be rests
    assert market.book.depth(Side.BID) == [(0, 200)]


def test_the_bound_follows_what_is_held_and_what_remains_to_issue():
    market = CarbonMarket("paper", seed=0, years=1)
    market.step()  # the first year's release, to the firms and as green projects
    held = market.accounts.total_allowances().sum()
    assert 0 < held < 50 and market.run.remaining_budget < 200
    # nothing has expired yet: what is held, on offer and left adds up to the whole budget
    most = int(held + market.run.green_projects_available + market.run.remaining_budget)
    assert most == 200
    with pytest.raises(OrderRejected, match=rf"^quantity: {most + 1} is outside"):
        market.submit_order(0, Side.BID, 0, most + 1)
    market.submit_order(0, Side.BID, 0, most)
