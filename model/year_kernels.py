"""A year's end as compiled calls over lanes: books cleared, compliance settled, the year closed.

:func:`settle_lanes` runs, for every lane of a batch's arrays, what ``CarbonMarket.end_year``
runs for one market: the order book's clear (``market.book_kernels.clear``, every escrow
refunded) and then the firms' settlement (``market.firm_kernels.settle_compliance``), the
same kernels, looped over the lanes without Python. :func:`close_years` then writes each
market's settled year into its table of years (:data:`YEAR_COLUMNS`) and tallies it; a
market calls it for its one lane, a batch for all.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numba import njit

from market import book_kernels as book
from market import firm_kernels as firms
from market import tallies
from market.accounts import ALLOWANCES, COINS
from market.enterprises import FLOAT_ROW, ComplianceResult

#: What each compliance year's settlement did (:class:`market.enterprises.ComplianceResult`).
COMPLIANCE_FIELDS = tuple(field.name for field in dataclasses.fields(ComplianceResult))
#: The columns of a market's table of years: the year, its release (allowances), the year's
#: VWAP (coins per allowance, nan without trades), its volume (allowances) and its settlement.
YEAR_COLUMNS = ("year", "release", "price", "volume", *COMPLIANCE_FIELDS)
SETTLED = len(YEAR_COLUMNS) - len(COMPLIANCE_FIELDS)  # the settlement's first column
_PENALTIES, _SPENT, _EXPIRED = (
    COMPLIANCE_FIELDS.index(name) for name in ("penalties", "abatement_spent", "expired")
)


def empty_years(lanes: int, years: int) -> np.ndarray:
    """The tables of years of ``lanes`` markets, shape ``(lanes, years, len(YEAR_COLUMNS))``."""
    return np.full((lanes, years, len(YEAR_COLUMNS)), np.nan)


(YTD_EMISSIONS, YTD_OUTPUT, BASELINE, OWED, ABATEMENT, EMITTED, SURRENDERED, LAST_EMISSIONS,
 LAST_OUTPUT) = (FLOAT_ROW[name] for name in (
    "ytd_emissions", "ytd_output", "baseline_emissions", "owed", "abatement_cost",
    "emitted_total", "surrendered_total", "last_year_emissions", "last_year_output"))  # fmt: skip


@njit(cache=True)
def settle_lanes(slots, levels, firm_slots, firm_info, free, meta, acc, floats, penalty,
                 production, banking, make_good):  # fmt: skip
    """Clear every lane's book, then settle every lane's compliance (the year's end).

    Args:
        slots: the books' order slots (``market.book_arrays.BookArrays``, as ``core``).
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


@njit(cache=True)
def close_years(year, tally, years, settled):
    """Write markets' settled ``year`` into their tables of years and tally the settlement.

    Args:
        year: the compliance year settled (from 0).
        tally: the markets' tallies (:mod:`market.tallies`), shape ``(markets, TALLIES)``,
            changed in place: the year's value and volume start again, the penalties,
            abatement and expired allowances add up, one more year is settled.
        years: the markets' tables of years, shape ``(markets, rows, len(YEAR_COLUMNS))``;
            each market's next row (its ``years_settled``) is written.
        settled: each market's settlement, shape ``(markets, len(COMPLIANCE_FIELDS))``.
    """
    for b in range(tally.shape[0]):
        t = tally[b]
        row = years[b, np.int64(t[tallies.YEARS_SETTLED])]
        volume = t[tallies.YEAR_VOLUME]
        row[0], row[1], row[3] = year, t[tallies.RELEASE], volume
        row[2] = t[tallies.YEAR_VALUE] / volume if volume > 0 else math.nan
        for k in range(settled.shape[1]):
            row[SETTLED + k] = settled[b, k]
        t[tallies.YEAR_VALUE] = t[tallies.YEAR_VOLUME] = 0.0
        t[tallies.PENALTIES] += settled[b, _PENALTIES]
        t[tallies.ABATEMENT] += settled[b, _SPENT]
        t[tallies.EXPIRED] += settled[b, _EXPIRED]
        t[tallies.YEARS_SETTLED] += 1
