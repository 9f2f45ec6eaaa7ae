"""The round records of a block's lanes as rows of shared arrays, written in one call a year.

A batch records each lane's state before the first round and at every year's end
(:func:`model.records.record_lanes`, one call for all lanes). A lane whose market has been
built keeps its records in its data collector (``model.datacollection``), whose arrays are
views of its rows here; a lane whose market has not is counted here, and its market's
collector is given the rows and the rounds recorded when it is built (:meth:`attach`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from market.config import MarketConfig
from market.lanes import MarketArrays
from model.records import FIRM_NUMBERS, MEASURES, record_lanes


class LaneRecords:
    """Every lane's round records, in one set of arrays.

    Args:
        arrays: the lanes' arrays, holding every lane's opening state.
        configs: each lane's ``[market]`` table.
        years: the years the block will record.

    Attributes:
        measures: each lane's measures, shape ``(lanes, 1 + years, len(MEASURES))``.
        firms: each lane's firm numbers, shape
            ``(lanes, 1 + years, len(FIRM_NUMBERS), n_firms)``.
    """

    def __init__(self, arrays: MarketArrays, configs: Sequence[MarketConfig], years: int) -> None:
        lanes, n = arrays.accounts.shape[0], arrays.accounts.shape[2]
        self.arrays = arrays
        self.measures = np.empty((lanes, 1 + years, len(MEASURES)))
        self.firms = np.empty((lanes, 1 + years, len(FIRM_NUMBERS), n))
        self._climate = np.array([cfg.climate_coefficient for cfg in configs])
        # Only textbook markets measure an allocative efficiency; the others' is nan.
        self._efficiency = np.full(lanes, np.nan)
        self._textbook = [b for b, cfg in enumerate(configs) if not cfg.production]
        self._built: dict[int, object] = {}
        # The rows written so far, and the steps and firm entries written after the first.
        self._rows = np.zeros(lanes, dtype=np.int64)
        every_round = np.array([cfg.firm_data == "round" for cfg in configs])
        self._firm_rows = np.where(every_round, 0, -1)
        self._written: list[tuple[int, np.ndarray]] = []
        self._write(0, 0)  # the opening state, as each market records it when built
        self._firm_rows = every_round.astype(np.int64)

    def attach(self, b: int, market) -> None:
        """Hand lane ``b``'s rows to its market, just built (it has recorded its opening)."""
        collector = market.datacollector
        records = collector.records
        records.measures, records.firms = self.measures[b], self.firms[b]
        for steps, firm_rows in self._written:
            collector.recorded_at(steps, int(firm_rows[b]), market.behaviour_names)
        self._built[b] = market

    def record(self, steps: int, year: int, markets) -> None:
        """Record every lane's year end: its measures and its firms' numbers.

        Args:
            steps: the rounds played.
            year: the year that ended.
            markets: builds lane b's market when called with b (``model.block.Block.market``),
                when a built market's records have outgrown its rows.
        """
        rows, firm_rows = self._rows.copy(), self._firm_rows.copy()
        for b, market in self._built.items():
            kept = market.datacollector.records
            rows[b], firm_rows[b] = kept.rows, kept.firm_rows
            if kept.measures.base is not self.measures or kept.firms.base is not self.firms:
                rows[b] = self.measures.shape[1]
        if rows.max() >= self.measures.shape[1] or firm_rows.max() >= self.firms.shape[1]:
            for b in range(len(rows)):  # a lane's records outgrew its row: each records its own
                markets(b).measure()
            return
        for b in self._textbook:
            self._efficiency[b] = self._built[b].allocative_efficiency
        self._rows, self._firm_rows = rows, firm_rows
        self._write(steps, year)
        for b, market in self._built.items():
            market.datacollector.recorded(market, int(firm_rows[b]))

    def _write(self, steps: int, year: int) -> None:
        """Every lane's records at ``self._rows``, ``self._firm_rows``; then count them."""
        arrays = self.arrays
        record_lanes(
            self._rows,
            self._firm_rows,
            steps,
            year,
            arrays.tallies,
            self._efficiency,
            self._climate,
            *arrays.measured(),
            self.measures,
            self.firms,
        )
        if steps:
            self._written.append((steps, self._firm_rows.copy()))
        self._rows = self._rows + 1
        self._firm_rows = self._firm_rows + (self._firm_rows >= 0)
