"""The order book as compiled kernels over fixed arrays: the continuous double auction's rules.

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
"""

from __future__ import annotations

import numpy as np
from numba import njit

from market import random_kernels as rk
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
def _best_after_emptying(b, side, levels, firm_info, meta):
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
def _unlink(b, k, slots, levels, firm_slots, firm_info, free, meta):
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
    _unlink(b, k, slots, levels, firm_slots, firm_info, free, meta)
    if levels[b, side, price, VOLUME] == 0 and meta[b, BEST_BID + side] == price:
        _best_after_emptying(b, side, levels, firm_info, meta)


@njit(cache=True)
def _settle(b, buyer, seller, bid_price, price, fill, acc):
    """Move ``fill`` allowances and their payment at ``price`` out of escrow.

    The buyer's escrow held ``bid_price`` coins per allowance; what exceeds the execution
    price goes back to its free coins.
    """
    acc[b, ESCROW_COINS, buyer] -= bid_price * fill
    if bid_price != price:
        acc[b, COINS, buyer] += (bid_price - price) * fill
    acc[b, ALLOWANCES, buyer] += fill
    acc[b, ESCROW_ALLOWANCES, seller] -= fill
    acc[b, COINS, seller] += price * fill


@njit(cache=True)
def submit(
    b,
    firm,
    side,
    price,
    quantity,
    round_,
    slots,
    levels,
    firm_slots,
    firm_info,
    free,
    meta,
    trades,
    acc,
):
    """Place a limit order: escrow it, match it against the book, rest what is left.

    A trade executes at the resting order's price; a resting order of the same firm met on
    the way is cancelled and refunded (self-trade prevention), so the book is never crossed.

    Returns:
        The new order's id (also when it filled at once), or ``REFUSED_LIMIT`` when the firm
        has its limit of open orders, or ``REFUSED_FUNDS`` when its free coins (bid) or
        allowances (ask) cannot cover the escrow; then nothing changed.
    """
    if firm_info[b, firm, COUNT] >= meta[b, LIMIT]:
        return REFUSED_LIMIT
    if side == BID:
        amount = price * quantity
        available = acc[b, COINS, firm]
        if available < amount:
            return REFUSED_FUNDS
        acc[b, COINS, firm] = available - amount
        acc[b, ESCROW_COINS, firm] += amount
    else:
        available = acc[b, ALLOWANCES, firm]
        if available < quantity:
            return REFUSED_FUNDS
        acc[b, ALLOWANCES, firm] = available - quantity
        acc[b, ESCROW_ALLOWANCES, firm] += quantity
    order_id = meta[b, NEXT_ID]
    meta[b, NEXT_ID] = order_id + 1
    remaining = quantity
    other = 1 - side
    while remaining > 0:
        best = meta[b, BEST_BID + other]
        if best == NONE or (best > price if side == BID else best < price):
            break
        k = levels[b, other, best, HEAD]
        resting_firm = slots[b, k, FIRM]
        if resting_firm == firm:
            withdraw(b, k, slots, levels, firm_slots, firm_info, free, meta, acc)
            continue
        fill = min(remaining, slots[b, k, QTY])
        if side == BID:
            buyer, seller, bid_price = firm, resting_firm, price
            buy_id, sell_id = order_id, slots[b, k, ID]
        else:
            buyer, seller, bid_price = resting_firm, firm, best
            buy_id, sell_id = slots[b, k, ID], order_id
        _settle(b, buyer, seller, bid_price, best, fill, acc)
        t = meta[b, N_TRADES]
        trades[b, t, T_ROUND] = round_
        trades[b, t, T_BUYER] = buyer
        trades[b, t, T_SELLER] = seller
        trades[b, t, T_PRICE] = best
        trades[b, t, T_QTY] = fill
        trades[b, t, T_BUY_ID] = buy_id
        trades[b, t, T_SELL_ID] = sell_id
        trades[b, t, T_AGGRESSOR] = side
        meta[b, N_TRADES] = t + 1
        meta[b, LAST_PRICE] = best
        remaining -= fill
        slots[b, k, QTY] -= fill
        levels[b, other, best, VOLUME] -= fill
        firm_info[b, resting_firm, OPEN_BID + other] -= fill
        if slots[b, k, QTY] == 0:
            _unlink(b, k, slots, levels, firm_slots, firm_info, free, meta)
            if levels[b, other, best, VOLUME] == 0:
                _best_after_emptying(b, other, levels, firm_info, meta)
    if remaining > 0:
        _rest(
            b,
            order_id,
            firm,
            side,
            price,
            remaining,
            quantity,
            round_,
            slots,
            levels,
            firm_slots,
            firm_info,
            free,
            meta,
        )
    return order_id


@njit(cache=True)
def _rest(
    b,
    order_id,
    firm,
    side,
    price,
    remaining,
    quantity,
    round_,
    slots,
    levels,
    firm_slots,
    firm_info,
    free,
    meta,
):
    """Queue the unfilled part of an order at the back of its price level."""
    meta[b, N_FREE] -= 1
    k = free[b, meta[b, N_FREE]]
    slots[b, k, ID] = order_id
    slots[b, k, FIRM] = firm
    slots[b, k, SIDE] = side
    slots[b, k, PRICE] = price
    slots[b, k, QTY] = remaining
    slots[b, k, ORIG] = quantity
    slots[b, k, PLACED] = round_
    slots[b, k, EXPIRES] = round_ + meta[b, DURATION]
    tail = levels[b, side, price, TAIL]
    slots[b, k, PREV] = tail
    slots[b, k, NEXT] = NONE
    if tail == NONE:
        levels[b, side, price, HEAD] = k
    else:
        slots[b, tail, NEXT] = k
    levels[b, side, price, TAIL] = k
    levels[b, side, price, VOLUME] += remaining
    count = firm_info[b, firm, COUNT]
    firm_slots[b, firm, count] = k
    firm_info[b, firm, COUNT] = count + 1
    firm_info[b, firm, OPEN_BID + side] += remaining
    best = meta[b, BEST_BID + side]
    if best == NONE or (price > best if side == BID else price < best):
        meta[b, BEST_BID + side] = price


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


@njit(cache=True)
def submit_all(
    b,
    rng_state,
    firms,
    sides,
    prices,
    quantities,
    round_,
    slots,
    levels,
    firm_slots,
    firm_info,
    free,
    meta,
    trades,
    acc,
    order,
):
    """Submit a round's quotes (one per firm at most) in random order; return those refused.

    The quotes go in in an order drawn from ``rng_state`` (a permutation, written into the
    int64 work array ``order``, at least as long as the quotes). A firm keeps one live
    quote: it withdraws its open orders just before it posts (so the others' quotes from
    earlier rounds still stand). A quote outside the price band or for no allowance is
    refused, as is one the firm's free holdings do not allow. ``trades`` must have room for
    ``len(firms) + capacity`` more trades.
    """
    refused = 0
    rk.shuffled_range(rng_state, order, firms.size)
    for n in range(firms.size):
        j = order[n]
        firm = firms[j]
        cancel_firm(b, firm, slots, levels, firm_slots, firm_info, free, meta, acc)
        price = prices[j]
        if price < meta[b, FLOOR] or price > meta[b, CEILING] or quantities[j] < 1:
            refused += 1
            continue
        placed = submit(
            b,
            firm,
            sides[j],
            price,
            quantities[j],
            round_,
            slots,
            levels,
            firm_slots,
            firm_info,
            free,
            meta,
            trades,
            acc,
        )
        if placed < 0:
            refused += 1
    return refused
