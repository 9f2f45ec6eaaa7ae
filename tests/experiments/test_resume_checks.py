"""A resumed sweep reads back what it finds: damaged parts run again, and one sweep at a time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import cli
from experiments import Results, SweepError, load_results, load_sweep, run_sweep
from experiments.identity import fingerprint, sweep_tasks
from experiments.store import ResultStore
from tests.experiments.helpers import assert_same_results

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


@pytest.fixture
def finished(small_sweep_file: Path, tmp_path: Path) -> Path:
    """A copy of the reference sweep's finished results directory."""
    out = tmp_path / "out"
    run_sweep(load_sweep(small_sweep_file), out, workers=1, progress=False)
    return out


def damage(out: Path) -> tuple[str, str]:
    """Truncate one batch's summaries and empty another batch's year rows; their file names.

    The small sweep's batches are its 4 points of 3 seeds each, so 6 runs lose their rows.
    """
    first, second = sorted((out / "runs").glob("*.parquet"))[:2]
    first.write_bytes(first.read_bytes()[:40])
    (out / "years" / second.name).write_bytes(b"")
    return f"runs/{first.name}", f"years/{second.name}"


def test_resume_reruns_damaged_parts_and_names_them(
    finished: Path,
    small_sweep_file: Path,
    reference: Results,
    capsys: pytest.CaptureFixture[str],
) -> None:
    truncated, emptied = damage(finished)
    argv = ["sweep", str(small_sweep_file), "--out", str(finished), "--resume", "--workers", "1"]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    assert err.strip() == (
        "carbon-market sweep: 2 damaged result files were removed and their runs run again: "
        f"{truncated}, {emptied}"
    )
    runs = len(reference.runs)
    assert f"{runs} runs, {runs - 6} already recorded, 6 run now" in out
    assert_same_results(load_results(finished), reference)


def test_reading_damaged_results_names_the_damaged_parts(finished: Path) -> None:
    truncated, _ = damage(finished)
    with pytest.raises(SweepError, match=f"damaged result files: {Path(truncated).name};"):
        load_results(finished)


def open_store(sweep_file: Path, out: Path) -> ResultStore:
    sweep = load_sweep(sweep_file)
    return ResultStore.open(out, sweep, fingerprint(sweep, sweep_tasks(sweep)), resume=True)


def test_a_second_resume_is_refused_while_a_sweep_holds_the_folder(
    finished: Path, small_sweep_file: Path
) -> None:
    first = open_store(small_sweep_file, finished)
    in_flight = finished / "runs" / f".{'x' * 8}.parquet.{os.getpid()}.tmp"
    in_flight.write_bytes(b"being written")
    with pytest.raises(SweepError) as refused:
        open_store(small_sweep_file, finished)
    assert str(refused.value) == (
        f"--out: {finished} is in use by another sweep (process {os.getpid()}); "
        "wait for it to end or stop it, then --resume"
    )
    assert in_flight.exists()  # the refused sweep touched nothing of the first one's
    first.close()
    open_store(small_sweep_file, finished).close()  # free again once the first has ended
    assert not in_flight.exists()  # and then a resume clears what a killed sweep left


def test_a_sweep_run_releases_its_folder(finished: Path, small_sweep_file: Path) -> None:
    copy = finished.parent / "again"
    shutil.copytree(finished, copy)
    done = run_sweep(load_sweep(small_sweep_file), copy, workers=1, resume=True, progress=False)
    assert done.completed == 0 and done.broken == ()
    open_store(small_sweep_file, copy).close()
