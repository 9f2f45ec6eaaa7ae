"""The heuristic firms' decision rules as compiled kernels (``agents.behaviours`` holds them).

Every kernel decides for a group of firms (an array of firm indices) from a
:class:`~agents.valuation_kernels.Sight` and, where a rule is random, the market's own
generator state (:mod:`market.random_kernels`). The draws are made in the order and the
sizes of the numpy rules of MODEL.md (one ``integers`` for the sides, then one ``random`` per
price), so a market's random stream is the same whichever drives it.

* the rule-based producer (every heuristic's production, R&D and offsets);
* the traders' quotes: ZI-C, ZI-U, truthful and rule-based.

Quotes come back as ``(side, price, quantity, active)`` per firm of the group; the
behaviour keeps the active ones (:meth:`agents.decisions.Quotes.build`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from agents.valuation_kernels import (
    allowance_values,
    cost_of_selling,
    emission_cost,
    expected_price,
    quoted_tick,
    shortfalls,
    value_of_buying,
)
from market import random_kernels as rk
from market.numerics import maximum, minimum

BID, ASK = 0, 1


@njit(cache=True, error_model="numpy")
def production(sight, firms):
    """Capacity while revenue per unit beats the allowance cost of its emissions, else 0."""
    cost = emission_cost(sight, firms)
    out = np.empty(firms.size)
    for j in range(firms.size):
        i = firms[j]
        out[j] = sight.capacity[i] if sight.output_price > cost[j] * sight.emission_rate[i] else 0.0
    return out


@njit(cache=True, error_model="numpy")
def research_saving(sight, firms):
    """Expected saving of one R&D attempt per firm (coins), the rule's reason to research.

    Success probability x emission-rate cut x output over the rest of the episode x the cost
    of a tonne; the cut is zero once the rate sits on its floor.
    """
    cost = emission_cost(sight, firms)
    out = np.empty(firms.size)
    for j in range(firms.size):
        i = firms[j]
        rate = sight.emission_rate[i]
        cut = rate - maximum(
            rate * math.exp(-sight.research_effect * sight.research_ability[i]),
            sight.min_emission_rate,
        )
        out[j] = (
            sight.research_success * cut * sight.capacity[i] * sight.rounds_left_episode * cost[j]
        )
    return out


@njit(cache=True, error_model="numpy")
def research(sight, firms):
    """R&D while the expected saving of one attempt beats its cost."""
    saving = research_saving(sight, firms)
    out = np.empty(firms.size, dtype=np.bool_)
    for j in range(firms.size):
        out[j] = saving[j] > sight.research_attempt_cost[firms[j]]
    return out


@njit(cache=True, error_model="numpy")
def offsets(sight, firms):
    """A green project when it costs less than the allowance it brings is worth."""
    buy_value, _ = allowance_values(sight, firms, True)
    return buy_value > sight.green_project_cost


@njit(cache=True, error_model="numpy")
def limit_ticks(sight, firms, buy_value, sell_cost):
    """The highest safe bid tick and lowest safe ask tick of each firm, and which it can post.

    A bid never exceeds the firm's value, the ceiling or what its coins can escrow; an ask is
    never below its cost or the floor.
    """
    k = firms.size
    bid_high = np.empty(k, dtype=np.int64)
    ask_low = np.empty(k, dtype=np.int64)
    can_bid = np.empty(k, dtype=np.bool_)
    can_ask = np.empty(k, dtype=np.bool_)
    for j in range(k):
        i = firms[j]
        affordable = np.int64(np.floor(sight.coins[i]))
        high = minimum(minimum(np.floor(buy_value[j]), float(sight.price_ceiling)), affordable)
        low = maximum(np.ceil(sell_cost[j]), float(sight.price_floor))
        if not math.isfinite(low):
            low = sight.price_ceiling + 1.0
        bid_high[j] = np.int64(high)
        ask_low[j] = np.int64(low)
        can_bid[j] = high >= sight.price_floor and buy_value[j] > 0
        can_ask[j] = sight.allowances[i] >= 1 and low <= sight.price_ceiling
    return bid_high, ask_low, can_bid, can_ask


@njit(cache=True, error_model="numpy")
def random_sides(rng_state, can_bid, can_ask):
    """A fair coin per firm picks the side; a firm that can post only one side posts it."""
    side = rk.integers(rng_state, 2, can_bid.size)
    active = np.empty(can_bid.size, dtype=np.bool_)
    for j in range(can_bid.size):
        if can_bid[j] and not can_ask[j]:
            side[j] = BID
        elif can_ask[j] and not can_bid[j]:
            side[j] = ASK
        active[j] = can_bid[j] or can_ask[j]
    return side, active


@njit(cache=True, error_model="numpy")
def uniform_ticks(rng_state, low, high):
    """One integer uniform on ``[low, high]`` per element (``high >= low``)."""
    draws = rk.random(rng_state, low.size)
    out = np.empty(low.size, dtype=np.int64)
    for j in range(low.size):
        out[j] = low[j] + np.int64(np.floor(draws[j] * (high[j] - low[j] + 1)))
    return out


@njit(cache=True, error_model="numpy")
def zi_c(sight, firms, rng_state, count_open_bids):
    """ZI-C: one unit, a bid uniform on [floor, value] or an ask uniform on [cost, ceiling]."""
    buy_value, sell_cost = allowance_values(sight, firms, count_open_bids)
    bid_high, ask_low, can_bid, can_ask = limit_ticks(sight, firms, buy_value, sell_cost)
    side, active = random_sides(rng_state, can_bid, can_ask)
    bid = uniform_ticks(rng_state, np.full(firms.size, sight.price_floor, dtype=np.int64), bid_high)
    ask = uniform_ticks(
        rng_state, ask_low, np.full(firms.size, sight.price_ceiling, dtype=np.int64)
    )
    price = np.where(side == BID, bid, ask)
    return side, price, np.ones(firms.size, dtype=np.int64), active


@njit(cache=True, error_model="numpy")
def zi_u(sight, firms, rng_state):
    """ZI-U: one unit at a uniform price on [floor, ceiling], limited only by escrow."""
    k = firms.size
    price = uniform_ticks(
        rng_state,
        np.full(k, sight.price_floor, dtype=np.int64),
        np.full(k, sight.price_ceiling, dtype=np.int64),
    )
    can_bid = np.empty(k, dtype=np.bool_)
    can_ask = np.empty(k, dtype=np.bool_)
    for j in range(k):
        i = firms[j]
        can_bid[j] = np.int64(np.floor(sight.coins[i])) >= price[j]
        can_ask[j] = sight.allowances[i] >= 1
    side, active = random_sides(rng_state, can_bid, can_ask)
    return side, price, np.ones(k, dtype=np.int64), active


@njit(cache=True, error_model="numpy")
def truthful(sight, firms, rng_state, count_open_bids):
    """Truthful: one unit at value (bid) or cost (ask), on a random side, at safe ticks."""
    buy_value, sell_cost = allowance_values(sight, firms, count_open_bids)
    bid, ask, can_bid, can_ask = limit_ticks(sight, firms, buy_value, sell_cost)
    side, active = random_sides(rng_state, can_bid, can_ask)
    return side, np.where(side == BID, bid, ask), np.ones(firms.size, dtype=np.int64), active


@njit(cache=True, error_model="numpy")
def rule_quote(sight):
    """The rule-based trader's quote on either side: the tick nearest the expected price."""
    return quoted_tick(expected_price(sight))


