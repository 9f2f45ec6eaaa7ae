"""What an allowance is worth (``agents/valuation.py``), at its edges, against a stub view.

Every expected number is worked out by hand in a comment. Unless a test says otherwise the
stub's defaults hold: paper economy, penalty 30, output price 10, ceiling 20, floor 0, firms
with capacity 1 and emission rate 1 producing at capacity, 20 coins, no allowances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents import view as protocols
from agents.valuation import (
    auction_bids,
    committed_emissions,
    cost_of_selling,
    emission_cost,
    expected_price,
    lost_profit_per_tonne,
    projected_emissions,
    shortfalls,
    update_expectation,
    value_of_buying,
)
from tests.agents.stub_view import stub_view

NAN = float("nan")
INF = math.inf


def members(protocol: type) -> set[str]:
    """The attributes, properties and methods a protocol class declares."""
    declared = set(protocol.__annotations__) | set(vars(protocol))
    return {name for name in declared if not name.startswith("_")}


def test_the_stub_shows_every_member_the_view_protocols_declare() -> None:
    view = stub_view()
    for protocol, stub in (
        (protocols.MarketView, view),
        (protocols.FirmsView, view.enterprises),
        (protocols.AccountsView, view.accounts),
        (protocols.BookView, view.book),
    ):
        assert {name for name in members(protocol) if not hasattr(stub, name)} == set()


# --------------------------------------------------------------------------- lost profit


def test_lost_profit_is_output_price_over_emission_rate() -> None:
    # 10 / 1, 10 / 0.5; a firm that emits nothing saves no tonne by producing less: inf
    view = stub_view(emission_rate=[1.0, 0.5, 0.0])
    assert lost_profit_per_tonne(view, np.arange(3)).tolist() == [10.0, 20.0, INF]


def test_lost_profit_is_infinite_without_production() -> None:
    view = stub_view(production=False, baseline_emissions=5.0)
    assert lost_profit_per_tonne(view, np.arange(3)).tolist() == [INF] * 3


# --------------------------------------------------------------------------- expectation


def update(expected, round_price=NAN, bid=None, ask=None, floor=0, ceiling=20):
    """``update_expectation`` with the scenario's band unless told."""
    return update_expectation(expected, round_price, bid, ask, floor, ceiling)


def test_the_first_trade_sets_the_expectation_to_the_round_vwap() -> None:
    assert update(None, 7.5) == 7.5


def test_a_later_trade_moves_the_expectation_three_tenths_of_the_way() -> None:
    # 10 + 0.3 (14 - 10) = 11.2
    assert update(10.0, 14.0) == pytest.approx(11.2)


def test_a_quiet_round_drifts_half_a_tick_toward_a_waiting_ask_at_or_below() -> None:
    assert update(10.0, ask=10) == 9.5
    assert update(10.0, ask=6) == 9.5
    assert update(10.0, ask=11) == 10.0


def test_a_quiet_round_drifts_half_a_tick_toward_a_waiting_bid_at_or_above() -> None:
    assert update(10.0, bid=10) == 10.5
    assert update(10.0, bid=15) == 10.5
    assert update(10.0, bid=9) == 10.0


def test_the_drift_compares_the_waiting_orders_with_the_tick_the_expectation_quotes() -> None:
    # 9.7 quotes the tick 10: a price-taker's ask waiting there pulls it down, though above
    # 9.7; 10.3 quotes 10 too, and a bid waiting there pulls it up
    assert update(9.7, ask=10) == pytest.approx(9.2)
    assert update(10.3, bid=10) == pytest.approx(10.8)
    assert update(10.3, ask=11) == 10.3
    assert update(9.7, bid=9) == 9.7


def test_a_quiet_round_before_any_trade_drifts_from_mid_band() -> None:
    # mid-band of [4, 20] = 12, then half a tick down toward the ask at 5
    assert update(None, ask=5, floor=4) == 11.5


def test_the_drift_never_leaves_the_band() -> None:
    assert update(0.0, ask=0) == 0.0
    assert update(20.0, bid=20) == 20.0
    assert update(3.0, bid=6, floor=5) == 5.0  # the floor was raised above the expectation


def test_without_trades_or_orders_the_expectation_stays_as_it_was() -> None:
    assert update(None) is None
    assert update(8.0) == 8.0


def test_the_expected_price_is_mid_band_of_the_current_floor_before_any_expectation() -> None:
    # (4 + 20) / 2 = 12: the floor a policy raised, not the scenario's 0
    assert expected_price(stub_view(price_floor=4)) == 12.0
    assert expected_price(stub_view(price_floor=4, expected_price=7.3)) == 7.3


def test_the_expected_price_never_lies_below_a_raised_floor() -> None:
    # last year's prices 3, this year's floor 5: traders expect the floor, 5
    assert expected_price(stub_view(price_floor=5, expected_price=3.0)) == 5.0


