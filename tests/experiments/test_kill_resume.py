"""A sweep killed part-way by a signal, then resumed, ends exactly like an uninterrupted one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from experiments import load_results, load_sweep, run_sweep
from tests.experiments.helpers import assert_same_results, write_sweep

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

CLI = [sys.executable, "-m", "cli"]
ROOT = Path(__file__).resolve().parents[2]
SEEDS = 25  # 4 points x 25 seeds = 100 runs: a few seconds, time enough to kill it part-way
KILL_AFTER = 8  # runs recorded before the signal
DEADLINE = 60.0  # seconds: a bound on every wait below


def recorded(out: Path) -> int:
    """Runs recorded so far: the rows of the runs parts (one part per finished batch)."""
    runs = out / "runs"
    parts = sorted(runs.glob("*.parquet")) if runs.is_dir() else []
    return sum(pq.read_metadata(part).num_rows for part in parts)


def start(sweep_file: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "sweep", str(sweep_file), "--out", str(out), "--workers", "2", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the pool and fork server with it
    )


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("kill"), seeds=SEEDS, steps=10)


@pytest.fixture(scope="module")
def uninterrupted(sweep_file: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("whole") / "out"
    run_sweep(load_sweep(sweep_file), out, workers=2, progress=False)
    return load_results(out)


def wait_for_group_to_end(pgid: int) -> None:
    """Wait until no process of the sweep's group (pool workers, fork server) is left."""
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "the sweep left processes behind"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=lambda s: s.name)
def test_killed_sweep_resumes_to_the_uninterrupted_result(
    sweep_file: Path, uninterrupted, tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "out"
    process = start(sweep_file, out)
    try:
        deadline = time.monotonic() + DEADLINE
        while recorded(out) < KILL_AFTER and process.poll() is None:
            assert time.monotonic() < deadline, "the sweep recorded too few runs in time"
            time.sleep(0.01)
        process.send_signal(sig)  # the sweep's process only: its workers must notice
        process.wait(timeout=DEADLINE)
        wait_for_group_to_end(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left, on any failure
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == (-sig if sig == signal.SIGKILL else 128 + sig)
    partial = load_results(out)
    total = len(uninterrupted.runs)
    assert KILL_AFTER <= len(partial.runs) < total, "the kill came too late to test anything"
    assert not partial.runs["run_id"].duplicated().any()

    resumed = subprocess.run(
        [*CLI, "sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--resume"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total} runs, {len(partial.runs)} already recorded" in resumed.stdout
    assert_same_results(load_results(out), uninterrupted)
    assert not list(out.glob("*/.*.tmp"))  # a killed write's leftovers are cleaned up
