"""The requests a student's page makes of a room: join, find their seat, trade, decide.

:class:`StudentRequests` is part of :class:`~dashboard.rooms.room.Room` (which mixes it in):
each request checks what the student typed and that the token holds the seat it acts for,
then hands the room one event (``Room._record``) under the room's lock.
"""

from __future__ import annotations

import hmac
import threading
from typing import TYPE_CHECKING

from dashboard.rooms.errors import RoomError
from dashboard.rooms.records import Phase
from dashboard.rooms.seats import Seat, clean_name, new_token, whole_number
from dashboard.student import SIDES

if TYPE_CHECKING:
    from dashboard.rooms.records import TradeRecord
    from model import CarbonMarket

#: Largest quantity one order may ask for (allowances).
MAX_QUANTITY = 10_000


class StudentRequests:
    """A room's students' requests (the room's state and ``_record`` come from ``Room``)."""

    lock: threading.RLock
    seats: list[Seat]
    market: CarbonMarket
    phase: Phase
    textbook: bool
    trades: list[TradeRecord]

    def join(self, name: object) -> Seat:
        """Seat a student in the first seat a bot plays (a latecomer takes over a bot).

        Raises:
            RoomError: the game ended, the name is taken or not allowed, or every seat is held.
        """
        with self.lock:
            name = clean_name(name)
            if self.phase == Phase.ENDED:
                raise RoomError("room: the game has ended")
            if any(s.name is not None and s.name.casefold() == name.casefold() for s in self.seats):
                raise RoomError(f"name: {name!r} is already taken in this room")
            free = [s for s in self.seats if not s.occupied]
            if not free:
                raise RoomError(f"room: all {len(self.seats)} seats are taken")
            self._record("join", {"seat": free[0].index, "name": name, "token": new_token()})
            return free[0]

    def seat_of(self, token: object) -> Seat:
        """The seat a token holds.

        Raises:
            RoomError: the token holds no seat here (never did, or the student was removed).
        """
        with self.lock:
            for seat in self.seats:
                if seat.token is not None and hmac.compare_digest(seat.token, str(token or "")):
                    return seat
        raise RoomError("token: this link holds no seat in the room (removed, or mistyped)")

    def submit(self, token: object, side: object, price: object, quantity: object) -> str:
        """A student's order for their own firm, as typed on their page.

        Returns:
            What happened (traded, rests in the book), for the student to read.

        Raises:
            RoomError: the token, the phase, or a field does not allow it; nothing is submitted.
        """
        with self.lock:
            seat = self.seat_of(token)
            if self.phase != Phase.TRADING:
                raise RoomError(f"room: orders are closed ({self.phase})")
            if side not in SIDES:
                raise RoomError(f"side: {side!r} is not one of {', '.join(SIDES)}")
            book = self.market.book
            price = whole_number("price", price, book.price_floor, book.price_ceiling)
            quantity = whole_number("quantity", quantity, 1, MAX_QUANTITY)
            payload = {"seat": seat.index, "side": side, "price": price, "quantity": quantity}
            before = len(self.trades)
            outcome = self._record("order", payload)
            if "rejected" in outcome:
                raise RoomError(f"order rejected: {outcome['rejected']}")
            traded = [t for t in self.trades[before:] if seat.index in (t.buyer, t.seller)]
            parts = []
            if traded:
                value = sum(t.quantity * t.price for t in traded)
                volume = sum(t.quantity for t in traded)
                parts.append(f"traded {volume} allowance(s) for {value} coins")
            if any(o.order_id == outcome["order"] for o in book.open_orders(seat.index)):
                parts.append(f"order {outcome['order']} rests in the book")
            return f"{side} {quantity} at {price}: " + (" and ".join(parts) or "done")

    def cancel(self, token: object, order_id: object) -> str:
        """Cancel one of the student's own open orders.

        Raises:
            RoomError: the token holds no seat, or the order is not one of theirs and open.
        """
        with self.lock:
            seat = self.seat_of(token)
            order = whole_number("order", order_id, 0, 2**62)
            if not any(o.order_id == order for o in self.market.book.open_orders(seat.index)):
                raise RoomError(f"order: {order} is not one of your open orders")
            self._record("cancel", {"seat": seat.index, "order": order})
            return f"order {order} cancelled"

    def decide(
        self, token: object, production_share: object, research: object, offsets: object
    ) -> str:
        """A student's firm decisions in a producing economy, from the coming round on.

        Args:
            token: the student's token.
            production_share: share of capacity to produce each round, in [0, 1].
            research: make an R&D attempt each round.
            offsets: complete a green project each round while any are offered.

        Raises:
            RoomError: the token holds no seat, the market has no production, or the share is
                not a number in [0, 1].
        """
        with self.lock:
            seat = self.seat_of(token)
            if self.textbook:
                raise RoomError("production: this market's firms do not produce")
            try:
                share = float(production_share)
            except (TypeError, ValueError):
                raise RoomError(f"production: {production_share!r} is not a number") from None
            if not 0.0 <= share <= 1.0:
                raise RoomError(f"production: {share!r} must be in [0, 1]")
            payload = {"seat": seat.index, "production_share": share}
            payload |= {"research": bool(research), "offsets": bool(offsets)}
            self._record("decisions", payload)
            return (
                f"from the coming round: produce {share:.0%} of capacity, R&D "
                f"{'on' if research else 'off'}, green projects {'on' if offsets else 'off'}"
            )
