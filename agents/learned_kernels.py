"""The learned firm's corrections to the rule-based firm, as compiled kernels.

A learned firm decides what the rule-based producer and trader decide, then applies its
policy's actions to those decisions (``agents.learned_firm`` says what each action means).
Each kernel runs after the rule's kernel has written its decision into the round's work
arrays (``market.lanes.RoundScratch``) and corrects it there, at each firm's own index, so
the round kernel (``model.round_kernel``) plays learned firms as it plays the heuristics,
and the behaviour's Python methods call the same kernels for their own group.

``actions`` is indexed by firm: shape ``(n_firms, ACTION_SIZE)``, already clipped to
[-1, 1]; only the rows of the firms passed are read.

:func:`observe` writes each learned firm's observation (``agents.learned_firm.FIRM_FEATURES``)
from the market as it stands after a round: a market calls it for its own learned firms, a
batch for every lane's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.behaviour_kernels import BID, offsets, production, research, rule_based
from agents.valuation_kernels import allowance_values, bid_shortfall, expected_price
from market.book_kernels import NONE
from market.numerics import maximum, minimum

ACTION_SIZE = 6
#: The action entries: output, R&D, green project, order, quantity, price.
OUTPUT, RESEARCH, OFFSET, ORDER, QUANTITY, PRICE = range(ACTION_SIZE)
MAX_QUANTITY = 5
OFFSET_SHARE = 0.1  # largest move of a quote from the rule's, as a share of the price band
REVERSE = 0.5  # how far an action must push against a yes/no decision of the rule to reverse it
DEAD_ZONE = 0.25  # actions this close to zero leave a continuous decision of the rule unchanged


@njit(cache=True, error_model="numpy")
def dead_zone(action):
    """Zero within ``DEAD_ZONE`` of zero, else linear to +-1 at +-1 (a correction's size)."""
    return np.sign(action) * maximum(abs(action) - DEAD_ZONE, 0.0) / (1.0 - DEAD_ZONE)


@njit(cache=True, error_model="numpy")
def reverse(rule, action):
    """The rule's yes/no decision, reversed when ``action`` pushes past ``REVERSE`` against it."""
    return action >= -REVERSE if rule else action > REVERSE


@njit(cache=True, error_model="numpy")
def correct_output(sight, firms, actions, work):
    """The rule's output (``work.output``) as a share of capacity, moved by action 0 (units)."""
    for j in range(firms.size):
        i = firms[j]
        capacity = sight.capacity[i]
        share = work.output[i] / maximum(capacity, 1e-12)
        moved = minimum(maximum(share + dead_zone(actions[i, OUTPUT]), 0.0), 1.0)
        work.output[i] = moved * capacity


@njit(cache=True, error_model="numpy")
def correct_choices(firms, actions, entry, work):
    """The rule's yes/no choices (``work.chosen``), reversed where action ``entry`` says so."""
    for j in range(firms.size):
        i = firms[j]
        work.chosen[i] = reverse(work.chosen[i], actions[i, entry])


@njit(cache=True, error_model="numpy")
def learned_quotes(sight, firms, actions, work):
    """The rule's orders corrected by actions 3-5, clipped to what each firm can honour.

    Action 3 above ``REVERSE`` bids even where the rule would ask or stay out (at the rule's
    quote, one unit before the quantity correction), below ``-REVERSE`` posts nothing;
    action 4 moves the units, action 5 the price (within the band). A bid never locks more
    coins than the firm has, an ask never more allowances than it holds free. Writes
    ``work.side``, ``work.price``, ``work.quantity`` and ``work.active``.
    """
    rule_based(sight, firms, MAX_QUANTITY, work)  # every firm quoted at the rule's tick
    floor, ceiling = float(sight.price_floor), float(sight.price_ceiling)
    band = sight.price_ceiling - sight.price_floor
    for j in range(firms.size):
        i = firms[j]
        order = actions[i, ORDER]
        side, active = work.side[i], work.active[i]
        buying = order > REVERSE
        switched = buying and not (active and side == BID)
        if buying:
            side = BID
        move = np.rint(dead_zone(actions[i, PRICE]) * OFFSET_SHARE * band)
        price = minimum(maximum(work.price[i] + move, floor), ceiling)
        base = work.quantity[i] if active and not switched else 1
        more = np.rint(dead_zone(actions[i, QUANTITY]) * (MAX_QUANTITY - 1))
        wanted = minimum(maximum(base + more, 1.0), float(MAX_QUANTITY))
        if side == BID:
            honoured = sight.coins[i] // maximum(price, 1.0)
        else:
            honoured = np.floor(sight.allowances[i])
        quantity = minimum(wanted, honoured)
        work.side[i] = side
        work.price[i] = np.int64(price)
        work.quantity[i] = np.int64(quantity) if quantity >= 1 else 0
        work.active[i] = (active or buying) and order >= -REVERSE and quantity >= 1


#: What :func:`observe` reads besides the sight: ``book_top`` (int64) and ``scales`` (float64).
BEST_BID, LAST_PRICE, BID_VOLUME, ASK_VOLUME = range(4)
QUANTITY_SCALE, COIN_SCALE, STEPS_PER_YEAR, YEARS_GONE, MAX_ORDERS, RESEARCHES = range(6)
#: The levels of each side whose open allowances an observation sums.
DEPTH_LEVELS = 3
N_FEATURES = 22
LOWEST = -np.finfo(np.float64).max  # where numpy's nan_to_num puts minus infinity


@njit(cache=True, error_model="numpy")
def observe(sight, firms, escrow_coins, open_counts, book_top, scales, work, out):
    """The firms' observations after a round, one row each of ``out`` (float32, ``(k, 22)``).

    Args:
        sight: the market as the firms see it now (``agents.valuation_kernels.Sight``).
        firms: the learned firms, shape ``(k,)``.
        escrow_coins: every firm's coins locked in bids, shape ``(n_firms,)``.
        open_counts: every firm's open orders, shape ``(n_firms,)``.
        book_top: the best bid (``NONE``: none), the last trade's price (``NONE``: none) and
            the allowances open in the best :data:`DEPTH_LEVELS` levels of each side.
        scales: a firm's typical yearly emissions (t) and coins, the rounds a year, the
            share of the episode's years gone, the order limit, and whether firms research.
        work: the round's work arrays (``market.lanes.RoundScratch``); a round is not playing.
        out: the rows to write, in the order of ``firms``.
    """
    ceiling = float(sight.price_ceiling)
    quantity, coin_scale = scales[QUANTITY_SCALE], scales[COIN_SCALE]
    largest = maximum(sight.capacity.max(), 1e-12)
    best_bid, last = book_top[BEST_BID], book_top[LAST_PRICE]
    best_ask = sight.best_ask
    market = (
        best_bid / ceiling if best_bid != NONE else 0.0,
        1.0 if best_bid != NONE else 0.0,
        best_ask / ceiling if best_ask != NONE else 0.0,
        1.0 if best_ask != NONE else 0.0,
        book_top[BID_VOLUME] / quantity,
        book_top[ASK_VOLUME] / quantity,
        last / ceiling if last != NONE else 0.0,
        expected_price(sight) / ceiling,
    )
    rounds_left = sight.rounds_left / scales[STEPS_PER_YEAR]
    allowance_values(sight, firms, True, work.buy_value, work.sell_cost)
    for j in range(firms.size):
        i = firms[j]
        row = out[j]
        row[0] = (sight.allowances[i] + sight.escrow_allowances[i]) / quantity
        row[1] = bid_shortfall(sight, i, True, np.nan) / quantity
        row[2] = (sight.coins[i] + escrow_coins[i]) / coin_scale
        row[3] = sight.emission_rate[i]
        row[4] = sight.capacity[i] / largest
        row[5] = rounds_left
        row[6] = scales[YEARS_GONE]
        for m in range(8):
            row[7 + m] = market[m]
        row[15] = minimum(work.buy_value[i] / ceiling, 2.0)
        sell = work.sell_cost[i]
        if np.isnan(sell):
            sell = 0.0
        elif np.isinf(sell):
            sell = 2 * ceiling if sell > 0 else LOWEST
        row[16] = minimum(sell / ceiling, 2.0)
        row[17] = open_counts[i] / scales[MAX_ORDERS]
    # what the rule would do now: output share, R&D, green project, order side
    production(sight, firms, work)
    for j in range(firms.size):
        i = firms[j]
        out[j, 18] = work.output[i] / maximum(sight.capacity[i], 1e-12)
    rule_based(sight, firms, MAX_QUANTITY, work)
    for j in range(firms.size):
        i = firms[j]
        out[j, 21] = (1.0 if work.side[i] == BID else -1.0) * (1.0 if work.active[i] else 0.0)
    if scales[RESEARCHES] != 0.0:
        research(sight, firms, work)
    for j in range(firms.size):
        out[j, 19] = 1.0 if scales[RESEARCHES] != 0.0 and work.chosen[firms[j]] else 0.0
    offsets(sight, firms, work)
    for j in range(firms.size):
        out[j, 20] = 1.0 if work.chosen[firms[j]] else 0.0
