"""Training seeds side by side on the sweeps' executors equals training each seed alone.

Each seed trains as one task in a local worker process or on a real ``dask scheduler`` +
``dask worker`` cluster; its network arrays (weights, normalisation statistics, action
bounds) are those of ``train_regulator`` with that seed alone. A seed whose training raises is
named and the others are saved; ``resume`` does not train a finished seed again.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from cli import main
from experiments.seed_training import seed_directory, train_seeds
from learning.train import train_regulator
from tests.experiments.helpers import fail_training_on
from tests.learning.regulator.support import tiny_config

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

SEEDS = (0, 1)


@pytest.fixture(scope="module")
def lone_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Each seed trained alone, in this process: its ``regulator.zip``."""
    out = tmp_path_factory.mktemp("lone")
    return {
        seed: train_regulator("paper", tiny_config(), out / str(seed), seed=seed, progress=False)
        for seed in SEEDS
    }


def network_arrays(model: Path) -> dict[str, np.ndarray]:
    """Every array of the network file the regulator acts with (``regulator.npz``)."""
    with np.load(model.with_suffix(".npz")) as arrays:
        return {name: arrays[name] for name in arrays.files}


def assert_same_network(got: Path, expected: Path) -> None:
    got_arrays, expected_arrays = network_arrays(got), network_arrays(expected)
    assert got_arrays.keys() == expected_arrays.keys()
    for name, array in expected_arrays.items():
        np.testing.assert_array_equal(got_arrays[name], array, err_msg=name)


def test_seeds_in_local_processes_equal_each_seed_trained_alone(
    lone_runs: dict[int, Path], tmp_path: Path
) -> None:
    lone = [network_arrays(lone_runs[seed])["layer_0_weight"] for seed in SEEDS]
    assert not np.array_equal(*lone)  # the seeds' networks differ, so equality says something
    done = train_seeds("paper", tiny_config(), SEEDS, tmp_path, workers=2, progress=False)
    assert not done.failed
    assert [result.seed for result in done.results] == list(SEEDS)
    for result in done.results:
        assert result.trained_now and result.wall_seconds > 0
        assert result.model == seed_directory(tmp_path, result.seed) / "regulator.zip"
        assert_same_network(result.model, lone_runs[result.seed])
        assert json.loads(result.model.with_suffix(".json").read_text())["seed"] == result.seed


def test_a_failing_seed_is_named_the_other_is_saved_and_resume_trains_only_the_failed_one(
    lone_runs: dict[int, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = functools.partial(fail_training_on, 1)
    done = train_seeds("paper", tiny_config(), SEEDS, tmp_path, workers=2, progress=False, run=run)
    assert list(done.failed) == [1]
    assert done.failed[1] == "RuntimeError: training failed for seed 1"
    assert [result.seed for result in done.results] == [0]
    assert_same_network(done.results[0].model, lone_runs[0])
    first = (tmp_path / "seed-0" / "regulator.json").read_text()

    resumed = train_seeds("paper", tiny_config(), SEEDS, tmp_path, workers=2, resume=True)
    assert not resumed.failed
    assert [result.trained_now for result in resumed.results] == [False, True]
    assert (tmp_path / "seed-0" / "regulator.json").read_text() == first  # not trained again
    assert_same_network(resumed.results[1].model, lone_runs[1])

    # All finished: the command trains nothing and lists every seed's output.
    config = tmp_path / "tiny.yaml"
    config.write_text("paper:\n  n_timesteps: 40\n")
    args = ["train-regulator", "--config", str(config), "--seeds", "0-1", "--out", str(tmp_path)]
    assert main([*args, "--resume", "--workers", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    recorded = {  # a finished seed shows the wall time its provenance file holds
        seed: json.loads((tmp_path / f"seed-{seed}" / "regulator.json").read_text())["wall_seconds"]
        for seed in SEEDS
    }
    assert lines == [
        f"seed {seed}: {tmp_path / f'seed-{seed}' / 'regulator.zip'} (trained before, not "
        f"retrained; {recorded[seed]:.1f} s wall)"
        for seed in SEEDS
    ]


def test_used_seed_directories_need_resume_before_any_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "seed-1").mkdir()
    (tmp_path / "seed-1" / "regulator.zip").write_text("")
    args = ["train-regulator", "--seeds", "0-1", "--out", str(tmp_path), "--workers", "1"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"carbon-market: error: --out: {tmp_path / 'seed-1'} already holds a run; pass "
        "--resume to continue or choose an empty directory\n"
    )
    assert not (tmp_path / "seed-0").exists()


def test_seeds_on_scheduler_and_worker_processes_equal_each_seed_trained_alone(
    cluster: str, lone_runs: dict[int, Path], tmp_path: Path
) -> None:
    done = train_seeds("paper", tiny_config(), SEEDS, tmp_path, scheduler=cluster, progress=False)
    assert not done.failed
    for result in done.results:
        assert_same_network(result.model, lone_runs[result.seed])


def test_resume_continues_an_unfinished_seed_from_its_last_checkpoint(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    # seed 0 "died" after its checkpoint at 20 steps: no provenance file, so not finished
    train_regulator("paper", tiny_config(n_timesteps=20), tmp_path / "seed-0", progress=False)
    (tmp_path / "seed-0" / "regulator.json").unlink()
    done = train_seeds("paper", tiny_config(), (0,), tmp_path, workers=1, resume=True)
    assert not done.failed and done.results[0].trained_now
    assert PPO.load(done.results[0].model).num_timesteps == 40
    history = np.load(tmp_path / "seed-0" / "eval" / "evaluations.npz")
    assert list(history["timesteps"]) == [20, 40]  # the validation before the stop is kept
