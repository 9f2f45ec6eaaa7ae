"""Shared pieces of the sweep tests: small sweep files and run functions that misbehave.

The run functions live in an importable module so that worker processes (spawned local
processes and ``dask worker`` processes alike) can unpickle them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from experiments.runner import RunBatch, RunResult, run_points
from experiments.seed_training import SeedResult, SeedTask, train_seed
from experiments.store import Results

SMALL_SWEEP = """
name = "small"
scenario = "paper"
seeds = {start = 0, count = SEEDS}
metrics = ["welfare", "mean_price", "over_emission", "penalties_paid", "volume"]

[fixed]
years = 2
steps_per_year = STEPS

[grid]
policy = ["flat-grandfathering", "decreasing-size"]
budget = [100, 200.5]
"""


def write_sweep(directory: Path, seeds: int = 3, steps: int = 10, text: str = SMALL_SWEEP) -> Path:
    """A sweep file of 2 policies x 2 budgets x ``seeds`` seeds, two years of ``steps`` rounds."""
    path = directory / "small.toml"
    path.write_text(text.replace("SEEDS", str(seeds)).replace("STEPS", str(steps)))
    return path


def crash_once(marker_dir: str, run_ids: tuple[str, ...], batch: RunBatch) -> list[RunResult]:
    """Kill the worker process the first time it meets one of ``run_ids``; then run them."""
    for task in batch.runs:
        if task.run_id in run_ids:
            try:
                with open(Path(marker_dir) / task.run_id, "x"):
                    pass
            except FileExistsError:
                pass
            else:
                os._exit(17)  # the process dies mid-run, as an out-of-memory kill would do
    return run_points(batch)


def crash_always(run_ids: tuple[str, ...], batch: RunBatch) -> list[RunResult]:
    """Kill the worker process every time it meets one of ``run_ids``; the others run slowly.

    The slow runs are still in flight whenever a doomed run kills its process, so they die
    with the pool each time, through no fault of their own.
    """
    if any(task.run_id in run_ids for task in batch.runs):
        os._exit(17)
    time.sleep(0.3)
    return run_points(batch)


def fail_on(seed: int, batch: RunBatch) -> list[RunResult]:
    """Raise inside every batch holding a run with ``seed`` (a bug in the model, say)."""
    if any(task.seed == seed for task in batch.runs):
        raise RuntimeError(f"model failed for seed {seed}")
    return run_points(batch)


def assert_same_results(got: Results, expected: Results) -> None:
    """Both tables equal, row for row, and no run recorded twice."""
    assert not got.runs["run_id"].duplicated().any()
    assert not got.years.duplicated(["run_id", "year"]).any()
    pd.testing.assert_frame_equal(got.runs, expected.runs)
    pd.testing.assert_frame_equal(got.years, expected.years)


def fail_training_on(seed: int, task: SeedTask) -> SeedResult:
    """Raise inside the training of ``seed`` (a bug in training, say); train the others."""
    if task.seed == seed:
        raise RuntimeError(f"training failed for seed {seed}")
    return train_seed(task)
