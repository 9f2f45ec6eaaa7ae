"""The same sweep on a Dask cluster equals the local run: a LocalCluster, and real
``dask scheduler`` + ``dask worker`` processes on loopback, one of which dies mid-run."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest
from distributed import LocalCluster

from experiments import Results, SweepError, executors, load_results, load_sweep, run_sweep
from experiments.identity import sweep_tasks
from tests.experiments.helpers import assert_same_results, crash_once

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


def test_sweep_on_a_local_cluster_equals_the_local_run(
    small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        done = run_sweep(
            load_sweep(small_sweep_file),
            tmp_path / "out",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert done.completed == 12
    assert_same_results(load_results(tmp_path / "out"), reference)


def test_no_scheduler_is_a_clear_error_and_writes_nothing(
    small_sweep_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(
        SweepError, match=re.escape("--scheduler: no Dask scheduler answers at tcp://127.0.0.1:9")
    ):
        run_sweep(load_sweep(small_sweep_file), tmp_path / "out", scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "out").exists()


def test_sweep_on_scheduler_and_worker_processes_equals_the_local_run(
    cluster: str, small_sweep_file: Path, reference: Results, tmp_path: Path
) -> None:
    markers = tmp_path / "crashed"
    markers.mkdir()
    sweep = load_sweep(small_sweep_file)
    doomed = sweep_tasks(sweep)[4].run_id
    # The worker that starts this run dies (its nanny starts a new one); the scheduler hands
    # the run to a worker again.
    run = functools.partial(crash_once, str(markers), (doomed,))
    done = run_sweep(sweep, tmp_path / "out", scheduler=cluster, run=run)
    assert done.completed == 12
    assert os.listdir(markers) == [doomed]
    assert_same_results(load_results(tmp_path / "out"), reference)
