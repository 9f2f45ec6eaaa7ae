"""A batch's year end in one compiled call: every lane's book cleared and compliance settled.

:func:`settle_lanes` runs, for every lane of a batch's arrays, what ``CarbonMarket.end_year``
runs for one market: the order book's clear (``market.book_kernels.clear``, every escrow
refunded) and then the firms' settlement (``market.firm_kernels.settle_compliance``), the
same kernels, looped over the lanes without Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from market import book_kernels as book
from market import firm_kernels as firms
from market.accounts import ALLOWANCES, COINS
from market.enterprises import FLOAT_ROW

(YTD_EMISSIONS, YTD_OUTPUT, BASELINE, OWED, ABATEMENT, EMITTED, SURRENDERED, LAST_EMISSIONS,
 LAST_OUTPUT) = (FLOAT_ROW[name] for name in (
    "ytd_emissions", "ytd_output", "baseline_emissions", "owed", "abatement_cost",
    "emitted_total", "surrendered_total", "last_year_emissions", "last_year_output"))  # fmt: skip


@njit(cache=True)
def settle_lanes(slots, levels, firm_slots, firm_info, free, meta, acc, floats, penalty,
                 production, banking, make_good):  # fmt: skip
    """Clear every lane's book, then settle every lane's compliance (the year's end).

    Args:
        slots: the books' order slots (``market.order_book.BookArrays``, as ``core``).
        levels: the books' price levels.
        firm_slots: each firm's order slots.
        firm_info: each firm's open-order counts.
        free: the books' free slots.
        meta: the books' scalars.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        floats: the firms' float columns, ``(lanes, 15, n_firms)``.
        penalty: each lane's penalty per uncovered tonne (coins), shape ``(lanes,)``.
        production: whether each lane's firms produce (else baseline emissions), bool.
        banking: whether each lane's allowances carry over to the next year, bool.
        make_good: whether each lane's uncovered tonnes are owed the next year, bool.

    Returns:
        Per lane, ``(emissions, abated, surrendered, shortfall, penalties, abatement_spent,
        expired)`` (``market.enterprises.ComplianceResult``), shape ``(lanes, 7)``.
    """
    lanes = acc.shape[0]
    out = np.empty((lanes, 7))
    for b in range(lanes):
        book.clear(b, slots, levels, firm_slots, firm_info, free, meta, acc)
        f = floats[b]
        emissions, abated, surrendered, shortfall, penalties, spent, expired = (
            firms.settle_compliance(
                acc[b, COINS], acc[b, ALLOWANCES], f[YTD_EMISSIONS], f[YTD_OUTPUT], f[BASELINE],
                f[OWED], f[ABATEMENT], f[EMITTED], f[SURRENDERED], f[LAST_EMISSIONS],
                f[LAST_OUTPUT], penalty[b], production[b], banking[b], make_good[b])
        )  # fmt: skip
        out[b, 0], out[b, 1], out[b, 2], out[b, 3] = emissions, abated, surrendered, shortfall
        out[b, 4], out[b, 5], out[b, 6] = penalties, spent, expired
    return out
