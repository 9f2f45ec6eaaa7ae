import json

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from stable_baselines3 import PPO

from agents.network import load_network
from cli import main
from learning.export import load_ppo
from learning.train import latest_checkpoint, train_regulator
from learning.train_config import load_train_config
from tests.learning.regulator.support import tiny_config, tiny_recurrent_config

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


def test_training_writes_model_statistics_provenance_and_logs(tiny_regulator):
    out = tiny_regulator.parent
    meta = json.loads((out / "regulator.json").read_text())
    assert meta["seed"] == 3 and meta["timesteps"] == 40
    assert meta["action_mode"] == "rules" and meta["n_firms"] == 5
    # the statistics were learned, not just saved: VecNormalize normalised the observations
    # of the reset and the 40 steps (its moments start at count 1e-4, mean 0 and variance 1)
    _, normalizer = load_ppo(tiny_regulator, "test")
    assert meta["normalize"] is True and normalizer.norm_obs
    assert normalizer.obs_rms.count >= 40
    assert np.all(normalizer.obs_rms.var != 1.0) and np.any(normalizer.obs_rms.mean != 0.0)
    # and the exported network carries them
    mean, var, _, _ = load_network(tiny_regulator, "test").normalization
    np.testing.assert_array_equal(mean, normalizer.obs_rms.mean)
    np.testing.assert_array_equal(var, normalizer.obs_rms.var)
    assert any((out / "tensorboard").rglob("events.out.tfevents.*"))
    assert (out / "eval" / "evaluations.npz").is_file()
    assert latest_checkpoint(out)[2] == 40


def test_an_interrupted_run_resumes_from_its_last_checkpoint(tmp_path):
    first = train_regulator("paper", tiny_config(n_timesteps=40), tmp_path, seed=1, progress=False)
    assert PPO.load(first).num_timesteps == 40
    # the run "died" after its last checkpoint at 40 steps; ask for 80 in all and resume
    resumed = train_regulator(
        "paper", tiny_config(n_timesteps=80), tmp_path, seed=1, resume=True, progress=False
    )
    assert PPO.load(resumed).num_timesteps == 80
    assert latest_checkpoint(tmp_path)[2] == 80
    # the validations before the interruption stay in the log, and count for "best"
    history = np.load(tmp_path / "eval" / "evaluations.npz")
    assert list(history["timesteps"]) == [20, 40, 60, 80]


def test_training_runs_torch_on_the_configured_threads(tmp_path):
    import torch

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        train_regulator("paper", tiny_config(n_timesteps=20), tmp_path, seed=1, progress=False)
        assert torch.get_num_threads() == 1  # the default: these networks are small
        with pytest.raises(ValueError, match=r"torch_threads: 0 must be an integer >= 1"):
            tiny_config(torch_threads=0)
    finally:
        torch.set_num_threads(before)


def test_a_resumed_run_keeps_its_best_validated_model(tmp_path):
    from learning.train import continue_validation

    class Validation:  # the EvalCallback attributes continue_validation sets
        pass

    np.savez(
        tmp_path / "evaluations.npz",
        timesteps=np.array([20, 40]),
        results=np.array([[1.0, 3.0], [5.0, 4.0]]),
        ep_lengths=np.array([[10, 10], [10, 10]]),
    )
    validation = Validation()
    continue_validation(validation, tmp_path / "evaluations.npz")
    assert validation.best_mean_reward == 4.5
    assert validation.evaluations_timesteps == [20, 40]
    assert validation.evaluations_results == [[1.0, 3.0], [5.0, 4.0]]


