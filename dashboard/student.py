"""A firm played by a person: their decisions, their orders and what they see.

The student's firm holds a :class:`StudentBehaviour`: production, R&D and green projects come
from the student's controls, and it posts no automatic quotes; the student places and cancels
orders in the book directly, between rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.behaviours import Behaviour
from agents.decisions import Quotes
from agents.valuation import allowance_values, shortfalls
from agents.view import MarketView
from market.orders import OrderRejected, Side
from model import CarbonMarket

SIDES = {"buy": Side.BID, "sell": Side.ASK}


class StudentBehaviour(Behaviour):
    """Decisions set by a person; no automatic orders.

    The book withdraws a firm's open orders only when the firm posts a new quote, so the
    student's orders stand until they fill, expire or the student cancels them.

    Attributes:
        production_share: share of capacity produced each round, in [0, 1].
        do_research: make one R&D attempt each round (if affordable).
        buy_offsets: complete a green project each round while any are offered.
    """

    name = "student"

    def __init__(self) -> None:
        super().__init__(max_quantity=1)
        self.production_share = 1.0
        self.do_research = False
        self.buy_offsets = False

    def production(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """The student's share of capacity (units per round)."""
        return view.enterprises.capacity[firms] * self.production_share

    def research(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """An R&D attempt when the student asks for one."""
        return np.full(len(firms), self.do_research)

    def offsets(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """A green project when the student asks for one."""
        return np.full(len(firms), self.buy_offsets)

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """No automatic orders: the student places them by hand."""
        none = np.zeros(len(firms), dtype=np.int64)
        return Quotes.build(firms, none, none, none + 1, np.zeros(len(firms), dtype=bool))


@dataclass
class FirmView:
    """What the student sees of their firm (coins, allowances in tonnes, values in coins)."""

    coins: float
    allowances: float
    free_allowances: float
    emission_rate: float
    capacity: float
    emissions_this_year: float
    shortfall: float
    value_of_buying: float
    cost_of_selling: float
    profit: float


def firm_view(market: CarbonMarket, firm: int, start_coins: float) -> FirmView:
    """The student's firm now; ``profit`` is its coins now less its coins at the start."""
    firms = np.array([firm])
    acc, ent = market.accounts, market.enterprises
    buy_value, sell_cost = allowance_values(market.view, firms)
    bid_shortfall, _ = shortfalls(market.view, firms)
    coins = float(acc.total_coins()[firm])
    return FirmView(
        coins=coins,
        allowances=float(acc.total_allowances()[firm]),
        free_allowances=float(acc.allowances[firm]),
        emission_rate=float(ent.emission_rate[firm]),
        capacity=float(ent.capacity[firm]),
        emissions_this_year=float(ent.ytd_emissions[firm]),
        shortfall=float(bid_shortfall[0]),
        value_of_buying=float(buy_value[0]),
        cost_of_selling=float(sell_cost[0]),
        profit=coins - start_coins,
    )


def place_order(market: CarbonMarket, firm: int, side: str, price: int, quantity: int) -> str:
    """Submit the student's order to the book; it trades at once where prices cross.

    The order counts as placed in the coming round (``market.steps``) and expires
    ``order_duration`` rounds later.

    Returns:
        What happened, for the student to read.

    Raises:
        OrderRejected: the side, price, quantity, order limit or the firm's coins or
            allowances do not allow it (the message names the field).
    """
    if side not in SIDES:
        raise OrderRejected(f"side: {side!r} is not one of {', '.join(SIDES)}")
    before = len(market.book.trades)
    order_id = market.submit_order(firm, SIDES[side], price, quantity)
    filled = market.book.trades[before:]
    traded = sum(t.quantity for t in filled)
    resting = any(o.order_id == order_id for o in market.book.open_orders(firm))
    parts = []
    if traded:
        value = sum(t.quantity * t.price for t in filled)
        parts.append(f"traded {traded} allowance(s) for {value} coins")
    if resting:
        parts.append(f"order {order_id} rests in the book")
    return f"{side} {quantity} at {price}: " + " and ".join(parts)
