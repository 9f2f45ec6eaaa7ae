"""The order book as compiled kernels over fixed arrays: its layout, and removing orders.

One book per lane ``b`` of a batch; every array has the lane as its first axis. Prices are
integer ticks ``0 .. price_ceiling``, so each side of a book is a fixed array of price levels,
and each level a FIFO queue of order slots (a doubly linked list through the slots), which
gives price priority (the best level) and time priority (the queue) with no search.

Arrays of one batch (``BookArrays`` holds them; ``K`` = open-order capacity = firms x the
order limit, ``P`` = ticks, ``N`` = firms, ``M`` = the order limit, ``T`` = trade capacity):

* ``slots`` int64 ``(B, K, SLOT_FIELDS)``: one open order per used slot (``ID`` -1: free);
* ``levels`` int64 ``(B, 2, P, 3)``: per side and tick, the queue's head and tail slot and
  the open quantity;
* ``firm_slots`` int64 ``(B, N, M)``: each firm's open orders' slots in time order;
  ``firm_info`` int64 ``(B, N, 3)``: its open orders and its open quantity per side;
* ``free`` int64 ``(B, K)``: a stack of free slots;
* ``meta`` int64 ``(B, META_FIELDS)``: the next order id, the last trade price, the best bid
  and ask, the free slots left, the trades recorded, the floor, ceiling, duration and limit;
* ``trades`` int64 ``(B, T, TRADE_FIELDS)``: the trades, in execution order;
* ``acc`` float64 ``(B, 4, N)``: the firms' coins, allowances and their escrow
  (``market.accounts``), which the book moves in and out of escrow and settles.

``None`` prices (no trade yet, an empty side) are stored as -1. The kernels trust their
arguments' types and ranges (``market.order_book.OrderBook`` checks a person's input); they
check what depends on the state: the firm's order limit and the coins or allowances it has
free. They are written as loops over plain integers and floats, with every escrow and
settlement amount computed in the same order as the arithmetic of the rules in ``MODEL.md``,
so a book gives the same trades and the same balances, to the last bit, whatever drives it.

Here: the arrays' layout, withdrawing, cancelling, expiring and clearing orders, and the
book's depth; placing orders (escrow, matching, resting) is :mod:`market.book_matching`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from market.accounts import ALLOWANCES, COINS, ESCROW_ALLOWANCES, ESCROW_COINS

BID, ASK = 0, 1
NONE = -1

# slots[b, k, field]
ID, FIRM, SIDE, PRICE, QTY, ORIG, PLACED, EXPIRES, NEXT, PREV = range(10)
SLOT_FIELDS = 10
# levels[b, side, tick, field]
HEAD, TAIL, VOLUME = range(3)
# firm_info[b, firm, field]
COUNT, OPEN_BID, OPEN_ASK = range(3)
# meta[b, field]
NEXT_ID, LAST_PRICE, BEST_BID, BEST_ASK, N_FREE, N_TRADES, FLOOR, CEILING, DURATION, LIMIT = range(
    10
)
META_FIELDS = 10
# trades[b, t, field]
T_ROUND, T_BUYER, T_SELLER, T_PRICE, T_QTY, T_BUY_ID, T_SELL_ID, T_AGGRESSOR = range(8)
TRADE_FIELDS = 8
# What submit returns instead of an order id when the state refuses the order.
REFUSED_LIMIT, REFUSED_FUNDS = -1, -2


@njit(cache=True)
def reset(b, slots, levels, firm_slots, firm_info, free, meta):
    """Empty lane ``b``'s book (no escrow is touched: that is the caller's business)."""
    slots[b, :, ID] = NONE
    levels[b, :, :, HEAD] = NONE
    levels[b, :, :, TAIL] = NONE
    levels[b, :, :, VOLUME] = 0
    firm_info[b] = 0
    capacity = slots.shape[1]
    for k in range(capacity):
        free[b, k] = capacity - 1 - k
    meta[b, N_FREE] = capacity
    meta[b, BEST_BID] = NONE
    meta[b, BEST_ASK] = NONE


@njit(cache=True)
def best_after_emptying(b, side, levels, firm_info, meta):
    """The best level of ``side`` once its current best level has emptied (-1: none).

    The levels are walked from the emptied one outwards; when the firms are fewer than the
    levels to walk, their open quantities (``firm_info``, already without what just left)
    are summed first, and a side none of them holds anything on is empty without a walk.
    """
    price = meta[b, BEST_BID + side]
    ceiling = levels.shape[2] - 1
    n_firms = firm_info.shape[1]
    if n_firms < (price + 1 if side == BID else ceiling - price + 1):
        held = 0
        for firm in range(n_firms):
            held += firm_info[b, firm, OPEN_BID + side]
        if held == 0:
            meta[b, BEST_BID + side] = NONE
            return
    if side == BID:
        while price >= 0 and levels[b, BID, price, VOLUME] == 0:
            price -= 1
    else:
        while price <= ceiling and levels[b, ASK, price, VOLUME] == 0:
            price += 1
        if price > ceiling:
            price = NONE
    meta[b, BEST_BID + side] = price


@njit(cache=True)
def unlink(b, k, slots, levels, firm_slots, firm_info, free, meta):
    """Take slot ``k`` out of its level's queue and its firm's list, and free it."""
    side, price, firm = slots[b, k, SIDE], slots[b, k, PRICE], slots[b, k, FIRM]
    before, after = slots[b, k, PREV], slots[b, k, NEXT]
    if before == NONE:
        levels[b, side, price, HEAD] = after
    else:
        slots[b, before, NEXT] = after
    if after == NONE:
        levels[b, side, price, TAIL] = before
    else:
        slots[b, after, PREV] = before
    count = firm_info[b, firm, COUNT]
    shift = False
    for j in range(count):
        if shift:
            firm_slots[b, firm, j - 1] = firm_slots[b, firm, j]
        elif firm_slots[b, firm, j] == k:
            shift = True
    firm_info[b, firm, COUNT] = count - 1
    slots[b, k, ID] = NONE
    free[b, meta[b, N_FREE]] = k
    meta[b, N_FREE] += 1


@njit(cache=True)
def withdraw(b, k, slots, levels, firm_slots, firm_info, free, meta, acc):
    """Close open order ``k`` and return its escrow to the firm's free coins or allowances."""
    side, price, firm, quantity = (
        slots[b, k, SIDE],
        slots[b, k, PRICE],
        slots[b, k, FIRM],
        slots[b, k, QTY],
    )
    levels[b, side, price, VOLUME] -= quantity
    firm_info[b, firm, OPEN_BID + side] -= quantity
    if side == BID:
        amount = price * quantity
        acc[b, ESCROW_COINS, firm] -= amount
        acc[b, COINS, firm] += amount
    else:
        acc[b, ESCROW_ALLOWANCES, firm] -= quantity
        acc[b, ALLOWANCES, firm] += quantity
    unlink(b, k, slots, levels, firm_slots, firm_info, free, meta)
    if levels[b, side, price, VOLUME] == 0 and meta[b, BEST_BID + side] == price:
        best_after_emptying(b, side, levels, firm_info, meta)


