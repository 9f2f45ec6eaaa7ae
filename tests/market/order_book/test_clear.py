"""Year-end clear: the book empties and every escrowed coin and allowance goes home."""

from __future__ import annotations

from market.order_book import Side
from tests.market.order_book.helpers import balances, make_book


def test_clear_refunds_coins_and_allowances_of_every_firm() -> None:
    book, accounts = make_book()
    book.submit(0, Side.BID, 7, 3, 0)
    book.submit(0, Side.ASK, 12, 4, 0)
    book.submit(1, Side.ASK, 9, 5, 0)
    book.submit(2, Side.BID, 9, 2, 0)  # buys 2 from firm 1
    book.submit(3, Side.BID, 8, 10, 0)
    assert book.clear() == 4
    assert balances(accounts, 0) == (1000.0, 0.0, 100.0, 0.0)
    assert balances(accounts, 1) == (1018.0, 0.0, 98.0, 0.0)
    assert balances(accounts, 2) == (982.0, 0.0, 102.0, 0.0)
    assert balances(accounts, 3) == (1000.0, 0.0, 100.0, 0.0)
    assert accounts.escrow_coins.sum() == 0.0
    assert accounts.escrow_allowances.sum() == 0.0


def test_clear_empties_the_book_but_keeps_the_ledger() -> None:
    book, _ = make_book()
    book.submit(1, Side.ASK, 5, 2, 0)
    book.submit(0, Side.BID, 5, 1, 0)
    ledger = list(book.trades)
    book.clear()
    assert len(book) == 0
    assert list(book) == []
    assert book.level1() == (None, 0, None, 0)
    assert book.depth(Side.BID) == book.depth(Side.ASK) == []
    assert all(book.n_open(f) == 0 for f in range(4))
    assert book.trades == ledger
    assert book.last_price == 5
    assert book.clear() == 0


def test_book_works_normally_after_clear() -> None:
    book, accounts = make_book(order_duration=2)
    book.submit(1, Side.ASK, 5, 2, 0)
    book.clear()
    ask = book.submit(2, Side.ASK, 6, 1, 1)
    assert ask == 1  # ids stay unique across the episode
    assert book.expire(2) == 0  # nothing placed before the clear is still scheduled
    book.submit(0, Side.BID, 6, 1, 1)
    assert [(t.seller, t.sell_order) for t in book.trades] == [(2, ask)]
    assert balances(accounts, 1) == (1000.0, 0.0, 100.0, 0.0)
    assert book.expire(3) == 0
