"""The batched regulator env: lane i is the RegulatorEnv of the same seed, year for year."""

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from learning.regulator_env import RegulatorEnv
from learning.regulator_vec_env import RegulatorVecEnv
from market.config import ScenarioError

SHORT = {"years": 3, "steps_per_year": 10}
KWARGS = {"climate_coefficient": [0.05, 0.2, 0.5], **SHORT}


def single_envs(n, seed, scenario="paper"):
    envs = [RegulatorEnv(scenario, **KWARGS) for _ in range(n)]
    first = [env.reset(seed=seed + i) for i, env in enumerate(envs)]
    return envs, first


@pytest.mark.parametrize(
    ("scenario", "n_envs"), [("paper", 1), ("paper", 3), ("paper-shocks", 3), ("eu-shocks", 3)]
)
def test_each_lane_plays_the_single_env_of_its_seed_across_episodes(scenario, n_envs):
    batched = RegulatorVecEnv(n_envs, scenario, **KWARGS)
    batched.seed(7)
    obs = batched.reset()
    envs, first = single_envs(n_envs, 7, scenario)
    np.testing.assert_array_equal(obs, np.stack([o for o, _ in first]))
    assert [i["market_seed"] for i in batched.reset_infos] == [i["market_seed"] for _, i in first]
    actions = np.random.default_rng(0).uniform(-1, 1, (8, n_envs, 5)).astype(np.float32)
    for year, action in enumerate(actions):  # two episodes of three years, and a bit
        obs, rewards, dones, infos = batched.step(action)
        for i, env in enumerate(envs):
            o, r, done, _, info = env.step(action[i])
            assert rewards[i] == pytest.approx(r, rel=1e-6, abs=1e-6)
            assert dones[i] == done
            assert infos[i]["release"] == info["release"]
            if done:
                np.testing.assert_array_equal(infos[i]["terminal_observation"], o)
                o, _ = env.reset()
            np.testing.assert_array_equal(obs[i], o, err_msg=f"year {year}, lane {i}")


def test_a_seed_pool_is_taken_in_turn_by_the_lanes():
    batched = RegulatorVecEnv(2, seed_pool=[11, 12, 13], **SHORT)
    batched.reset()
    assert [i["market_seed"] for i in batched.reset_infos] == [11, 12]
    for _ in range(3):
        batched.step(np.zeros((2, 5), dtype=np.float32))
    assert [i["market_seed"] for i in batched.reset_infos] == [13, 11]


def test_the_per_firm_mode_needs_a_fixed_number_of_firms():
    with pytest.raises(ScenarioError, match=r"^action_mode: 'per-firm' needs a fixed number"):
        RegulatorEnv("paper-shocks", action_mode="per-firm")
    assert RegulatorEnv("paper-shocks", action_mode="per-firm", n_firms=5).action_spec.per_firm


def test_the_spaces_are_the_single_envs():
    batched = RegulatorVecEnv(2, action_mode="per-firm", auction=True, **SHORT)
    single = RegulatorEnv(action_mode="per-firm", auction=True, **SHORT)
    assert batched.observation_space == single.observation_space
    assert batched.action_space == single.action_space
