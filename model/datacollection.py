"""What the market records each round: Mesa's DataCollector over arrays a kernel fills.

Every round one compiled call (:func:`model.records.record_round`) writes the market's
measures and every firm's numbers into arrays; the DataCollector's model variables and
per-agent records are built from those arrays only when they are read, in Mesa's own layout,
so ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` and ``batch_run`` read them as
usual and recording a round of 10,000 firms costs microseconds. The trade ledger, a
DataCollector table, is read the same way from the book's trade records.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np
from mesa import DataCollector

from market import book_kernels
from market.tallies import TRADES_SEEN
from market.trade_log import TradeLog
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
        ledger: the trade ledger (default: none).
        sector: each firm's sector (default: none).

    Attributes:
        records: every round's measures and firm numbers (:class:`model.records.RoundRecords`).
    """

    def __init__(
        self,
        firm_data: str = "round",
        firm_ids: list[int] | None = None,
        ledger: Ledger | None = None,
        sector: np.ndarray | None = None,
    ) -> None:
        firm_ids = list(firm_ids or [])
        self.records = RoundRecords(len(firm_ids))
        self._ledger = ledger or Ledger(None, 1)
        super().__init__(
            model_reporters={name: partial(read_measure, name=name) for name in MEASURES},
            agent_reporters={name: name for name in FIRM_COLUMNS},
        )
        self.firm_data = firm_data
        self._every_round = firm_data == "round"
        # Mesa 3.5 notes the steps recorded here (batch_run reads them); Mesa 3.3 does not.
        self._collection_steps: list[int] | None = getattr(self, "_collection_steps", None)
        self._agent_records = FirmRecords(firm_ids, self.records, sector)

    @property
    def model_vars(self) -> dict[str, list[float | int | None]]:
        """Every measure's value in every round recorded, one list per measure."""
        return self.records.columns()

    @model_vars.setter
    def model_vars(self, _empty: dict) -> None:
        """Mesa's constructor starts ``model_vars`` empty; here :attr:`records` holds them."""

    @property
    def tables(self) -> dict[str, dict[str, list[int]]]:
        """Mesa's tables: the trade ledger (``TRADE_COLUMNS``), built from the book's trades."""
        return {"trades": self._ledger.columns()}

    @tables.setter
    def tables(self, _empty: dict) -> None:
        """Mesa's constructor starts ``tables`` empty; here the book's trades are the ledger."""

    def collect(self, model: mesa.Model) -> None:
        """Record the round just played by ``model`` (a CarbonMarket) in one compiled call."""
        row, firm_row = self.next_rows(model)
        arrays = model.arrays
        record_round(
            model.lane,
            row,
            firm_row,
            model.steps,
            model.year,
            model.tally,
            model.allocative_efficiency,
            model.config.climate_coefficient,
            *arrays.measured(),
            self.records.measures,
            self.records.firms,
        )
        self.recorded(model, firm_row)

    def next_rows(self, model: mesa.Model) -> tuple[int, int]:
        """The records' row and firms' entry (-1: none) for the round ``model`` is playing.

        Whoever writes them (:meth:`collect`, or the round kernel that plays and records in
        one call) then calls :meth:`recorded`.
        """
        return self.records.next_rows(self._every_round or model.year_ended)

    def recorded(self, model: mesa.Model, firm_row: int) -> None:
        """Count the round just written into the records' ``firm_row`` (-1: measures only)."""
        self.recorded_at(model.steps, firm_row, model.behaviour_names)

    def recorded_at(self, steps: int, firm_row: int, behaviour: np.ndarray) -> None:
        """Count a round written after ``steps`` rounds, the firms holding ``behaviour``.

        ``firm_row`` is the records' entry of the firms' numbers (-1: measures only).
        """
        self.records.added(firm_row >= 0)
        if self._collection_steps is not None:  # Mesa 3.5's batch_run reads these rows
            self._collection_steps.append(steps)
        if firm_row >= 0:
            self._agent_records.keep(steps, firm_row, behaviour)

    def _record_agents(self, model: mesa.Model):
        """Not used: :meth:`collect` records the firms' numbers (see :class:`FirmRecords`)."""
        raise NotImplementedError


class Ledger:
    """The trade ledger: the first :attr:`trades` trades of a book, as table columns.

    The ledger holds the trades of every round played so far, as the market's tallies count
    them (``trades_seen``: a person's trade between rounds joins it with the next round);
    each trade's compliance year is its round's.

    Args:
        log: the book's trades (``market.trade_log.TradeLog``); None for an empty ledger.
        steps_per_year: rounds in a compliance year.
        tally: the market's tallies (:mod:`market.tallies`); None for an empty ledger.
    """

    def __init__(
        self, log: TradeLog | None, steps_per_year: int, tally: np.ndarray | None = None
    ) -> None:
        self._log, self._steps_per_year, self._tally = log, steps_per_year, tally
        self._columns: tuple[int, dict[str, list[int]]] = (0, _empty_ledger())

    @property
    def trades(self) -> int:
        """How many of the book's trades are in the ledger."""
        return 0 if self._tally is None else int(self._tally[TRADES_SEEN])

    def columns(self) -> dict[str, list[int]]:
        """The ledger's columns (``TRADE_COLUMNS``), one list each, rebuilt when it grows."""
        trades = self.trades
        if self._columns[0] != trades:
            rows = self._log.rows(0, trades)
            columns = {name: rows[:, field].tolist() for name, field in LEDGER_FIELDS.items()}
            columns["year"] = (rows[:, book_kernels.T_ROUND] // self._steps_per_year).tolist()
            self._columns = (trades, {name: columns[name] for name in TRADE_COLUMNS})
        return {name: list(values) for name, values in self._columns[1].items()}


def _empty_ledger() -> dict[str, list[int]]:
    return {name: [] for name in TRADE_COLUMNS}


class FirmRecords(dict):
    """Mesa's per-step agent records, built from the firms' columns when first read.

    Maps a step to its records ``(step, unique_id, *FIRM_COLUMNS)``, as Mesa's
    DataCollector (and ``mesa.batch_run``) read them.

    Args:
        firm_ids: the firms' Mesa agent ids.
        records: the rounds' arrays the firms' numbers are read from.
        sector: each firm's sector (default: none).
    """

    def __init__(
        self, firm_ids: list[int], records: RoundRecords, sector: np.ndarray | None = None
    ) -> None:
        super().__init__()
        self.firm_ids, self._records = firm_ids, records
        self._sector = np.full(len(firm_ids), None) if sector is None else sector
        self._kept: dict[int, tuple[int, np.ndarray]] = {}
        self._built = False

    def keep(self, step: int, entry: int, behaviour: np.ndarray) -> None:
        """Note that ``step``'s firm numbers are the records' ``entry``, with who decided."""
        self._kept[step] = (entry, behaviour)
        if self._built:  # a step recorded again replaces what was built from it
            self.pop(step, None)

    def _build(self, step: int) -> list[tuple]:
        entry, behaviour = self._kept[step]
        numbers = self._records.firms[entry].tolist()
        coins, allowances, rate, output, this_year, over, knowledge, orders = numbers
        n = len(self.firm_ids)
        columns = (range(n), coins, allowances, rate, output, this_year, over)
        whole = (
            [int(k) for k in knowledge],
            [int(o) for o in orders],
            behaviour.tolist(),
            self._sector.tolist(),
        )
        return list(zip([step] * n, self.firm_ids, *columns, *whole, strict=True))

    def _fill(self) -> None:
        for step in self._kept:
            if not super().__contains__(step):
                super().__setitem__(step, self._build(step))
                self._built = True

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
