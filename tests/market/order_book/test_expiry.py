"""Expiry: orders leave the book ``order_duration`` rounds after they were placed."""

from __future__ import annotations

from market.order_book import Side
from tests.market.order_book.helpers import balances, make_book


def test_order_expires_exactly_order_duration_rounds_after_placement() -> None:
    book, accounts = make_book(order_duration=3)
    book.submit(0, Side.BID, 5, 2, 4)
    book.submit(1, Side.ASK, 9, 2, 4)
    assert book.open_orders(0)[0].expires_round == 7
    assert book.expire(6) == 0
    assert len(book) == 2
    assert book.expire(7) == 2
    assert len(book) == 0
    assert balances(accounts, 0) == (1000.0, 0.0, 100.0, 0.0)
    assert balances(accounts, 1) == (1000.0, 0.0, 100.0, 0.0)
    assert book.level1() == (None, 0, None, 0)


def test_expire_removes_everything_due_up_to_the_round_and_nothing_later() -> None:
    book, _ = make_book(order_duration=2)
    book.submit(0, Side.BID, 5, 1, 0)
    book.submit(1, Side.BID, 6, 1, 1)
    late = book.submit(2, Side.BID, 7, 1, 3)
    assert book.expire(4) == 2  # rounds 2 and 3 were never expired separately
    assert [o.order_id for o in book] == [late]
    assert book.expire(4) == 0
    assert book.expire(5) == 1


def test_partly_filled_order_expires_with_its_remaining_escrow() -> None:
    book, accounts = make_book(order_duration=1)
    book.submit(1, Side.ASK, 6, 5, 0)
    book.submit(0, Side.BID, 6, 2, 0)
    assert book.expire(1) == 1
    assert balances(accounts, 1) == (1012.0, 0.0, 98.0, 0.0)
    assert book.best_ask() is None


def test_filled_and_cancelled_orders_are_not_counted_as_expired() -> None:
    book, _ = make_book(order_duration=2)
    book.submit(1, Side.ASK, 6, 1, 0)
    book.submit(0, Side.BID, 6, 1, 0)
    book.cancel(book.submit(2, Side.BID, 3, 1, 0))
    book.submit(3, Side.BID, 2, 1, 0)
    assert book.expire(2) == 1
    assert len(book) == 0


def test_expiry_frees_order_slots() -> None:
    book, _ = make_book(order_duration=1, max_orders=1)
    book.submit(0, Side.BID, 5, 1, 0)
    book.expire(1)
    book.submit(0, Side.BID, 5, 1, 1)
    assert book.n_open(0) == 1


def test_expired_front_of_a_level_does_not_block_later_orders() -> None:
    book, _ = make_book(order_duration=2)
    book.submit(1, Side.ASK, 6, 1, 0)
    later = book.submit(2, Side.ASK, 6, 1, 1)
    book.expire(2)
    assert book.depth(Side.ASK) == [(6, 1)]
    book.submit(0, Side.BID, 6, 1, 2)
    assert [t.sell_order for t in book.trades] == [later]
