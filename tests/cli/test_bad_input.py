"""Bad input on the command line: a one-line message naming what is wrong, never a traceback.

Each case of issue 14's list runs the command line's ``main`` in-process and checks the exit
status 2 and the message (before the fixes each one ended in a traceback or ran anyway).
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

import cli
from agents.learned_regulator import SHIPPED_REGULATOR

SIDECARS = (".zip", ".json", ".npz", ".vecnormalize.pkl")


def error_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line; it must exit 2 with one line on stderr, which is returned."""
    code = cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    return err


def argparse_error_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line where argparse refuses an argument: exit 2, its last line."""
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def copy_regulator(directory: Path, name: str) -> Path:
    """The shipped regulator's four files copied as ``directory/name.*``; the .zip's path."""
    for suffix in SIDECARS:
        shutil.copy(
            SHIPPED_REGULATOR.with_suffix("").with_suffix(suffix), directory / f"{name}{suffix}"
        )
    return directory / f"{name}.zip"


# --------------------------------------------------------------------------- policy files


@pytest.mark.learn
def test_a_truncated_policy_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = copy_regulator(tmp_path, "cut")
    model.write_bytes(model.read_bytes()[:2000])
    err = error_of(capsys, ["export-policy", str(model)])
    assert err.startswith(f"carbon-market: error: export-policy: {model} is not a readable")


@pytest.mark.learn
def test_a_truncated_checkpoint_on_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoints = tmp_path / "run" / "checkpoints"
    checkpoints.mkdir(parents=True)
    model = checkpoints / "regulator_20_steps.zip"
    model.write_bytes(SHIPPED_REGULATOR.read_bytes()[:2000])
    shutil.copy(
        SHIPPED_REGULATOR.with_suffix("").with_suffix(".vecnormalize.pkl"),
        checkpoints / "regulator_vecnormalize_20_steps.pkl",
    )
    err = error_of(capsys, ["train-regulator", "--out", str(tmp_path / "run"), "--resume"])
    assert err.startswith(f"carbon-market: error: --resume: {model} is not a readable")


@pytest.mark.learn
@pytest.mark.parametrize("algorithm", ["A2C", "DQN"])
def test_another_algorithms_zip_given_as_a_ppo_regulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], algorithm: str
) -> None:
    import stable_baselines3

    model = copy_regulator(tmp_path, algorithm.lower())
    cls = getattr(stable_baselines3, algorithm)
    cls("MlpPolicy", "CartPole-v1", device="cpu").save(model)
    err = error_of(capsys, ["export-policy", str(model)])
    assert err == (
        f"carbon-market: error: export-policy: {model} holds no PPO model (it has no "
        "'clip_range'; saved by another algorithm, e.g. A2C or DQN)"
    )


@pytest.mark.learn
def test_normalisation_statistics_holding_another_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = copy_regulator(tmp_path, "odd")
    (tmp_path / "odd.vecnormalize.pkl").write_bytes(pickle.dumps({"mean": 0.0}))
    err = error_of(capsys, ["export-policy", str(model)])
    assert err == (
        "carbon-market: error: export-policy: odd.vecnormalize.pkl holds a dict, "
        "not the VecNormalize statistics training saves"
    )


def test_a_bogus_action_mode_in_a_policys_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = copy_regulator(tmp_path, "bogus")
    metadata = json.loads((tmp_path / "bogus.json").read_text())
    (tmp_path / "bogus.json").write_text(json.dumps({**metadata, "action_mode": "sideways"}))
    err = error_of(capsys, ["simulate", "--years", "1", "--policy", f"learned:{model}"])
    assert err == (
        f"carbon-market: error: government.policy: learned:{model}: bogus.json: action_mode: "
        "'sideways' is not one of per-firm, rules"
    )


# --------------------------------------------------------------------------- scenario files


def test_a_directory_as_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, ["simulate", "--scenario", str(tmp_path)])
    assert err == f"carbon-market: error: scenario: {tmp_path} is a directory, not a TOML file"


def test_a_binary_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(bytes(range(256)))
    err = error_of(capsys, ["simulate", "--scenario", str(path)])
    assert err == f"carbon-market: error: scenario: {path} is not a text (UTF-8) TOML file"


def test_market_not_a_table_with_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text("market = 5\n[[firms]]\n")
    err = error_of(capsys, ["simulate", "--scenario", str(path), "--set", "penalty=3"])
    assert err == "carbon-market: error: market: expected a table [market], got 5"


# --------------------------------------------------------------------------- flags


def test_theory_with_no_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    err = argparse_error_of(capsys, ["theory", "--seeds", "0"])
    assert err == "carbon-market theory: error: argument --seeds: 0 is not allowed; it must be >= 1"


@pytest.mark.parametrize("command", ["simulate", "train-regulator"])
def test_a_negative_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    extra = ["--out", str(tmp_path / "run")] if command == "train-regulator" else []
    err = argparse_error_of(capsys, [command, "--seed", "-1", *extra])
    assert err == (
        f"carbon-market {command}: error: argument --seed: -1 is not allowed; it must be >= 0"
    )
    assert not (tmp_path / "run").exists()


def test_out_under_a_regular_file_is_refused_before_the_episode_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import model.episode

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the episode ran before --out was checked")

    monkeypatch.setattr(model.episode, "run_episode", never)
    (tmp_path / "file").write_text("in the way")
    out = tmp_path / "file" / "x.csv"
    err = error_of(capsys, ["simulate", "--out", str(out)])
    assert err == (
        f"carbon-market: error: --out: cannot write to {out.parent} "
        f"({tmp_path / 'file'} is a file, not a directory)"
    )


def test_evaluate_with_only_a_learned_policy(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, ["evaluate", "--policies", "learned:shipped", "--seeds", "2"])
    assert err == (
        "carbon-market: error: --policies: learned:shipped has no rule; a learned policy is "
        "tested against the best rule, so add one, e.g. --policies "
        "learned:shipped,flat-grandfathering"
    )


# --------------------------------------------------------------------------- sweeps

SWEEP = """
scenario = "paper"
seeds = [0]
metrics = ["welfare"]
[fixed]
years = 1
steps_per_year = 5
[grid]
budget = [100.0, 200.0]
"""


def test_a_truncated_sweep_json_on_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_file = tmp_path / "small.toml"
    sweep_file.write_text(SWEEP)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    manifest = out / "sweep.json"
    manifest.write_text(manifest.read_text()[:100])
    err = error_of(capsys, ["sweep", str(sweep_file), "--out", str(out), "--resume"])
    assert err.startswith(f"carbon-market: error: {manifest}: corrupt (")
    assert err.endswith("run the sweep again into another --out")


def test_a_scheduler_that_is_not_an_address_fails_without_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import distributed

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was tried (it waited 20 s for a timeout)")

    monkeypatch.setattr(distributed, "Client", never)
    sweep_file = tmp_path / "small.toml"
    sweep_file.write_text(SWEEP)
    argv = ["sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--scheduler", "not a url"]
    err = error_of(capsys, argv)
    assert err == (
        "carbon-market: error: --scheduler: 'not a url' is not a scheduler address; "
        "expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    )
    assert not (tmp_path / "out").exists()


def test_a_sweep_out_under_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_file = tmp_path / "small.toml"
    sweep_file.write_text(SWEEP)
    (tmp_path / "file").write_text("in the way")
    out = tmp_path / "file" / "out"
    err = error_of(capsys, ["sweep", str(sweep_file), "--out", str(out), "--workers", "1"])
    assert err == (
        f"carbon-market: error: --out: cannot make {out} ({tmp_path / 'file'} is a file, "
        "not a directory)"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--seeds", "4-2"], "argument --seeds: '4-2': a range runs from low to high"),
        (["--seeds", "0-2,1"], "argument --seeds: seed 1 is given twice in '0-2,1'"),
        (["--seeds", "a-3"], "argument --seeds: 'a-3' is not a list of seeds >= 0"),
        (["--seeds", "0-1", "--seed", "3"], "argument --seed: not allowed with argument --seeds"),
        (["--workers", "2"], "--workers: trains several seeds side by side; give --seeds"),
        (["--seeds", "0-1", "--workers", "0"], "argument --workers: 0 is not allowed"),
    ],
)
def test_train_regulator_seeds_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    out = tmp_path / "out"
    try:
        code = cli.main(["train-regulator", "--out", str(out), *flags])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
