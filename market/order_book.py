"""Continuous double auction for emission allowances.

Firms post limit orders to buy (bids) or sell (asks) whole allowances at integer price ticks
(coins per allowance). An incoming order trades with the best opposite orders while prices
cross, by price then time priority, at the resting order's price. What is left rests in the
book until it fills, is cancelled, or expires ``order_duration`` rounds after submission.

Everything an open order could deliver sits in escrow in :class:`~market.accounts.Accounts`:
a bid locks ``price * quantity`` coins, an ask locks ``quantity`` allowances. Trades settle
from escrow, so a firm can never promise more than it owns, and the book never creates or
destroys coins or allowances.

A firm never trades with itself: an incoming order that meets a resting order of the same
firm cancels that resting order and continues matching. The book is therefore never crossed.

Each side of the book is a :class:`~market.price_levels.PriceLevels` (a FIFO queue per price
level, found through a heap), and expiry uses a bucket of orders per expiry round, so no
operation scans the whole book.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

import numpy as np

from market.accounts import Accounts
from market.orders import Order, OrderRejected, Side, Trade, as_integer, as_side
from market.price_levels import PriceLevels

__all__ = ["Order", "OrderBook", "OrderRejected", "Side", "Trade"]


class OrderBook:
    """Limit-order book matching bids and asks for allowances continuously.

    Attributes:
        price_floor: Lowest allowed limit price (ticks).
        price_ceiling: Highest allowed limit price (ticks).
        order_duration: Rounds an order stays open before it expires.
        max_orders: Most open orders one firm may have at once.
        trades: Every trade of the episode, in execution order. Append-only.
        last_price: Price of the most recent trade in ticks, ``None`` before the first.
    """

    def __init__(
        self,
        accounts: Accounts,
        *,
        price_floor: int,
        price_ceiling: int,
        order_duration: int,
        max_orders: int,
    ) -> None:
        """Create an empty book trading against ``accounts``.

        Args:
            accounts: The firms' coins and allowances; the book moves amounts in and out of
                escrow and settles trades in place.
            price_floor: Lowest allowed limit price (ticks, >= 0).
            price_ceiling: Highest allowed limit price (ticks, >= ``price_floor``).
            order_duration: Rounds an order stays open before expiring (>= 1).
            max_orders: Most open orders one firm may have at once (>= 1).

        Raises:
            ValueError: If an argument is out of range; the message names it.
        """
        for name, value, minimum in (
            ("price_floor", price_floor, 0),
            ("price_ceiling", price_ceiling, price_floor),
            ("order_duration", order_duration, 1),
            ("max_orders", max_orders, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name}: {value!r} must be an integer >= {minimum}")
        self._accounts = accounts
        self.price_floor = price_floor
        self.price_ceiling = price_ceiling
        self.order_duration = order_duration
        self.max_orders = max_orders
        self.trades: list[Trade] = []
        self.last_price: int | None = None
        self._next_id = 0
        self._reset()

    def _reset(self) -> None:
        """Forget every open order (escrow is the caller's business)."""
        self._open: dict[int, Order] = {}
        self._sides = (PriceLevels(Side.BID, self._open), PriceLevels(Side.ASK, self._open))
        n_firms = self._accounts.n_firms
        self._by_firm: list[dict[int, Order]] = [{} for _ in range(n_firms)]
        # Open quantity per firm on each side (allowances), indexed by Side then firm.
        self._open_volume = ([0] * n_firms, [0] * n_firms)
        self._expiring: dict[int, list[Order]] = {}
        self._expiry_rounds: list[int] = []

    # ------------------------------------------------------------------ order flow

    def submit(self, firm: int, side: Side, price: int, quantity: int, round_: int) -> int:
        """Place a limit order, match it against the book and rest any remainder.

        Args:
            firm: Index of the submitting firm.
            side: ``Side.BID`` to buy, ``Side.ASK`` to sell.
            price: Limit price in ticks (coins per allowance), within the book's range.
            quantity: Allowances to trade (tonnes of CO2), at least 1.
            round_: Current round; the order expires at round ``round_ + order_duration``.

        Returns:
            The new order's id (also when it filled at once and never rested).

        Raises:
            OrderRejected: If a field is invalid, the firm already has ``max_orders`` open
                orders, or its free coins (bid) or allowances (ask) cannot cover the escrow.
                Nothing changes in that case.
        """
        if type(firm) is not int:
            firm = as_integer("firm", firm)
        if not 0 <= firm < len(self._by_firm):
            raise OrderRejected(self._unknown_firm(firm))
        if type(side) is not Side:
            side = as_side(side)
        if type(price) is not int:
            price = as_integer("price", price)
        if not self.price_floor <= price <= self.price_ceiling:
            raise OrderRejected(
                f"price: {price} is outside the allowed ticks "
                f"[{self.price_floor}, {self.price_ceiling}]"
            )
        if type(quantity) is not int:
            quantity = as_integer("quantity", quantity)
        if quantity < 1:
            raise OrderRejected(f"quantity: {quantity} is below the minimum of 1 allowance")
        if type(round_) is not int:
            round_ = as_integer("round_", round_)
        firm_orders = self._by_firm[firm]
        if len(firm_orders) >= self.max_orders:
            raise OrderRejected(
                f"max_orders: firm {firm} already has {len(firm_orders)} open orders "
                f"(the limit is {self.max_orders})"
            )
        free, escrow, amount = self._escrow(side, price, quantity)
        available = free[firm]
        if available < amount:
            asset = "coins" if side is Side.BID else "allowances"
            raise OrderRejected(
                f"{asset}: {side.name.lower()} needs {float(amount)} {asset} in escrow "
                f"but firm {firm} has {float(available)} free"
            )
        free[firm] = available - amount
        escrow[firm] += amount

        order_id = self._next_id
        self._next_id = order_id + 1
        expires = round_ + self.order_duration
        order = Order(order_id, firm, side, price, quantity, quantity, round_, expires)
        self._match(order)
        if order.quantity:
            self._open[order_id] = order
            firm_orders[order_id] = order
            self._sides[side].add(order)
            self._open_volume[side][firm] += order.quantity
            bucket = self._expiring.get(expires)
            if bucket is None:
                bucket = self._expiring[expires] = []
                heapq.heappush(self._expiry_rounds, expires)
            bucket.append(order)
        return order_id

    def _match(self, order: Order) -> None:
        """Trade the incoming ``order`` against the opposite side while prices cross.

        A resting order of the same firm met on the way is cancelled (self-trade prevention).
        """
        opposite = self._sides[1 - order.side]
        sign = opposite.sign
        price = opposite.best()
        if price is None or sign * (price - order.price) > 0:
            return  # nothing crosses: the common case, decided before any other set-up
        queues, volume, is_open = opposite.queues, opposite.volume, self._open
        firm_volume = self._open_volume[1 - order.side]
        incoming_bid = order.side is Side.BID
        while order.quantity:
            price = opposite.best()
            if price is None or sign * (price - order.price) > 0:
                return
            queue = queues[price]
            resting = queue[0]
            if resting.order_id not in is_open:
                queue.popleft()
                continue
            if resting.firm == order.firm:
                self._withdraw(resting)
                continue
            fill = min(order.quantity, resting.quantity)
            bid, ask = (order, resting) if incoming_bid else (resting, order)
            self._settle(bid, ask, price, fill)
            self.trades.append(
                Trade(
                    order.placed_round,
                    bid.firm,
                    ask.firm,
                    price,
                    fill,
                    bid.order_id,
                    ask.order_id,
                    order.side,
                )
            )
            self.last_price = price
            order.quantity -= fill
            resting.quantity -= fill
            volume[price] -= fill
            firm_volume[resting.firm] -= fill
            if not resting.quantity:
                queue.popleft()
                del is_open[resting.order_id], self._by_firm[resting.firm][resting.order_id]

    def _settle(self, bid: Order, ask: Order, price: int, fill: int) -> None:
        """Move ``fill`` allowances and their payment at ``price`` (ticks) out of escrow.

        The buyer's escrow held ``bid.price`` coins per allowance; whatever exceeds the
        execution price goes back to its free coins.
        """
        acc = self._accounts
        buyer, seller = bid.firm, ask.firm
        acc.escrow_coins[buyer] -= bid.price * fill
        if bid.price != price:
            acc.coins[buyer] += (bid.price - price) * fill
        acc.allowances[buyer] += fill
        acc.escrow_allowances[seller] -= fill
        acc.coins[seller] += price * fill

    def _escrow(self, side: Side, price: int, quantity: int) -> tuple[np.ndarray, np.ndarray, int]:
        """What an order locks: ``(free column, escrow column, amount)``.

        A bid locks ``price * quantity`` coins, an ask ``quantity`` allowances.
        """
        acc = self._accounts
        if side is Side.BID:
            return acc.coins, acc.escrow_coins, price * quantity
        return acc.allowances, acc.escrow_allowances, quantity

    def _withdraw(self, order: Order) -> None:
        """Close the open ``order`` and return its escrow to the firm's free column."""
        del self._open[order.order_id], self._by_firm[order.firm][order.order_id]
        self._sides[order.side].discard(order)
        self._open_volume[order.side][order.firm] -= order.quantity
        free, escrow, amount = self._escrow(order.side, order.price, order.quantity)
        escrow[order.firm] -= amount
        free[order.firm] += amount

    def cancel(self, order_id: int) -> bool:
        """Cancel an open order and refund its escrow.

        Returns:
            ``True`` if the order was open, ``False`` if it is unknown, filled, cancelled or
            expired.
        """
        order = self._open.get(order_id)
        if order is None:
            return False
        self._withdraw(order)
        return True

    def cancel_firm(self, firm: int) -> int:
        """Cancel every open order of ``firm`` and refund its escrow.

        Returns:
            Number of orders cancelled.
        """
        orders = list(self._orders_of(firm).values())
        for order in orders:
            self._withdraw(order)
        return len(orders)

    def expire(self, round_: int) -> int:
        """Remove every open order with ``expires_round <= round_`` and refund its escrow.

        Returns:
            Number of orders removed.
        """
        rounds, removed = self._expiry_rounds, 0
        while rounds and rounds[0] <= round_:
            for order in self._expiring.pop(heapq.heappop(rounds)):
                if order.order_id in self._open:
                    self._withdraw(order)
                    removed += 1
        return removed

    def clear(self) -> int:
        """Remove every open order and refund all escrowed coins and allowances (year end).

        Returns:
            Number of orders removed.
        """
        removed = len(self._open)
        acc = self._accounts
        acc.coins += acc.escrow_coins
        acc.escrow_coins.fill(0.0)
        acc.allowances += acc.escrow_allowances
        acc.escrow_allowances.fill(0.0)
        self._reset()
        return removed

    # ------------------------------------------------------------------ market data

    def best_bid(self) -> int | None:
        """Highest open bid price in ticks, ``None`` if there is no bid."""
        return self._sides[Side.BID].best()

    def best_ask(self) -> int | None:
        """Lowest open ask price in ticks, ``None`` if there is no ask."""
        return self._sides[Side.ASK].best()

    def spread(self) -> int | None:
        """Best ask minus best bid in ticks, ``None`` unless both sides have orders."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return ask - bid

    def level1(self) -> tuple[int | None, int, int | None, int]:
        """Top of the book.

        Returns:
            ``(best bid, allowances bid there, best ask, allowances offered there)``; a
            missing side gives ``(None, 0)``.
        """
        bids, asks = self._sides
        bid, ask = bids.best(), asks.best()
        bid_quantity = 0 if bid is None else bids.volume[bid]
        ask_quantity = 0 if ask is None else asks.volume[ask]
        return bid, bid_quantity, ask, ask_quantity

    def depth(self, side: Side, levels: int | None = None) -> list[tuple[int, int]]:
        """Aggregated price levels of one side (level 2), best first.

        Args:
            side: Which side of the book.
            levels: Most levels to return; all when ``None``.

        Returns:
            ``(price in ticks, open allowances at that price)`` per level.
        """
        if levels is not None and levels < 0:
            raise ValueError(f"levels: {levels} must be >= 0")
        return self._sides[as_side(side)].depth(levels)

    def open_orders(self, firm: int) -> list[Order]:
        """Open orders of ``firm`` in time order (live objects; do not modify)."""
        return list(self._orders_of(firm).values())

    def n_open(self, firm: int) -> int:
        """Number of open orders of ``firm``."""
        return len(self._orders_of(firm))

    def open_counts(self) -> np.ndarray:
        """Number of open orders of every firm, shape ``(n_firms,)``, int64."""
        return np.fromiter(map(len, self._by_firm), dtype=np.int64, count=len(self._by_firm))

    def open_quantity(self, side: Side) -> np.ndarray:
        """Allowances every firm still has open on ``side``, shape ``(n_firms,)``, int64."""
        return np.array(self._open_volume[as_side(side)], dtype=np.int64)

    def __len__(self) -> int:
        """Number of open orders in the book."""
        return len(self._open)

    def __iter__(self) -> Iterator[Order]:
        """Open orders in time order (a snapshot; live objects, do not modify)."""
        return iter(list(self._open.values()))

    def _orders_of(self, firm: int) -> dict[int, Order]:
        """The open orders of ``firm`` by id, after checking the firm index."""
        valid = isinstance(firm, int | np.integer) and not isinstance(firm, bool)
        if not (valid and 0 <= firm < len(self._by_firm)):
            raise ValueError(self._unknown_firm(firm))
        return self._by_firm[firm]

    def _unknown_firm(self, firm: object) -> str:
        """Error message for a firm index outside ``0 .. n_firms - 1``."""
        return f"firm: {firm!r} is not a firm index in [0, {len(self._by_firm) - 1}]"
