from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from experiments import Results, load_results, load_sweep, run_sweep
from tests.experiments.helpers import write_sweep

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds: a bound on starting the cluster


@pytest.fixture(scope="session")
def small_sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("sweep-file"))


@pytest.fixture(scope="session")
def reference(small_sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The small sweep, uninterrupted, in one local process."""
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(load_sweep(small_sweep_file), out, workers=1, progress=False)
    return load_results(out)


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
        from distributed import Client

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
