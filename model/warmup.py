"""Compile and cache every kernel once: ``python -m model.warmup`` (``make install`` runs it).

The market core's kernels are compiled the first time they run and cached on disk
(``numba``'s ``cache=True``), so only the first market after an install pays for the compile.
This plays a short market with learned firms alone and in a batch (under a supply rule that
auctions), and every operation of a book, so that first market is not one a person waits
for, and prints how long the compile took (the cold start).
"""

from __future__ import annotations

import time

import numpy as np

from market.accounts import Accounts
from market.order_book import OrderBook
from market.orders import Side
from model.batch import MarketBatch
from model.carbon_market import CarbonMarket


def warm_up() -> float:
    """Run every kernel once; return the seconds it took."""
    started = time.perf_counter()
    market = CarbonMarket("paper", seed=0, years=1, steps_per_year=5, learned_share=0.5)
    while market.running:
        market.step()
    # the batch's round kernel, its learned firms' observations, a supply rule's release and
    # the lanes' call auction (the first policy above has none)
    MarketBatch("paper", [0], years=1, steps_per_year=5, policy="msr", learned_share=0.5).run()
    book = OrderBook(
        Accounts(np.full(2, 100.0), np.full(2, 10.0)),
        price_floor=0,
        price_ceiling=20,
        order_duration=2,
        max_orders=2,
    )
    book.cancel(book.submit(0, Side.BID, 5, 1, 0))
    book.submit(1, Side.ASK, 6, 1, 0)
    book.depth(Side.ASK)
    book.cancel_firm(1)
    book.expire(5)
    book.clear()
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"model.warmup: every kernel compiled and cached in {warm_up():.1f} s")
