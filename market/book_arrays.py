"""The arrays of a batch's order books, as the kernels of :mod:`market.book_kernels` take them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market import book_kernels as kernels


@dataclass
class BookArrays:
    """The arrays of ``lanes`` order books over ``n_firms`` firms each (:mod:`book_kernels`)."""

    slots: np.ndarray
    levels: np.ndarray
    firm_slots: np.ndarray
    firm_info: np.ndarray
    free: np.ndarray
    meta: np.ndarray
    trades: np.ndarray

    @classmethod
    def empty(
        cls,
        lanes: int,
        n_firms: int,
        *,
        price_floor: int,
        price_ceiling: int,
        order_duration: int,
        max_orders: int,
    ) -> BookArrays:
        """Empty books; every lane with the same price band, order duration and limit."""
        capacity = n_firms * max_orders
        arrays = cls(
            slots=np.empty((lanes, capacity, kernels.SLOT_FIELDS), dtype=np.int64),
            levels=np.empty((lanes, 2, price_ceiling + 1, 3), dtype=np.int64),
            firm_slots=np.zeros((lanes, n_firms, max_orders), dtype=np.int64),
            firm_info=np.zeros((lanes, n_firms, 3), dtype=np.int64),
            free=np.empty((lanes, capacity), dtype=np.int64),
            meta=np.zeros((lanes, kernels.META_FIELDS), dtype=np.int64),
            trades=np.zeros((lanes, capacity + 16, kernels.TRADE_FIELDS), dtype=np.int64),
        )
        arrays.meta[:, kernels.LAST_PRICE] = kernels.NONE
        arrays.meta[:, kernels.FLOOR] = price_floor
        arrays.meta[:, kernels.CEILING] = price_ceiling
        arrays.meta[:, kernels.DURATION] = order_duration
        arrays.meta[:, kernels.LIMIT] = max_orders
        for b in range(lanes):
            kernels.reset(b, *arrays.core)
        return arrays

    def as_tuple(self) -> tuple[np.ndarray, ...]:
        """Every array, trades last, as the round kernel takes them."""
        return (*self.core, self.trades)

    @property
    def core(self) -> tuple[np.ndarray, ...]:
        """The arrays every book kernel takes, in their order."""
        return self.slots, self.levels, self.firm_slots, self.firm_info, self.free, self.meta

    @property
    def capacity(self) -> int:
        """Open orders a book can hold: firms x the order limit."""
        return self.slots.shape[1]

    def make_room(self, trades: int) -> None:
        """Grow the trade arrays so every lane can record ``trades`` more trades."""
        needed = int(self.meta[:, kernels.N_TRADES].max()) + trades
        if needed > self.trades.shape[1]:
            grown = np.zeros(
                (self.trades.shape[0], max(needed, 2 * self.trades.shape[1]), kernels.TRADE_FIELDS),
                dtype=np.int64,
            )
            grown[:, : self.trades.shape[1]] = self.trades
            self.trades = grown
