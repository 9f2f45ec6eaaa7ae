"""Differential test: OrderBook and the naive reference run the same random workloads in
lockstep and must agree after every single operation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from market.accounts import Accounts
from market.order_book import Order, OrderBook, OrderRejected, Side
from tests.market.order_book.reference_matcher import ReferenceBook


def _fields(order: Order) -> tuple[int, ...]:
    return (
        order.order_id,
        order.firm,
        int(order.side),
        order.price,
        order.quantity,
        order.original_quantity,
        order.placed_round,
        order.expires_round,
    )


def _priority_order(book: OrderBook, side: Side) -> list[tuple[int, ...]]:
    orders = [o for o in book if o.side is side]
    sign = -1 if side is Side.BID else 1
    orders.sort(key=lambda o: (sign * o.price, o.order_id))
    return [_fields(o) for o in orders]


def _assert_same(book: OrderBook, accounts: Accounts, ref: ReferenceBook) -> None:
    for side in Side:
        assert _priority_order(book, side) == ref.book(side)
        assert book.depth(side) == ref.depth(side)
    for firm in range(accounts.n_firms):
        assert [_fields(o) for o in book.open_orders(firm)] == ref.open_orders(firm)
    assert book.open_counts().tolist() == [len(ref.open_orders(f)) for f in range(accounts.n_firms)]
    for side in Side:
        assert book.open_quantity(side).tolist() == ref.open_quantity(side)
    assert book.trades == ref.trades
    free_c, escrow_c, free_a, escrow_a = ref.columns()
    np.testing.assert_allclose(accounts.coins, free_c, rtol=0, atol=1e-9)
    np.testing.assert_allclose(accounts.escrow_coins, escrow_c, rtol=0, atol=1e-9)
    assert accounts.allowances.tolist() == free_a
    assert accounts.escrow_allowances.tolist() == escrow_a


def _random_order(rng: random.Random, n_firms: int, floor: int, ceiling: int) -> tuple:
    """(firm, side, price, quantity); about one in twelve is invalid in some field."""
    firm = rng.randrange(n_firms)
    side = rng.choice((Side.BID, Side.ASK))
    price: object = rng.randint(floor, ceiling)
    quantity: object = rng.randint(1, 6)
    fault = rng.randrange(12)
    if fault == 0:
        price = rng.choice((floor - 1, ceiling + 1, float(floor), True))
    elif fault == 1:
        quantity = rng.choice((0, -2, 2.0, True))
    elif fault == 2:
        firm = rng.choice((n_firms, -1))
    return firm, side, price, quantity


@pytest.mark.parametrize("seed", range(8))
def test_order_book_agrees_with_the_reference_after_every_operation(seed: int) -> None:
    rng = random.Random(seed)
    n_firms = rng.randint(2, 8)
    floor = rng.randint(0, 3)
    ceiling = floor + rng.choice((0, 3, 8, 15))
    duration = rng.randint(1, 6)
    max_orders = rng.randint(2, 5)
    # Multiples of 1/4 stay exact in binary, so escrow checks cannot differ by rounding.
    coins = [rng.randint(0, 800) / 4 for _ in range(n_firms)]
    allowances = [rng.randint(0, 120) / 4 for _ in range(n_firms)]
    accounts = Accounts(np.array(coins), np.array(allowances))
    book = OrderBook(
        accounts,
        price_floor=floor,
        price_ceiling=ceiling,
        order_duration=duration,
        max_orders=max_orders,
    )
    ref = ReferenceBook(coins, allowances, floor, ceiling, duration, max_orders)

    round_ = 0
    counts = {"submit": 0, "rejected": 0, "cancelled": 0, "expired": 0}
    for _ in range(3000):
        roll = rng.random()
        if roll < 0.65:
            firm, side, price, quantity = _random_order(rng, n_firms, floor, ceiling)
            expected = ref.submit(firm, side, price, quantity, round_)
            try:
                got = book.submit(firm, side, price, quantity, round_)
            except OrderRejected:
                got = None
            assert got == expected
            counts["submit"] += 1
            counts["rejected"] += got is None
        elif roll < 0.77:
            open_ids = [o.order_id for o in ref.orders]
            if open_ids and rng.random() < 0.8:
                order_id = rng.choice(open_ids)
            else:
                order_id = rng.randrange(ref.next_id + 2)
            cancelled = ref.cancel(order_id)
            assert book.cancel(order_id) == cancelled
            counts["cancelled"] += cancelled
        elif roll < 0.80:
            firm = rng.randrange(n_firms)
            assert book.cancel_firm(firm) == ref.cancel_firm(firm)
        elif roll < 0.97:
            round_ += 1
            horizon = round_ + (rng.randrange(3) if rng.random() < 0.2 else 0)
            expired = ref.expire(horizon)
            assert book.expire(horizon) == expired
            counts["expired"] += expired
        elif roll < 0.995:
            level1 = (book.best_bid(), book.best_ask(), book.spread())
            bids, asks = ref.depth(Side.BID), ref.depth(Side.ASK)
            best_bid = bids[0][0] if bids else None
            best_ask = asks[0][0] if asks else None
            spread = None if not (bids and asks) else best_ask - best_bid
            assert level1 == (best_bid, best_ask, spread)
        else:
            assert book.clear() == ref.clear()
        _assert_same(book, accounts, ref)

    # The workload must actually exercise the interesting paths.
    assert len(book.trades) > 50
    assert 0 < counts["rejected"] < counts["submit"] - 800
    assert counts["cancelled"] > 0
    assert counts["expired"] > 0
    assert ref.self_trade_cancels > 0
