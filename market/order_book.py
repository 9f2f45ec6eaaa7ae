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

The rules run as compiled kernels over fixed arrays (:mod:`market.book_kernels`);
:class:`OrderBook` is one market's book as an object: it checks a caller's input, names what
is wrong, and reads the arrays back as :class:`~market.orders.Order` and
:class:`~market.orders.Trade` records. :class:`BookArrays` holds the arrays of a batch of
books, one per market.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from market import book_kernels as kernels
from market import book_matching
from market.accounts import Accounts
from market.book_arrays import BookArrays
from market.orders import Order, OrderRejected, Side, Trade, as_integer, as_side
from market.trade_log import TradeLog

__all__ = ["BookArrays", "Order", "OrderBook", "OrderRejected", "Side", "Trade"]

SIDES = tuple(Side)
EXACT = 2**53  # float64 holds every integer up to here exactly


class OrderBook:
    """Limit-order book matching bids and asks for allowances continuously.

    Attributes:
        trades: Every trade of the episode, in execution order. Append-only.
        arrays: The book's arrays (a batch of one), which the kernels change in place.
    """

    def __init__(
        self,
        accounts: Accounts,
        *,
        price_floor: int,
        price_ceiling: int,
        order_duration: int,
        max_orders: int,
        batch: tuple[BookArrays, np.ndarray, int] | None = None,
    ) -> None:
        """Create an empty book trading against ``accounts``.

        Args:
            accounts: The firms' coins and allowances; the book moves amounts in and out of
                escrow and settles trades in place.
            price_floor: Lowest allowed limit price (ticks, >= 0).
            price_ceiling: Highest allowed limit price (ticks, >= ``price_floor``).
            order_duration: Rounds an order stays open before expiring (>= 1).
            max_orders: Most open orders one firm may have at once (>= 1).
            batch: ``(arrays, accounts_blocks, lane)`` when the book is lane ``lane`` of a
                batch's arrays (the accounts being that lane's block); by default the book
                is a batch of one of its own.

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
        if batch is None:
            batch = (
                BookArrays.empty(
                    1,
                    accounts.n_firms,
                    price_floor=price_floor,
                    price_ceiling=price_ceiling,
                    order_duration=order_duration,
                    max_orders=max_orders,
                ),
                accounts.block[None],
                0,
            )
        self.arrays, self._acc, self._lane = batch
        self.trades = TradeLog(self.arrays, self._lane)

    # ------------------------------------------------------------------ the band and rules

    @property
    def price_floor(self) -> int:
        """Lowest allowed limit price (ticks); a government lever may raise it."""
        return int(self.arrays.meta[self._lane, kernels.FLOOR])

    @price_floor.setter
    def price_floor(self, value: int) -> None:
        self.arrays.meta[self._lane, kernels.FLOOR] = value

    @property
    def price_ceiling(self) -> int:
        """Highest allowed limit price (ticks)."""
        return int(self.arrays.meta[self._lane, kernels.CEILING])

    @property
    def order_duration(self) -> int:
        """Rounds an order stays open before it expires."""
        return int(self.arrays.meta[self._lane, kernels.DURATION])

    @property
    def max_orders(self) -> int:
        """Most open orders one firm may have at once."""
        return int(self.arrays.meta[self._lane, kernels.LIMIT])

    @property
    def max_quantity(self) -> int:
        """The largest quantity one order may have (allowances).

        A full book's sums (a level's open allowances, all escrowed coins: ticks x
        quantities over every open order) then stay below 2**53, where int64 and float64
        arithmetic are both exact.
        """
        return EXACT // (self.arrays.capacity * max(self.price_ceiling, 1))

    @property
    def last_price(self) -> int | None:
        """Price of the most recent trade in ticks, ``None`` before the first."""
        price = int(self.arrays.meta[self._lane, kernels.LAST_PRICE])
        return None if price == kernels.NONE else price

    # ------------------------------------------------------------------ order flow

    def submit(self, firm: int, side: Side, price: int, quantity: int, round_: int) -> int:
        """Place a limit order, match it against the book and rest any remainder.

        Args:
            firm: Index of the submitting firm.
            side: ``Side.BID`` to buy, ``Side.ASK`` to sell.
            price: Limit price in ticks (coins per allowance), within the book's range.
            quantity: Allowances to trade (tonnes of CO2), 1 to :attr:`max_quantity`.
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
        if not 0 <= firm < self._accounts.n_firms:
            raise OrderRejected(self._unknown_firm(firm))
        if type(side) is not Side:
            side = as_side(side)
        if type(price) is not int:
            price = as_integer("price", price)
        floor, ceiling = self.price_floor, self.price_ceiling
        if not floor <= price <= ceiling:
            raise OrderRejected(f"price: {price} is outside the allowed ticks [{floor}, {ceiling}]")
        if type(quantity) is not int:
            quantity = as_integer("quantity", quantity)
        if not 1 <= quantity <= self.max_quantity:
            raise OrderRejected(
                f"quantity: {quantity} is outside the allowed [1, {self.max_quantity}] allowances"
            )
        if type(round_) is not int:
            round_ = as_integer("round_", round_)
        a = self.arrays
        a.make_room(a.capacity + 1)
        order_id = book_matching.submit(
            self._lane, firm, int(side), price, quantity, round_, *a.core, a.trades, self._acc
        )
        if order_id < 0:
            raise OrderRejected(self._refusal(order_id, firm, side, price, quantity))
        return order_id

    def submit_all(
        self,
        rng_state: np.ndarray,
        quotes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        round_: int,
    ) -> int:
        """Submit a round's quotes in random order (:func:`book_matching.submit_all`).

        Each firm withdraws its open orders just before it posts its quote.

        Args:
            rng_state: the market's random generator (:mod:`market.random_kernels`).
            quotes: ``(firms, sides, prices, quantities)``, int64 arrays of one length, at
                most one quote per firm.
            round_: the current round.

        Returns:
            How many quotes the book refused; the trades are in :attr:`trades`.
        """
        a = self.arrays
        a.make_room(len(quotes[0]) + a.capacity)
        order = np.empty(len(quotes[0]), dtype=np.int64)
        return book_matching.submit_all(
            self._lane, rng_state, *quotes, round_, *a.core, a.trades, self._acc, order
        )

    def _refusal(self, code: int, firm: int, side: Side, price: int, quantity: int) -> str:
        """Why the kernel refused an order: the order limit, or the firm's free holdings."""
        if code == kernels.REFUSED_LIMIT:
            return (
                f"max_orders: firm {firm} already has {self.n_open(firm)} open orders "
                f"(the limit is {self.max_orders})"
            )
        asset = "coins" if side is Side.BID else "allowances"
        amount = price * quantity if side is Side.BID else quantity
        free = self._accounts.coins if side is Side.BID else self._accounts.allowances
        return (
            f"{asset}: {side.name.lower()} needs {float(amount)} {asset} in escrow "
            f"but firm {firm} has {float(free[firm])} free"
        )

    def cancel(self, order_id: int) -> bool:
        """Cancel an open order and refund its escrow.

        Returns:
            ``True`` if the order was open, ``False`` if it is unknown, filled, cancelled or
            expired.

        Raises:
            OrderRejected: ``order_id`` is not an integer (a bool or a float is refused).
        """
        order_id = as_integer("order_id", order_id)
        a = self.arrays
        k = kernels.find(self._lane, order_id, a.slots)
        if k == kernels.NONE:
            return False
        kernels.withdraw(self._lane, k, *a.core, self._acc)
        return True

    def cancel_firm(self, firm: int) -> int:
        """Cancel every open order of ``firm`` and refund its escrow.

        Returns:
            Number of orders cancelled.
        """
        self._check_firm(firm)
        a = self.arrays
        return kernels.cancel_firm(self._lane, int(firm), *a.core, self._acc)

    def expire(self, round_: int) -> int:
        """Remove every open order with ``expires_round <= round_`` and refund its escrow.

        Returns:
            Number of orders removed.
        """
        a = self.arrays
        due, keys = np.empty((2, a.capacity), dtype=np.int64)
        return kernels.expire(self._lane, round_, *a.core, self._acc, due, keys)

    def clear(self) -> int:
        """Remove every open order and refund all escrowed coins and allowances (year end).

        Returns:
            Number of orders removed.
        """
        a = self.arrays
        return kernels.clear(self._lane, *a.core, self._acc)

    # ------------------------------------------------------------------ market data

    def best_bid(self) -> int | None:
        """Highest open bid price in ticks, ``None`` if there is no bid."""
        price = int(self.arrays.meta[self._lane, kernels.BEST_BID])
        return None if price == kernels.NONE else price

    def best_ask(self) -> int | None:
        """Lowest open ask price in ticks, ``None`` if there is no ask."""
        price = int(self.arrays.meta[self._lane, kernels.BEST_ASK])
        return None if price == kernels.NONE else price

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
        levels = self.arrays.levels[self._lane, :, :, kernels.VOLUME]
        bid, ask = self.best_bid(), self.best_ask()
        bid_quantity = 0 if bid is None else int(levels[Side.BID, bid])
        ask_quantity = 0 if ask is None else int(levels[Side.ASK, ask])
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
        a = self.arrays
        most = -1 if levels is None else levels
        prices, volumes = kernels.depth(self._lane, int(as_side(side)), most, a.levels, a.meta)
        return list(zip(prices.tolist(), volumes.tolist(), strict=True))

    def open_orders(self, firm: int) -> list[Order]:
        """Open orders of ``firm`` in time order (a snapshot)."""
        self._check_firm(firm)
        info = self.arrays.firm_info[self._lane, firm]
        return [
            self._order(k) for k in self.arrays.firm_slots[self._lane, firm, : info[kernels.COUNT]]
        ]

    def n_open(self, firm: int) -> int:
        """Number of open orders of ``firm``."""
        self._check_firm(firm)
        return int(self.arrays.firm_info[self._lane, firm, kernels.COUNT])

    def open_counts(self) -> np.ndarray:
        """Number of open orders of every firm, shape ``(n_firms,)``, int64."""
        return self.arrays.firm_info[self._lane, :, kernels.COUNT].copy()

    def open_quantity(self, side: Side) -> np.ndarray:
        """Allowances every firm still has open on ``side``, shape ``(n_firms,)``, int64."""
        return self.arrays.firm_info[self._lane, :, kernels.OPEN_BID + as_side(side)].copy()

    def __len__(self) -> int:
        """Number of open orders in the book."""
        return self.arrays.capacity - int(self.arrays.meta[self._lane, kernels.N_FREE])

    def __iter__(self) -> Iterator[Order]:
        """Open orders in time order (a snapshot)."""
        slots = self.arrays.slots[self._lane]
        used = np.flatnonzero(slots[:, kernels.ID] != kernels.NONE)
        return iter([self._order(k) for k in used[np.argsort(slots[used, kernels.ID])]])

    def _order(self, k: int) -> Order:
        """The open order in slot ``k`` as a record."""
        s = self.arrays.slots[self._lane, k].tolist()
        return Order(
            s[kernels.ID],
            s[kernels.FIRM],
            SIDES[s[kernels.SIDE]],
            s[kernels.PRICE],
            s[kernels.QTY],
            s[kernels.ORIG],
            s[kernels.PLACED],
            s[kernels.EXPIRES],
        )

    def _check_firm(self, firm: object) -> None:
        """Refuse anything but a firm index in ``0 .. n_firms - 1``."""
        valid = isinstance(firm, int | np.integer) and not isinstance(firm, bool)
        if not (valid and 0 <= firm < self._accounts.n_firms):
            raise ValueError(self._unknown_firm(firm))

    def _unknown_firm(self, firm: object) -> str:
        """Error message for a firm index outside ``0 .. n_firms - 1``."""
        return f"firm: {firm!r} is not a firm index in [0, {self._accounts.n_firms - 1}]"
