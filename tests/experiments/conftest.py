from __future__ import annotations

from pathlib import Path

import pytest

from experiments import Results, load_results, load_sweep, run_sweep
from tests.experiments.helpers import write_sweep


@pytest.fixture(scope="session")
def small_sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("sweep-file"))


@pytest.fixture(scope="session")
def reference(small_sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The small sweep, uninterrupted, in one local process."""
    out = tmp_path_factory.mktemp("reference") / "out"
    run_sweep(load_sweep(small_sweep_file), out, workers=1, progress=False)
    return load_results(out)
