"""The learned firm's corrections to the rule-based firm, as compiled kernels.

A learned firm decides what the rule-based producer and trader decide, then applies its
policy's actions to those decisions (``agents.learned_firm`` says what each action means).
Each kernel runs after the rule's kernel has written its decision into the round's work
arrays (``market.lanes.RoundScratch``) and corrects it there, at each firm's own index, so
the round kernel (``model.round_kernel``) plays learned firms as it plays the heuristics,
and the behaviour's Python methods call the same kernels for their own group.

``actions`` is indexed by firm: shape ``(n_firms, ACTION_SIZE)``, already clipped to
[-1, 1]; only the rows of the firms passed are read.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.behaviour_kernels import BID, rule_based
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