@njit(cache=True)
def find(b, order_id, slots):
    """The slot of open order ``order_id`` in lane ``b``, or -1 if it is not open."""
    for k in range(slots.shape[1]):
        if slots[b, k, ID] == order_id:
            return k
    return NONE


@njit(cache=True)
def cancel_firm(b, firm, slots, levels, firm_slots, firm_info, free, meta, acc):
    """Cancel every open order of ``firm``, oldest first; return how many."""
    count = firm_info[b, firm, COUNT]
    for _ in range(count):
        withdraw(b, firm_slots[b, firm, 0], slots, levels, firm_slots, firm_info, free, meta, acc)
    return count


@njit(cache=True)
def expire(b, round_, slots, levels, firm_slots, firm_info, free, meta, acc, due, keys):
    """Remove every open order with ``expires <= round_``, by expiry round then id.

    ``due`` and ``keys`` are int64 work arrays of at least the book's capacity: the slots
    due and their order keys, sorted here by insertion (the keys are distinct, so any
    sort gives this order).
    """
    capacity = slots.shape[1]
    n = 0
    for k in range(capacity):
        if slots[b, k, ID] != NONE and slots[b, k, EXPIRES] <= round_:
            key = slots[b, k, EXPIRES] * meta[b, NEXT_ID] + slots[b, k, ID]
            j = n
            while j > 0 and keys[j - 1] > key:
                keys[j], due[j] = keys[j - 1], due[j - 1]
                j -= 1
            keys[j], due[j] = key, k
            n += 1
    for j in range(n):
        withdraw(b, due[j], slots, levels, firm_slots, firm_info, free, meta, acc)
    return n


@njit(cache=True)
def clear(b, slots, levels, firm_slots, firm_info, free, meta, acc):
    """Remove every open order and refund every escrow at once (year end); return how many."""
    removed = slots.shape[1] - meta[b, N_FREE]
    for i in range(acc.shape[2]):
        acc[b, COINS, i] += acc[b, ESCROW_COINS, i]
        acc[b, ESCROW_COINS, i] = 0.0
        acc[b, ALLOWANCES, i] += acc[b, ESCROW_ALLOWANCES, i]
        acc[b, ESCROW_ALLOWANCES, i] = 0.0
    reset(b, slots, levels, firm_slots, firm_info, free, meta)
    return removed


@njit(cache=True)
def top_volume(b, side, max_levels, levels, meta):
    """Allowances open in the best ``max_levels`` levels of ``side`` (what :func:`depth` sums)."""
    ticks = levels.shape[2]
    total, n = 0, 0
    price = meta[b, BEST_BID + side]
    step = -1 if side == BID else 1
    while price != NONE and 0 <= price < ticks and n < max_levels:
        if levels[b, side, price, VOLUME] > 0:
            total += levels[b, side, price, VOLUME]
            n += 1
        price += step
    return total


@njit(cache=True)
def depth(b, side, max_levels, levels, meta):
    """The best ``max_levels`` levels of ``side`` (all when negative): ``(prices, volumes)``."""
    ticks = levels.shape[2]
    prices = np.empty(ticks, dtype=np.int64)
    volumes = np.empty(ticks, dtype=np.int64)
    n = 0
    price = meta[b, BEST_BID + side]
    step = -1 if side == BID else 1
    while price != NONE and 0 <= price < ticks and (max_levels < 0 or n < max_levels):
        if levels[b, side, price, VOLUME] > 0:
            prices[n] = price
            volumes[n] = levels[b, side, price, VOLUME]
            n += 1
        price += step
    return prices[:n], volumes[:n]
