"""What a student is told when an open order of theirs leaves the book without filling."""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.rooms.seats import Seat
from model import CarbonMarket


class OrderWatch:
    """Around a change to the market: a notice for every student order it removed unfilled.

    Args:
        market: the room's market.
        seats: the room's seats (only those a student holds are watched).
        since: trades already in the book's list before the change.
        reason: why such an order left, as the notice says (expired, cancelled...).
    """

    def __init__(self, market: CarbonMarket, seats: Sequence[Seat], since: int, reason: str):
        self.market, self.seats, self.since, self.reason = market, seats, since, reason

    def __enter__(self) -> None:
        book = self.market.book
        self.before = {
            seat.index: {o.order_id: o for o in book.open_orders(seat.index)}
            for seat in self.seats
            if seat.occupied
        }

    def __exit__(self, *exc: object) -> None:
        book = self.market.book
        filled: dict[int, int] = {}
        for trade in book.trades[self.since :]:
            for order_id in (trade.buy_order, trade.sell_order):
                filled[order_id] = filled.get(order_id, 0) + trade.quantity
        for index, orders in self.before.items():
            still = {o.order_id for o in book.open_orders(index)}
            for order_id, order in orders.items():
                left = order.quantity - filled.get(order_id, 0)
                if order_id not in still and left > 0:
                    side = "buy" if order.side == 0 else "sell"
                    self.seats[index].notices.append(
                        f"order {order_id} ({side} {order.quantity} at {order.price}): "
                        f"{left} unfilled {self.reason}"
                    )
