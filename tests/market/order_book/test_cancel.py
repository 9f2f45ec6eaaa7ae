"""Cancelling single orders and all orders of a firm."""

from __future__ import annotations

import pytest

from market.order_book import OrderRejected, Side
from tests.market.order_book.helpers import balances, make_book


def test_cancelled_bid_refunds_its_coins() -> None:
    book, accounts = make_book()
    bid = book.submit(0, Side.BID, 7, 3, 0)
    assert book.cancel(bid)
    assert balances(accounts, 0) == (1000.0, 0.0, 100.0, 0.0)
    assert len(book) == 0
    assert book.best_bid() is None


def test_cancelled_ask_refunds_its_allowances() -> None:
    book, accounts = make_book()
    ask = book.submit(2, Side.ASK, 7, 30, 0)
    assert book.cancel(ask)
    assert balances(accounts, 2) == (1000.0, 0.0, 100.0, 0.0)
    assert book.depth(Side.ASK) == []


def test_cancel_returns_false_for_orders_that_are_not_open() -> None:
    book, accounts = make_book()
    bid = book.submit(0, Side.BID, 7, 3, 0)
    filled = book.submit(1, Side.ASK, 9, 1, 0)
    book.submit(2, Side.BID, 9, 1, 0)
    assert book.cancel(bid)
    assert not book.cancel(bid)
    assert not book.cancel(filled)
    assert not book.cancel(999)
    assert balances(accounts, 0) == (1000.0, 0.0, 100.0, 0.0)


def test_cancelling_a_partly_filled_bid_refunds_only_the_unfilled_part() -> None:
    book, accounts = make_book()
    bid = book.submit(0, Side.BID, 8, 5, 0)
    book.submit(1, Side.ASK, 8, 2, 0)
    assert balances(accounts, 0) == (960.0, 24.0, 102.0, 0.0)
    assert book.cancel(bid)
    assert balances(accounts, 0) == (984.0, 0.0, 102.0, 0.0)


def test_cancel_in_the_middle_of_a_level_keeps_the_others_in_time_order() -> None:
    book, _ = make_book()
    book.submit(1, Side.ASK, 6, 1, 0)
    middle = book.submit(2, Side.ASK, 6, 1, 0)
    book.submit(3, Side.ASK, 6, 1, 0)
    book.cancel(middle)
    assert book.depth(Side.ASK) == [(6, 2)]
    book.submit(0, Side.BID, 6, 2, 0)
    assert [t.seller for t in book.trades] == [1, 3]
    assert book.best_ask() is None


def test_cancelling_the_best_level_exposes_the_next_one() -> None:
    book, _ = make_book()
    best = book.submit(1, Side.BID, 9, 2, 0)
    book.submit(2, Side.BID, 7, 1, 0)
    book.cancel(best)
    assert book.level1() == (7, 1, None, 0)
    book.submit(3, Side.ASK, 5, 1, 0)
    assert [(t.buyer, t.price) for t in book.trades] == [(2, 7)]


def test_level_emptied_by_cancels_can_be_used_again() -> None:
    book, _ = make_book()
    book.cancel(book.submit(1, Side.ASK, 5, 1, 0))
    book.cancel(book.submit(2, Side.ASK, 5, 1, 0))
    assert book.best_ask() is None
    book.submit(3, Side.ASK, 5, 2, 0)
    book.submit(0, Side.BID, 5, 1, 0)
    assert [(t.seller, t.price) for t in book.trades] == [(3, 5)]
    assert book.depth(Side.ASK) == [(5, 1)]


def test_cancel_firm_cancels_every_open_order_of_that_firm_only() -> None:
    book, accounts = make_book()
    book.submit(1, Side.BID, 4, 2, 0)
    book.submit(1, Side.BID, 3, 1, 0)
    book.submit(1, Side.ASK, 9, 5, 0)
    kept = book.submit(2, Side.BID, 4, 1, 0)
    assert book.cancel_firm(1) == 3
    assert book.n_open(1) == 0
    assert balances(accounts, 1) == (1000.0, 0.0, 100.0, 0.0)
    assert [o.order_id for o in book] == [kept]
    assert book.level1() == (4, 1, None, 0)
    assert book.cancel_firm(1) == 0


@pytest.mark.parametrize("firm", [-1, 4, 0.0])
def test_cancel_firm_rejects_unknown_firms(firm: object) -> None:
    book, _ = make_book()
    with pytest.raises(ValueError, match=r"^firm: .* is not a firm index in \[0, 3\]$"):
        book.cancel_firm(firm)  # type: ignore[arg-type]


@pytest.mark.parametrize("order_id", [1.0, True, "1", None])
def test_cancel_refuses_an_id_that_is_not_an_integer(order_id: object) -> None:
    """``cancel(1.0)`` and ``cancel(True)`` once cancelled order 1; now nothing is cancelled."""
    book, accounts = make_book()
    book.submit(1, Side.BID, 4, 2, 0)
    book.submit(1, Side.BID, 3, 1, 0)
    with pytest.raises(OrderRejected, match=r"^order_id: .* is not an integer$"):
        book.cancel(order_id)  # type: ignore[arg-type]
    assert book.n_open(1) == 2
    assert balances(accounts, 1) == (1000.0 - 11, 11.0, 100.0, 0.0)
