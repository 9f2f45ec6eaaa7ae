"""Orders and trades of the allowance market, and the input checks every order must pass.

Prices are integer ticks (coins per allowance) and quantities are whole allowances (tonnes of
CO2). These types are shared by the order book and by anything that reads its ledger.
"""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass
from typing import NamedTuple


class Side(enum.IntEnum):
    """Which side of the market an order is on."""

    BID = 0
    """A buy order: the firm pays coins for allowances."""
    ASK = 1
    """A sell order: the firm delivers allowances for coins."""


class OrderRejected(ValueError):
    """Raised when an order cannot be placed.

    The message starts with the offending field and states the allowed range, e.g.
    ``"price: 25 is outside the allowed ticks [0, 20]"``.
    """


@dataclass(slots=True)
class Order:
    """A limit order for allowances.

    Instances held by the order book are live: the book lowers ``quantity`` as the order
    fills. Callers must treat them as read-only.

    Attributes:
        order_id: Unique id, increasing in submission order (so also time priority).
        firm: Index of the firm that placed the order.
        side: ``Side.BID`` to buy, ``Side.ASK`` to sell.
        price: Limit price in ticks (coins per allowance).
        quantity: Allowances still to trade (tonnes of CO2).
        original_quantity: Allowances asked for at submission (tonnes of CO2).
        placed_round: Round in which the order was submitted.
        expires_round: First round at whose expiry pass the order is removed.
    """

    order_id: int
    firm: int
    side: Side
    price: int
    quantity: int
    original_quantity: int
    placed_round: int
    expires_round: int


class Trade(NamedTuple):
    """One execution between a buyer and a seller.

    Attributes:
        round: Round in which the trade happened.
        buyer: Index of the buying firm.
        seller: Index of the selling firm.
        price: Execution price in ticks (coins per allowance), the resting order's price.
        quantity: Allowances exchanged (tonnes of CO2).
        buy_order: Id of the bid that traded.
        sell_order: Id of the ask that traded.
        aggressor: Side of the incoming order that caused the trade.
    """

    round: int
    buyer: int
    seller: int
    price: int
    quantity: int
    buy_order: int
    sell_order: int
    aggressor: Side


def as_integer(field: str, value: object) -> int:
    """Convert an integer-like value (Python or NumPy integer) to ``int``.

    Args:
        field: Name of the order field, used in the error message.
        value: The value to convert.

    Returns:
        The value as a Python ``int``.

    Raises:
        OrderRejected: If ``value`` is a bool, a float or anything else that is not an integer.
    """
    if not isinstance(value, bool):
        try:
            return operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            pass
    raise OrderRejected(f"{field}: {value!r} is not an integer")


def as_side(value: object) -> Side:
    """Convert ``value`` to a ``Side``, accepting the members and the integers 0 and 1.

    Raises:
        OrderRejected: If ``value`` names no side.
    """
    if isinstance(value, Side):
        return value
    index = value if type(value) is int else as_integer("side", value)
    if not 0 <= index <= 1:
        raise OrderRejected(f"side: {index} is not a side (Side.BID = 0 or Side.ASK = 1)")
    return _SIDES[index]


_SIDES = tuple(Side)