def test_a_used_output_directory_needs_resume(tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(ValueError, match=r"--out: .* already holds a run; pass --resume"):
        train_regulator("paper", tiny_config(), tmp_path, progress=False)


def test_yaml_config_is_validated(tmp_path):
    good = tmp_path / "ok.yaml"
    good.write_text("paper:\n  n_timesteps: 100\n  n_envs: 1\n")
    assert load_train_config(good, "paper").n_timesteps == 100
    with pytest.raises(ValueError, match="has no entry for scenario 'classroom'"):
        load_train_config(good, "classroom")
    bad = tmp_path / "bad.yaml"
    bad.write_text("paper:\n  n_timestep: 100\n")
    with pytest.raises(ValueError, match=r"paper\.n_timestep: unknown key"):
        load_train_config(bad, "paper")
    bad.write_text("paper:\n  gamma: 2\n")
    with pytest.raises(ValueError, match=r"gamma: 2 must be a number in \[0, 1\]"):
        load_train_config(bad, "paper")
    with pytest.raises(ValueError, match="--config: no file at"):
        load_train_config(tmp_path / "missing.yaml", "paper")


def test_shipped_config_has_the_paper_entry():
    from learning.train_config import DEFAULT_CONFIG

    config = load_train_config(DEFAULT_CONFIG, "paper")
    assert config.env_kwargs["climate_coefficient"] == [0.05, 0.2, 0.5]


def test_cli_refuses_a_bad_timesteps_value(tmp_path, capsys):
    assert main(["train-regulator", "--timesteps", "0", "--out", str(tmp_path / "x")]) == 2
    assert "--timesteps: 0 must be >= 1" in capsys.readouterr().err


def test_an_interrupted_recurrent_run_resumes_as_recurrent_ppo(tmp_path):
    from sb3_contrib import RecurrentPPO

    first = train_regulator("paper", tiny_recurrent_config(), tmp_path, seed=1, progress=False)
    assert RecurrentPPO.load(first).num_timesteps == 40
    resumed = train_regulator(
        "paper",
        tiny_recurrent_config(n_timesteps=80),
        tmp_path,
        seed=1,
        resume=True,
        progress=False,
    )
    model = RecurrentPPO.load(resumed)
    assert model.num_timesteps == 80 and model.policy.lstm_actor.hidden_size == 8
    assert json.loads((tmp_path / "regulator.json").read_text())["config"]["algorithm"] == (
        "recurrent-ppo"
    )
    # resuming it as PPO is refused, not trained on with the wrong model
    with pytest.raises(ValueError, match="trained by RecurrentPPO, not PPO"):
        train_regulator(
            "paper", tiny_config(n_timesteps=120), tmp_path, seed=1, resume=True, progress=False
        )


def test_the_algorithm_and_its_policy_are_validated(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("paper:\n  algorithm: a2c\n")
    with pytest.raises(ValueError, match=r"algorithm: 'a2c' must be one of ppo, recurrent-ppo"):
        load_train_config(bad, "paper")
    bad.write_text("paper:\n  algorithm: recurrent-ppo\n")
    with pytest.raises(ValueError, match=r"policy: 'MlpPolicy' is not what recurrent-ppo trains"):
        load_train_config(bad, "paper")
    bad.write_text(
        "paper:\n  algorithm: recurrent-ppo\n  policy: MlpLstmPolicy\n  lstm_hidden_size: 0\n"
    )
    with pytest.raises(ValueError, match=r"lstm_hidden_size: 0 must be an integer >= 1"):
        load_train_config(bad, "paper")


def test_the_recurrent_config_is_the_ppo_one_with_an_lstm():
    from learning.train_config import DEFAULT_CONFIG

    recurrent = load_train_config(
        DEFAULT_CONFIG.with_name("recurrent_ppo_regulator.yaml"), "paper-shocks"
    )
    ppo = load_train_config(DEFAULT_CONFIG, "paper-shocks")
    assert (recurrent.algorithm, recurrent.policy) == ("recurrent-ppo", "MlpLstmPolicy")
    same = {"algorithm", "policy", "lstm_hidden_size"}
    assert {k: v for k, v in vars(recurrent).items() if k not in same} == {
        k: v for k, v in vars(ppo).items() if k not in same
    }