# --------------------------------------------------------------------------- emissions


def test_committed_emissions_are_emitted_so_far_plus_debt_in_the_paper_economy() -> None:
    view = stub_view(2, ytd_emissions=[3.0, 5.0], owed=[0.0, 2.0], baseline_emissions=50.0)
    assert committed_emissions(view, np.arange(2)).tolist() == [3.0, 7.0]


def test_committed_emissions_are_the_baseline_plus_debt_in_the_textbook_economy() -> None:
    view = stub_view(
        2, production=False, baseline_emissions=[12.0, 8.0], ytd_emissions=5.0, owed=[0.0, 2.0]
    )
    assert committed_emissions(view, np.arange(2)).tolist() == [12.0, 10.0]


def test_projected_emissions_add_the_output_for_every_round_left() -> None:
    # emitted 3 + output x rate 0.5 x 10 rounds left + owed 2: output 1 -> 10, planned 2 -> 15
    view = stub_view(1, ytd_emissions=3.0, output=1.0, emission_rate=0.5, owed=2.0, rounds_left=10)
    assert projected_emissions(view, np.arange(1)).tolist() == [10.0]
    assert projected_emissions(view, np.arange(1), np.array([2.0])).tolist() == [15.0]


def test_projected_emissions_are_the_baseline_plus_debt_in_the_textbook_economy() -> None:
    view = stub_view(1, production=False, baseline_emissions=12.0, owed=2.0, ytd_emissions=3.0)
    assert projected_emissions(view, np.arange(1), np.array([2.0])).tolist() == [14.0]


def test_shortfalls_count_escrow_and_open_bids_for_a_bid_and_free_allowances_for_an_ask() -> None:
    # need 1 x 1 x 10 rounds = 10 t; bid: 10 - 3 free - 2 in asks - 4 bid for = 1 (5 without
    # the open bids); ask: 10 - 3 free = 7
    view = stub_view(1, allowances=3, escrow_allowances=2, open_bids=4, rounds_left=10)
    bid, ask = shortfalls(view, np.arange(1))
    assert (bid.tolist(), ask.tolist()) == ([1.0], [7.0])
    bid, ask = shortfalls(view, np.arange(1), count_open_bids=False)
    assert (bid.tolist(), ask.tolist()) == ([5.0], [7.0])


# --------------------------------------------------------------------------- value and cost


def textbook(**state):
    """Textbook firms (no production, so no lost-profit cap); penalty 30."""
    return stub_view(production=False, baseline_emissions=10.0, **state)


def test_a_firm_that_cannot_abate_values_an_allowance_at_the_penalty() -> None:
    view = textbook(n_firms=1)
    one = np.arange(1)
    assert value_of_buying(view, one, np.array([5.0])).tolist() == [30.0]
    assert cost_of_selling(view, one, np.array([0.0])).tolist() == [30.0]
    # half a tonne short: the allowance covers half a tonne of penalty, 0.5 x 30
    assert value_of_buying(view, one, np.array([0.5])).tolist() == [15.0]


def test_a_covered_firm_values_one_more_allowance_at_zero() -> None:
    view = textbook(n_firms=3)
    assert value_of_buying(view, np.arange(3), np.array([0.0, -1.0, -5.0])).tolist() == [0.0] * 3
    # a firm with a surplus of at least one gives up nothing by selling one
    assert cost_of_selling(view, np.arange(2), np.array([-1.0, -3.0])).tolist() == [0.0] * 2


def test_an_abating_firm_values_an_allowance_at_its_marginal_abatement_cost() -> None:
    # c = 2, short 3: buying saves c (s - 1/2) = 5, selling costs c (s + 1/2) = 7
    view = textbook(n_firms=1, abatement_cost=2.0)
    one = np.arange(1)
    assert value_of_buying(view, one, np.array([3.0])).tolist() == [5.0]
    assert cost_of_selling(view, one, np.array([3.0])).tolist() == [7.0]


def test_the_penalty_caps_an_abating_firms_values() -> None:
    # c = 2 abates up to P / c = 15 t: short 15 buying saves 2 x 14.5 = 29 but selling the
    # 16th tonne costs the penalty, 30; short 20 every value is the penalty
    view = textbook(n_firms=1, abatement_cost=2.0)
    one = np.arange(1)
    assert value_of_buying(view, one, np.array([15.0])).tolist() == [29.0]
    assert cost_of_selling(view, one, np.array([15.0])).tolist() == [30.0]
    assert value_of_buying(view, one, np.array([20.0])).tolist() == [30.0]


def test_lost_profit_caps_the_values_in_the_paper_economy() -> None:
    # lost profit 10 / 1 = 10 and 10 / 0.5 = 20, both below the penalty 30
    view = stub_view(2, emission_rate=[1.0, 0.5])
    short = np.array([5.0, 5.0])
    assert value_of_buying(view, np.arange(2), short).tolist() == [10.0, 20.0]
    assert cost_of_selling(view, np.arange(2), short).tolist() == [10.0, 20.0]


