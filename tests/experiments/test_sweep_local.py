"""Sweeps on local processes: exactly the expected rows, reproducible, resumable, retried."""

from __future__ import annotations

import functools
import itertools
import os
from pathlib import Path

import pandas as pd
import pytest

import cli
from experiments import Results, SweepError, load_results, load_sweep, run_sweep
from experiments.identity import sweep_tasks
from tests.experiments.helpers import assert_same_results, crash_always, crash_once, fail_on

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


def test_small_grid_gives_exactly_the_expected_rows(reference: Results) -> None:
    runs, years = reference.runs, reference.years
    expected = {
        (policy, budget, seed)
        for policy, budget, seed in itertools.product(
            ("flat-grandfathering", "decreasing-size"), (100.0, 200.5), (0, 1, 2)
        )
    }
    assert len(runs) == len(expected)
    assert set(zip(runs["policy"], runs["budget"], runs["seed"], strict=True)) == expected
    assert list(runs.columns) == [
        "run_id", "scenario", "policy", "budget", "seed",
        "welfare", "mean_price", "over_emission", "penalties_paid", "volume",
    ]  # fmt: skip
    assert (runs["scenario"] == "paper").all()
    assert len(years) == 2 * len(runs)
    assert set(zip(years["run_id"], years["year"], strict=True)) == {
        (run, year) for run in runs["run_id"] for year in (0, 1)
    }
    # the summary's flows are the sums of the years'
    by_run = years.groupby("run_id")[["penalties_paid", "volume", "over_emission"]].sum()
    merged = runs.set_index("run_id").join(by_run, rsuffix="_years")
    for metric in ("penalties_paid", "volume", "over_emission"):
        assert merged[metric].to_numpy() == pytest.approx(merged[f"{metric}_years"].to_numpy())
    # the budget matters: a different budget gives a different market
    assert runs.groupby("budget")["penalties_paid"].mean().nunique() == 2


def test_same_sweep_twice_gives_identical_results(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    done = run_sweep(load_sweep(small_sweep_file), tmp_path / "again", workers=2, progress=False)
    assert (done.runs, done.skipped, done.completed) == (12, 0, 12)
    assert_same_results(load_results(tmp_path / "again"), reference)


def test_existing_output_is_never_overwritten(
    small_sweep_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert cli.main(["sweep", str(small_sweep_file), "--out", str(out), "--workers", "1"]) == 2
    assert "--out:" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert cli.main(["sweep", str(small_sweep_file), "--out", str(out), "--resume"]) == 2
    assert "no sweep.json" in capsys.readouterr().err


def test_resume_refuses_another_sweep(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_sweep(load_sweep(small_sweep_file), out, workers=1, progress=False)
    other = tmp_path / "other.toml"
    other.write_text(small_sweep_file.read_text().replace("200.5", "300"))
    with pytest.raises(SweepError, match=r"--resume: .* holds the results of another sweep"):
        run_sweep(load_sweep(other), out, resume=True, progress=False)
    again = run_sweep(load_sweep(small_sweep_file), out, resume=True, progress=False)
    assert (again.skipped, again.completed) == (12, 0)
    assert_same_results(load_results(out), reference)


def test_bad_workers_fail_before_anything_is_written(
    small_sweep_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(SweepError, match="--workers: 0 is not allowed"):
        run_sweep(load_sweep(small_sweep_file), tmp_path / "out", workers=0)
    with pytest.raises(SweepError, match="--workers: not used with --scheduler"):
        run_sweep(load_sweep(small_sweep_file), tmp_path / "out", workers=2, scheduler="tcp://x:1")
    assert not (tmp_path / "out").exists()


def test_a_worker_that_dies_mid_run_has_its_run_retried(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    markers = tmp_path / "crashed"
    markers.mkdir()
    sweep = load_sweep(small_sweep_file)
    doomed = tuple(task.run_id for task in sweep_tasks(sweep) if task.seed == 1)
    run = functools.partial(crash_once, str(markers), doomed)  # each kills its worker once
    run_sweep(sweep, tmp_path / "out", workers=2, progress=False, run=run)
    assert sorted(os.listdir(markers)) == sorted(doomed)  # four runs lost their process ...
    assert_same_results(load_results(tmp_path / "out"), reference)  # ... and were run again


def test_only_the_run_whose_process_dies_is_charged_for_it(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    """Runs that die with the pool because another run killed its process are not failed."""
    sweep = load_sweep(small_sweep_file)
    doomed = sweep_tasks(sweep)[0].run_id  # kills its process every time it runs
    run = functools.partial(crash_always, (doomed,))
    with pytest.raises(SweepError) as err:
        run_sweep(sweep, tmp_path / "out", workers=2, progress=False, run=run)
    assert "1 of 12 runs failed" in str(err.value)
    assert f"run {doomed}" in str(err.value) and "its worker process died 3 times" in str(err.value)
    recorded = load_results(tmp_path / "out").runs
    assert len(recorded) == 11 and doomed not in set(recorded["run_id"])
    expected = reference.runs[reference.runs["run_id"] != doomed].reset_index(drop=True)
    pd.testing.assert_frame_equal(recorded, expected)


def test_failed_runs_are_reported_and_retried_on_resume(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    sweep = load_sweep(small_sweep_file)
    with pytest.raises(SweepError) as err:
        run_sweep(sweep, out, workers=2, progress=False, run=functools.partial(fail_on, 2))
    message = str(err.value)
    assert "4 of 12 runs failed" in message
    assert "seed=2): RuntimeError: model failed for seed 2" in message
    partial = load_results(out)
    assert sorted(partial.runs["seed"].unique()) == [0, 1]
    done = run_sweep(sweep, out, workers=2, resume=True, progress=False)
    assert (done.skipped, done.completed) == (8, 4)
    assert_same_results(load_results(out), reference)


def test_parameter_types_become_column_types(tmp_path: Path) -> None:
    sweep_file = tmp_path / "types.toml"
    sweep_file.write_text(
        'scenario = "paper"\nseeds = [5]\nmetrics = ["volume"]\n'
        "[fixed]\nyears = 1\nsteps_per_year = 10\n"
        "[grid]\nbanking = [true, false]\n"
        '[random]\nsamples = 3\nmax_orders = {low = 2, high = 4}\nbehaviour = ["zi-c"]\n'
    )
    sweep = load_sweep(sweep_file)
    run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    runs = load_results(tmp_path / "out").runs
    assert len(runs) == len(sweep.points()) == len(runs.drop_duplicates(sweep.parameters))
    columns = runs[["banking", "max_orders", "behaviour", "seed"]].dtypes.astype(str).to_dict()
    assert columns == {
        "banking": "bool",
        "max_orders": "int64",
        "behaviour": "object",
        "seed": "int64",
    }
    assert runs["max_orders"].between(2, 4).all() and (runs["seed"] == 5).all()
