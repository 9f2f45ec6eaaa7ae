"""Self-trade prevention: an incoming order cancels the crossing resting orders of its own firm."""

from __future__ import annotations

from market.order_book import Side, Trade
from tests.market.order_book.helpers import balances, make_book


def test_own_ask_is_cancelled_and_the_bid_rests_instead_of_trading() -> None:
    book, accounts = make_book()
    ask = book.submit(0, Side.ASK, 8, 3, 0)
    bid = book.submit(0, Side.BID, 10, 2, 0)
    assert book.trades == []
    assert not book.cancel(ask)
    assert [o.order_id for o in book.open_orders(0)] == [bid]
    assert book.level1() == (10, 2, None, 0)
    assert balances(accounts, 0) == (980.0, 20.0, 100.0, 0.0)


def test_matching_continues_past_the_cancelled_own_order() -> None:
    book, accounts = make_book()
    book.submit(0, Side.ASK, 5, 2, 0)
    other = book.submit(1, Side.ASK, 6, 2, 0)
    book.submit(0, Side.BID, 7, 3, 0)
    assert book.trades == [Trade(0, 0, 1, 6, 2, 2, other, Side.BID)]
    # Own ask refunded, two allowances bought at 6, one still bid at 7.
    assert balances(accounts, 0) == (1000.0 - 12.0 - 7.0, 7.0, 102.0, 0.0)
    assert book.level1() == (7, 1, None, 0)


def test_own_orders_behind_other_firms_in_the_queue_are_reached_in_turn() -> None:
    book, accounts = make_book()
    book.submit(1, Side.BID, 6, 1, 0)
    own = book.submit(0, Side.BID, 6, 4, 0)
    book.submit(2, Side.BID, 6, 1, 0)
    book.submit(0, Side.ASK, 6, 3, 0)
    assert [(t.buyer, t.quantity) for t in book.trades] == [(1, 1), (2, 1)]
    assert not book.cancel(own)
    assert balances(accounts, 0) == (1012.0, 0.0, 97.0, 1.0)
    assert book.level1() == (None, 0, 6, 1)


def test_own_orders_that_do_not_cross_are_left_alone() -> None:
    book, _ = make_book()
    ask = book.submit(0, Side.ASK, 9, 1, 0)
    book.submit(0, Side.BID, 8, 1, 0)
    assert book.n_open(0) == 2
    assert book.spread() == 1
    assert book.cancel(ask)


def test_own_order_beyond_the_limit_price_survives_a_sweep() -> None:
    book, _ = make_book()
    book.submit(0, Side.BID, 9, 1, 0)
    book.submit(0, Side.BID, 4, 1, 0)
    book.submit(1, Side.BID, 8, 1, 0)
    book.submit(0, Side.ASK, 5, 2, 0)
    assert [(t.buyer, t.price) for t in book.trades] == [(1, 8)]
    assert [o.price for o in book.open_orders(0)] == [4, 5]
    assert book.level1() == (4, 1, 5, 1)


def test_self_trade_cancellation_frees_order_slots() -> None:
    book, _ = make_book(max_orders=2)
    book.submit(0, Side.ASK, 5, 1, 0)
    book.submit(0, Side.ASK, 6, 1, 0)
    book.submit(1, Side.ASK, 9, 1, 0)
    book.cancel(0)
    book.submit(0, Side.BID, 7, 1, 0)  # cancels the ask at 6 and rests
    assert [o.side for o in book.open_orders(0)] == [Side.BID]
    book.submit(0, Side.BID, 3, 1, 0)
    assert book.n_open(0) == 2
