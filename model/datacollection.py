"""What the market records each round: Mesa's DataCollector over arrays a kernel fills.

Every round one compiled call (:func:`model.records.record_round`) writes the market's
measures and every firm's numbers into arrays; the DataCollector's model variables and
per-agent records are built from those arrays only when they are read, in Mesa's own layout,
so ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` and ``batch_run`` read them as
usual and recording a round of 10,000 firms costs microseconds. The trade ledger is a
DataCollector table, filled from the book's trade records a round at a time.
"""

from __future__ import annotations

import math
from functools import partial

import mesa
import numpy as np
from mesa import DataCollector

from market import book_kernels
from model.records import FIRM_NUMBERS, MEASURES, RoundRecords, record_round

__all__ = ["FIRM_COLUMNS", "MEASURES", "TRADE_COLUMNS", "MarketDataCollector"]

TRADE_COLUMNS = ["round", "year", "buyer", "seller", "price", "quantity"]
#: The ledger's columns that are fields of the book's trade records.
LEDGER_FIELDS = {
    "round": book_kernels.T_ROUND,
    "buyer": book_kernels.T_BUYER,
    "seller": book_kernels.T_SELLER,
    "price": book_kernels.T_PRICE,
    "quantity": book_kernels.T_QTY,
}

#: Every firm's columns in the per-agent records: its index, its numbers, who decides, sector.
FIRM_COLUMNS = ("firm", *FIRM_NUMBERS, "behaviour", "sector")


def read_measure(m: mesa.Model, name: str) -> float | int | None:
    """A DataCollector reporter: one of the measures of the round ``m`` just played."""
    return m.measures[name]


class MarketDataCollector(DataCollector):
    """Mesa's DataCollector reading the market's rounds from arrays a kernel fills.

    Each round :meth:`collect` makes one compiled call (:func:`model.records.record_round`)
    that writes the round's measures and (per ``firm_data``) every firm's numbers into
    :attr:`records`; ``model_vars`` and the per-agent records are built from them when read,
    in Mesa's own layout, so ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` and
    ``batch_run`` read them as they read any DataCollector.

    Args:
        firm_data: ``"round"`` records every firm every round; ``"year"`` only in the last
            round of each year (large markets).
        firm_ids: the firms' Mesa agent ids, in firm order.

    Attributes:
        records: every round's measures and firm numbers (:class:`model.records.RoundRecords`).
    """

    def __init__(self, firm_data: str = "round", firm_ids: list[int] | None = None) -> None:
        firm_ids = list(firm_ids or [])
        self.records = RoundRecords(len(firm_ids))
        super().__init__(
            model_reporters={name: partial(read_measure, name=name) for name in MEASURES},
            agent_reporters={name: name for name in FIRM_COLUMNS},
            tables={"trades": TRADE_COLUMNS},
        )
        self.firm_data = firm_data
        self._agent_records = FirmRecords(firm_ids, self.records)

    @property
    def model_vars(self) -> dict[str, list[float | int | None]]:
        """Every measure's value in every round recorded, one list per measure."""
        return self.records.columns()

    @model_vars.setter
    def model_vars(self, _empty: dict) -> None:
        """Mesa's constructor starts ``model_vars`` empty; here :attr:`records` holds them."""

    def add_trades(self, rows: np.ndarray, year: int) -> None:
        """Append trades to the ledger table (``TRADE_COLUMNS``), all of compliance ``year``.

        Args:
            rows: the trades as the book's kernels record them, shape ``(k, 8)``
                (``market.trade_log.TradeLog.rows``).
            year: their compliance year.
        """
        if not len(rows):
            return
        table = self.tables["trades"]
        for column, field in LEDGER_FIELDS.items():
            table[column].extend(rows[:, field].tolist())
        table["year"].extend([year] * len(rows))

    def collect(self, model: mesa.Model) -> None:
        """Record the round just played by ``model`` (a CarbonMarket) in one compiled call."""
        with_firms = self.firm_data == "round" or model.year_ended
        records = self.records
        row, firm_row = records.next_rows(with_firms)
        arrays, run = model.arrays, model.run
        expected = math.nan if model.expected_price is None else model.expected_price
        record_round(
            model.lane,
            row,
            firm_row,
            model.steps,
            model.year,
            model.round_price,
            expected,
            model.round_volume,
            model.round_emissions,
            run.release,
            run.remaining_budget,
            model.allocative_efficiency,
            model.config.climate_coefficient,
            arrays.firms.floats,
            arrays.firms.ints,
            arrays.accounts,
            arrays.book.firm_info,
            arrays.book.meta,
            arrays.firms.green,
            records.measures,
            records.firms,
        )
        records.added(with_firms)
        if hasattr(self, "_collection_steps"):  # Mesa 3.5's batch_run reads the rows of these
            self._collection_steps.append(model.steps)
        if with_firms:
            behaviour, sector = model.behaviour_names, model.enterprises.sector
            self._agent_records.keep(model.steps, firm_row, behaviour, sector)

    def _record_agents(self, model: mesa.Model):
        """Not used: :meth:`collect` records the firms' numbers (see :class:`FirmRecords`)."""
        raise NotImplementedError


class FirmRecords(dict):
    """Mesa's per-step agent records, built from the firms' columns when first read.

    Maps a step to its records ``(step, unique_id, *FIRM_COLUMNS)``, as Mesa's
    DataCollector (and ``mesa.batch_run``) read them.

    Args:
        firm_ids: the firms' Mesa agent ids.
        records: the rounds' arrays the firms' numbers are read from.
    """

    def __init__(self, firm_ids: list[int], records: RoundRecords) -> None:
        super().__init__()
        self.firm_ids, self._records = firm_ids, records
        self._kept: dict[int, tuple] = {}

    def keep(self, step: int, entry: int, behaviour: np.ndarray, sector: np.ndarray) -> None:
        """Note that ``step``'s firm numbers are the records' ``entry``, with who decided."""
        self._kept[step] = (entry, behaviour, sector)
        self.pop(step, None)

    def _build(self, step: int) -> list[tuple]:
        entry, behaviour, sector = self._kept[step]
        numbers = self._records.firms[entry].tolist()
        coins, allowances, rate, output, this_year, over, knowledge, orders = numbers
        n = len(self.firm_ids)
        columns = (range(n), coins, allowances, rate, output, this_year, over)
        whole = (
            [int(k) for k in knowledge],
            [int(o) for o in orders],
            behaviour.tolist(),
            sector.tolist(),
        )
        return list(zip([step] * n, self.firm_ids, *columns, *whole, strict=True))

    def _fill(self) -> None:
        for step in self._kept:
            if not super().__contains__(step):
                super().__setitem__(step, self._build(step))

    def get(self, step, default=None):
        """The records of ``step``."""
        self._fill()
        return super().get(step, default)

    def __getitem__(self, step):
        self._fill()
        return super().__getitem__(step)

    def __contains__(self, step) -> bool:
        return step in self._kept

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self):
        return iter(self._kept)

    def keys(self):
        """The steps recorded."""
        return self._kept.keys()

    def values(self):
        """The records of every step, in step order."""
        self._fill()
        return super().values()

    def items(self):
        """``(step, records)`` of every step, in step order."""
        self._fill()
        return super().items()
