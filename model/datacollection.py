"""What the market records each round: Mesa's DataCollector with the market's reporters.

The market computes its measures once per round (:func:`measure_round`); each model reporter
reads one of them (picklable ``functools.partial`` reporters, no lambdas). The trade ledger is
a DataCollector table. Per-firm data is recorded from the firms' columns in one pass rather
than attribute by attribute per agent, so collecting 10,000 firms costs milliseconds; the
records have Mesa's own layout, so ``get_agent_vars_dataframe`` and ``batch_run`` read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import mesa
import numpy as np
from mesa import DataCollector
from numba import njit

from market import metrics
from market.numerics import maximum, pairwise_sum
from market.orders import Trade

TRADE_COLUMNS = ["round", "year", "buyer", "seller", "price", "quantity"]


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


def measure_round(m: mesa.Model) -> dict[str, float | int | None]:
    """Every model-level measure of the round just played by ``m`` (a CarbonMarket), once.

    Units: prices in coins per allowance (``price`` is the round's VWAP, nan without trades),
    volumes and budgets in allowances, emissions and over-emission in tonnes, productivity in
    coins per firm; equality, welfare and allocative efficiency are as in MODEL.md.
    """
    ent, book, acc = m.enterprises, m.book, m.accounts
    output, this_year, over_emission, mean_rate, productivity, equality = firm_measures(
        acc.coins,
        acc.escrow_coins,
        ent.emitted_total,
        ent.surrendered_total,
        ent.emission_rate,
        ent.output,
        ent.ytd_emissions,
    )
    return {
        "round": m.steps,
        "year": m.year,
        "price": m.round_price,
        "last_price": book.last_price,
        "expected_price": m.expected_price,
        "volume": m.round_volume,
        "best_bid": book.best_bid(),
        "best_ask": book.best_ask(),
        "spread": book.spread(),
        "output": output,
        "emissions": m.round_emissions,
        "emissions_this_year": this_year,
        "release": m.run.release,
        "remaining_budget": m.run.remaining_budget,
        "over_emission": over_emission,
        "mean_emission_rate": mean_rate,
        "green_projects": ent.green_projects_completed,
        "productivity": productivity,
        "equality": equality,
        "welfare": metrics.welfare(
            equality, productivity, over_emission, m.config.climate_coefficient
        ),
        "allocative_efficiency": m.allocative_efficiency,
    }


@njit(cache=True)
def firm_measures(coins, escrow_coins, emitted, surrendered, rate, output, ytd_emissions):
    """The round's totals over the firms, as numpy computes them (pairwise sums).

    Returns:
        ``(output, emissions_this_year, over_emission, mean_emission_rate, productivity,
        equality)``; over-emission counts the tonnes no allowance ever covered.
    """
    n = coins.size
    wealth = np.empty(n)
    over = np.empty(n)
    for i in range(n):
        wealth[i] = coins[i] + escrow_coins[i]
        over[i] = maximum(emitted[i] - surrendered[i], 0.0)
    mean_rate = pairwise_sum(rate) / n
    return (
        pairwise_sum(output),
        pairwise_sum(ytd_emissions),
        pairwise_sum(over),
        mean_rate,
        metrics.productivity_of(wealth),
        metrics.equality_of(wealth),
    )


def read_measure(m: mesa.Model, name: str) -> float | int | None:
    """A DataCollector reporter: one entry of the market's measures for this round."""
    return m.measures[name]


FIRM_COLUMNS = (
    "firm",
    "coins",
    "allowances",
    "emission_rate",
    "output",
    "emissions_this_year",
    "over_emission",
    "knowledge",
    "open_orders",
    "behaviour",
    "sector",
)


class MarketDataCollector(DataCollector):
    """Mesa's DataCollector with per-firm records built from the firms' columns at once.

    Args:
        firm_data: ``"round"`` records every firm every round; ``"year"`` only in the last
            round of each year (large markets).
        firm_ids: the firms' Mesa agent ids, in firm order.
    """

    def __init__(self, firm_data: str = "round", firm_ids: list[int] | None = None) -> None:
        super().__init__(
            model_reporters={name: partial(read_measure, name=name) for name in MEASURES},
            agent_reporters={name: name for name in FIRM_COLUMNS},
            tables={"trades": TRADE_COLUMNS},
        )
        self.firm_data = firm_data
        self._agent_records = FirmRecords(list(firm_ids or []))

    def add_trades(self, trades: Sequence[Trade], year: int) -> None:
        """Append trades to the ledger table (``TRADE_COLUMNS``), all of compliance ``year``."""
        table = self.tables["trades"]
        for trade in trades:
            values = (trade.round, year, trade.buyer, trade.seller, trade.price, trade.quantity)
            for column, value in zip(TRADE_COLUMNS, values, strict=True):
                table[column].append(value)

    def collect(self, model: mesa.Model) -> None:
        """Record the round: every measure, and (per ``firm_data``) every firm's columns.

        The measures are plain numbers computed once (``model.measures``), so they are
        appended as they are; the firms' columns are kept as one array per round and turned
        into Mesa's per-agent records only when they are read.
        """
        measures = model.measures
        for name in MEASURES:
            self.model_vars[name].append(measures[name])
        if self.firm_data == "year" and not model.year_ended:
            return
        ent, acc = model.enterprises, model.accounts
        numbers = np.stack(
            (
                acc.coins + acc.escrow_coins,
                acc.allowances + acc.escrow_allowances,
                ent.emission_rate,
                ent.output,
                ent.ytd_emissions,
                np.maximum(ent.emitted_total - ent.surrendered_total, 0.0),
                ent.knowledge,
                model.book.open_counts(),
            )
        )
        self._agent_records.keep(model.steps, numbers, model.behaviour_names, ent.sector)

    def _record_agents(self, model: mesa.Model):
        """Not used: :meth:`collect` keeps the firms' columns (see :class:`FirmRecords`)."""
        raise NotImplementedError


class FirmRecords(dict):
    """Mesa's per-step agent records, built from the firms' columns when first read.

    Maps a step to its records ``(step, unique_id, *FIRM_COLUMNS)``, as Mesa's
    DataCollector (and ``mesa.batch_run``) read them.

    Args:
        firm_ids: the firms' Mesa agent ids.
    """

    def __init__(self, firm_ids: list[int]) -> None:
        super().__init__()
        self.firm_ids = firm_ids
        self._kept: dict[int, tuple] = {}

    def keep(self, step: int, numbers: np.ndarray, behaviour: np.ndarray, sector: np.ndarray):
        """Keep one step's columns (``numbers``: coins ... open orders, one row each)."""
        self._kept[step] = (numbers, behaviour, sector)
        self.pop(step, None)

    def _build(self, step: int) -> list[tuple]:
        numbers, behaviour, sector = self._kept[step]
        coins, allowances, rate, output, this_year, over, knowledge, orders = numbers.tolist()
        n = len(self.firm_ids)
        firms = range(n)
        columns = (firms, coins, allowances, rate, output, this_year, over)
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
