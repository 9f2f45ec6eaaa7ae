"""The heuristic firms' decision rules as compiled kernels (``agents.behaviours`` holds them).

Every kernel decides for a group of firms (an array of firm indices) from a
:class:`~agents.valuation_kernels.Sight` and, where a rule is random, the market's own
generator state (:mod:`market.random_kernels`). The draws are made in the order and the
sizes of the numpy rules of MODEL.md (one ``integers`` for the sides, then one ``random`` per
price), so a market's random stream is the same whichever drives it.

* the rule-based producer (every heuristic's production, R&D and offsets);
* the traders' quotes: ZI-C, ZI-U, truthful and rule-based.

A kernel writes its decision into a round's work arrays (``market.lanes.RoundScratch``,
``work``), at each firm's own index, and makes no array: the round kernel reuses the same
arrays every round. Quotes are ``work.side``, ``work.price``, ``work.quantity`` and
``work.active`` of each firm; the behaviour keeps the active ones
(:meth:`agents.decisions.Quotes.build`). Every heuristic keeps one live quote, so its open
bids are about to be withdrawn and do not count as held when it values a trade.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from agents.valuation_kernels import (
    allowance_values,
    ask_shortfall,
    bid_shortfall,
    cost_of_selling,
    emission_cost,
    expected_price,
    quoted_tick,
    value_of_buying,
)
from market import random_kernels as rk
from market.numerics import maximum, minimum

BID, ASK = 0, 1


@njit(cache=True, error_model="numpy")
def production(sight, firms, work):
    """Capacity while revenue per unit beats the allowance cost of its emissions, else 0.

    Writes ``work.output`` (units), using ``work.emission_cost``.
    """
    emission_cost(sight, firms, work.emission_cost)
    for j in range(firms.size):
        i = firms[j]
        cost = work.emission_cost[i]
        work.output[i] = (
            sight.capacity[i] if sight.output_price > cost * sight.emission_rate[i] else 0.0
        )


@njit(cache=True, error_model="numpy")
def research_saving(sight, firms, work):
    """Expected saving of one R&D attempt per firm (coins), the rule's reason to research.

    Success probability x emission-rate cut x output over the rest of the episode x the cost
    of a tonne; the cut is zero once the rate sits on its floor. Writes ``work.saving``.
    """
    emission_cost(sight, firms, work.emission_cost)
    for j in range(firms.size):
        i = firms[j]
        rate = sight.emission_rate[i]
        cut = rate - maximum(
            rate * sight.research_rate_kept[i],
            sight.min_emission_rate,
        )
        work.saving[i] = (
            sight.research_success
            * cut
            * sight.capacity[i]
            * sight.rounds_left_episode
            * work.emission_cost[i]
        )


@njit(cache=True, error_model="numpy")
def research(sight, firms, work):
    """R&D while the expected saving of one attempt beats its cost (``work.chosen``)."""
    research_saving(sight, firms, work)
    for j in range(firms.size):
        i = firms[j]
        work.chosen[i] = work.saving[i] > sight.research_attempt_cost[i]


@njit(cache=True, error_model="numpy")
def offsets(sight, firms, work):
    """A green project when it costs less than the allowance it brings is worth (``chosen``)."""
    allowance_values(sight, firms, True, work.buy_value, work.sell_cost)
    for j in range(firms.size):
        i = firms[j]
        work.chosen[i] = work.buy_value[i] > sight.green_project_cost


@njit(cache=True, error_model="numpy")
def limit_ticks(sight, firms, work):
    """The highest safe bid tick and lowest safe ask tick of each firm, and which it can post.

    A bid never exceeds the firm's value (``work.buy_value``), the ceiling or what its coins
    can escrow; an ask is never below its cost (``work.sell_cost``) or the floor. Writes
    ``work.bid_high``, ``work.ask_low``, ``work.can_bid`` and ``work.can_ask``.
    """
    for j in range(firms.size):
        i = firms[j]
        buy_value = work.buy_value[i]
        affordable = np.int64(np.floor(sight.coins[i]))
        high = minimum(minimum(np.floor(buy_value), float(sight.price_ceiling)), affordable)
        low = maximum(np.ceil(work.sell_cost[i]), float(sight.price_floor))
        if not math.isfinite(low):
            low = sight.price_ceiling + 1.0
        work.bid_high[i] = np.int64(high)
        work.ask_low[i] = np.int64(low)
        work.can_bid[i] = high >= sight.price_floor and buy_value > 0
        work.can_ask[i] = sight.allowances[i] >= 1 and low <= sight.price_ceiling


@njit(cache=True, error_model="numpy")
def random_sides(rng_state, firms, work):
    """A fair coin per firm picks the side; a firm that can post only one side posts it.

    Writes ``work.side``, ``work.active`` and ``work.quantity`` (one unit) from
    ``work.can_bid`` and ``work.can_ask``.
    """
    for j in range(firms.size):
        i = firms[j]
        can_bid, can_ask = work.can_bid[i], work.can_ask[i]
        side = rk.bounded(rng_state, 2)
        if can_bid and not can_ask:
            side = BID
        elif can_ask and not can_bid:
            side = ASK
        work.side[i] = side
        work.active[i] = can_bid or can_ask
        work.quantity[i] = 1


@njit(cache=True, error_model="numpy")
def uniform_tick(rng_state, low, high):
    """An integer uniform on ``[low, high]`` (``high >= low``), from one ``random`` draw."""
    return low + np.int64(np.floor(rk.uniform(rng_state) * (high - low + 1)))


@njit(cache=True, error_model="numpy")
def zi_c(sight, firms, rng_state, work):
    """ZI-C: one unit, a bid uniform on [floor, value] or an ask uniform on [cost, ceiling].

    Every firm draws its side, then every firm a bid, then every firm an ask.
    """
    allowance_values(sight, firms, False, work.buy_value, work.sell_cost)
    limit_ticks(sight, firms, work)
    random_sides(rng_state, firms, work)
    for j in range(firms.size):
        i = firms[j]
        work.price[i] = uniform_tick(rng_state, np.int64(sight.price_floor), work.bid_high[i])
    for j in range(firms.size):
        i = firms[j]
        ask = uniform_tick(rng_state, work.ask_low[i], np.int64(sight.price_ceiling))
        if work.side[i] != BID:
            work.price[i] = ask


@njit(cache=True, error_model="numpy")
def zi_u(sight, firms, rng_state, work):
    """ZI-U: one unit at a uniform price on [floor, ceiling], limited only by escrow."""
    for j in range(firms.size):
        i = firms[j]
        price = uniform_tick(rng_state, np.int64(sight.price_floor), np.int64(sight.price_ceiling))
        work.price[i] = price
        work.can_bid[i] = np.int64(np.floor(sight.coins[i])) >= price
        work.can_ask[i] = sight.allowances[i] >= 1
    random_sides(rng_state, firms, work)


@njit(cache=True, error_model="numpy")
def truthful(sight, firms, rng_state, work):
    """Truthful: one unit at value (bid) or cost (ask), on a random side, at safe ticks."""
    allowance_values(sight, firms, False, work.buy_value, work.sell_cost)
    limit_ticks(sight, firms, work)
    random_sides(rng_state, firms, work)
    for j in range(firms.size):
        i = firms[j]
        work.price[i] = work.bid_high[i] if work.side[i] == BID else work.ask_low[i]


@njit(cache=True, error_model="numpy")
def rule_quote(sight):
    """The rule-based trader's quote on either side: the tick nearest the expected price."""
    return quoted_tick(expected_price(sight))


