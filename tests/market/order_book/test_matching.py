"""Matching: price then time priority, execution at the resting price, partial fills, sweeps."""

from __future__ import annotations

from market.order_book import Order, Side, Trade
from tests.market.order_book.helpers import balances, make_book


def test_incoming_bid_takes_the_lowest_ask_first() -> None:
    book, _ = make_book()
    book.submit(1, Side.ASK, 9, 1, 0)
    book.submit(2, Side.ASK, 7, 1, 0)
    book.submit(3, Side.ASK, 8, 1, 0)
    book.submit(0, Side.BID, 10, 1, 1)
    assert book.trades == [Trade(1, 0, 2, 7, 1, 3, 1, Side.BID)]
    assert book.depth(Side.ASK) == [(8, 1), (9, 1)]


def test_incoming_ask_takes_the_highest_bid_first() -> None:
    book, _ = make_book()
    book.submit(1, Side.BID, 4, 1, 0)
    book.submit(2, Side.BID, 6, 1, 0)
    book.submit(3, Side.BID, 5, 1, 0)
    book.submit(0, Side.ASK, 2, 1, 0)
    assert book.trades == [Trade(0, 2, 0, 6, 1, 1, 3, Side.ASK)]
    assert book.depth(Side.BID) == [(5, 1), (4, 1)]


def test_first_come_first_served_within_a_price_level() -> None:
    book, _ = make_book()
    early = book.submit(2, Side.ASK, 8, 2, 0)
    late = book.submit(1, Side.ASK, 8, 2, 0)
    book.submit(0, Side.BID, 8, 3, 0)
    assert [(t.seller, t.sell_order, t.quantity) for t in book.trades] == [
        (2, early, 2),
        (1, late, 1),
    ]
    assert book.open_orders(1) == [Order(late, 1, Side.ASK, 8, 1, 2, 0, 5)]


def test_bid_executes_at_the_resting_ask_price_and_gets_the_difference_back() -> None:
    book, accounts = make_book()
    book.submit(1, Side.ASK, 6, 4, 0)
    book.submit(0, Side.BID, 10, 4, 0)
    assert book.trades == [Trade(0, 0, 1, 6, 4, 1, 0, Side.BID)]
    assert book.last_price == 6
    assert balances(accounts, 0) == (1000.0 - 24.0, 0.0, 104.0, 0.0)
    assert balances(accounts, 1) == (1000.0 + 24.0, 0.0, 96.0, 0.0)
    assert len(book) == 0


def test_ask_executes_at_the_resting_bid_price() -> None:
    book, accounts = make_book()
    book.submit(0, Side.BID, 9, 3, 0)
    book.submit(1, Side.ASK, 3, 3, 0)
    assert book.trades == [Trade(0, 0, 1, 9, 3, 0, 1, Side.ASK)]
    assert balances(accounts, 0) == (973.0, 0.0, 103.0, 0.0)
    assert balances(accounts, 1) == (1027.0, 0.0, 97.0, 0.0)


def test_orders_at_the_same_price_cross() -> None:
    book, _ = make_book()
    book.submit(0, Side.BID, 7, 1, 0)
    book.submit(1, Side.ASK, 7, 1, 0)
    assert [t.price for t in book.trades] == [7]


def test_orders_that_do_not_cross_both_rest() -> None:
    book, accounts = make_book()
    book.submit(0, Side.BID, 5, 2, 0)
    book.submit(1, Side.ASK, 6, 2, 0)
    assert book.trades == []
    assert book.last_price is None
    assert book.level1() == (5, 2, 6, 2)
    assert balances(accounts, 0) == (990.0, 10.0, 100.0, 0.0)
    assert balances(accounts, 1) == (1000.0, 0.0, 98.0, 2.0)


