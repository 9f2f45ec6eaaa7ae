"""Every trade of one order book, read from the book's arrays only when someone looks.

The matching kernels record each trade as a row of integers in the book's trade array
(``market.book_kernels``: round, buyer, seller, price, quantity, the two order ids and the
aggressor's side). :class:`TradeLog` is that record as a read-only sequence of
:class:`~market.orders.Trade`: a trade becomes a Python object the first time it is read, so
a round the market plays costs nothing here, and a dashboard reading the last ten trades
converts ten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from market import book_kernels as kernels
from market.orders import Side, Trade

SIDES = tuple(Side)


class TradeLog(Sequence):
    """The trades of lane ``lane`` of ``arrays``, in execution order (append-only).

    It compares equal to any sequence of the same trades, as the list it stands for would.

    Args:
        arrays: the books' arrays, a ``market.book_arrays.BookArrays`` (its trade array is
            replaced as it grows, so the log reads it through ``arrays`` every time).
        lane: the book's lane.
    """

    def __init__(self, arrays: Any, lane: int) -> None:
        self._arrays, self._lane = arrays, lane
        self._records: list[Trade] = []

    def __len__(self) -> int:
        return int(self._arrays.meta[self._lane, kernels.N_TRADES])

    def __getitem__(self, index):
        return self._read()[index]

    def __iter__(self) -> Iterator[Trade]:
        return iter(self._read())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return self._read() == list(other)

    __hash__ = None  # mutable, as a list is

    def __repr__(self) -> str:
        return f"TradeLog({self._read()!r})"

    def rows(self, start: int, stop: int | None = None) -> np.ndarray:
        """Trades ``start .. stop - 1`` as the kernels wrote them, shape ``(k, 8)``, int64."""
        end = len(self) if stop is None else stop
        return self._arrays.trades[self._lane, start:end]

    def _read(self) -> list[Trade]:
        """Every trade so far as records (those not read before are converted now)."""
        seen = len(self._records)
        if seen < len(self):
            self._records.extend(Trade(*row[:7], SIDES[row[7]]) for row in self.rows(seen).tolist())
        return self._records