@njit(cache=True, error_model="numpy")
def units_worth(sight, i, side, price, max_quantity):
    """How many units (up to ``max_quantity``) firm ``i`` finds worth trading at ``price``.

    Bids stop when the next unit's value falls below the price or the coins run out; asks
    when the next unit's cost rises above it or the free allowances run out.
    """
    short = bid_shortfall(sight, i, False, math.nan) if side == BID else ask_shortfall(sight, i)
    units = 0
    for u in range(max_quantity):
        if side == BID:
            worth = value_of_buying(sight, i, short - u) >= price
        else:
            worth = cost_of_selling(sight, i, short + u) <= price
        if not worth:
            break
        units += 1
    if side == BID:
        cap = sight.coins[i] // maximum(price, 1) if price > 0 else float(units)
    else:
        cap = np.floor(sight.allowances[i])
    return np.int64(minimum(float(units), cap))


@njit(cache=True, error_model="numpy")
def rule_based(sight, firms, max_quantity, work):
    """The rule-based trader's order for every firm, posted or not, into ``work``.

    Every firm quotes the tick nearest the expected price (:func:`rule_quote`): one whose
    value of one more allowance reaches it bids there, one whose cost of selling is at most
    that asks there; for the units worth that price.
    """
    allowance_values(sight, firms, False, work.buy_value, work.sell_cost)
    quote = np.int64(rule_quote(sight))
    for j in range(firms.size):
        i = firms[j]
        buy_gain, sell_gain = work.buy_value[i] - quote, quote - work.sell_cost[i]
        wants_bid = buy_gain >= 0
        wants_ask = sell_gain >= 0 and sight.allowances[i] >= 1
        side = ASK if wants_ask and (not wants_bid or sell_gain > buy_gain) else BID
        quantity = units_worth(sight, i, side, quote, max_quantity)
        work.side[i] = side
        work.price[i] = quote
        work.quantity[i] = quantity
        work.active[i] = (wants_bid or wants_ask) and quantity >= 1
