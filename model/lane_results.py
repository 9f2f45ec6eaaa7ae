"""A batch's results read from its arrays, lane by lane, without building the lanes' markets.

A lane of a :class:`~model.batch.MarketBatch` keeps everything its episode's results are
made of in the batch's arrays: its tallies (allowances issued, penalties, abatement spent,
orders refused, trades in the ledger), its table of years (each year's settlement), its
firms' columns (tonnes emitted), its trades and, in the block's records, its measures at
the start and at every year's end. :func:`lane_results` reads them there, so a sweep or an
evaluation that only wants the numbers does not pay for a Mesa market per lane (its agents,
data collector and view) after the run. A lane whose market was built anyway (its policy
decides in Python, it is a textbook market measuring its efficiency, or someone read it) is
read from the same arrays, its records and efficiencies from its market.

The figures are exactly :func:`model.episode.episode_summary`'s and each year's are
:func:`year_rows`' of the built market (``tests/model/test_lane_results.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from market import metrics
from market import tallies as tally
from market.accounts import COINS, ESCROW_COINS
from market.book_kernels import T_PRICE, T_QTY, T_ROUND
from market.enterprises import FLOAT_ROW
from model.batch import MarketBatch
from model.block import Block
from model.compliance_year import RECORD_COLUMNS
from model.records import MEASURES, as_measure
from model.year_kernels import COMPLIANCE_FIELDS, SETTLED

_ROUND, _GREEN = MEASURES.index("round"), MEASURES.index("green_projects")
_EMITTED = FLOAT_ROW["emitted_total"]
_LATEST = ("welfare", "equality", "productivity", "over_emission")
(_EMISSIONS, _SHORTFALL, _PENALTIES, _SPENT) = (
    SETTLED + COMPLIANCE_FIELDS.index(name)
    for name in ("emissions", "shortfall", "penalties", "abatement_spent")
)


@dataclass(frozen=True)
class LaneResult:
    """One lane's episode, measured.

    Attributes:
        policy: the government policy the lane's market played (its scenario's).
        summary: :func:`model.episode.episode_summary`'s metrics (not its ``scenario``,
            ``policy`` and ``rounds``), None where undefined.
        years: one dict per compliance year (:func:`year_rows`).
        year_records: ``CarbonMarket.year_records``: each settled year's release, price,
            volume, emissions, shortfall and penalties.
        profit: each firm's coins (free and escrowed) gained over the episode, shape
            ``(n_firms,)``.
    """

    policy: str
    summary: dict[str, float | int | None]
    years: list[dict[str, float]]
    year_records: list[dict[str, float]]
    profit: np.ndarray


def lane_results(batch: MarketBatch) -> list[LaneResult]:
    """Every lane's results, in the order of the batch's seeds, read from its arrays.

    Args:
        batch: a batch that has played all its years (:meth:`MarketBatch.run`).
    """
    return [_lane_result(*batch.markets.place(i)) for i in range(len(batch.markets))]


def _lane_result(block: Block, b: int) -> LaneResult:
    arrays, start = block.arrays, block.starts[b]
    tallied = arrays.tallies[b]
    settled = int(tallied[tally.YEARS_SETTLED])
    market = block.built(b)
    if market is None:  # a year's end is recorded in each row after the opening one
        measures = block.records.measures[b, : 1 + settled]
        efficiency: Sequence[float] = []  # only textbook lanes measure it, and they are built
    else:
        kept = market.datacollector.records
        measures, efficiency = kept.measures[: kept.rows], market.efficiency_by_year
    trades = arrays.book.trades[b, : int(tallied[tally.TRADES_SEEN])]
    latest = dict(zip(MEASURES, measures[-1].tolist(), strict=True))
    summary = {name: as_measure(name, latest[name]) for name in _LATEST}
    years = [e for e in efficiency if not math.isnan(e)]
    summary |= {
        "total_emissions": float(arrays.firms.floats[b, _EMITTED].sum()),
        "mean_price": metrics.vwap(trades[:, T_PRICE], trades[:, T_QTY]) if len(trades) else None,
        "volume": int(trades[:, T_QTY].sum()) if len(trades) else 0,
        "allowances_issued": float(tallied[tally.ISSUED]),
        "penalties_paid": float(tallied[tally.PENALTIES]),
        "abatement_cost": float(tallied[tally.ABATEMENT]),
        "allocative_efficiency": float(np.mean(years)) if years else None,
        "green_projects": int(arrays.firms.green[b]),
        "rejected_orders": int(tallied[tally.REFUSED]),
    }
    steps_per_year = start.config.steps_per_year
    table = block.year_table[b, :settled]
    accounts = arrays.accounts[b]
    return LaneResult(
        policy=start.loaded.government.policy,
        summary=summary,
        year_records=[
            {"year": int(row[0])} | {name: row[k] for name, k in RECORD_COLUMNS.items()}
            for row in table.tolist()
        ],
        profit=accounts[COINS] + accounts[ESCROW_COINS] - block.initial_coins[b],
        years=year_rows(
            table,
            measures,
            trades[:, T_ROUND] // steps_per_year,
            trades[:, T_QTY],
            trades[:, T_PRICE],
            efficiency,
            steps_per_year,
        ),
    )


def year_rows(
    year_table: np.ndarray,
    measures: np.ndarray,
    trade_year: np.ndarray,
    quantity: np.ndarray,
    price: np.ndarray,
    efficiency: Sequence[float],
    steps_per_year: int,
) -> list[dict[str, float]]:
    """Each settled compliance year's metrics, from a market's records.

    Welfare, equality and productivity are the state at the year's end; the others are the
    year's own flow (its emissions, its trades' volume-weighted price, ...), so the flows of
    all years add up to the episode's figure.

    Args:
        year_table: the settled years' rows of the market's table of years,
            ``(years, len(YEAR_COLUMNS))`` (``model.year_kernels``).
        measures: the recorded rounds' measures, ``(rows, len(MEASURES))``: row 0 the state
            before the first round, and a row at every year's last round among them (every
            round is recorded when the market plays alone, only each year's end in a lane).
        trade_year: each ledger trade's compliance year, ``(trades,)``.
        quantity: each trade's allowances, ``(trades,)``.
        price: each trade's price (coins per allowance), ``(trades,)``.
        efficiency: each finished year's allocative efficiency (empty: not measured).
        steps_per_year: rounds in a compliance year.

    Returns:
        One dict per year: ``year`` (from 0), ``welfare``, ``equality``, ``productivity``,
        ``total_emissions`` (t), ``over_emission`` (t), ``mean_price`` (nan: no trade),
        ``volume``, ``penalties_paid``, ``abatement_cost``, ``allocative_efficiency`` (nan:
        undefined) and ``green_projects`` (completed that year).
    """
    n_years = len(year_table)
    trade_year = np.asarray(trade_year, dtype=np.int64)
    quantity = np.asarray(quantity, dtype=float)
    value = quantity * np.asarray(price, dtype=float)
    volume = np.bincount(trade_year, weights=quantity, minlength=n_years)
    turnover = np.bincount(trade_year, weights=value, minlength=n_years)
    row_of = {int(r): k for k, r in enumerate(measures[:, _ROUND].tolist())}
    ends = [measures[row_of[(year + 1) * steps_per_year]].tolist() for year in range(n_years)]
    green = [0, *(int(end[_GREEN]) for end in ends)]
    settled = year_table.tolist()
    rows = []
    for year, (table, end) in enumerate(zip(settled, ends, strict=True)):
        at_end = dict(zip(MEASURES, end, strict=True))
        rows.append(
            {
                "year": year,
                "welfare": float(at_end["welfare"]),
                "equality": float(at_end["equality"]),
                "productivity": float(at_end["productivity"]),
                "total_emissions": table[_EMISSIONS],
                "over_emission": table[_SHORTFALL],
                "mean_price": turnover[year] / volume[year] if volume[year] else math.nan,
                "volume": float(volume[year]),
                "penalties_paid": table[_PENALTIES],
                "abatement_cost": table[_SPENT],
                "allocative_efficiency": float(efficiency[year]) if efficiency else math.nan,
                "green_projects": float(green[year + 1] - green[year]),
            }
        )
    return rows