@njit(cache=True, error_model="numpy")
def units_worth(sight, firms, side, price, max_quantity, count_open_bids):
    """How many units (up to ``max_quantity``) each firm finds worth trading at ``price``.

    Bids stop when the next unit's value falls below the price or the coins run out; asks
    when the next unit's cost rises above it or the free allowances run out.
    """
    k = firms.size
    bid_short, ask_short = shortfalls(sight, firms, count_open_bids, np.full(k, math.nan))
    out = np.empty(k, dtype=np.int64)
    for j in range(k):
        i = firms[j]
        units = 0
        for u in range(max_quantity):
            if side[j] == BID:
                worth = value_of_buying(sight, i, bid_short[j] - u) >= price[j]
            else:
                worth = cost_of_selling(sight, i, ask_short[j] + u) <= price[j]
            if not worth:
                break
            units += 1
        if side[j] == BID:
            cap = sight.coins[i] // maximum(price[j], 1) if price[j] > 0 else float(units)
        else:
            cap = np.floor(sight.allowances[i])
        out[j] = np.int64(minimum(float(units), cap))
    return out


@njit(cache=True, error_model="numpy")
def rule_based(sight, firms, max_quantity, count_open_bids):
    """The rule-based trader's order for every firm: ``(side, price, quantity, active)``.

    Every firm quotes the tick nearest the expected price (:func:`rule_quote`): one whose
    value of one more allowance reaches it bids there, one whose cost of selling is at most
    that asks there; for the units worth that price.
    """
    buy_value, sell_cost = allowance_values(sight, firms, count_open_bids)
    quote = rule_quote(sight)
    k = firms.size
    side = np.empty(k, dtype=np.int64)
    wants = np.empty(k, dtype=np.bool_)
    for j in range(k):
        buy_gain, sell_gain = buy_value[j] - quote, quote - sell_cost[j]
        wants_bid = buy_gain >= 0
        wants_ask = sell_gain >= 0 and sight.allowances[firms[j]] >= 1
        side[j] = ASK if wants_ask and (not wants_bid or sell_gain > buy_gain) else BID
        wants[j] = wants_bid or wants_ask
    price = np.full(k, quote, dtype=np.int64)
    quantity = units_worth(sight, firms, side, price, max_quantity, count_open_bids)
    return side, price, quantity, wants & (quantity >= 1)
