"""What an allowance is worth to a firm: the numbers every heuristic behaviour decides from.

MODEL.md, "Marginal value of an allowance": the money a firm saves with one more allowance
this year is the lowest of the penalty, the abatement cost of the next tonne and the profit
lost by producing one tonne's worth less. Selling one costs it the same three ways.
All functions here work on an array of firm indices at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model.orders import Side
from model.theory import marginal_cost, marginal_value

if TYPE_CHECKING:
    from model.market import CarbonMarket


def lost_profit_per_tonne(market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
    """Revenue lost per tonne not emitted by producing less (coins/t); inf without production."""
    if not market.config.production:
        return np.full(len(firms), np.inf)
    rate = market.enterprises.emission_rate[firms]
    with np.errstate(divide="ignore"):
        return market.config.output_price / rate


PRICE_MEMORY = 0.3  # weight of the latest round's VWAP in the expected price
QUIET_STEP = 0.5  # ticks the expectation moves in a round without trades but with waiting orders


def update_expectation(
    expected: float | None,
    round_price: float,
    best_bid: int | None,
    best_ask: int | None,
    price_floor: int,
    price_ceiling: int,
) -> float | None:
    """The market's price expectation after a round (coins per allowance).

    After a round with trades it moves ``PRICE_MEMORY`` of the way to the round's VWAP. After
    a quiet round it drifts half a tick toward the orders left waiting: down while an ask
    waits at or below it, up while a bid waits at or above it, never leaving the price band.
    Before any trade or waiting order it stays undefined (traders use the band's middle).
    """
    if not np.isnan(round_price):
        return (
            round_price
            if expected is None
            else (expected + PRICE_MEMORY * (round_price - expected))
        )
    if best_bid is None and best_ask is None:
        return expected
    current = 0.5 * (price_floor + price_ceiling) if expected is None else expected
    if best_ask is not None and best_ask <= current:
        current -= QUIET_STEP
    elif best_bid is not None and best_bid >= current:
        current += QUIET_STEP
    return float(np.clip(current, price_floor, price_ceiling))


def expected_price(market: CarbonMarket) -> float:
    """The market's price expectation: a moving average of traded prices, else mid-band."""
    if market.expected_price is not None:
        return market.expected_price
    return 0.5 * (market.config.price_floor + market.config.price_ceiling)


def shortfalls(
    market: CarbonMarket,
    firms: np.ndarray,
    count_open_bids: bool = True,
    planned_output: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each firm's projected shortfall of allowances this year (t), as seen by a bid and an ask.

    For a bid, allowances already held, escrowed in asks or (if ``count_open_bids``) bid for
    count as held; for an ask, only free allowances do (escrowed ones are already offered).
    A firm that replaces its quotes does not count its open bids: they are about to go.
    ``planned_output`` (units per round) replaces this round's output in the projection.

    Returns:
        ``(bid_shortfall, ask_shortfall)``, each of shape ``(k,)``.
    """
    acc = market.accounts
    needed = market.enterprises.projected_emissions(firms, market.rounds_left, planned_output)
    held_for_bids = acc.allowances[firms] + acc.escrow_allowances[firms]
    if count_open_bids:
        held_for_bids = held_for_bids + market.book.open_quantity(Side.BID)[firms]
    return needed - held_for_bids, needed - acc.allowances[firms]


def _per_firm(values: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """Per-firm ``values``, shape ``(k,)``, shaped to broadcast against ``shortfall``.

    ``shortfall`` has one row per firm: shape ``(k,)``, or ``(k, m)`` for ``m`` shortfalls
    per firm.
    """
    return values.reshape(values.shape + (1,) * (np.ndim(shortfall) - 1))


def _capped_by_lost_profit(
    unit_cost: Callable, market: CarbonMarket, firms: np.ndarray, shortfall: np.ndarray
) -> np.ndarray:
    """A compliance unit cost (``marginal_value`` or ``marginal_cost``) capped by lost profit."""
    c = _per_firm(market.enterprises.abatement_cost[firms], shortfall)
    return np.minimum(
        unit_cost(shortfall, c, market.config.penalty),
        _per_firm(lost_profit_per_tonne(market, firms), shortfall),
    )


def value_of_buying(market: CarbonMarket, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What one more allowance saves a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape.
    """
    return _capped_by_lost_profit(marginal_value, market, firms, shortfall)


def cost_of_selling(market: CarbonMarket, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What giving up one allowance costs a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape.
    """
    return _capped_by_lost_profit(marginal_cost, market, firms, shortfall)


def allowance_values(
    market: CarbonMarket, firms: np.ndarray, count_open_bids: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Each firm's value of buying one more allowance and its cost of selling one (coins).

    Args:
        market: the carbon market.
        firms: firm indices, shape ``(k,)``.
        count_open_bids: whether allowances bid for in open orders count as held.

    Returns:
        ``(buy_value, sell_cost)``, each of shape ``(k,)``.
    """
    bid_shortfall, ask_shortfall = shortfalls(market, firms, count_open_bids)
    return (
        value_of_buying(market, firms, bid_shortfall),
        cost_of_selling(market, firms, ask_shortfall),
    )


def emission_cost(market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
    """What emitting one more tonne this round costs each firm (coins/t).

    A firm whose holdings cover this round's emissions gives up an allowance it could sell:
    the expected price. A firm already short pays the cheapest of the best ask in the book,
    its abatement cost and the penalty.
    """
    ent, acc, cfg = market.enterprises, market.accounts, market.config
    if not cfg.production:
        return np.zeros(len(firms))
    emissions_now = (
        ent.ytd_emissions[firms]
        + ent.owed[firms]
        + (ent.capacity[firms] * ent.emission_rate[firms])
    )
    short = emissions_now - (acc.allowances[firms] + acc.escrow_allowances[firms])
    best_ask = market.book.best_ask()
    short_cost = marginal_value(np.maximum(short, 1.0), ent.abatement_cost[firms], cfg.penalty)
    if best_ask is not None:
        short_cost = np.minimum(short_cost, best_ask)
    return np.where(short > 0, short_cost, expected_price(market))
