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

from market import metrics
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
    ent, book, coins = m.enterprises, m.book, m.accounts.total_coins()
    equality = metrics.equality(coins)
    productivity = metrics.productivity(coins)
    over_emission = float(ent.over_emission.sum())
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
        "output": float(ent.output.sum()),
        "emissions": m.round_emissions,
        "emissions_this_year": float(ent.ytd_emissions.sum()),
        "release": m.run.release,
        "remaining_budget": m.run.remaining_budget,
        "over_emission": over_emission,
        "mean_emission_rate": float(ent.emission_rate.mean()),
        "green_projects": ent.green_projects_completed,
        "productivity": productivity,
        "equality": equality,
        "welfare": metrics.welfare(
            equality, productivity, over_emission, m.config.climate_coefficient
        ),
        "allocative_efficiency": m.allocative_efficiency,
    }


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
    """

    def __init__(self, firm_data: str = "round") -> None:
        super().__init__(
            model_reporters={name: partial(read_measure, name=name) for name in MEASURES},
            agent_reporters={name: name for name in FIRM_COLUMNS},
            tables={"trades": TRADE_COLUMNS},
        )
        self.firm_data = firm_data

    def add_trades(self, trades: Sequence[Trade], year: int) -> None:
        """Append trades to the ledger table (``TRADE_COLUMNS``), all of compliance ``year``."""
        table = self.tables["trades"]
        for trade in trades:
            values = (trade.round, year, trade.buyer, trade.seller, trade.price, trade.quantity)
            for column, value in zip(TRADE_COLUMNS, values, strict=True):
                table[column].append(value)

    def _record_agents(self, model: mesa.Model):
        """One record per firm: ``(step, unique_id, *FIRM_COLUMNS)``, Mesa's layout."""
        if self.firm_data == "year" and not model.year_ended:
            return iter(())
        ent, acc = model.enterprises, model.accounts
        columns = (
            np.arange(ent.n),
            acc.total_coins(),
            acc.total_allowances(),
            ent.emission_rate,
            ent.output,
            ent.ytd_emissions,
            ent.over_emission,
            ent.knowledge,
            model.book.open_counts(),
            model.behaviour_names,
            ent.sector,
        )
        steps = [model.steps] * ent.n
        return zip(steps, model.firm_ids, *(c.tolist() for c in columns), strict=True)
