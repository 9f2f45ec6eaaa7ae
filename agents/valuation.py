"""What an allowance is worth to a firm: the numbers every heuristic behaviour decides from.

MODEL.md, "Marginal value of an allowance": the money a firm saves with one more allowance
this year is the lowest of the penalty, the abatement cost of the next tonne and the profit
lost by producing one tonne's worth less. Selling one costs it the same three ways.
All functions here work on an array of firm indices at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from agents import valuation_kernels as kernels
from market.orders import Side

if TYPE_CHECKING:
    from agents.view import MarketView


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
    waits at or below the tick it quotes (the nearest), up while a bid waits at or above that
    tick, never leaving the price band. Before any trade or waiting order it stays undefined
    (traders use the band's middle).
    """
    updated = kernels.update_expectation(
        math.nan if expected is None else float(expected),
        float(round_price),
        -1 if best_bid is None else int(best_bid),
        -1 if best_ask is None else int(best_ask),
        int(price_floor),
        int(price_ceiling),
    )
    return None if math.isnan(updated) else float(updated)


def sight(view: MarketView) -> kernels.Sight:
    """What the valuation kernels read of the market (:class:`kernels.Sight`)."""
    ent, acc, cfg = view.enterprises, view.accounts, view.config
    expected, best_ask = view.expected_price, view.book.best_ask()
    return kernels.Sight(
        ent.capacity,
        ent.emission_rate,
        ent.ytd_emissions,
        ent.owed,
        ent.output,
        ent.baseline_emissions,
        ent.abatement_cost,
        acc.coins,
        acc.allowances,
        acc.escrow_allowances,
        view.book.open_quantity(Side.BID),
        ent.research_rate_kept,
        ent.research_attempt_cost,
        bool(cfg.production),
        float(view.output_price),
        float(cfg.penalty),
        int(view.rounds_left),
        math.nan if expected is None else float(expected),
        int(view.price_floor),
        int(cfg.price_ceiling),
        -1 if best_ask is None else int(best_ask),
        int(view.rounds_left_episode),
        float(cfg.research_success),
        float(cfg.research_effect),
        float(cfg.min_emission_rate),
        float(cfg.green_project_cost),
    )


def expected_price(view: MarketView) -> float:
    """The market's price expectation: a moving average of traded prices, else mid-band.

    Always within this year's band: a floor raised above last year's prices lifts it.
    """
    return kernels.expected_price(sight(view))


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
    firms = np.asarray(firms, dtype=np.int64)
    return kernels.projected(sight(view), firms, _planned(firms, planned_output))


def _planned(firms: np.ndarray, planned_output: np.ndarray | None) -> np.ndarray:
    if planned_output is None:
        return np.full(len(firms), math.nan)
    return np.asarray(planned_output, dtype=np.float64)


def _shortfalls(view, firms, count_open_bids, planned_output):
    firms = np.asarray(firms, dtype=np.int64)
    return kernels.shortfalls(sight(view), firms, count_open_bids, _planned(firms, planned_output))


def lost_profit_per_tonne(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Revenue lost per tonne not emitted by producing less (coins/t); inf without production."""
    seen = sight(view)
    return np.array([kernels.lost_profit(seen, int(i)) for i in firms], dtype=np.float64)


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
    return _shortfalls(view, firms, count_open_bids, planned_output)


def _unit_values(view, firms, shortfall, buying: bool) -> np.ndarray:
    shortfall = np.asarray(shortfall, dtype=np.float64)
    grid = shortfall.reshape(len(firms), shortfall.size // max(len(firms), 1))
    firms = np.asarray(firms, dtype=np.int64)
    return kernels.unit_values(sight(view), firms, np.ascontiguousarray(grid), buying).reshape(
        shortfall.shape
    )


def value_of_buying(view: MarketView, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What one more allowance saves a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape. The lowest of the penalty, the abatement cost of the next tonne and the
    profit lost by producing a tonne's worth less (MODEL.md).
    """
    return _unit_values(view, firms, shortfall, True)


def cost_of_selling(view: MarketView, firms: np.ndarray, shortfall: np.ndarray) -> np.ndarray:
    """What giving up one allowance costs a firm short of ``shortfall`` tonnes (coins).

    ``shortfall`` has shape ``(k,)`` or ``(k, m)`` (several shortfalls per firm); the result
    has its shape.
    """
    return _unit_values(view, firms, shortfall, False)


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
    firms, seen = np.asarray(firms, dtype=np.int64), sight(view)
    buy_value, sell_cost = np.empty((2, seen.capacity.size))
    kernels.allowance_values(seen, firms, count_open_bids, buy_value, sell_cost)
    return buy_value[firms], sell_cost[firms]


def emission_cost(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """What emitting one more tonne this round costs each firm (coins/t).

    A firm whose holdings cover this round's emissions gives up an allowance it could sell:
    the expected price. A firm already short pays the cheapest of the best ask in the book,
    its abatement cost and the penalty.
    """
    firms, seen = np.asarray(firms, dtype=np.int64), sight(view)
    cost = np.empty(seen.capacity.size)
    kernels.emission_cost(seen, firms, cost)
    return cost[firms]


def auction_bids(view: MarketView, max_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Every firm's truthful unit bids in the government's auction: its value of each allowance.

    A producing firm plans to run at capacity all year: an allowance is worth to it the
    profit it enables. Bids fall with each unit (marginal values fall) and stop where the
    firm's coins could no longer pay its own bids.

    Returns:
        ``(bidders, prices)``: firm index and limit price (ticks) of each unit bid.
    """
    return kernels.auction_bids(sight(view), max_units)
