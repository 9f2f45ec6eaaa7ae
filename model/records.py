"""What each round leaves in the records, written by one kernel into arrays that grow.

At the end of every round :func:`record_round` computes the market's measures
(:data:`MEASURES`) and, when asked, every firm's columns (:data:`FIRM_NUMBERS`), straight from
the state arrays the round kernels change, into one row of :class:`RoundRecords`. Nothing is
turned into Python objects then: Mesa's DataCollector reads the rows as lists when someone
asks (``model.datacollection``), so recording a round costs one compiled call.

Units: prices in coins per allowance (``price`` is the round's VWAP, nan without trades),
volumes and budgets in allowances, emissions and over-emission in tonnes, productivity and
welfare in coins per firm; equality and allocative efficiency are fractions (MODEL.md).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from market import book_kernels as book
from market import metrics, tallies
from market.accounts import ALLOWANCES, COINS, ESCROW_ALLOWANCES, ESCROW_COINS
from market.enterprises import FLOAT_ROW, INT_COLUMNS
from market.numerics import maximum, pairwise_sum

#: The market's measures of a round, columns of :attr:`RoundRecords.measures`.
MEASURES = (
    "round",
    "year",
    "price",
    "last_price",
    "expected_price",
    "volume",
    "best_bid",
    "best_ask",
    "spread",
    "output",
    "emissions",
    "emissions_this_year",
    "release",
    "remaining_budget",
    "over_emission",
    "mean_emission_rate",
    "green_projects",
    "productivity",
    "equality",
    "welfare",
    "allocative_efficiency",
)
(ROUND, YEAR, PRICE, LAST_PRICE, EXPECTED, VOLUME, BEST_BID, BEST_ASK, SPREAD, OUTPUT, EMISSIONS,
 EMISSIONS_THIS_YEAR, RELEASE, REMAINING, OVER_EMISSION, MEAN_RATE, GREEN, PRODUCTIVITY,
 EQUALITY, WELFARE, EFFICIENCY) = range(len(MEASURES))  # fmt: skip
MEASURE_INDEX = {name: k for k, name in enumerate(MEASURES)}

#: Measures that are whole numbers, and those that are missing (None) when nan.
WHOLE = frozenset({"round", "year", "volume", "green_projects", "last_price", "best_bid",
                   "best_ask", "spread"})  # fmt: skip
MAY_BE_MISSING = frozenset({"last_price", "expected_price", "best_bid", "best_ask", "spread"})
_CONVERTED = WHOLE | MAY_BE_MISSING

#: Every firm's numbers in a round, rows of one entry of :attr:`RoundRecords.firms`: coins
#: and allowances (free and escrowed), t/unit, units, t, t, whole units of knowledge, orders.
FIRM_NUMBERS = (
    "coins",
    "allowances",
    "emission_rate",
    "output",
    "emissions_this_year",
    "over_emission",
    "knowledge",
    "open_orders",
)

_RATE, _OUTPUT, _YTD, _EMITTED, _SURRENDERED = (
    FLOAT_ROW["emission_rate"],
    FLOAT_ROW["output"],
    FLOAT_ROW["ytd_emissions"],
    FLOAT_ROW["emitted_total"],
    FLOAT_ROW["surrendered_total"],
)
_KNOWLEDGE = INT_COLUMNS.index("knowledge")


@njit(cache=True)
def _price_or_nan(tick):
    """A price tick of the book's metadata as a float, nan for none."""
    return math.nan if tick == book.NONE else float(tick)


@njit(cache=True, error_model="numpy")
def record_round(b, row, firm_row, steps, year, tally, efficiency, climate_coefficient, floats,
                 ints, acc, firm_info, meta, green, out, firm_out):  # fmt: skip
    """Write lane ``b``'s measures into ``out[row]`` and, if ``firm_row >= 0``, its firms'.

    Args:
        b: the market's lane.
        row: the measures' row.
        firm_row: the firms' entry (negative: none this round).
        steps: rounds played.
        year: the compliance year (from 0).
        tally: the market's tallies (:mod:`market.tallies`): the round's VWAP (nan: no
            trade), volume and emissions, the price expectation after it (nan: none), this
            year's release and what remains of the budget.
        efficiency: the textbook year's allocative efficiency so far (nan elsewhere).
        climate_coefficient: the welfare's c (1/t).
        floats: the firms' float columns, ``(lanes, 15, n_firms)``.
        ints: the firms' integer columns, ``(lanes, 2, n_firms)``.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        firm_info: the books' per-firm order counts, ``(lanes, n_firms, 3)``.
        meta: the books' metadata, ``(lanes, META_FIELDS)``.
        green: green projects completed per lane, ``(lanes,)``.
        out: the measures, shape ``(rows, len(MEASURES))``.
        firm_out: the firms' numbers, shape ``(entries, len(FIRM_NUMBERS), n_firms)``.
    """
    f, a = floats[b], acc[b]
    n = f.shape[1]
    wealth = np.empty(n)
    over = np.empty(n)
    for i in range(n):
        wealth[i] = a[COINS, i] + a[ESCROW_COINS, i]
        over[i] = maximum(f[_EMITTED, i] - f[_SURRENDERED, i], 0.0)
    productivity = metrics.productivity_of(wealth)
    equality = metrics.equality_of(wealth)
    over_emission = pairwise_sum(over)
    bid, ask = meta[b, book.BEST_BID], meta[b, book.BEST_ASK]
    m = out[row]
    m[ROUND], m[YEAR] = steps, year
    m[PRICE], m[EXPECTED] = tally[tallies.ROUND_PRICE], tally[tallies.EXPECTED]
    m[LAST_PRICE] = _price_or_nan(meta[b, book.LAST_PRICE])
    m[VOLUME], m[EMISSIONS] = tally[tallies.ROUND_VOLUME], tally[tallies.ROUND_EMISSIONS]
    m[RELEASE], m[REMAINING] = tally[tallies.RELEASE], tally[tallies.REMAINING]
    m[BEST_BID], m[BEST_ASK] = _price_or_nan(bid), _price_or_nan(ask)
    m[SPREAD] = math.nan if bid == book.NONE or ask == book.NONE else float(ask - bid)
    m[OUTPUT] = pairwise_sum(f[_OUTPUT])
    m[EMISSIONS_THIS_YEAR] = pairwise_sum(f[_YTD])
    m[OVER_EMISSION] = over_emission
    m[MEAN_RATE] = pairwise_sum(f[_RATE]) / n
    m[GREEN] = green[b]
    m[PRODUCTIVITY], m[EQUALITY] = productivity, equality
    m[WELFARE] = metrics.welfare_of(equality, productivity, over_emission, climate_coefficient)
    m[EFFICIENCY] = efficiency
    if firm_row >= 0:
        numbers = firm_out[firm_row]
        for i in range(n):
            numbers[0, i] = wealth[i]
            numbers[1, i] = a[ALLOWANCES, i] + a[ESCROW_ALLOWANCES, i]
            numbers[2, i] = f[_RATE, i]
            numbers[3, i] = f[_OUTPUT, i]
            numbers[4, i] = f[_YTD, i]
            numbers[5, i] = over[i]
            numbers[6, i] = ints[b, _KNOWLEDGE, i]
            numbers[7, i] = firm_info[b, i, book.COUNT]


