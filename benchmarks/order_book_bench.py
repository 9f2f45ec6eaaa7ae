"""Microseconds per OrderBook.submit on a random workload.

Run with ``python benchmarks/order_book_bench.py [n_orders]``. Firms are rich enough that no
order is rejected for lack of escrow; orders rejected by the per-firm limit still count, as
they do in the model. Expiry runs once per round, as in the model's market phase.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from market.accounts import Accounts
from market.order_book import OrderBook, OrderRejected

N_FIRMS = 10_000
ORDERS_PER_ROUND = N_FIRMS
PRICE_TICKS = 20
DURATION = 10
MAX_ORDERS = 5


def main(n_orders: int = 200_000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    accounts = Accounts(np.full(N_FIRMS, 1e9), np.full(N_FIRMS, 1e6))
    book = OrderBook(
        accounts,
        price_floor=0,
        price_ceiling=PRICE_TICKS,
        order_duration=DURATION,
        max_orders=MAX_ORDERS,
    )
    firms = rng.integers(0, N_FIRMS, n_orders).tolist()
    sides = rng.integers(0, 2, n_orders).tolist()  # plain ints, as the market phase passes
    prices = rng.integers(0, PRICE_TICKS + 1, n_orders).tolist()
    quantities = rng.integers(1, 11, n_orders).tolist()

    rejected = 0
    start = time.perf_counter()
    for i in range(n_orders):
        round_ = i // ORDERS_PER_ROUND
        if i % ORDERS_PER_ROUND == 0:
            book.expire(round_)
        try:
            book.submit(firms[i], sides[i], prices[i], quantities[i], round_)
        except OrderRejected:
            rejected += 1
    elapsed = time.perf_counter() - start

    print(f"{elapsed / n_orders * 1e6:.2f} us per submit")
    print(
        f"({n_orders} orders, {N_FIRMS} firms, ticks 0..{PRICE_TICKS}, duration {DURATION}, "
        f"max {MAX_ORDERS} open; {len(book.trades)} trades, {rejected} rejected, "
        f"{len(book)} open at the end)"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
