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

from market.orders import Side
from market.theory import marginal_cost, marginal_value

if TYPE_CHECKING:
    from agents.view import MarketView


def lost_profit_per_tonne(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Revenue lost per tonne not emitted by producing less (coins/t); inf without production."""
    if not view.config.production:
        return np.full(len(firms), np.inf)
    rate = view.enterprises.emission_rate[firms]
    with np.errstate(divide="ignore"):
        return view.config.output_price / rate


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


def expected_price(view: MarketView) -> float:
    """The market's price expectation: a moving average of traded prices, else mid-band.

    Always within this year's band: a floor raised above last year's prices lifts it.
    """
    if view.expected_price is not None:
        return float(np.clip(view.expected_price, view.price_floor, view.config.price_ceiling))
    return 0.5 * (view.price_floor + view.config.price_ceiling)


def committed_emissions(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Tonnes the given firms already owe this year, make-good debt included.

    Emitted so far in the paper economy; the baseline in the textbook economy.
    """
    ent = view.enterprises
    emitted = ent.ytd_emissions if view.config.production else ent.baseline_emissions
    return emitted[firms] + ent.owed[firms]


def projected_emissions(
    view: MarketView, firms: np.ndarray, planned_output: np.ndarray | None = None
) -> np.ndarray:
    """Emissions the given firms expect to owe this year (t), including a make-good debt.

    In the paper economy: emitted so far plus ``planned_output`` (default: this round's
    output) for each round left in the year. In the textbook economy: the baseline.
    """
    ent = view.enterprises
    if view.config.production:
        plan = ent.output[firms] if planned_output is None else planned_output
        expected = ent.ytd_emissions[firms] + plan * ent.emission_rate[firms] * view.rounds_left
    else:
        expected = ent.baseline_emissions[firms]
    return expected + ent.owed[firms]


def shortfalls(
    view: MarketView,
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
    acc = view.accounts
    needed = projected_emissions(view, firms, planned_output)
    held_for_bids = acc.allowances[firms] + acc.escrow_allowances[firms]
    if count_open_bids:
        held_for_bids = held_for_bids + view.book.open_quantity(Side.BID)[firms]
    return needed - held_for_bids, needed - acc.allowances[firms]


def _per_firm(values: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """Per-firm ``values``, shape ``(k,)``, shaped to broadcast against ``shortfall``.

    ``shortfall`` has one row per firm: shape ``(k,)``, or ``(k, m)`` for ``m`` shortfalls
    per firm.
    """
    return values.reshape(values.shape + (1,) * (np.ndim(shortfall) - 1))


def _capped_by_lost_profit(
    unit_cost: Callable, view: MarketView, firms: np.ndarray, shortfall: np.ndarray
) -> np.ndarray:
    """A compliance unit cost (``marginal_value`` or ``marginal_cost``) capped by lost profit."""
    c = _per_firm(view.enterprises.abatement_cost[firms], shortfall)
    return np.minimum(
        unit_cost(shortfall, c, view.config.penalty),
        _per_firm(lost_profit_per_tonne(view, firms), shortfall),
    )


def value_of_buying(view: MarketView, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What one more allowance saves a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape.
    """
    return _capped_by_lost_profit(marginal_value, view, firms, shortfall)


def cost_of_selling(view: MarketView, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What giving up one allowance costs a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape.
    """
    return _capped_by_lost_profit(marginal_cost, view, firms, shortfall)


def allowance_values(
    view: MarketView, firms: np.ndarray, count_open_bids: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Each firm's value of buying one more allowance and its cost of selling one (coins).

    Args:
        view: what the firms see of the market.
        firms: firm indices, shape ``(k,)``.
        count_open_bids: whether allowances bid for in open orders count as held.

    Returns:
        ``(buy_value, sell_cost)``, each of shape ``(k,)``.
    """
    bid_shortfall, ask_shortfall = shortfalls(view, firms, count_open_bids)
    return (
        value_of_buying(view, firms, bid_shortfall),
        cost_of_selling(view, firms, ask_shortfall),
    )


def emission_cost(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """What emitting one more tonne this round costs each firm (coins/t).

    A firm whose holdings cover this round's emissions gives up an allowance it could sell:
    the expected price. A firm already short pays the cheapest of the best ask in the book,
    its abatement cost and the penalty.
    """
    ent, acc, cfg = view.enterprises, view.accounts, view.config
    if not cfg.production:
        return np.zeros(len(firms))
    emissions_now = (
        ent.ytd_emissions[firms]
        + ent.owed[firms]
        + (ent.capacity[firms] * ent.emission_rate[firms])
    )
    short = emissions_now - (acc.allowances[firms] + acc.escrow_allowances[firms])
    best_ask = view.book.best_ask()
    short_cost = marginal_value(np.maximum(short, 1.0), ent.abatement_cost[firms], cfg.penalty)
    if best_ask is not None:
        short_cost = np.minimum(short_cost, best_ask)
    return np.where(short > 0, short_cost, expected_price(view))


def auction_bids(view: MarketView, max_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Every firm's truthful unit bids in the government's auction: its value of each allowance.

    A producing firm plans to run at capacity all year: an allowance is worth to it the
    profit it enables. Bids fall with each unit (marginal values fall) and stop where the
    firm's coins could no longer pay its own bids.

    Returns:
        ``(bidders, prices)``: firm index and limit price (ticks) of each unit bid.
    """
    cfg = view.config
    firms = np.arange(view.enterprises.n)
    shortfall, _ = shortfalls(view, firms, planned_output=view.enterprises.capacity)
    units = int(min(max_units, max(0.0, np.ceil(shortfall.max()))))
    if units == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    values = np.stack([value_of_buying(view, firms, shortfall - j) for j in range(units)], axis=1)
    prices = np.floor(np.minimum(values, cfg.price_ceiling))
    affordable = np.cumsum(np.maximum(prices, 0), axis=1) <= view.accounts.coins[:, None]
    keep = affordable & (prices >= view.price_floor) & (values > 0)
    bidders = np.broadcast_to(firms[:, None], prices.shape)[keep]
    return bidders, prices[keep].astype(np.int64)
