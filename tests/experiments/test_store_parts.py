"""One part per batch: a batch killed while written, runs recorded once, the one-file layout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments import Results, SweepError, load_results, load_sweep, run_sweep
from experiments.identity import fingerprint, sweep_tasks
from experiments.runner import RunBatch, run_points
from experiments.store import ResultStore
from tests.experiments.helpers import assert_same_results

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

ROOT = Path(__file__).resolve().parents[2]

#: Runs the small sweep in batches of 2 and dies (``os._exit``, as ``kill -9`` would end it)
#: as the third batch's runs part is about to be renamed into place: that batch's years part
#: is in place and its runs part is a hidden temporary file.
KILLED_WHILE_WRITING = """
import os, sys
from pathlib import Path
from experiments import load_sweep, run_sweep
import experiments.store as store

renamed = []
real_replace = os.replace

def replace(source, target):
    if Path(target).parent.name == "runs":
        renamed.append(target)
        if len(renamed) == 3:
            os._exit(9)
    real_replace(source, target)

if __name__ == "__main__":
    store.os.replace = replace
    run_sweep(load_sweep(sys.argv[1]), sys.argv[2], workers=1, progress=False, runs_per_task=2)
"""


def open_store(sweep_file: Path, out: Path) -> ResultStore:
    sweep = load_sweep(sweep_file)
    return ResultStore.open(out, sweep, fingerprint(sweep, sweep_tasks(sweep)), resume=True)


@pytest.fixture
def finished(small_sweep_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    run_sweep(load_sweep(small_sweep_file), out, workers=1, progress=False)
    return out


def test_a_batch_is_one_part_of_each_table(finished: Path, reference: Results) -> None:
    runs = sorted((finished / "runs").glob("*.parquet"))
    years = sorted((finished / "years").glob("*.parquet"))
    assert [p.name for p in runs] == [p.name for p in years]
    assert len(runs) == 4  # 4 points of 3 seeds: one batch each
    for part in runs:
        ids = pq.read_table(part).column("run_id").to_pylist()
        assert len(ids) == 3 and part.stem == ids[0]  # named by the batch's first run
        assert set(pq.read_table(finished / "years" / part.name)["run_id"].to_pylist()) == set(ids)
    # the plain reader reads the parts as one table, each run once
    plain = pd.read_parquet(finished / "runs")
    assert sorted(plain["run_id"]) == sorted(reference.runs["run_id"])


def test_a_sweep_killed_while_writing_a_batch_resumes_each_run_once(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:  # a file, not a pipe: the sweep's workers may outlive it
        killed = subprocess.Popen(
            [sys.executable, "-c", KILLED_WHILE_WRITING, str(small_sweep_file), str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        killed.wait(timeout=120)  # reaped at once, so its workers see it gone and exit
    assert killed.returncode == 9, log.read_text()
    assert len(list((out / "years").glob("*.parquet"))) == 3  # the third batch's years ...
    assert len(list((out / "runs").glob("*.parquet"))) == 2  # ... but not its runs
    assert len(list((out / "runs").glob(".*.tmp"))) == 1
    assert len(load_results(out).runs) == 3  # batches of 2 and 1 seeds of the first point

    done = run_sweep(load_sweep(small_sweep_file), out, workers=1, resume=True, progress=False)
    assert (done.skipped, done.completed, done.broken) == (3, 9, ())
    assert_same_results(load_results(out), reference)
    for table in ("runs", "years"):  # the plain reader too: no run twice, no leftover
        plain = pd.read_parquet(out / table)
        assert len(plain) == len(getattr(reference, table))
        assert not plain.duplicated(["run_id", "year"] if table == "years" else "run_id").any()
    assert not list(out.glob("*/.*.tmp"))


def test_a_truncated_runs_part_is_removed_named_and_its_runs_run_again(
    finished: Path, small_sweep_file: Path, reference: Results
) -> None:
    part = sorted((finished / "runs").glob("*.parquet"))[1]
    lost = pq.read_table(part).column("run_id").to_pylist()
    part.write_bytes(part.read_bytes()[:-30])
    with pytest.raises(SweepError, match=f"damaged result files: {part.name};"):
        load_results(finished)
    done = run_sweep(load_sweep(small_sweep_file), finished, resume=True, progress=False)
    assert done.broken == (f"runs/{part.name}",)
    assert (done.skipped, done.completed) == (12 - len(lost), len(lost))
    assert_same_results(load_results(finished), reference)


def test_years_of_other_runs_than_the_runs_part_are_damage(
    finished: Path, small_sweep_file: Path, reference: Results
) -> None:
    part = sorted((finished / "years").glob("*.parquet"))[0]
    table = pq.read_table(part)
    pq.write_table(table.slice(0, 2), part)  # the years of one run only: a part of another batch
    done = run_sweep(load_sweep(small_sweep_file), finished, resume=True, progress=False)
    assert done.broken == (f"years/{part.name}",) and done.completed == 3
    assert_same_results(load_results(finished), reference)


def test_a_run_in_two_parts_is_refused_naming_both(finished: Path, small_sweep_file: Path) -> None:
    first = sorted((finished / "runs").glob("*.parquet"))[0]
    shutil.copy(first, finished / "runs" / "copy.parquet")
    shutil.copy(finished / "years" / first.name, finished / "years" / "copy.parquet")
    run = pq.read_table(first).column("run_id")[0].as_py()
    twice = f"run {run} is recorded twice, in {first.name} and copy.parquet;"
    with pytest.raises(SweepError, match=twice):
        load_results(finished)
    with pytest.raises(SweepError, match=f"--resume: run {run} is recorded twice, in runs/"):
        open_store(small_sweep_file, finished)
    (finished / "runs" / "copy.parquet").unlink()
    open_store(small_sweep_file, finished).close()  # the refusal released the lock


def test_the_store_never_writes_a_run_twice(finished: Path, small_sweep_file: Path) -> None:
    task = sweep_tasks(load_sweep(small_sweep_file))[0]
    result = run_points(RunBatch((task,)))
    store = open_store(small_sweep_file, finished)
    try:
        assert task.run_id in store.finished
        with pytest.raises(ValueError, match=f"run {task.run_id} is already recorded"):
            store.write([task], result)
    finally:
        store.close()
    assert len(load_results(finished).runs) == 12


def split_into_one_file_per_run(out: Path) -> None:
    """Rewrite a results directory in the earlier layout: runs/<run_id>.parquet per run."""
    for table in ("runs", "years"):
        for part in list((out / table).glob("*.parquet")):
            rows = pq.read_table(part)
            part.unlink()
            for run in set(rows.column("run_id").to_pylist()):
                mask = pd.Series(rows.column("run_id").to_pylist()) == run
                pq.write_table(rows.filter(mask.to_numpy()), out / table / f"{run}.parquet")


def test_a_one_file_per_run_directory_resumes(
    finished: Path, small_sweep_file: Path, reference: Results
) -> None:
    split_into_one_file_per_run(finished)
    assert len(list((finished / "runs").glob("*.parquet"))) == 12
    assert_same_results(load_results(finished), reference)
    lost = sorted((finished / "runs").glob("*.parquet"))[:2]
    lost[0].unlink()  # a run never finished ...
    lost[1].write_bytes(b"")  # ... and a damaged one
    done = run_sweep(load_sweep(small_sweep_file), finished, resume=True, progress=False)
    assert done.broken == (f"runs/{lost[1].name}",)
    assert (done.skipped, done.completed) == (10, 2)
    assert_same_results(load_results(finished), reference)