def test_partial_fill_of_the_incoming_order_rests_the_remainder_with_its_escrow() -> None:
    book, accounts = make_book()
    book.submit(1, Side.ASK, 8, 2, 0)
    bid = book.submit(0, Side.BID, 9, 5, 0)
    assert book.trades == [Trade(0, 0, 1, 8, 2, bid, 0, Side.BID)]
    assert book.open_orders(0) == [Order(bid, 0, Side.BID, 9, 3, 5, 0, 5)]
    # 16 paid for two allowances, 27 locked for the three still wanted at 9.
    assert balances(accounts, 0) == (1000.0 - 16.0 - 27.0, 27.0, 102.0, 0.0)
    assert book.level1() == (9, 3, None, 0)


def test_partial_fill_of_the_resting_order_keeps_its_place_and_the_rest_of_its_escrow() -> None:
    book, accounts = make_book()
    first = book.submit(1, Side.ASK, 8, 5, 0)
    book.submit(2, Side.ASK, 8, 5, 0)
    book.submit(0, Side.BID, 8, 2, 0)
    book.submit(3, Side.BID, 8, 1, 0)
    assert [(t.sell_order, t.quantity) for t in book.trades] == [(first, 2), (first, 1)]
    assert book.open_orders(1) == [Order(first, 1, Side.ASK, 8, 2, 5, 0, 5)]
    assert balances(accounts, 1) == (1024.0, 0.0, 95.0, 2.0)
    assert book.depth(Side.ASK) == [(8, 7)]


def test_bid_sweeps_several_levels_then_rests() -> None:
    book, accounts = make_book()
    book.submit(1, Side.ASK, 5, 2, 0)
    book.submit(2, Side.ASK, 6, 3, 0)
    book.submit(3, Side.ASK, 8, 4, 0)
    bid = book.submit(0, Side.BID, 7, 10, 2)
    assert book.trades == [
        Trade(2, 0, 1, 5, 2, bid, 0, Side.BID),
        Trade(2, 0, 2, 6, 3, bid, 1, Side.BID),
    ]
    assert book.last_price == 6
    assert balances(accounts, 0) == (1000.0 - 10.0 - 18.0 - 35.0, 35.0, 105.0, 0.0)
    assert balances(accounts, 1) == (1010.0, 0.0, 98.0, 0.0)
    assert balances(accounts, 2) == (1018.0, 0.0, 97.0, 0.0)
    assert balances(accounts, 3) == (1000.0, 0.0, 96.0, 4.0)
    assert book.level1() == (7, 5, 8, 4)
    assert book.spread() == 1


def test_ask_sweeps_several_levels_and_fills_completely() -> None:
    book, accounts = make_book()
    book.submit(1, Side.BID, 9, 1, 0)
    book.submit(2, Side.BID, 7, 2, 0)
    book.submit(3, Side.BID, 7, 2, 0)
    book.submit(0, Side.ASK, 6, 4, 0)
    assert [(t.buyer, t.price, t.quantity) for t in book.trades] == [
        (1, 9, 1),
        (2, 7, 2),
        (3, 7, 1),
    ]
    assert balances(accounts, 0) == (1000.0 + 9.0 + 14.0 + 7.0, 0.0, 96.0, 0.0)
    assert balances(accounts, 3) == (986.0, 7.0, 101.0, 0.0)
    assert book.depth(Side.BID) == [(7, 1)]
    assert book.depth(Side.ASK) == []
    assert book.n_open(0) == 0


def test_filled_resting_order_is_no_longer_open() -> None:
    book, _ = make_book()
    ask = book.submit(1, Side.ASK, 5, 2, 0)
    book.submit(0, Side.BID, 5, 2, 0)
    assert book.open_orders(1) == []
    assert not book.cancel(ask)
    assert len(book) == 0
    assert book.best_ask() is None


def test_ledger_accumulates_across_rounds_in_execution_order() -> None:
    book, _ = make_book()
    book.submit(1, Side.ASK, 5, 1, 0)
    book.submit(0, Side.BID, 5, 1, 0)
    book.submit(2, Side.BID, 4, 1, 1)
    book.submit(3, Side.ASK, 4, 1, 1)
    assert book.trades == [
        Trade(0, 0, 1, 5, 1, 1, 0, Side.BID),
        Trade(1, 2, 3, 4, 1, 2, 3, Side.ASK),
    ]
    assert book.last_price == 4
