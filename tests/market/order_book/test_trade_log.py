"""The trade log: the book's trade records read as Trade objects, in order, as they grow."""

from __future__ import annotations

import numpy as np
import pytest

from market import book_kernels as kernels
from market.order_book import Side, Trade
from tests.market.order_book.helpers import make_book


def crossed_pairs(book, pairs: int, first_round: int = 0) -> None:
    """``pairs`` one-unit trades of firm 1 (seller) with firm 0 (buyer) at 5, a round each."""
    for k in range(first_round, first_round + pairs):
        book.submit(1, Side.ASK, 5, 1, k)
        book.submit(0, Side.BID, 5, 1, k)


def test_the_log_reads_every_trade_in_execution_order_as_it_grows() -> None:
    book, _ = make_book()
    assert book.trades == [] and len(book.trades) == 0
    crossed_pairs(book, 2)
    first = list(book.trades)
    crossed_pairs(book, 1, first_round=2)
    assert book.trades[:2] == first
    assert [t.round for t in book.trades] == [0, 1, 2]
    assert book.trades[-1] == Trade(2, 0, 1, 5, 1, 5, 4, Side.BID)
    assert list(reversed(book.trades)) == book.trades[::-1]


def test_rows_are_the_kernels_records_of_the_trades() -> None:
    book, _ = make_book()
    crossed_pairs(book, 3)
    rows = book.trades.rows(1)
    assert rows.shape == (2, kernels.TRADE_FIELDS)
    assert rows[:, kernels.T_ROUND].tolist() == [1, 2]
    assert rows.tolist() == [[*t[:7], int(t.aggressor)] for t in book.trades[1:]]


def test_the_log_survives_the_trade_arrays_growing() -> None:
    """The kernels' trade array is replaced when it fills; the log reads the new one."""
    book, _ = make_book(coins=(1e6, 0, 0, 0), allowances=(0, 1e6, 0, 0), max_orders=1)
    before = book.arrays.trades.shape[1]
    crossed_pairs(book, before + 3)
    assert book.arrays.trades.shape[1] > before
    assert len(book.trades) == before + 3
    assert [t.buy_order for t in book.trades] == list(range(1, 2 * (before + 3), 2))


def test_the_log_compares_like_a_list_and_is_not_hashable() -> None:
    book, _ = make_book()
    crossed_pairs(book, 1)
    assert book.trades == [Trade(0, 0, 1, 5, 1, 1, 0, Side.BID)]
    assert book.trades != []
    assert (book.trades == "x") is False
    with pytest.raises(TypeError):
        hash(book.trades)
    assert np.array_equal(book.trades.rows(0, 0), np.empty((0, kernels.TRADE_FIELDS)))
