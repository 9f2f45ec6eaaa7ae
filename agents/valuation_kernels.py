"""What an allowance is worth to a firm, as compiled kernels (the rules of ``agents.valuation``).

A decision kernel sees a market through a :class:`Sight`: the firm columns it reads (1-D,
one entry per firm) and the scalars of the moment. The functions here compute, for an array
of firm indices, the numbers every heuristic decides from: projected emissions, shortfalls,
the value of buying and the cost of selling one allowance, and the cost of a tonne emitted.
Each element is computed with numpy's own operations in numpy's order, so the kernels and
the numpy expressions of MODEL.md agree to the last bit.

Units: tonnes, coins, coins per allowance; prices in ticks.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from market.numerics import maximum, minimum
from market.theory import cost_increase


class Sight(NamedTuple):
    """What a decision rule reads of one market (arrays of shape ``(n_firms,)``).

    ``expected_price`` is nan before any expectation; ``best_ask`` is -1 when no ask rests.
    """

    capacity: np.ndarray
    emission_rate: np.ndarray
    ytd_emissions: np.ndarray
    owed: np.ndarray
    output: np.ndarray
    baseline_emissions: np.ndarray
    abatement_cost: np.ndarray
    coins: np.ndarray
    allowances: np.ndarray
    escrow_allowances: np.ndarray
    open_bids: np.ndarray
    research_rate_kept: np.ndarray
    research_attempt_cost: np.ndarray
    production: bool
    output_price: float
    penalty: float
    rounds_left: int
    expected_price: float
    price_floor: int
    price_ceiling: int
    best_ask: int
    rounds_left_episode: int
    research_success: float
    research_effect: float
    min_emission_rate: float
    green_project_cost: float


@njit(cache=True, error_model="numpy")
def lost_profit(sight, i):
    """Revenue firm ``i`` loses per tonne not emitted (coins/t); inf without production."""
    if not sight.production:
        return math.inf
    return sight.output_price / sight.emission_rate[i]


@njit(cache=True, error_model="numpy")
def value_of_buying(sight, i, shortfall):
    """What one more allowance saves firm ``i`` when short of ``shortfall`` tonnes (coins)."""
    value = cost_increase(shortfall - 1.0, shortfall, sight.abatement_cost[i], sight.penalty)
    return minimum(value, lost_profit(sight, i))


@njit(cache=True, error_model="numpy")
def cost_of_selling(sight, i, shortfall):
    """What giving up one allowance costs firm ``i`` when short of ``shortfall`` (coins)."""
    cost = cost_increase(shortfall, shortfall + 1.0, sight.abatement_cost[i], sight.penalty)
    return minimum(cost, lost_profit(sight, i))


@njit(cache=True, error_model="numpy")
def expected_price(sight):
    """The traders' price expectation, within this year's band; mid-band before any."""
    if math.isnan(sight.expected_price):
        return 0.5 * (sight.price_floor + sight.price_ceiling)
    return minimum(maximum(sight.expected_price, sight.price_floor), sight.price_ceiling)


@njit(cache=True, error_model="numpy")
def projected_emissions(sight, i, planned):
    """Tonnes firm ``i`` expects to owe this year, make-good debt included.

    Emitted so far plus ``planned`` output (nan: this round's) for every round left, in the
    paper economy; the baseline in the textbook economy.
    """
    if sight.production:
        plan = sight.output[i] if math.isnan(planned) else planned
        expected = sight.ytd_emissions[i] + plan * sight.emission_rate[i] * sight.rounds_left
    else:
        expected = sight.baseline_emissions[i]
    return expected + sight.owed[i]


@njit(cache=True, error_model="numpy")
def bid_shortfall(sight, i, count_open_bids, planned):
    """Firm ``i``'s projected shortfall as a bid sees it: held, escrowed (and bid) count."""
    held = sight.allowances[i] + sight.escrow_allowances[i]
    if count_open_bids:
        held = held + sight.open_bids[i]
    return projected_emissions(sight, i, planned) - held


@njit(cache=True, error_model="numpy")
def ask_shortfall(sight, i):
    """Firm ``i``'s projected shortfall as an ask sees it: only free allowances count."""
    return projected_emissions(sight, i, math.nan) - sight.allowances[i]


@njit(cache=True, error_model="numpy")
def allowance_values(sight, firms, count_open_bids, buy_value, sell_cost):
    """Each firm's value of buying one more allowance and its cost of selling one (coins).

    Written into ``buy_value[i]`` and ``sell_cost[i]`` for each firm ``i`` of ``firms``.
    """
    for j in range(firms.size):
        i = firms[j]
        buy_value[i] = value_of_buying(sight, i, bid_shortfall(sight, i, count_open_bids, math.nan))
        sell_cost[i] = cost_of_selling(sight, i, ask_shortfall(sight, i))


@njit(cache=True, error_model="numpy")
def emission_cost(sight, firms, cost):
    """What emitting one more tonne this round costs each firm (coins/t), into ``cost[i]``.

    A firm whose holdings cover this round's emissions gives up an allowance it could sell:
    the expected price. A firm already short pays the cheapest of the best ask, its
    abatement cost and the penalty.
    """
    if not sight.production:
        for j in range(firms.size):
            cost[firms[j]] = 0.0
        return
    expected = expected_price(sight)
    for j in range(firms.size):
        i = firms[j]
        emissions_now = (
            sight.ytd_emissions[i] + sight.owed[i] + sight.capacity[i] * sight.emission_rate[i]
        )
        short = emissions_now - (sight.allowances[i] + sight.escrow_allowances[i])
        if short > 0:
            s = maximum(short, 1.0)
            short_cost = cost_increase(s - 1.0, s, sight.abatement_cost[i], sight.penalty)
            if sight.best_ask >= 0:
                short_cost = minimum(short_cost, float(sight.best_ask))
            cost[i] = short_cost
        else:
            cost[i] = expected


@njit(cache=True, error_model="numpy")
def auction_bids(sight, max_units):
    """Every firm's truthful unit bids in the government's auction: ``(bidders, prices)``.

    A producing firm plans to run at capacity all year; its bids fall unit by unit and stop
    where its coins could no longer pay its own bids or a bid would fall below the floor.
    """
    n = sight.capacity.size
    shortfall = np.empty(n)
    for i in range(n):
        shortfall[i] = bid_shortfall(sight, i, True, sight.capacity[i])
    units = int(min(max_units, maximum(0.0, np.ceil(shortfall.max()))))
    bidders = np.empty(n * units, dtype=np.int64)
    prices = np.empty(n * units, dtype=np.int64)
    k = 0
    for i in range(n):
        spent = 0.0
        for j in range(units):
            value = value_of_buying(sight, i, shortfall[i] - j)
            price = np.floor(minimum(value, float(sight.price_ceiling)))
            spent += maximum(price, 0.0)
            if spent <= sight.coins[i] and price >= sight.price_floor and value > 0:
                bidders[k] = i
                prices[k] = int(price)
                k += 1
    return bidders[:k], prices[:k]


@njit(cache=True, error_model="numpy")
def unit_values(sight, firms, shortfalls, buying):
    """The value of buying (or the cost of selling) one allowance at each of several shortfalls.

    Args:
        sight: the market.
        firms: firm indices, shape ``(k,)``.
        shortfalls: shortfalls per firm, shape ``(k, m)``.
        buying: values of buying (True) or costs of selling (False).

    Returns:
        Coins, shape ``(k, m)``.
    """
    k, m = shortfalls.shape
    out = np.empty((k, m))
    for j in range(k):
        for u in range(m):
            if buying:
                out[j, u] = value_of_buying(sight, firms[j], shortfalls[j, u])
            else:
                out[j, u] = cost_of_selling(sight, firms[j], shortfalls[j, u])
    return out


@njit(cache=True, error_model="numpy")
def shortfalls(sight, firms, count_open_bids, planned):
    """Each firm's projected shortfall as a bid and as an ask sees it, shape ``(k,)`` each.

    ``planned`` is the output per round each firm plans, shape ``(k,)`` (nan: this round's).
    """
    k = firms.size
    bid = np.empty(k)
    ask = np.empty(k)
    for j in range(k):
        i = firms[j]
        bid[j] = bid_shortfall(sight, i, count_open_bids, planned[j])
        ask[j] = projected_emissions(sight, i, planned[j]) - sight.allowances[i]
    return bid, ask


@njit(cache=True, error_model="numpy")
def projected(sight, firms, planned):
    """:func:`projected_emissions` of each firm, shape ``(k,)`` (``planned``: nan = this round)."""
    out = np.empty(firms.size)
    for j in range(firms.size):
        out[j] = projected_emissions(sight, firms[j], planned[j])
    return out


PRICE_MEMORY = 0.3  # weight of the latest round's VWAP in the expected price
QUIET_STEP = 0.5  # ticks the expectation moves in a round without trades but with waiting orders


@njit(cache=True, error_model="numpy")
def quoted_tick(expected):
    """The tick a price-taker quotes at the expected price: the nearest (a half to the even)."""
    return round(expected)


@njit(cache=True, error_model="numpy")
def update_expectation(expected, round_price, best_bid, best_ask, price_floor, price_ceiling):
    """The market's price expectation after a round (nan: none yet; -1: no bid or ask).

    After a round with trades it moves ``PRICE_MEMORY`` of the way to the round's VWAP. After
    a quiet round it drifts half a tick toward the orders left waiting: down while an ask
    waits at or below the tick it quotes (:func:`quoted_tick`), up while a bid waits at or
    above it, never leaving the price band. Comparing with the quoted tick, not the
    expectation itself, is what lets price-takers' own waiting orders move it: an ask at
    the tick 40 waits above an expectation of 39.7 and would otherwise hold it there.
    Before any trade or waiting order it stays undefined (traders use the band's middle).
    """
    if not math.isnan(round_price):
        if math.isnan(expected):
            return round_price
        return expected + PRICE_MEMORY * (round_price - expected)
    if best_bid < 0 and best_ask < 0:
        return expected
    current = 0.5 * (price_floor + price_ceiling) if math.isnan(expected) else expected
    tick = quoted_tick(current)
    if best_ask >= 0 and best_ask <= tick:
        current -= QUIET_STEP
    elif best_bid >= 0 and best_bid >= tick:
        current += QUIET_STEP
    return minimum(maximum(current, float(price_floor)), float(price_ceiling))
