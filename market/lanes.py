"""The state arrays of a batch of markets: one lane per market, every array lane-first.

A market's firms (:class:`~market.enterprises.FirmArrays`), accounts (a ``(4, n_firms)``
block per lane), order book (:class:`~market.book_arrays.BookArrays`) and random generator
(:mod:`market.random_kernels`) are rows of these arrays, so one compiled call can play a
round of every market of the batch. The markets of one batch share their number of firms,
their price ceiling, order limit and duration, and their R&D delay (the arrays' shapes).

A round's kernels make no array: every temporary they need (the firms' values and quotes,
the funded or wanting firms, the submission order, the orders due to expire) is a
:class:`RoundScratch` made once with the arrays and reused by every lane and round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from market.book_arrays import BookArrays
from market.config import MarketConfig
from market.enterprises import FirmArrays
from market.random_kernels import STATE_SIZE
from market.tallies import empty_tallies


class RoundScratch(NamedTuple):
    """Work arrays a round writes before it reads them; their contents mean nothing between calls.

    Per firm, shape ``(n_firms,)``, indexed by firm: ``buy_value`` and ``sell_cost`` (coins,
    one allowance), ``emission_cost`` (coins/t), ``saving`` (coins, one R&D attempt),
    ``output`` (units decided), ``terms`` (the summands of a total), ``chosen`` (an R&D
    attempt or a green project wanted), ``can_bid``/``can_ask``, the quote's ``active``,
    ``bid_high``/``ask_low`` (ticks), the quote's ``side``, ``price`` (ticks) and
    ``quantity``, ``firms`` (a list of firm indices). Per quote, in posting order:
    ``quote_firm``, ``quote_side``, ``quote_price``, ``quote_quantity`` and ``order`` (the
    submission order). Per open-order slot, shape ``(capacity,)``: ``due`` (slots) and
    ``keys`` (their expiry order).

    The fields are the rows of four blocks (:data:`WORK_BLOCKS`: floats, flags, integers per
    firm, integers per slot), which is how a kernel call from Python takes them: a tuple of
    23 arrays costs microseconds to hand over, four cost a fraction of one.
    """

    buy_value: np.ndarray
    sell_cost: np.ndarray
    emission_cost: np.ndarray
    saving: np.ndarray
    output: np.ndarray
    terms: np.ndarray
    chosen: np.ndarray
    can_bid: np.ndarray
    can_ask: np.ndarray
    active: np.ndarray
    bid_high: np.ndarray
    ask_low: np.ndarray
    side: np.ndarray
    price: np.ndarray
    quantity: np.ndarray
    firms: np.ndarray
    quote_firm: np.ndarray
    quote_side: np.ndarray
    quote_price: np.ndarray
    quote_quantity: np.ndarray
    order: np.ndarray
    due: np.ndarray
    keys: np.ndarray

    @classmethod
    def of(cls, blocks: tuple[np.ndarray, ...]) -> RoundScratch:
        """The work arrays as views of the rows of ``blocks`` (:func:`work_blocks`)."""
        return cls(*(row for block in blocks for row in block))


#: The blocks of :class:`RoundScratch`: each one's rows (in field order) and dtype.
WORK_BLOCKS = ((6, np.float64), (4, np.bool_), (11, np.int64), (2, np.int64))


def work_blocks(n_firms: int, capacity: int = 0) -> tuple[np.ndarray, ...]:
    """The blocks of a round's work arrays for ``n_firms`` firms and ``capacity`` slots."""
    widths = (n_firms, n_firms, n_firms, capacity)
    return tuple(
        np.zeros((rows, width), dtype=dtype)
        for (rows, dtype), width in zip(WORK_BLOCKS, widths, strict=True)
    )


@dataclass
class MarketArrays:
    """The state of ``lanes`` markets.

    Attributes:
        firms: the firms' columns.
        accounts: coins and allowances, free and escrowed, shape ``(lanes, 4, n_firms)``.
        book: the order books.
        rng: each market's random generator state, shape ``(lanes, STATE_SIZE)``, uint64.
        tallies: each market's running totals and round results (:mod:`market.tallies`),
            shape ``(lanes, len(TALLIES))``.
        scratch: the blocks of the round's work arrays (:class:`RoundScratch`), shared by
            the lanes (they play one after another).
    """

    firms: FirmArrays
    accounts: np.ndarray
    book: BookArrays
    rng: np.ndarray
    tallies: np.ndarray
    scratch: tuple[np.ndarray, ...]

    @classmethod
    def empty(cls, lanes: int, n_firms: int, config: MarketConfig) -> MarketArrays:
        """Empty arrays for ``lanes`` markets of ``n_firms`` firms under ``config``'s rules."""
        book = BookArrays.empty(
            lanes,
            n_firms,
            price_floor=config.price_floor,
            price_ceiling=config.price_ceiling,
            order_duration=config.order_duration,
            max_orders=config.max_orders,
        )
        return cls(
            firms=FirmArrays.empty(lanes, n_firms, config.research_delay),
            accounts=np.zeros((lanes, 4, n_firms)),
            book=book,
            rng=np.zeros((lanes, STATE_SIZE), dtype=np.uint64),
            tallies=empty_tallies(lanes),
            scratch=work_blocks(n_firms, book.capacity),
        )

    @property
    def lanes(self) -> int:
        """Markets in the batch."""
        return self.accounts.shape[0]

    def lane_state(self, b: int) -> tuple[np.ndarray, ...]:
        """A copy of lane ``b``'s state: its row of every array but the trades (append-only)."""
        return tuple(np.copy(array[b]) for array in self._lane_arrays())

    def set_lane_state(self, b: int, state: tuple[np.ndarray, ...]) -> None:
        """Put back a state :meth:`lane_state` copied from lane ``b``."""
        for array, row in zip(self._lane_arrays(), state, strict=True):
            array[b] = row

    def _lane_arrays(self) -> tuple[np.ndarray, ...]:
        return (*self.firms.as_tuple(), self.accounts, *self.book.core, self.rng, self.tallies)

    def measured(self) -> tuple[np.ndarray, ...]:
        """What a round's records read, in the order the record kernels take it.

        The firms' float and integer columns, the accounts, the books' per-firm order
        counts and metadata, and the green projects completed (:mod:`model.records`).
        """
        firms, book = self.firms, self.book
        return (firms.floats, firms.ints, self.accounts, book.firm_info, book.meta, firms.green)
