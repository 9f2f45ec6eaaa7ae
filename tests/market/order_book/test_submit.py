"""OrderBook construction and submit: validation, escrow locking and the per-firm order limit."""

from __future__ import annotations

import re

import numpy as np
import pytest

from market import random_kernels as rk
from market.accounts import Accounts
from market.order_book import Order, OrderBook, OrderRejected, Side
from tests.market.order_book.helpers import balances, make_book

LIMITS = {"price_floor": 0, "price_ceiling": 20, "order_duration": 5, "max_orders": 5}


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("price_floor", -1),
        ("price_floor", 1.0),
        ("price_ceiling", -1),
        ("order_duration", 0),
        ("order_duration", True),
        ("max_orders", 0),
    ],
)
def test_constructor_rejects_bad_limits_naming_the_argument(argument: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        OrderBook(Accounts.empty(2), **{**LIMITS, argument: value})


def test_constructor_rejects_ceiling_below_floor() -> None:
    with pytest.raises(ValueError, match=r"^price_ceiling: 4 must be an integer >= 5"):
        OrderBook(Accounts.empty(2), **{**LIMITS, "price_floor": 5, "price_ceiling": 4})


def test_single_tick_market_is_allowed() -> None:
    book = OrderBook(
        Accounts(np.array([10.0]), np.array([0.0])),
        **{**LIMITS, "price_floor": 3, "price_ceiling": 3},
    )
    book.submit(0, Side.BID, 3, 2, 0)
    assert book.best_bid() == 3


@pytest.mark.parametrize(
    ("price", "message"),
    [
        (25, "price: 25 is outside the allowed ticks [0, 20]"),
        (-1, "price: -1 is outside the allowed ticks [0, 20]"),
        (2.5, "price: 2.5 is not an integer"),
        (3.0, "price: 3.0 is not an integer"),
        (True, "price: True is not an integer"),
        (np.float64(4.0), "price: np.float64(4.0) is not an integer"),
        ("5", "price: '5' is not an integer"),
    ],
)
def test_price_must_be_an_integer_tick_in_range(price: object, message: str) -> None:
    book, _ = make_book()
    with pytest.raises(OrderRejected, match=f"^{re.escape(message)}$"):
        book.submit(0, Side.BID, price, 1, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "quantity: 0 is outside the allowed [1, 22517998136852] allowances"),
        (-3, "quantity: -3 is outside the allowed [1, 22517998136852] allowances"),
        (1.0, "quantity: 1.0 is not an integer"),
        (False, "quantity: False is not an integer"),
    ],
)
def test_quantity_must_be_a_positive_integer(quantity: object, message: str) -> None:
    book, _ = make_book()
    with pytest.raises(OrderRejected, match=f"^{re.escape(message)}$"):
        book.submit(0, Side.ASK, 5, quantity, 0)  # type: ignore[arg-type]


def test_the_largest_quantity_keeps_a_full_book_exact() -> None:
    book, _ = make_book()  # 4 firms x 5 orders, ticks up to 20
    assert book.max_quantity == 2**53 // (20 * 20)
    for firm in range(4):
        for _ in range(5):
            book.submit(firm, Side.BID, 0, book.max_quantity, 0)
    assert book.depth(Side.BID) == [(0, 20 * book.max_quantity)]
    assert book.open_quantity(Side.BID).tolist() == [5 * book.max_quantity] * 4


@pytest.mark.parametrize("quantity", [22517998136852 + 1, 2**62, 10**30])
def test_a_bid_that_locks_nothing_cannot_exceed_the_largest_quantity(quantity: int) -> None:
    book, accounts = make_book()
    before = [balances(accounts, firm) for firm in range(4)]
    message = f"quantity: {quantity} is outside the allowed [1, 22517998136852] allowances"
    with pytest.raises(OrderRejected, match=f"^{re.escape(message)}$"):
        book.submit(0, Side.BID, 0, quantity, 0)
    assert len(book) == 0
    assert [balances(accounts, firm) for firm in range(4)] == before


