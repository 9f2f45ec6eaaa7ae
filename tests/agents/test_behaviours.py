"""Every behaviour of ``agents/behaviours.py`` against a stub view.

The zero-intelligence and truthful traders are checked for their invariants over random firm
states and seeds (hypothesis); the rule-based trader and the rule-based producer at their
thresholds, with the numbers worked out by hand. Defaults are the stub's: paper economy,
penalty 30, output price 10, ceiling 20, floor 0, capacity 1, emission rate 1, 20 coins.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.behaviours import (
    Behaviour,
    RuleBased,
    Truthful,
    ZeroIntelligenceConstrained,
    ZeroIntelligenceUnconstrained,
    research_saving,
    rule_quote,
    units_worth,
)
from agents.decisions import Quotes
from agents.valuation import cost_of_selling, shortfalls, value_of_buying
from market.orders import Side
from tests.agents.stub_view import StubView, stub_view

INF = math.inf
BID, ASK = Side.BID, Side.ASK
PROPERTY = settings(max_examples=150, deadline=None, database=None)


@st.composite
def markets(draw: st.DrawFn) -> tuple[StubView, np.ndarray]:
    """A view of 1-4 firms in a random state, and a random subset of them in random order."""
    n = draw(st.integers(1, 4))

    def per_firm(values: st.SearchStrategy) -> list:
        return draw(st.lists(values, min_size=n, max_size=n))

    floor = draw(st.integers(0, 10))
    view = stub_view(
        n,
        production=draw(st.booleans()),
        capacity=per_firm(st.floats(0.0, 2.0)),
        emission_rate=per_firm(st.floats(0.02, 1.5)),
        coins=per_firm(st.floats(-20.0, 60.0)),
        allowances=per_firm(st.integers(0, 8)),
        escrow_allowances=per_firm(st.integers(0, 3)),
        open_bids=per_firm(st.integers(0, 3)),
        ytd_emissions=per_firm(st.floats(0.0, 30.0)),
        baseline_emissions=per_firm(st.floats(0.0, 30.0)),
        abatement_cost=per_firm(st.one_of(st.just(INF), st.floats(0.1, 10.0))),
        owed=per_firm(st.sampled_from([0.0, 2.5])),
        rounds_left=draw(st.integers(0, 49)),
        expected_price=draw(st.one_of(st.none(), st.floats(floor, 20.0))),
        best_ask=draw(st.one_of(st.none(), st.integers(floor, 20))),
        price_floor=floor,
        seed=draw(st.integers(0, 2**32 - 1)),
    )
    order = draw(st.permutations(range(n)))
    return view, np.array(order[: draw(st.integers(1, n))])


def replacing_values(view: StubView, firms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value of buying and cost of selling for a firm about to withdraw its open bids."""
    bid_short, ask_short = shortfalls(view, firms, count_open_bids=False)
    return value_of_buying(view, firms, bid_short), cost_of_selling(view, firms, ask_short)


