"""Placing orders in the array order book: escrow, matching, resting, a round's submission.

The continuous double auction's placing rules over the book's arrays (their layout is in
:mod:`market.book_kernels`, with the kernels that remove orders): an order's escrow is taken,
it trades against the best opposite levels at the resting orders' prices (a resting order
of the same firm met on the way is withdrawn: self-trade prevention), and what is left rests
at the back of its level's queue. :func:`submit_all` submits a whole round's quotes in a
random order drawn from the market's generator.
"""

from __future__ import annotations

from numba import njit

from market import random_kernels as rk
from market.accounts import ALLOWANCES, COINS, ESCROW_ALLOWANCES, ESCROW_COINS
from market.book_kernels import (
    BEST_BID,
    BID,
    CEILING,
    COUNT,
    DURATION,
    EXPIRES,
    FIRM,
    FLOOR,
    HEAD,
    ID,
    LAST_PRICE,
    LIMIT,
    N_FREE,
    N_TRADES,
    NEXT,
    NEXT_ID,
    NONE,
    OPEN_BID,
    ORIG,
    PLACED,
    PREV,
    PRICE,
    QTY,
    REFUSED_FUNDS,
    REFUSED_LIMIT,
    SIDE,
    T_AGGRESSOR,
    T_BUY_ID,
    T_BUYER,
    T_PRICE,
    T_QTY,
    T_ROUND,
    T_SELL_ID,
    T_SELLER,
    TAIL,
    VOLUME,
    best_after_emptying,
    cancel_firm,
    unlink,
    withdraw,
)


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
            unlink(b, k, slots, levels, firm_slots, firm_info, free, meta)
            if levels[b, other, best, VOLUME] == 0:
                best_after_emptying(b, other, levels, firm_info, meta)
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
