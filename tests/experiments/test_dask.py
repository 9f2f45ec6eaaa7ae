"""The same sweep on a Dask cluster equals the local run: a LocalCluster, and real
``dask scheduler`` + ``dask worker`` processes on loopback, one of which dies mid-run."""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from experiments import Results, SweepError, executors, load_results, load_sweep, run_sweep
from experiments.identity import sweep_tasks
from tests.experiments.helpers import assert_same_results, crash_once

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds: a bound on starting the cluster


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


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1; yields the address."""
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the workers unpickle tests.* run functions
    common = ["--no-dashboard"]
    processes = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--scheduler-file", str(scheduler_file), *common],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + DEADLINE
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
        for name in ("w1", "w2"):
            processes.append(
                subprocess.Popen(
                    [str(BIN / "dask"), "worker", "--scheduler-file", str(scheduler_file),
                     "--nthreads", "1", "--nworkers", "1", "--name", name,
                     "--local-directory", str(tmp_path / name), *common],
                    env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )  # fmt: skip
        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=DEADLINE)
        yield address
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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
