"""Mesa's own route: ``mesa.batch_run`` over seeds gives the same markets as the sweep."""

from __future__ import annotations

import tomllib

import pytest

from experiments.identity import run_id
from experiments.runner import RunTask, run_point
from market.scenario_files import resolve_path
from model import CarbonMarket
from tests.mesa_batch_run import seeded_batch_run

STEPS = 20
PARAMS = {"scenario": "paper", "years": 2, "steps_per_year": STEPS, "policy": "decreasing-size"}


def test_batch_run_with_seed_parameter_matches_the_sweep_runs() -> None:
    results = seeded_batch_run(
        CarbonMarket,
        PARAMS,
        [0, 1],
        max_steps=10 * STEPS,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    data = tomllib.loads(resolve_path("paper").read_text())
    overrides = {k: v for k, v in PARAMS.items() if k != "scenario"}
    for seed in (0, 1):
        task = RunTask(run_id(data, overrides, seed), "paper", data, overrides, seed)
        first_year = run_point(task).years[0]
        row = next(r for r in results if r["seed"] == seed and r["Step"] == STEPS)
        for metric in ("welfare", "equality", "productivity"):
            assert row[metric] == pytest.approx(first_year[metric]), (seed, metric)