@njit(cache=True, error_model="numpy")
def record_lanes(rows, firm_rows, steps, year, tally, efficiency, climate_coefficient, floats,
                 ints, acc, firm_info, meta, green, out, firm_out):  # fmt: skip
    """:func:`record_round` of every lane of a batch, into each lane's records.

    The arguments are :func:`record_round`'s with a leading lane axis where that one takes a
    lane's: ``rows`` and ``firm_rows`` ``(lanes,)`` (a negative firm row: none), ``tally``
    ``(lanes, len(TALLIES))``, ``efficiency`` and ``climate_coefficient`` ``(lanes,)``,
    ``out`` ``(lanes, rows, len(MEASURES))`` and ``firm_out`` ``(lanes, entries,
    len(FIRM_NUMBERS), n_firms)``.
    """
    for b in range(tally.shape[0]):
        record_round(b, rows[b], firm_rows[b], steps, year, tally[b], efficiency[b],
                     climate_coefficient[b], floats, ints, acc, firm_info, meta, green, out[b],
                     firm_out[b])  # fmt: skip


def as_measure(name: str, value: float) -> float | int | None:
    """A recorded number as the measure it is: an int, a float, or None when missing."""
    if name in MAY_BE_MISSING and math.isnan(value):
        return None
    return int(value) if name in WHOLE else value


class RoundRecords:
    """Every round's measures and (some rounds') firm numbers, rows appended by the kernel.

    Args:
        n_firms: firms in the market.

    Attributes:
        measures: one row per recorded round (row 0: the state before the first round),
            shape ``(capacity, len(MEASURES))``; rows ``0 .. rows - 1`` are filled.
        firms: the firms' numbers, shape ``(capacity, len(FIRM_NUMBERS), n_firms)``;
            entries ``0 .. firm_rows - 1`` are filled.
    """

    def __init__(self, n_firms: int) -> None:
        self.measures = np.empty((64, len(MEASURES)))
        self.firms = np.empty((8, len(FIRM_NUMBERS), n_firms))
        self.rows = self.firm_rows = 0
        self._columns: tuple[int, dict[str, list]] = (-1, {})

    def next_rows(self, with_firms: bool) -> tuple[int, int]:
        """Make room for one more round; its measures' row and firms' entry (-1: none)."""
        if self.rows == len(self.measures):
            self.measures = _grown(self.measures)
        if not with_firms:
            return self.rows, -1
        if self.firm_rows == len(self.firms):
            self.firms = _grown(self.firms)
        return self.rows, self.firm_rows

    def added(self, with_firms: bool) -> None:
        """Count the round just written."""
        self.rows += 1
        self.firm_rows += with_firms

    def latest(self) -> dict[str, float | int | None]:
        """The last round's measures by name."""
        row = self.measures[self.rows - 1].tolist()
        return {name: as_measure(name, value) for name, value in zip(MEASURES, row, strict=True)}

    def latest_measure(self, name: str) -> float | int | None:
        """One of the last round's measures (``MEASURES``), read without the others."""
        return as_measure(name, float(self.measures[self.rows - 1, MEASURE_INDEX[name]]))

    def columns(self) -> dict[str, list[float | int | None]]:
        """Every round's measures, one list per name (Mesa's ``model_vars`` layout).

        The lists are built once per round recorded and shared by later calls until the next
        round; the dict around them is new each time.
        """
        if self._columns[0] != self.rows:
            table = self.measures[: self.rows].T.tolist()
            self._columns = (
                self.rows,
                {
                    name: [as_measure(name, v) for v in values] if name in _CONVERTED else values
                    for name, values in zip(MEASURES, table, strict=True)
                },
            )
        return dict(self._columns[1])


def _grown(array: np.ndarray) -> np.ndarray:
    """``array`` with twice the rows, the old ones copied."""
    grown = np.empty((2 * len(array), *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