@pytest.mark.parametrize(
    ("firm", "message"),
    [
        (-1, "firm: -1 is not a firm index in [0, 3]"),
        (4, "firm: 4 is not a firm index in [0, 3]"),
        (1.0, "firm: 1.0 is not an integer"),
        (True, "firm: True is not an integer"),
    ],
)
def test_unknown_firm_is_rejected(firm: object, message: str) -> None:
    book, _ = make_book()
    with pytest.raises(OrderRejected, match=f"^{re.escape(message)}$"):
        book.submit(firm, Side.BID, 5, 1, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("side", [2, -1, "BID", None, True])
def test_unknown_side_is_rejected(side: object) -> None:
    book, _ = make_book()
    with pytest.raises(OrderRejected, match=r"^side: "):
        book.submit(0, side, 5, 1, 0)  # type: ignore[arg-type]


def test_round_must_be_an_integer() -> None:
    book, _ = make_book()
    with pytest.raises(OrderRejected, match=r"^round_: 1.5 is not an integer$"):
        book.submit(0, Side.BID, 5, 1, 1.5)  # type: ignore[arg-type]


def test_numpy_integers_and_plain_ints_are_accepted_and_stored_as_python_ints() -> None:
    book, _ = make_book()
    order_id = book.submit(np.int64(1), 0, np.int32(7), np.int64(3), np.int64(2))  # type: ignore[arg-type]
    (order,) = book.open_orders(1)
    assert order == Order(order_id, 1, Side.BID, 7, 3, 3, 2, 7)
    assert all(
        type(v) is int for v in (order.firm, order.price, order.quantity, order.placed_round)
    )
    assert order.side is Side.BID


def test_order_fields_and_increasing_ids() -> None:
    book, _ = make_book(order_duration=4)
    first = book.submit(0, Side.BID, 5, 2, 3)
    second = book.submit(1, Side.ASK, 9, 6, 3)
    assert (first, second) == (0, 1)
    assert book.open_orders(0) == [Order(0, 0, Side.BID, 5, 2, 2, 3, 7)]
    assert book.open_orders(1) == [Order(1, 1, Side.ASK, 9, 6, 6, 3, 7)]


def test_bid_locks_price_times_quantity_coins() -> None:
    book, accounts = make_book()
    book.submit(2, Side.BID, 8, 5, 0)
    assert balances(accounts, 2) == (960.0, 40.0, 100.0, 0.0)
    book.submit(2, Side.BID, 3, 10, 0)
    assert balances(accounts, 2) == (930.0, 70.0, 100.0, 0.0)


def test_ask_locks_quantity_allowances() -> None:
    book, accounts = make_book()
    book.submit(1, Side.ASK, 8, 7, 0)
    assert balances(accounts, 1) == (1000.0, 0.0, 93.0, 7.0)


def test_bid_that_exactly_exhausts_free_coins_is_accepted() -> None:
    book, accounts = make_book(coins=(40.0, 0.0), allowances=(100.0, 0.0))
    book.submit(0, Side.BID, 8, 5, 0)
    assert balances(accounts, 0) == (0.0, 40.0, 100.0, 0.0)


def _state(book: OrderBook, accounts: Accounts) -> tuple[object, ...]:
    columns = (
        accounts.coins,
        accounts.escrow_coins,
        accounts.allowances,
        accounts.escrow_allowances,
    )
    return (tuple(c.tolist() for c in columns), list(book), book.level1(), len(book.trades))


def test_bid_short_of_coins_is_rejected_and_changes_nothing() -> None:
    book, accounts = make_book(coins=(1000.0, 1000.0, 1000.0, 52.5))
    book.submit(3, Side.BID, 8, 5, 0)  # locks 40, leaving 12.5 free
    book.submit(1, Side.ASK, 10, 4, 0)
    before = _state(book, accounts)
    with pytest.raises(
        OrderRejected,
        match=r"^coins: bid needs 40\.0 coins in escrow but firm 3 has 12\.5 free$",
    ):
        book.submit(3, Side.BID, 10, 4, 0)  # would cross the ask if it were accepted
    assert _state(book, accounts) == before
    assert book.submit(0, Side.BID, 1, 1, 0) == 2  # the rejected order used no id


def test_ask_short_of_allowances_is_rejected_and_changes_nothing() -> None:
    book, accounts = make_book(allowances=(100.0, 2.0, 100.0, 100.0))
    book.submit(0, Side.BID, 10, 3, 0)
    before = _state(book, accounts)
    with pytest.raises(
        OrderRejected,
        match=r"^allowances: ask needs 3\.0 allowances in escrow but firm 1 has 2\.0 free$",
    ):
        book.submit(1, Side.ASK, 5, 3, 0)
    assert _state(book, accounts) == before


def test_escrowed_amounts_do_not_count_as_free() -> None:
    book, _ = make_book(coins=(100.0, 0.0), allowances=(0.0, 10.0))
    book.submit(0, Side.BID, 10, 6, 0)
    book.submit(1, Side.ASK, 15, 8, 0)
    with pytest.raises(OrderRejected, match=r"^coins: .* firm 0 has 40\.0 free$"):
        book.submit(0, Side.BID, 10, 5, 0)
    with pytest.raises(OrderRejected, match=r"^allowances: .* firm 1 has 2\.0 free$"):
        book.submit(1, Side.ASK, 15, 3, 0)


def test_firm_at_max_orders_is_rejected_until_a_slot_frees() -> None:
    book, accounts = make_book(max_orders=2)
    first = book.submit(0, Side.BID, 5, 1, 0)
    book.submit(0, Side.ASK, 9, 1, 0)
    before = _state(book, accounts)
    with pytest.raises(
        OrderRejected, match=r"^max_orders: firm 0 already has 2 open orders \(the limit is 2\)$"
    ):
        book.submit(0, Side.BID, 6, 1, 0)
    assert _state(book, accounts) == before
    book.submit(1, Side.BID, 6, 1, 0)  # the limit is per firm
    assert book.cancel(first)
    book.submit(0, Side.BID, 4, 1, 0)
    assert book.n_open(0) == 2


def test_filled_order_frees_its_slot_and_an_instantly_filled_order_takes_none() -> None:
    book, _ = make_book(max_orders=1)
    book.submit(0, Side.ASK, 5, 2, 0)
    book.submit(1, Side.BID, 5, 2, 0)  # fills completely, never rests
    assert book.n_open(0) == 0
    assert book.n_open(1) == 0
    book.submit(0, Side.ASK, 6, 1, 0)
    book.submit(1, Side.BID, 4, 1, 0)
    assert (book.n_open(0), book.n_open(1)) == (1, 1)


def test_a_round_s_quote_replaces_the_firm_s_open_orders_and_leaves_the_others() -> None:
    # firm 0 has two bids open and quotes again: both go (their 16 coins back), the new bid
    # escrows 7; firm 1 posts nothing (a person's firm) and its bid stands
    book, accounts = make_book()
    book.submit(0, Side.BID, 5, 2, 0)
    book.submit(0, Side.BID, 6, 1, 0)
    book.submit(1, Side.BID, 4, 3, 0)
    quotes = tuple(np.array(column, dtype=np.int64) for column in ([0], [Side.BID], [7], [1]))
    assert book.submit_all(rk.export_state(np.random.default_rng(0)), quotes, 1) == 0
    assert [(o.price, o.quantity) for o in book.open_orders(0)] == [(7, 1)]
    assert [(o.price, o.quantity) for o in book.open_orders(1)] == [(4, 3)]
    assert balances(accounts, 0) == (993.0, 7.0, 100.0, 0.0)