def safe_sides(view: StubView, firms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether a bid tick exists at or below value and coins, and an ask tick at or above cost."""
    value, cost = replacing_values(view, firms)
    coins = view.accounts.coins[firms]
    can_bid = (value > 0) & (np.minimum(value, coins) >= view.price_floor)
    can_ask = (view.accounts.allowances[firms] >= 1) & (cost <= view.config.price_ceiling)
    return can_bid, can_ask


def by_side(quotes: Quotes) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the bids and the asks among the quotes."""
    return quotes.side == BID, quotes.side == ASK


def assert_one_unit_per_firm_in_the_band(view: StubView, firms: np.ndarray, q: Quotes) -> None:
    """Quotes come from the given firms, one each, for one unit, at ticks of the band."""
    assert set(q.firms.tolist()) <= set(firms.tolist())
    assert len(set(q.firms.tolist())) == len(q.firms)
    assert (q.quantity == 1).all()
    assert ((q.price >= view.price_floor) & (q.price <= view.config.price_ceiling)).all()


def many_firms(n: int = 2000, **state) -> tuple[StubView, np.ndarray]:
    """``n`` identical textbook firms (no production), to see a rule's random draws."""
    return stub_view(n, production=False, **state), np.arange(n)


# --------------------------------------------------------------------------- ZI-C


@PROPERTY
@given(markets())
def test_zi_c_never_quotes_at_a_loss(market: tuple[StubView, np.ndarray]) -> None:
    view, firms = market
    q = ZeroIntelligenceConstrained().quote(view, firms)
    assert_one_unit_per_firm_in_the_band(view, firms, q)
    value, cost = replacing_values(view, q.firms)
    bids, asks = by_side(q)
    assert (q.price[bids] <= value[bids]).all()
    assert (q.price[bids] <= np.floor(view.accounts.coins[q.firms[bids]])).all()
    assert (q.price[asks] >= cost[asks]).all()
    assert (view.accounts.allowances[q.firms[asks]] >= 1).all()


@PROPERTY
@given(markets())
def test_zi_c_quotes_whenever_a_safe_order_exists(market: tuple[StubView, np.ndarray]) -> None:
    view, firms = market
    q = ZeroIntelligenceConstrained().quote(view, firms)
    can_bid, can_ask = safe_sides(view, firms)
    assert sorted(q.firms.tolist()) == sorted(firms[can_bid | can_ask].tolist())


def test_zi_c_draws_the_side_by_a_fair_coin_and_prices_over_the_whole_safe_range() -> None:
    # c = 2, baseline 10, 7 held: short 3, so value 2 x 2.5 = 5 and cost 2 x 3.5 = 7; floor 3
    view, firms = many_firms(
        baseline_emissions=10.0, abatement_cost=2.0, allowances=7.0, price_floor=3
    )
    q = ZeroIntelligenceConstrained().quote(view, firms)
    bids, asks = by_side(q)
    assert len(q.firms) == 2000
    assert 0.45 < bids.mean() < 0.55
    assert set(q.price[bids].tolist()) == {3, 4, 5}
    assert set(q.price[asks].tolist()) == set(range(7, 21))


# --------------------------------------------------------------------------- ZI-U


@PROPERTY
@given(markets())
def test_zi_u_is_limited_only_by_escrow(market: tuple[StubView, np.ndarray]) -> None:
    view, firms = market
    q = ZeroIntelligenceUnconstrained().quote(view, firms)
    assert_one_unit_per_firm_in_the_band(view, firms, q)
    bids, asks = by_side(q)
    assert (q.price[bids] <= np.floor(view.accounts.coins[q.firms[bids]])).all()
    assert (view.accounts.allowances[q.firms[asks]] >= 1).all()
    # a firm with an allowance to offer always has an order to post
    assert set(firms[view.accounts.allowances[firms] >= 1].tolist()) <= set(q.firms.tolist())


def test_zi_u_ignores_value_on_both_sides() -> None:
    # baseline 1, 1 held: one more is worth 0 and selling it costs the penalty 30, yet the
    # firms bid and ask over the whole band [0, 20]
    view, firms = many_firms(baseline_emissions=1.0, allowances=1.0)
    q = ZeroIntelligenceUnconstrained().quote(view, firms)
    bids, asks = by_side(q)
    assert set(q.price[bids].tolist()) == set(range(21))
    assert set(q.price[asks].tolist()) == set(range(21))


# --------------------------------------------------------------------------- truthful


@PROPERTY
@given(markets())
def test_truthful_quotes_its_value_or_its_cost(market: tuple[StubView, np.ndarray]) -> None:
    view, firms = market
    q = Truthful().quote(view, firms)
    assert_one_unit_per_firm_in_the_band(view, firms, q)
    value, cost = replacing_values(view, q.firms)
    bids, asks = by_side(q)
    coins, ceiling = view.accounts.coins[q.firms], view.config.price_ceiling
    top = np.minimum(np.minimum(np.floor(value), ceiling), np.floor(coins))
    assert (q.price[bids] == top[bids]).all()
    assert (q.price[asks] == np.maximum(np.ceil(cost), view.price_floor)[asks]).all()
    can_bid, can_ask = safe_sides(view, firms)
    assert sorted(q.firms.tolist()) == sorted(firms[can_bid | can_ask].tolist())


def test_truthful_rounds_value_down_and_cost_up() -> None:
    # c = 3, short 3: value 3 x 2.5 = 7.5 -> bid 7, cost 3 x 3.5 = 10.5 -> ask 11
    view, firms = many_firms(200, baseline_emissions=10.0, abatement_cost=3.0, allowances=7.0)
    q = Truthful().quote(view, firms)
    bids, asks = by_side(q)
    assert (set(q.price[bids].tolist()), set(q.price[asks].tolist())) == ({7}, {11})


# --------------------------------------------------------------------------- rule-based


def test_the_rule_quote_is_the_tick_nearest_the_expectation() -> None:
    assert rule_quote(stub_view(expected_price=10.3)) == 10
    assert rule_quote(stub_view(expected_price=10.6)) == 11
    assert rule_quote(stub_view(expected_price=10.5)) == 10  # a half to the even tick
    assert rule_quote(stub_view(price_floor=5)) == 12  # no expectation: mid-band 12.5 -> 12


def test_the_rule_quote_stays_in_the_band() -> None:
    assert rule_quote(stub_view(expected_price=20.0)) == 20
    assert rule_quote(stub_view(expected_price=0.0)) == 0
    # last year's expectation 3, this year's floor 5: the expectation counts as 5
    assert rule_quote(stub_view(expected_price=3.0, price_floor=5)) == 5


def rows(q: Quotes) -> list[tuple[int, int, int, int]]:
    """The quotes as ``(firm, side, price, quantity)`` rows."""
    return list(zip(*(a.tolist() for a in (q.firms, q.side, q.price, q.quantity)), strict=True))


def rule_trader(baseline: float, allowances: float, max_quantity: int = 5, **state) -> Quotes:
    """The rule-based trader's quote of one textbook firm at the expected price 10.3 (tick 10)."""
    view = stub_view(
        1,
        production=False,
        baseline_emissions=baseline,
        allowances=allowances,
        expected_price=10.3,
        **state,
    )
    return RuleBased(max_quantity).quote(view, np.arange(1))


def test_the_rule_based_trader_bids_at_the_quote_for_the_units_worth_it() -> None:
    # no abatement: each missing tonne is worth the penalty 30 >= the quote 10; short 3 -> 3
    # units, short 8 -> the 5 of max_quantity (or 2 if told), 25 coins // 10 -> 2
    assert rows(rule_trader(3.0, 0.0, coins=100.0)) == [(0, BID, 10, 3)]
    assert rows(rule_trader(8.0, 0.0, coins=100.0)) == [(0, BID, 10, 5)]
    assert rows(rule_trader(8.0, 0.0, max_quantity=2, coins=100.0)) == [(0, BID, 10, 2)]
    assert rows(rule_trader(8.0, 0.0, coins=25.0)) == [(0, BID, 10, 2)]


def test_the_rule_based_trader_bids_when_its_value_is_at_least_the_quote() -> None:
    # c = 2: short 5.5 is worth 2 x 5 = 10 (one unit: the next, short 4.5, is worth 8);
    # short 5.4 is worth 2 x 4.9 = 9.8 < 10, and selling costs 2 x 5.9 = 11.8 > 10
    assert rows(rule_trader(10.5, 5.0, abatement_cost=2.0)) == [(0, BID, 10, 1)]
    assert rows(rule_trader(10.4, 5.0, abatement_cost=2.0)) == []


def test_the_rule_based_trader_asks_when_its_cost_is_at_most_the_quote() -> None:
    # c = 2: short 4.5 costs 2 x 5 = 10 to sell (one unit: short 5.5 costs 12); short 4.6
    # costs 10.2, and buying is worth 2 x 4.1 = 8.2 < 10
    assert rows(rule_trader(9.5, 5.0, abatement_cost=2.0)) == [(0, ASK, 10, 1)]
    assert rows(rule_trader(9.6, 5.0, abatement_cost=2.0)) == []


def test_buyers_and_sellers_of_the_rule_meet_on_one_tick() -> None:
    # the same expectation: a short firm's bid and a long firm's ask cross at its tick
    view = stub_view(
        2, production=False, baseline_emissions=[3.0, 0.0], allowances=[0, 3], expected_price=7.6
    )
    assert rows(RuleBased().quote(view, np.arange(2))) == [(0, BID, 8, 2), (1, ASK, 8, 3)]


def test_the_rule_based_trader_sells_its_surplus() -> None:
    # need 2, hold 6: four allowances cost nothing to sell, the fifth the penalty
    assert rows(rule_trader(2.0, 6.0)) == [(0, ASK, 10, 4)]


def test_no_heuristic_counts_its_open_bids_they_are_withdrawn_first() -> None:
    # need 3, bid for 3: still short 3 for each, since its open bids go before it quotes: the
    # rule bids the mid-band tick 10 for the 2 its 20 coins escrow, truthful the penalty 30
    # capped by the ceiling and its 20 coins
    view = stub_view(1, production=False, baseline_emissions=3.0, open_bids=3.0)
    assert rows(RuleBased().quote(view, np.arange(1))) == [(0, BID, 10, 2)]
    assert rows(Truthful().quote(view, np.arange(1))) == [(0, BID, 20, 1)]
    assert ZeroIntelligenceConstrained().quote(view, np.arange(1)).side.tolist() == [BID]


def test_the_rule_based_trader_never_offers_more_than_its_free_allowances() -> None:
    # c = 0.1, need 0, 2 held: every unit costs at most 0.1 x 4.5 = 0.45 <= 10, but only 2 exist
    assert rows(rule_trader(0.0, 2.0, abatement_cost=0.1)) == [(0, ASK, 10, 2)]


def test_units_worth_counts_each_firm_on_its_own_side() -> None:
    # firm 0 short 3 bids at 11 (3 units at 30 each); firm 1 with 4 spare asks at 9 (4 at 0)
    view = stub_view(
        2, production=False, baseline_emissions=[3.0, 2.0], allowances=[0, 6], coins=[100, 0]
    )
    sides, prices = np.array([BID, ASK]), np.array([11, 9])
    assert units_worth(view, np.array([0, 1]), sides, prices, max_quantity=5).tolist() == [3, 4]
    reverse = np.array([1, 0])
    assert units_worth(view, reverse, sides[::-1], prices[::-1], 5).tolist() == [4, 3]


# --------------------------------------------------------------------------- producer


def test_a_covered_firm_produces_while_output_price_beats_expected_price_x_rate() -> None:
    # rate 0.5, 5 held: 19.9 x 0.5 = 9.95 < 10 -> capacity 1.5; 20 x 0.5 = 10 is not < 10
    view = stub_view(1, capacity=1.5, emission_rate=0.5, allowances=5.0, expected_price=19.9)
    assert Behaviour().production(view, np.arange(1)).tolist() == [1.5]
    view.expected_price = 20.0
    assert Behaviour().production(view, np.arange(1)).tolist() == [0.0]


def test_a_short_firm_produces_only_if_a_cheap_enough_ask_waits() -> None:
    # no allowances, no abatement: 30 x 0.5 = 15 > 10 -> idle; the ask 19: 9.5 < 10 -> produce
    view = stub_view(1, emission_rate=0.5)
    assert Behaviour().production(view, np.arange(1)).tolist() == [0.0]
    view.book.ask = 19
    assert Behaviour().production(view, np.arange(1)).tolist() == [1.0]


def test_research_saving_by_hand() -> None:
    # covered firms (10 held), a tonne costs the expected 8; capacity 2, 100 rounds left:
    # 0.7 x cut x 2 x 100 x 8 = 1120 x cut with cut = rate - max(rate e^(-0.1 R), 0.02):
    # R = 2, rate 1: 1 - e^-0.2; rate on the floor 0.02: 0; rate 0.021: 0.021 - 0.02
    view = stub_view(
        3,
        capacity=2.0,
        research_ability=[2.0, 1.0, 1.0],
        emission_rate=[1.0, 0.02, 0.021],
        allowances=10.0,
        expected_price=8.0,
        rounds_left_episode=100,
    )
    saving = research_saving(view, np.arange(3))
    assert saving.tolist() == pytest.approx([1120 * (1 - math.exp(-0.2)), 0.0, 1120 * 0.001])


def test_research_exactly_when_the_saving_beats_the_attempt_cost() -> None:
    # R = 1, so an attempt costs research_cost: set it to the saving, then a hair below
    saving = research_saving(stub_view(1), np.arange(1))[0]
    at_cost = stub_view(1, research_cost=saving)
    below_cost = stub_view(1, research_cost=np.nextafter(saving, 0.0))
    assert Behaviour().research(at_cost, np.arange(1)).tolist() == [False]
    assert Behaviour().research(below_cost, np.arange(1)).tolist() == [True]


def test_no_research_on_the_rate_floor_even_for_free() -> None:
    view = stub_view(1, emission_rate=0.02, research_cost=0.0)
    assert Behaviour().research(view, np.arange(1)).tolist() == [False]


def test_a_green_project_exactly_when_the_allowance_is_worth_more_than_it_costs() -> None:
    # c = 2, need 10: hold 4.5 -> worth 2 x 5 = 10, not > 10; hold 4 -> 2 x 5.5 = 11; hold 10: 0
    view = stub_view(
        3, production=False, baseline_emissions=10.0, abatement_cost=2.0, allowances=[4.5, 4, 10]
    )
    assert Behaviour().offsets(view, np.arange(3)).tolist() == [False, True, False]


def test_green_projects_in_the_paper_economy_are_capped_by_lost_profit() -> None:
    # short firms without abatement: worth min(30, 10 / rate): 10 at rate 1, 11.1 at rate 0.9
    view = stub_view(2, emission_rate=[1.0, 0.9])
    assert Behaviour().offsets(view, np.arange(2)).tolist() == [False, True]
