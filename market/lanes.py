"""The state arrays of a batch of markets: one lane per market, every array lane-first.

A market's firms (:class:`~market.enterprises.FirmArrays`), accounts (a ``(4, n_firms)``
block per lane), order book (:class:`~market.order_book.BookArrays`) and random generator
(:mod:`market.random_kernels`) are rows of these arrays, so one compiled call can play a
round of every market of the batch. The markets of one batch share their number of firms,
their price ceiling, order limit and duration, and their R&D delay (the arrays' shapes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.config import MarketConfig
from market.enterprises import FirmArrays
from market.order_book import BookArrays
from market.random_kernels import STATE_SIZE


@dataclass
class MarketArrays:
    """The state of ``lanes`` markets.

    Attributes:
        firms: the firms' columns.
        accounts: coins and allowances, free and escrowed, shape ``(lanes, 4, n_firms)``.
        book: the order books.
        rng: each market's random generator state, shape ``(lanes, STATE_SIZE)``, uint64.
    """

    firms: FirmArrays
    accounts: np.ndarray
    book: BookArrays
    rng: np.ndarray

    @classmethod
    def empty(cls, lanes: int, n_firms: int, config: MarketConfig) -> MarketArrays:
        """Empty arrays for ``lanes`` markets of ``n_firms`` firms under ``config``'s rules."""
        return cls(
            firms=FirmArrays.empty(lanes, n_firms, config.research_delay),
            accounts=np.zeros((lanes, 4, n_firms)),
            book=BookArrays.empty(
                lanes,
                n_firms,
                price_floor=config.price_floor,
                price_ceiling=config.price_ceiling,
                order_duration=config.order_duration,
                max_orders=config.max_orders,
            ),
            rng=np.zeros((lanes, STATE_SIZE), dtype=np.uint64),
        )

    @property
    def lanes(self) -> int:
        """Markets in the batch."""
        return self.accounts.shape[0]
