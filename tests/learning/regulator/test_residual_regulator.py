"""A schedule-anchored (residual) regulator: the action corrects an open-loop schedule."""

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from agents.network import metadata_path
from agents.policies import rule_shares
from agents.regulator_levers import ActionSpec
from agents.schedule import load_schedule
from cli import main
from learning.export import load_ppo
from learning.regulator_env import RegulatorEnv
from learning.regulator_vec_env import RegulatorVecEnv
from learning.train import train_regulator
from market.data import POLICY_DIR
from model import CarbonMarket, ScenarioError
from tests.learning.regulator.support import tiny_config

SHIPPED_SCHEDULE = POLICY_DIR / "schedule-paper-shocks.json"
SHORT = {"years": 2, "steps_per_year": 10}
#: a two-year schedule whose release and weights a correction can move both ways
BASE = {"release_shares": [0.2, 0.1], "rule_weights": [0.4, 0.1, 0.4, 0.1]}


def scheduled_market(seed: int) -> CarbonMarket:
    """The shipped paper-shocks schedule played as ``schedule:FILE`` to the episode's end."""
    market = CarbonMarket(
        "paper-shocks", seed=seed, policy=f"schedule:{SHIPPED_SCHEDULE}", firm_data="year"
    )
    while market.running:
        market.step()
    return market


def assert_same_episode(a: CarbonMarket, b: CarbonMarket) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a.year_records), pd.DataFrame(b.year_records))
    np.testing.assert_array_equal(a.accounts.coins, b.accounts.coins)
    assert a.welfare == b.welfare


def test_a_zero_correction_plays_the_base_schedule_exactly():
    env = RegulatorEnv("paper-shocks", base_schedule=str(SHIPPED_SCHEDULE))
    for seed in (0, 1):
        _, info = env.reset(seed=seed)
        done = False
        while not done:
            done = env.step(np.zeros(env.action_space.shape, dtype=np.float32))[2]
        assert_same_episode(env.market, scheduled_market(info["market_seed"]))


def test_the_batched_training_env_plays_the_base_schedule_at_zero_too():
    envs = RegulatorVecEnv(2, "paper-shocks", base_schedule=str(SHIPPED_SCHEDULE))
    envs.seed(4)
    envs.reset()
    seeds = [info["market_seed"] for info in envs.reset_infos]
    markets = envs.batch.markets
    for _ in range(10):
        envs.step(np.zeros((2, envs.action_space.shape[0]), dtype=np.float32))
    for market, seed in zip(markets, seeds, strict=True):
        assert_same_episode(market, scheduled_market(seed))


def test_a_correction_stays_within_its_bound_and_the_allowed_range():
    market = CarbonMarket("paper-shocks", seed=3, policy="manual")
    view = market.view
    base = load_schedule(SHIPPED_SCHEDULE, 10)
    spec = ActionSpec("rules", view.enterprises.n, base=base, correction_scale=0.25)
    top = view.config.max_release_share
    share = base.release_shares[0]
    rng = np.random.default_rng(0)
    for action in rng.uniform(-3, 3, size=(200, 5)):
        levers = spec.decode(action, view)
        step = 0.25 * top * np.clip(action[0], -1, 1)
        assert levers.release_share == pytest.approx(np.clip(share + step, 0, top), abs=1e-15)
        assert 0 <= levers.release_share <= top
        assert (levers.weights >= 0).all()
    # the year's release at the faces: the base's plus or minus a quarter of the maximum,
    # capped at the maximum (the base releases 24.96% of the budget in year 0)
    assert spec.decode(np.array([1, 0, 0, 0, 0]), view).release_share == top
    assert spec.decode(np.array([-1, 0, 0, 0, 0]), view).release_share == pytest.approx(
        share - 0.25 * top
    )
    # a full negative correction of every weight leaves none: the rules mix equally
    spec = ActionSpec("rules", view.enterprises.n, base=base, correction_scale=1.0)
    weights = spec.decode(np.array([0, -1, -1, -1, -1]), view).weights
    np.testing.assert_allclose(weights, np.full(4, 0.25) @ rule_shares(view))


@pytest.fixture(scope="module")
def residual_regulator(tmp_path_factory):
    """A tiny residual regulator trained on short paper episodes around ``BASE``."""
    out = tmp_path_factory.mktemp("residual")
    schedule = out / "base.json"
    schedule.write_text(json.dumps(BASE))
    kwargs = {"action_mode": "rules", **SHORT, "base_schedule": str(schedule)}
    config = tiny_config(env_kwargs={**kwargs, "correction_scale": 0.5})
    return train_regulator("paper", config, out / "run", seed=2, progress=False), schedule


