"""A small market of firms with known balances, shared by the order-book tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from market.accounts import Accounts
from market.order_book import OrderBook


def make_book(
    coins: Sequence[float] = (1000.0, 1000.0, 1000.0, 1000.0),
    allowances: Sequence[float] = (100.0, 100.0, 100.0, 100.0),
    *,
    price_floor: int = 0,
    price_ceiling: int = 20,
    order_duration: int = 5,
    max_orders: int = 5,
) -> tuple[OrderBook, Accounts]:
    """An empty book over fresh accounts; by default 4 firms with 1000 coins, 100 allowances."""
    accounts = Accounts(np.array(coins, dtype=float), np.array(allowances, dtype=float))
    book = OrderBook(
        accounts,
        price_floor=price_floor,
        price_ceiling=price_ceiling,
        order_duration=order_duration,
        max_orders=max_orders,
    )
    return book, accounts


def balances(accounts: Accounts, firm: int) -> tuple[float, float, float, float]:
    """(free coins, escrowed coins, free allowances, escrowed allowances) of one firm."""
    return (
        float(accounts.coins[firm]),
        float(accounts.escrow_coins[firm]),
        float(accounts.allowances[firm]),
        float(accounts.escrow_allowances[firm]),
    )
