"""A deliberately naive order book, the oracle for the differential test.

It follows the same market rules as ``model.order_book`` but shares none of its machinery:
the open orders are one flat list that is filtered and sorted on every matching step, and
money is booked differently. The reference keeps each firm's *total* coins and allowances
and derives escrow from the open orders (a bid holds ``price * quantity`` coins, an ask
``quantity`` allowances); free = total - escrow. So it checks the real book's incremental
escrow bookkeeping against the definition rather than against a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass

BID, ASK = 0, 1


@dataclass
class RefOrder:
    order_id: int
    firm: int
    side: int
    price: int
    quantity: int
    original_quantity: int
    placed_round: int
    expires_round: int

    def priority(self) -> tuple[int, int]:
        """Sort key: better price first, then earlier order."""
        return (-self.price if self.side == BID else self.price, self.order_id)

    def crosses(self, limit: int, incoming_side: int) -> bool:
        return self.price <= limit if incoming_side == BID else self.price >= limit


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ReferenceBook:
    def __init__(
        self,
        coins: list[float],
        allowances: list[float],
        price_floor: int,
        price_ceiling: int,
        order_duration: int,
        max_orders: int,
    ) -> None:
        self.total_coins = [float(c) for c in coins]
        self.total_allowances = [float(a) for a in allowances]
        self.floor, self.ceiling = price_floor, price_ceiling
        self.duration, self.max_orders = order_duration, max_orders
        self.orders: list[RefOrder] = []
        self.trades: list[tuple[int, int, int, int, int, int, int, int]] = []
        self.next_id = 0
        self.self_trade_cancels = 0

    # -- balances derived from the open orders

    def escrow_coins(self, firm: int) -> float:
        return float(
            sum(o.price * o.quantity for o in self.orders if o.firm == firm and o.side == BID)
        )

    def escrow_allowances(self, firm: int) -> float:
        return float(sum(o.quantity for o in self.orders if o.firm == firm and o.side == ASK))

    def columns(self) -> tuple[list[float], list[float], list[float], list[float]]:
        """(free coins, escrowed coins, free allowances, escrowed allowances) per firm."""
        firms = range(len(self.total_coins))
        escrow_c = [self.escrow_coins(f) for f in firms]
        escrow_a = [self.escrow_allowances(f) for f in firms]
        free_c = [self.total_coins[f] - escrow_c[f] for f in firms]
        free_a = [self.total_allowances[f] - escrow_a[f] for f in firms]
        return free_c, escrow_c, free_a, escrow_a

    # -- order flow

    def submit(self, firm: object, side: int, price: object, quantity: object, round_: int):
        """Returns the order id, or None when the order is rejected."""
        n_firms = len(self.total_coins)
        if not (_is_int(firm) and 0 <= firm < n_firms):
            return None
        if not (_is_int(price) and self.floor <= price <= self.ceiling):
            return None
        if not (_is_int(quantity) and quantity >= 1):
            return None
        if sum(1 for o in self.orders if o.firm == firm) >= self.max_orders:
            return None
        if side == BID:
            free = self.total_coins[firm] - self.escrow_coins(firm)
            if free < price * quantity:
                return None
        else:
            free = self.total_allowances[firm] - self.escrow_allowances(firm)
            if free < quantity:
                return None

        incoming = RefOrder(
            self.next_id, firm, side, price, quantity, quantity, round_, round_ + self.duration
        )
        self.next_id += 1
        while incoming.quantity > 0:
            candidates = [
                o for o in self.orders if o.side != side and o.crosses(incoming.price, side)
            ]
            if not candidates:
                break
            resting = min(candidates, key=RefOrder.priority)
            if resting.firm == incoming.firm:
                self.orders.remove(resting)
                self.self_trade_cancels += 1
                continue
            q = min(resting.quantity, incoming.quantity)
            buy, sell = (incoming, resting) if side == BID else (resting, incoming)
            self.total_coins[buy.firm] -= resting.price * q
            self.total_coins[sell.firm] += resting.price * q
            self.total_allowances[buy.firm] += q
            self.total_allowances[sell.firm] -= q
            self.trades.append(
                (round_, buy.firm, sell.firm, resting.price, q, buy.order_id, sell.order_id, side)
            )
            resting.quantity -= q
            incoming.quantity -= q
            if resting.quantity == 0:
                self.orders.remove(resting)
        if incoming.quantity > 0:
            self.orders.append(incoming)
        return incoming.order_id

    def cancel(self, order_id: int) -> bool:
        for o in self.orders:
            if o.order_id == order_id:
                self.orders.remove(o)
                return True
        return False

    def cancel_firm(self, firm: int) -> int:
        return self._drop(lambda o: o.firm == firm)

    def expire(self, round_: int) -> int:
        return self._drop(lambda o: o.expires_round <= round_)

    def clear(self) -> int:
        return self._drop(lambda o: True)

    def _drop(self, condition) -> int:
        kept = [o for o in self.orders if not condition(o)]
        dropped = len(self.orders) - len(kept)
        self.orders = kept
        return dropped

    # -- views

    def book(self, side: int) -> list[tuple[int, ...]]:
        """Open orders of one side in priority order, as field tuples."""
        ranked = sorted((o for o in self.orders if o.side == side), key=RefOrder.priority)
        return [_fields(o) for o in ranked]

    def depth(self, side: int) -> list[tuple[int, int]]:
        levels: dict[int, int] = {}
        for o in sorted((o for o in self.orders if o.side == side), key=RefOrder.priority):
            levels[o.price] = levels.get(o.price, 0) + o.quantity
        return list(levels.items())

    def open_quantity(self, side: int) -> list[int]:
        """Open allowances per firm on one side."""
        totals = [0] * len(self.total_coins)
        for o in self.orders:
            if o.side == side:
                totals[o.firm] += o.quantity
        return totals

    def open_orders(self, firm: int) -> list[tuple[int, ...]]:
        return [_fields(o) for o in sorted(self.orders, key=lambda o: o.order_id) if o.firm == firm]


def _fields(o) -> tuple[int, ...]:
    return (
        o.order_id,
        o.firm,
        int(o.side),
        o.price,
        o.quantity,
        o.original_quantity,
        o.placed_round,
        o.expires_round,
    )
