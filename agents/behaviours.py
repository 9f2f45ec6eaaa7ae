"""Behaviours: the decision rules a firm holds.

A behaviour decides, each round and for all the firms that hold it at once, how much to
produce, whether to do R&D, whether to buy a green project and which order to post. Firms in
one market may hold different behaviours; the market groups firms by the behaviour object they
hold, so a behaviour's methods receive an array of firm indices.

Production, R&D and offsets follow the rule-based producer of MODEL.md for every heuristic; the
behaviours differ in how they trade:

* **ZI-C** (Gode & Sunder 1993): a bid uniform on [floor, value], an ask uniform on
  [cost, ceiling], so it never trades at a loss;
* **ZI-U**: bids and asks uniform on the whole price band (no budget constraint on value);
* **truthful**: a bid at its value or an ask at its cost;
* **rule-based**: bids one tick above the market's expected price when an allowance is worth
  more to it, asks one tick below when it is worth less, for as many units as are worth it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from agents.decisions import Quotes
from agents.valuation import (
    allowance_values,
    cost_of_selling,
    emission_cost,
    expected_price,
    shortfalls,
    value_of_buying,
)
from market.orders import Side

if TYPE_CHECKING:
    from agents.view import MarketView


class Behaviour:
    """Rule-based production, R&D and offsets; subclasses add how the firm trades.

    Args:
        max_quantity: most allowances in one order.
    """

    name: ClassVar[str] = "behaviour"
    #: A firm keeps one live quote: its open orders are cancelled before it quotes again
    #: (as in Gode & Sunder's and the Bristol Stock Exchange's protocols).
    replaces_quotes: ClassVar[bool] = True

    def __init__(self, max_quantity: int = 1) -> None:
        if max_quantity < 1:
            raise ValueError(f"max_quantity: {max_quantity} must be >= 1")
        self.max_quantity = max_quantity

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_quantity={self.max_quantity})"

    def observe(self, view: MarketView, firms: np.ndarray) -> None:
        """See the market at the end of a round; rules decide on the spot, so they do nothing."""

    # ------------------------------------------------------------------ producer rules

    def production(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Produce at capacity while revenue per unit beats the allowance cost of its emissions.

        Returns:
            Output per firm this round (units), shape ``(k,)``.
        """
        ent = view.enterprises
        profitable = (
            view.config.output_price > emission_cost(view, firms) * (ent.emission_rate[firms])
        )
        return np.where(profitable, ent.capacity[firms], 0.0)

    def research(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Do R&D while the expected saving of one attempt beats its cost."""
        return research_saving(view, firms) > view.enterprises.research_attempt_cost[firms]

    def offsets(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Complete a green project when it is cheaper than the allowance it brings is worth."""
        buy_value, _ = allowance_values(view, firms)
        return buy_value > view.config.green_project_cost

    # ------------------------------------------------------------------ trading

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """The orders these firms post this round."""
        raise NotImplementedError

    def _random_sides(
        self, view: MarketView, firms: np.ndarray, can_bid: np.ndarray, can_ask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A fair coin per firm picks the side; a firm that can post only one side posts it.

        Returns:
            ``(side, active)``: the side per firm and whether it posts at all.
        """
        side = view.rng.integers(0, 2, len(firms))
        side = np.where(can_bid & ~can_ask, Side.BID, np.where(can_ask & ~can_bid, Side.ASK, side))
        return side, can_bid | can_ask


def _uniform_ticks(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """One integer uniform on [low, high] per element (high >= low)."""
    return low + np.floor(rng.random(len(low)) * (high - low + 1)).astype(np.int64)


def _affordable_ticks(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """The highest bid price each firm can escrow for one allowance."""
    return np.floor(view.accounts.coins[firms]).astype(np.int64)


def _limit_ticks(
    view: MarketView, firms: np.ndarray, buy_value: np.ndarray, sell_cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The highest safe bid tick and the lowest safe ask tick of each firm, and which it can post.

    A bid tick never exceeds the firm's value, the ceiling or what its coins can escrow; an
    ask tick is never below its cost or the floor.

    Returns:
        ``(bid_high, ask_low, can_bid, can_ask)``, each of shape ``(k,)``.
    """
    cfg = view.config
    bid_high = np.minimum(
        np.minimum(np.floor(buy_value), cfg.price_ceiling), _affordable_ticks(view, firms)
    )
    ask_low = np.maximum(np.ceil(sell_cost), view.price_floor)
    ask_low = np.where(np.isfinite(ask_low), ask_low, cfg.price_ceiling + 1)
    can_bid = (bid_high >= view.price_floor) & (buy_value > 0)
    can_ask = (view.accounts.allowances[firms] >= 1) & (ask_low <= cfg.price_ceiling)
    return bid_high.astype(np.int64), ask_low.astype(np.int64), can_bid, can_ask


class ZeroIntelligenceConstrained(Behaviour):
    """ZI-C: random prices that never trade at a loss (Gode & Sunder 1993)."""

    name = "zi-c"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit: a bid uniform on [floor, value] or an ask uniform on [cost, ceiling]."""
        cfg = view.config
        buy_value, sell_cost = allowance_values(view, firms, not self.replaces_quotes)
        bid_high, ask_low, can_bid, can_ask = _limit_ticks(view, firms, buy_value, sell_cost)
        side, active = self._random_sides(view, firms, can_bid, can_ask)
        bid = _uniform_ticks(view.rng, np.full(len(firms), view.price_floor), bid_high)
        ask = _uniform_ticks(view.rng, ask_low, np.full(len(firms), cfg.price_ceiling))
        price = np.where(side == Side.BID, bid, ask)
        return Quotes.build(firms, side, price, np.ones(len(firms)), active)


class ZeroIntelligenceUnconstrained(Behaviour):
    """ZI-U: random prices on the whole band, ignoring value (limited only by escrow)."""

    name = "zi-u"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit at a uniform price on [floor, ceiling] on a random side."""
        cfg = view.config
        price = _uniform_ticks(
            view.rng, np.full(len(firms), view.price_floor), np.full(len(firms), cfg.price_ceiling)
        )
        can_bid = _affordable_ticks(view, firms) >= price
        can_ask = view.accounts.allowances[firms] >= 1
        side, active = self._random_sides(view, firms, can_bid, can_ask)
        return Quotes.build(firms, side, price, np.ones(len(firms)), active)


class Truthful(Behaviour):
    """Truthful: a bid at its marginal value or an ask at its marginal cost."""

    name = "truthful"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit at value (bid) or cost (ask), on a random side, rounded to safe ticks."""
        buy_value, sell_cost = allowance_values(view, firms, not self.replaces_quotes)
        bid, ask, can_bid, can_ask = _limit_ticks(view, firms, buy_value, sell_cost)
        side, active = self._random_sides(view, firms, can_bid, can_ask)
        price = np.where(side == Side.BID, bid, ask)
        return Quotes.build(firms, side, price, np.ones(len(firms)), active)


class RuleBased(Behaviour):
    """Rule-based trader: a price-taker around the market's expected price.

    A firm whose value of one more allowance is at least one tick above the expected price
    bids one tick above it; a firm whose cost of selling one is at least one tick below asks
    one tick below. Orders of the side in excess rest and trade at their own price, so the
    traded price, and with it the expectation, moves toward the level where buying and
    selling interest balance: the competitive price. Its orders persist (up to the market's
    order limit) instead of being replaced each round.

    Args:
        max_quantity: most allowances in one order (units worth the price, up to this).
    """

    name = "rule-based"
    replaces_quotes = False

    def __init__(self, max_quantity: int = 5) -> None:
        super().__init__(max_quantity)

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """Bid one tick above or ask one tick below the expected price, if worth it."""
        return Quotes.build(firms, *self.plan(view, firms))

    def plan(
        self, view: MarketView, firms: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The rule's order for every firm, posted or not.

        Returns:
            ``(side, price, quantity, active)``, each of shape ``(k,)``: the side the firm
            prefers, its quote (ticks), the units worth trading there and whether it posts.
        """
        buy_value, sell_cost = allowance_values(view, firms, not self.replaces_quotes)
        bid, ask = rule_quotes(view)
        buy_gain, sell_gain = buy_value - bid, ask - sell_cost
        wants_bid = buy_gain >= 0
        wants_ask = (sell_gain >= 0) & (view.accounts.allowances[firms] >= 1)
        side = np.where(wants_ask & (~wants_bid | (sell_gain > buy_gain)), Side.ASK, Side.BID)
        price = np.where(side == Side.BID, bid, ask)
        quantity = units_worth(
            view, firms, side, price, self.max_quantity, not self.replaces_quotes
        )
        return side, price, quantity, (wants_bid | wants_ask) & (quantity >= 1)


def rule_quotes(view: MarketView) -> tuple[int, int]:
    """The rule-based trader's quotes: a tick above and a tick below the expected price.

    Returns:
        ``(bid, ask)`` in price ticks, within the price band.
    """
    cfg = view.config
    anchor = round(expected_price(view))
    return min(anchor + 1, cfg.price_ceiling), max(anchor - 1, view.price_floor)


def research_saving(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Expected saving of one R&D attempt per firm (coins), the rule's reason to research.

    Saving = success probability x emission-rate cut x output over the rest of the episode
    x the cost of a tonne; the cut is zero once the rate sits on its floor.
    """
    ent, cfg = view.enterprises, view.config
    rate = ent.emission_rate[firms]
    cut = rate - np.maximum(
        rate * np.exp(-cfg.research_effect * ent.research_ability[firms]), cfg.min_emission_rate
    )
    return (
        cfg.research_success
        * cut
        * ent.capacity[firms]
        * view.rounds_left_episode
        * emission_cost(view, firms)
    )


def units_worth(
    view: MarketView,
    firms: np.ndarray,
    side: np.ndarray,
    price: np.ndarray,
    max_quantity: int,
    count_open_bids: bool = True,
) -> np.ndarray:
    """How many units (up to ``max_quantity``) each firm finds worth trading at ``price``.

    Bids stop when the next unit's value falls below the price or the coins run out; asks
    stop when the next unit's cost rises above it or the free allowances run out.

    Args:
        view: what the firms see of the market.
        firms: firm indices, shape ``(k,)``.
        side: ``Side.BID`` or ``Side.ASK`` per firm, shape ``(k,)``.
        price: limit price per firm (ticks), shape ``(k,)``.
        max_quantity: most units in one order.
        count_open_bids: whether allowances bid for in open orders count as held.
    """
    acc = view.accounts
    bid_shortfall, ask_shortfall = shortfalls(view, firms, count_open_bids)
    buying = side == Side.BID
    selling = ~buying
    # worth[i, j]: the (j + 1)-th unit is worth trading, valued only on the firm's side.
    later_units = np.arange(max_quantity)
    worth = np.empty((len(firms), max_quantity), dtype=bool)
    worth[buying] = (
        value_of_buying(view, firms[buying], bid_shortfall[buying, None] - later_units)
        >= price[buying, None]
    )
    worth[selling] = (
        cost_of_selling(view, firms[selling], ask_shortfall[selling, None] + later_units)
        <= price[selling, None]
    )
    units = np.logical_and.accumulate(worth, axis=1).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        affordable = np.where(price > 0, acc.coins[firms] // np.maximum(price, 1), units)
    cap = np.where(buying, affordable, np.floor(acc.allowances[firms]))
    return np.minimum(units, cap).astype(np.int64)
