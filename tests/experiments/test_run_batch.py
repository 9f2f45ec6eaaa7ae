"""A batch of runs: each run's result is exactly what it gives played alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from experiments.runner import RunBatch, run_point, run_points
from experiments.sweep import batched
from tests.experiments.test_runner import task


def assert_same(got: list, expected: list) -> None:
    """Results equal field by field, nan where nan (``np.testing`` treats nan as equal)."""
    np.testing.assert_equal(
        [dataclasses.asdict(r) for r in got], [dataclasses.asdict(r) for r in expected]
    )


@pytest.mark.parametrize(
    ("scenario", "params"),
    [
        ("paper", {"years": 3, "policy": "decreasing-size"}),
        ("paper-shocks", {"years": 3}),  # firms drawn per seed: lanes of several sizes
        ("classroom", {"years": 2, "steps_per_year": 30}),  # a textbook market's efficiency
        ("paper", {"years": 2, "policy": "msr"}),  # a supply rule that reads the market
    ],
)
def test_each_run_of_a_batch_gives_what_it_gives_alone(scenario: str, params: dict) -> None:
    runs = tuple(task(scenario, seed, **params) for seed in (5, 0, 3, 8, 1))
    assert_same(run_points(RunBatch(runs)), [run_point(run) for run in runs])


def test_a_run_gives_the_same_whatever_batch_it_is_in() -> None:
    runs = tuple(task("paper-shocks", seed, years=2) for seed in range(6))
    together = run_points(RunBatch(runs))
    apart = run_points(RunBatch(runs[:2])) + run_points(RunBatch(runs[2:][::-1]))[::-1]
    assert_same(together, apart)


def test_runs_of_learned_firms_play_one_by_one_with_the_same_results() -> None:
    runs = tuple(
        task("paper", seed, years=1, steps_per_year=20, learned_share=0.4) for seed in (2, 7)
    )
    assert_same(run_points(RunBatch(runs)), [run_point(run) for run in runs])


def test_a_batch_holds_runs_of_one_point_only() -> None:
    with pytest.raises(ValueError, match="runs: a batch needs at least one run"):
        RunBatch(())
    with pytest.raises(ValueError, match="one scenario and parameter point"):
        RunBatch((task("paper", 0, years=2), task("paper", 1, years=3)))


def test_runs_are_batched_by_point_in_their_order_and_never_beyond_the_size() -> None:
    runs = [task("paper", seed, years=years) for years in (2, 3) for seed in range(5)]
    batches = batched(runs, 2)
    assert [len(b.runs) for b in batches] == [2, 2, 1, 2, 2, 1]
    assert [t for b in batches for t in b.runs] == runs
    assert all(len({t.params["years"] for t in b.runs}) == 1 for b in batches)
    assert len({b.run_id for b in batches}) == len(batches)
