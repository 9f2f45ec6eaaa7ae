"""The runs of a sweep: build each market from (scenario, parameters, seed), play it, measure it.

:func:`run_points` is what every worker calls, local process or Dask worker alike: it plays a
:class:`RunBatch`, the seeds of one parameter point, as one :class:`~model.batch.MarketBatch`
(one compiled call per year for all of them), and gives each run what :func:`run_point` gives
it alone. A run's result depends on its task alone: the seed fixes every random draw, so which
worker runs it, when, and beside which other runs, changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from market.scenario import parse_scenario
from model import CarbonMarket
from model.batch import MarketBatch, batchable
from model.episode import UNITS, episode_summary, run_episode
from model.lane_results import lane_results, year_rows


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


@dataclass(frozen=True)
class RunBatch:
    """Runs a worker plays together: seeds of one parameter point (one task of a sweep).

    Attributes:
        runs: the runs, all of the same scenario and parameters.

    Raises:
        ValueError: no run, or runs of different scenarios or parameters.
    """

    runs: tuple[RunTask, ...]

    def __post_init__(self) -> None:
        if not self.runs:
            raise ValueError("runs: a batch needs at least one run")
        first = self.runs[0]
        point = (first.scenario, first.scenario_data, first.params)
        if any((t.scenario, t.scenario_data, t.params) != point for t in self.runs):
            raise ValueError("runs: a batch holds runs of one scenario and parameter point")

    @property
    def run_id(self) -> str:
        """The first run's id (a run is in one batch only, so it names the batch)."""
        return self.runs[0].run_id


def run_points(batch: RunBatch) -> list[RunResult]:
    """Play a batch's runs together; each run's result is what :func:`run_point` gives it.

    Lane i of a :class:`~model.batch.MarketBatch` plays exactly what its market plays alone
    (``tests/model/test_batch.py``). Markets whose firms hold a behaviour that is not compiled
    (learned firms driven by a training env) cannot play in a batch, so their runs play one by
    one.
    """
    first = batch.runs[0]
    scenario = parse_scenario(first.scenario_data, first.scenario, first.params)
    if not batchable(scenario):
        return [run_point(task) for task in batch.runs]
    played = MarketBatch([scenario] * len(batch.runs), [task.seed for task in batch.runs]).run()
    return [
        RunResult(
            run_id=task.run_id,
            policy=lane.policy,
            summary={name: _number(lane.summary[name]) for name in SUMMARY_METRICS},
            years=lane.years,
        )
        for task, lane in zip(batch.runs, lane_results(played), strict=True)
    ]


def run_point(task: RunTask) -> RunResult:
    """Play one episode of the task's scenario with its parameters and seed."""
    scenario = parse_scenario(task.scenario_data, task.scenario, task.params)
    return _result(task, run_episode(CarbonMarket(scenario, seed=task.seed)))


def _result(task: RunTask, market: CarbonMarket) -> RunResult:
    """What a finished episode measured: the task's result."""
    summary = episode_summary(market)
    return RunResult(
        run_id=task.run_id,
        policy=market.scenario.government.policy,
        summary={name: _number(summary[name]) for name in SUMMARY_METRICS},
        years=year_metrics(market),
    )


def year_metrics(market: CarbonMarket) -> list[dict[str, float]]:
    """Each finished compliance year's metrics (see :data:`YEAR_METRICS`)."""
    records = market.datacollector.records
    trades = market.datacollector.tables["trades"]
    return year_rows(
        market.year_table[: market.years_settled],
        records.measures[: records.rows],
        trades["year"],
        trades["quantity"],
        trades["price"],
        market.efficiency_by_year,
        market.config.steps_per_year,
    )


def _number(value: Any) -> float:
    """A metric as a float; None (undefined) becomes nan."""
    return math.nan if value is None else float(value)