def test_values_accept_several_shortfalls_per_firm() -> None:
    # row 0: c = 2, c (s -+ 1/2) under its lost profit 10 / 0.25 = 40; row 1: no abatement, so
    # the penalty 30 capped at its lost profit 10 / 0.5 = 20 (0 to buy when covered)
    view = stub_view(2, abatement_cost=[2.0, INF], emission_rate=[0.25, 0.5])
    short = np.array([[3.0, 2.0, 1.0, 0.0], [3.0, 2.0, 1.0, 0.0]])
    assert value_of_buying(view, np.arange(2), short).tolist() == [
        [5.0, 3.0, 1.0, 0.0],
        [20.0, 20.0, 20.0, 0.0],
    ]
    assert cost_of_selling(view, np.arange(2), short).tolist() == [
        [7.0, 5.0, 3.0, 1.0],
        [20.0, 20.0, 20.0, 20.0],
    ]


# --------------------------------------------------------------------------- emission cost


def test_a_covered_firm_pays_the_expected_price_for_a_tonne() -> None:
    # this round's 1 t is covered by 5 held, or by 1 in an ask; mid-band 10 without expectation
    assert emission_cost(stub_view(1, allowances=5.0), np.arange(1)).tolist() == [10.0]
    covered = stub_view(1, escrow_allowances=1.0, expected_price=7.5)
    assert emission_cost(covered, np.arange(1)).tolist() == [7.5]


def test_a_short_firm_pays_the_cheapest_of_best_ask_abatement_and_penalty() -> None:
    # no abatement: penalty 30, or the ask at 12; c = 4 and short 2 + 1 = 3 t: 4 x 2.5 = 10
    assert emission_cost(stub_view(1), np.arange(1)).tolist() == [30.0]
    assert emission_cost(stub_view(1, best_ask=12), np.arange(1)).tolist() == [12.0]
    abating = stub_view(1, abatement_cost=4.0, ytd_emissions=2.0, best_ask=12)
    assert emission_cost(abating, np.arange(1)).tolist() == [10.0]
    abating.book.ask = 8
    assert emission_cost(abating, np.arange(1)).tolist() == [8.0]


def test_a_tonne_costs_nothing_in_the_textbook_economy() -> None:
    view = textbook(n_firms=2, expected_price=15.0)
    assert emission_cost(view, np.arange(2)).tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- auction bids


def auction_economy(**state):
    """Firm 0 short 4 t with c = 4, firm 1 short 2 t without abatement (textbook)."""
    return stub_view(
        2, production=False, baseline_emissions=[4.0, 2.0], abatement_cost=[4.0, INF], **state
    )


def test_auction_bids_fall_unit_by_unit() -> None:
    # firm 0: 4 (s - 1/2) for s = 4, 3, 2, 1; firm 1: the penalty 30 capped at the ceiling, twice
    bidders, prices = auction_bids(auction_economy(coins=100.0), max_units=10)
    assert bidders.tolist() == [0, 0, 0, 0, 1, 1]
    assert prices.tolist() == [14, 10, 6, 2, 20, 20]


def test_auction_bids_stop_at_the_floor_and_at_max_units() -> None:
    bidders, prices = auction_bids(auction_economy(coins=100.0, price_floor=5), max_units=10)
    assert (bidders.tolist(), prices.tolist()) == ([0, 0, 0, 1, 1], [14, 10, 6, 20, 20])
    bidders, prices = auction_bids(auction_economy(coins=100.0), max_units=2)
    assert (bidders.tolist(), prices.tolist()) == ([0, 0, 1, 1], [14, 10, 20, 20])


def test_auction_bids_stop_where_the_coins_no_longer_pay_them() -> None:
    # firm 0 with 25 coins: 14 + 10 = 24 fits, + 6 = 30 does not; firm 1 with 25: only one 20
    bidders, prices = auction_bids(auction_economy(coins=25.0), max_units=10)
    assert (bidders.tolist(), prices.tolist()) == ([0, 0, 1], [14, 10, 20])


def test_no_auction_bids_from_covered_firms() -> None:
    bidders, prices = auction_bids(auction_economy(allowances=[4.0, 2.0]), max_units=10)
    assert (bidders.size, prices.size) == (0, 0)


def test_auction_bids_plan_production_at_capacity_for_the_rounds_left() -> None:
    # output this round 0, capacity 1.5: need 1.5 x 1 x 2 rounds = 3 t at the lost profit 10
    view = stub_view(1, capacity=1.5, output=0.0, rounds_left=2, coins=100.0)
    bidders, prices = auction_bids(view, max_units=10)
    assert (bidders.tolist(), prices.tolist()) == ([0, 0, 0], [10, 10, 10])
