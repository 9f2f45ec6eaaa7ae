"""One run of a sweep: build the market from (scenario, parameters, seed), play it, measure it.

:func:`run_point` is what every worker calls, local process or Dask worker alike. Its result
depends on the task alone: the seed fixes every random draw, so which worker runs it, and
when, changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from market.scenario import parse_scenario
from model import CarbonMarket
from model.episode import UNITS, episode_summary, run_episode


@dataclass(frozen=True)
class Metric:
    """How a kept metric is shown.

    Attributes:
        label: its readable name.
        unit: its unit ("" for a pure number).
        lowest: the least value it can take, where a confidence band is cut off (None: none).
        highest: the greatest value it can take (None: none).
    """

    label: str
    unit: str
    lowest: float | None
    highest: float | None


#: Episode metrics a sweep can keep (``model.episode.episode_summary``, whose ``UNITS`` they
#: take); MODEL.md "Metrics" defines each. Name, then the range (default: 0 and up).
_SHOWN: dict[str, tuple[str, float | None, float | None]] = {
    "welfare": ("welfare", None, None),
    "equality": ("equality", 0.0, 1.0),
    "productivity": ("productivity", None, None),
    "total_emissions": ("total emissions", 0.0, None),
    "over_emission": ("over-emission", 0.0, None),
    "mean_price": ("mean price", 0.0, None),
    "volume": ("volume traded", 0.0, None),
    "allowances_issued": ("allowances issued", 0.0, None),
    "penalties_paid": ("penalties paid", 0.0, None),
    "abatement_cost": ("abatement cost", 0.0, None),
    "allocative_efficiency": ("allocative efficiency", None, None),
    "green_projects": ("green projects completed", 0.0, None),
    "rejected_orders": ("rejected orders", 0.0, None),
}
METRICS = {
    name: Metric(label, UNITS[name], lowest, highest)
    for name, (label, lowest, highest) in _SHOWN.items()
}
SUMMARY_METRICS = tuple(METRICS)

#: Metrics also measured per compliance year. Welfare, equality and productivity are the
#: state at the year's end; the others are the year's own flow (its emissions, its trades'
#: volume-weighted price, ...), so the flows of all years add up to the episode's figure.
YEAR_METRICS = (
    "welfare",
    "equality",
    "productivity",
    "total_emissions",
    "over_emission",
    "mean_price",
    "volume",
    "penalties_paid",
    "abatement_cost",
    "allocative_efficiency",
    "green_projects",
)


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run.

    Attributes:
        run_id: the run's identity (``experiments.identity.run_id``).
        scenario: the scenario's name.
        scenario_data: the scenario file, parsed.
        params: every scenario override of this run: the sweep's fixed keys and its point.
        seed: the model seed.
    """

    run_id: str
    scenario: str
    scenario_data: dict
    params: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class RunResult:
    """What one run measured.

    Attributes:
        run_id: the task's identity.
        policy: the government policy the run used.
        summary: every :data:`SUMMARY_METRICS` entry for the whole episode (nan: undefined,
            e.g. no trade and so no price).
        years: one dict per compliance year: ``year`` (from 0) and every :data:`YEAR_METRICS`.
    """

    run_id: str
    policy: str
    summary: dict[str, float]
    years: list[dict[str, float]]


def run_point(task: RunTask) -> RunResult:
    """Play one episode of the task's scenario with its parameters and seed."""
    scenario = parse_scenario(task.scenario_data, task.scenario, task.params)
    market = run_episode(CarbonMarket(scenario, seed=task.seed))
    summary = episode_summary(market)
    return RunResult(
        run_id=task.run_id,
        policy=market.scenario.government.policy,
        summary={name: _number(summary[name]) for name in SUMMARY_METRICS},
        years=year_metrics(market),
    )


def year_metrics(market: CarbonMarket) -> list[dict[str, float]]:
    """Each finished compliance year's metrics (see :data:`YEAR_METRICS`)."""
    n_years = len(market.compliance_by_year)
    steps_per_year = market.config.steps_per_year
    model_vars = market.datacollector.model_vars  # row 0 is the state before round 1
    trades = market.datacollector.tables["trades"]
    trade_year = np.asarray(trades["year"], dtype=np.int64)
    quantity = np.asarray(trades["quantity"], dtype=float)
    value = quantity * np.asarray(trades["price"], dtype=float)
    volume = np.bincount(trade_year, weights=quantity, minlength=n_years)
    turnover = np.bincount(trade_year, weights=value, minlength=n_years)
    green = [0, *(model_vars["green_projects"][(y + 1) * steps_per_year] for y in range(n_years))]
    rows = []
    for year, settled in enumerate(market.compliance_by_year):
        end = (year + 1) * steps_per_year
        efficiency = market.efficiency_by_year[year] if market.efficiency_by_year else math.nan
        rows.append(
            {
                "year": year,
                "welfare": _number(model_vars["welfare"][end]),
                "equality": _number(model_vars["equality"][end]),
                "productivity": _number(model_vars["productivity"][end]),
                "total_emissions": settled.emissions,
                "over_emission": settled.shortfall,
                "mean_price": turnover[year] / volume[year] if volume[year] else math.nan,
                "volume": float(volume[year]),
                "penalties_paid": settled.penalties,
                "abatement_cost": settled.abatement_spent,
                "allocative_efficiency": _number(efficiency),
                "green_projects": float(green[year + 1] - green[year]),
            }
        )
    return rows


def _number(value: Any) -> float:
    """A metric as a float; None (undefined) becomes nan."""
    return math.nan if value is None else float(value)