def test_the_exported_regulator_plays_its_training_episode_without_the_schedule_file(
    residual_regulator,
):
    model_path, schedule = residual_regulator
    metadata = json.loads(metadata_path(model_path).read_text())
    assert metadata["base_schedule"]["release_shares"] == BASE["release_shares"]
    assert metadata["correction_scale"] == 0.5
    model, normalizer = load_ppo(model_path, "test")
    env = RegulatorEnv("paper", base_schedule=str(schedule), correction_scale=0.5, **SHORT)
    obs, info = env.reset(seed=7)
    done = False
    while not done:
        action = model.predict(normalizer.normalize_obs(obs[None, :]), deterministic=True)[0]
        obs, _, done, _, _ = env.step(action[0])
    schedule.unlink()  # the regulator carries the schedule's content, not its path
    market = CarbonMarket(
        "paper", seed=info["market_seed"], policy=f"learned:{model_path}", firm_data="year", **SHORT
    )
    while market.running:
        market.step()
    assert [r["release"] for r in market.year_records] == [
        r["release"] for r in env.market.year_records
    ]
    assert market.welfare == pytest.approx(env.market.welfare, rel=1e-12)


def test_the_initial_policy_mean_is_within_the_orthogonal_initialisations_bound(tmp_path):
    from stable_baselines3.common.vec_env import DummyVecEnv

    from learning.algorithms import new_model

    schedule = tmp_path / "base.json"
    schedule.write_text(json.dumps(BASE))
    envs = DummyVecEnv([lambda: RegulatorEnv("paper", base_schedule=str(schedule), **SHORT)])
    model = new_model(tiny_config(), envs, seed=0, tensorboard_log=str(tmp_path))
    observations = np.random.default_rng(0).normal(size=(200, 13)).astype(np.float32) * 5
    actions = model.predict(observations, deterministic=True)[0]
    bound = 0.01 * np.sqrt(64)  # gain 0.01, unit rows, 64 tanh units each in (-1, 1)
    assert np.abs(actions).max() < bound
    assert np.abs(actions).max() > 1e-4  # small, not zero: the bound is what holds


def test_a_missing_schedule_and_a_scale_out_of_range_are_named(tmp_path):
    missing = tmp_path / "none.json"
    with pytest.raises(ScenarioError, match=r"base_schedule: schedule .*none\.json: cannot be"):
        RegulatorEnv("paper", base_schedule=str(missing))
    for scale in (0, 1.5, "big"):
        with pytest.raises(ValueError, match=r"correction_scale: .* must be a number in \(0, 1\]"):
            RegulatorEnv("paper", base_schedule=str(SHIPPED_SCHEDULE), correction_scale=scale)
    with pytest.raises(ValueError, match="correction_scale: corrects a base_schedule"):
        RegulatorEnv("paper", correction_scale=0.25)
    with pytest.raises(ValueError, match="base_schedule: a residual regulator corrects"):
        RegulatorEnv("paper", base_schedule=str(SHIPPED_SCHEDULE), auction=True)


def test_training_with_a_bad_base_schedule_fails_with_the_field(tmp_path, capsys):
    config = tmp_path / "residual.yaml"
    config.write_text(f"paper:\n  env_kwargs:\n    base_schedule: {tmp_path / 'none.json'}\n")
    code = main(["train-regulator", "--config", str(config), "--out", str(tmp_path / "run")])
    assert code == 2
    assert "base_schedule: schedule" in capsys.readouterr().err


def test_a_corrupt_or_mismatched_base_schedule_in_the_metadata_names_the_file(
    residual_regulator, tmp_path
):
    model_path, _ = residual_regulator
    metadata = json.loads(metadata_path(model_path).read_text())
    copy = tmp_path / "reg.zip"
    for suffix in (".zip", ".npz"):
        copy.with_suffix(suffix).write_bytes(model_path.with_suffix(suffix).read_bytes())
    for change, message in (
        ({"correction_scale": None}, r"reg\.json: correction_scale: None must be"),
        ({"base_schedule": {**BASE, "rule_weights": [0, 0, 0, 0]}}, r"reg\.json: base_schedule"),
    ):
        metadata_path(copy).write_text(json.dumps({**metadata, **change}))
        with pytest.raises(ScenarioError, match=message):
            CarbonMarket("paper", seed=0, policy=f"learned:{copy}", **SHORT)
    metadata_path(copy).write_text(json.dumps(metadata))
    with pytest.raises(ScenarioError, match=r"reg\.json: base_schedule: release_shares must be"):
        CarbonMarket("paper", seed=0, policy=f"learned:{copy}", years=3, steps_per_year=10)
