"""Market data: top of book, aggregated depth, spread and each firm's open orders."""

from __future__ import annotations

import numpy as np
import pytest

from market import book_kernels
from market.order_book import Order, Side
from tests.market.order_book.helpers import make_book


def test_empty_book_has_no_prices() -> None:
    book, _ = make_book()
    assert (book.best_bid(), book.best_ask(), book.spread()) == (None, None, None)
    assert book.level1() == (None, 0, None, 0)
    assert book.depth(Side.BID) == book.depth(Side.ASK) == []
    assert len(book) == 0


def _populated():
    book, accounts = make_book()
    book.submit(0, Side.BID, 5, 2, 0)
    book.submit(1, Side.BID, 7, 1, 0)
    book.submit(2, Side.BID, 5, 4, 0)
    book.submit(3, Side.BID, 3, 1, 0)
    book.submit(0, Side.ASK, 9, 3, 1)
    book.submit(1, Side.ASK, 12, 2, 1)
    book.submit(2, Side.ASK, 9, 1, 1)
    return book, accounts


def test_depth_aggregates_each_level_best_first() -> None:
    book, _ = _populated()
    assert book.depth(Side.BID) == [(7, 1), (5, 6), (3, 1)]
    assert book.depth(Side.ASK) == [(9, 4), (12, 2)]
    assert book.depth(Side.BID, 2) == [(7, 1), (5, 6)]
    assert book.depth(Side.ASK, 5) == [(9, 4), (12, 2)]
    assert book.depth(Side.ASK, 0) == []
    assert book.depth(1) == [(9, 4), (12, 2)]  # type: ignore[arg-type]


@pytest.mark.parametrize("levels", [0, 1, 2, 3, 5])
def test_the_volume_at_the_best_levels_is_the_depth_summed(levels) -> None:
    book, _ = _populated()
    a = book.arrays
    for side in (Side.BID, Side.ASK):
        summed = sum(q for _, q in book.depth(side, levels))
        assert book_kernels.top_volume(0, int(side), levels, a.levels, a.meta) == summed
    empty, _ = make_book()
    e = empty.arrays
    assert book_kernels.top_volume(0, int(Side.BID), levels, e.levels, e.meta) == 0


def test_negative_depth_is_rejected() -> None:
    book, _ = _populated()
    with pytest.raises(ValueError, match=r"^levels: -1 must be >= 0$"):
        book.depth(Side.BID, -1)


def test_level1_and_spread() -> None:
    book, _ = _populated()
    assert book.level1() == (7, 1, 9, 4)
    assert (book.best_bid(), book.best_ask(), book.spread()) == (7, 9, 2)


def test_spread_needs_both_sides() -> None:
    book, _ = make_book()
    book.submit(0, Side.ASK, 9, 1, 0)
    assert book.spread() is None
    assert book.level1() == (None, 0, 9, 1)


def test_depth_counts_only_what_is_still_open() -> None:
    book, _ = _populated()
    book.submit(3, Side.ASK, 5, 4, 2)  # takes 7x1 and 3 of the 6 at 5
    book.cancel(3)  # firm 3's bid at 3
    assert book.depth(Side.BID) == [(5, 3)]
    assert book.level1() == (5, 3, 9, 4)


def test_open_orders_are_listed_per_firm_in_time_order() -> None:
    book, _ = _populated()
    assert book.open_orders(0) == [
        Order(0, 0, Side.BID, 5, 2, 2, 0, 5),
        Order(4, 0, Side.ASK, 9, 3, 3, 1, 6),
    ]
    assert [o.order_id for o in book.open_orders(2)] == [2, 6]
    assert [book.n_open(f) for f in range(4)] == [2, 2, 2, 1]
    assert len(book) == 7
    assert [o.order_id for o in book] == list(range(7))


def test_per_firm_open_counts_and_quantities() -> None:
    book, _ = _populated()
    book.submit(3, Side.BID, 9, 2, 2)  # takes 2 of firm 0's ask at 9 and rests nothing
    assert book.open_counts().tolist() == [2, 2, 2, 1]
    assert book.open_counts().dtype == np.int64
    assert book.open_quantity(Side.BID).tolist() == [2, 1, 4, 1]
    assert book.open_quantity(Side.ASK).tolist() == [1, 2, 1, 0]
    book.cancel_firm(2)
    book.expire(5)  # every bid still open was placed in round 0
    assert book.open_counts().tolist() == [1, 1, 0, 0]
    assert book.open_quantity(Side.BID).tolist() == [0, 0, 0, 0]
    assert book.open_quantity(1).tolist() == [1, 2, 0, 0]  # type: ignore[arg-type]
    book.clear()
    assert book.open_counts().tolist() == book.open_quantity(Side.ASK).tolist() == [0, 0, 0, 0]


def test_open_orders_reflect_partial_fills() -> None:
    book, _ = _populated()
    book.submit(3, Side.BID, 9, 2, 2)
    assert book.open_orders(0)[1].quantity == 1
    assert book.open_orders(0)[1].original_quantity == 3


def test_iterating_gives_a_snapshot_that_may_be_cancelled_while_looping() -> None:
    book, _ = _populated()
    for order in book:
        book.cancel(order.order_id)
    assert len(book) == 0


@pytest.mark.parametrize("firm", [-1, 4, True])
def test_queries_reject_unknown_firms(firm: object) -> None:
    book, _ = make_book()
    with pytest.raises(ValueError, match=r"^firm: "):
        book.open_orders(firm)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^firm: "):
        book.n_open(firm)  # type: ignore[arg-type]
