"""One side of the order book: open orders queued by price level.

Orders wait in a FIFO queue per price level (time priority); a heap finds the best level
(price priority). Orders that close while queued (cancelled, expired) are not searched for:
the queue keeps them until they reach its front, where they are dropped. A level whose open
quantity falls to zero stays in the heap until it surfaces at the top.

The order book decides which orders are open and passes that set in, so this module only
knows about queueing.
"""

from __future__ import annotations

import heapq
from collections import deque

from market.orders import Order, Side


class PriceLevels:
    """The orders on one side of the book, grouped into price levels.

    Attributes:
        sign: ``+1`` for asks (lowest price is best), ``-1`` for bids (highest is best). The
            heap holds ``sign * price`` so its top is the best level.
        is_open: The book's open orders by id; a queued order not in it is dead.
        queues: Price (ticks) -> orders at that price in time order, possibly with dead ones.
        volume: Price (ticks) -> open quantity at that price (allowances).
        heap: ``sign * price`` of every level in ``queues``, each exactly once.
    """

    __slots__ = ("heap", "is_open", "queues", "sign", "volume")

    def __init__(self, side: Side, is_open: dict[int, Order]) -> None:
        """Create an empty side.

        Args:
            side: Which side of the book this is.
            is_open: The book's open orders by id, shared and kept up to date by the book.
        """
        self.sign = -1 if side is Side.BID else 1
        self.is_open = is_open
        self.queues: dict[int, deque[Order]] = {}
        self.volume: dict[int, int] = {}
        self.heap: list[int] = []

    def best(self) -> int | None:
        """Best price with open quantity (ticks), dropping emptied levels on the way."""
        heap = self.heap
        while heap:
            price = heap[0] * self.sign
            if self.volume[price]:
                return price
            heapq.heappop(heap)
            del self.volume[price], self.queues[price]
        return None

    def add(self, order: Order) -> None:
        """Queue ``order`` at the back of its price level."""
        price = order.price
        queue = self.queues.get(price)
        if queue is None:
            queue = self.queues[price] = deque()
            self.volume[price] = 0
            heapq.heappush(self.heap, self.sign * price)
        queue.append(order)
        self.volume[price] += order.quantity

    def discard(self, order: Order) -> None:
        """Take a queued order that has just closed out of its level's open quantity.

        Args:
            order: The order, already removed from ``is_open``, with its unfilled quantity.
        """
        price = order.price
        self.volume[price] -= order.quantity
        queue = self.queues[price]
        while queue and queue[0].order_id not in self.is_open:
            queue.popleft()

    def depth(self, levels: int | None) -> list[tuple[int, int]]:
        """Levels with open quantity, best first.

        Args:
            levels: Most levels to return; all when ``None``.

        Returns:
            ``(price in ticks, open allowances)`` per level.
        """
        live = sorted((p for p, q in self.volume.items() if q), reverse=self.sign < 0)
        return [(p, self.volume[p]) for p in live[:levels]]
