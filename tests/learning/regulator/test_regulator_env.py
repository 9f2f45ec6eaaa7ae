import numpy as np
import pandas as pd
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from stable_baselines3.common.env_checker import check_env

from agents.regulator_observation import MARKET_FEATURES
from learning.regulator_env import RegulatorEnv
from learning.seeds import EVALUATION_SEED_START, evaluation_seeds, validation_seeds
from model import CarbonMarket

SHORT = {"years": 3, "steps_per_year": 10}


@pytest.mark.parametrize("mode", ["rules", "per-firm"])
def test_passes_sb3_check_env(mode):
    check_env(RegulatorEnv(action_mode=mode, auction=True, price_floor=True, **SHORT))


def test_spaces_match_the_mode():
    assert RegulatorEnv(**SHORT).observation_space.shape == (len(MARKET_FEATURES),)
    per_firm = RegulatorEnv(action_mode="per-firm", **SHORT)
    assert per_firm.observation_space.shape == (len(MARKET_FEATURES) + 4 * 5,)
    assert per_firm.action_space.shape == (6,)


def play(env, seed, action):
    obs, info = env.reset(seed=seed)
    trajectory, rewards, done = [obs], [], False
    while not done:
        obs, reward, done, truncated, step_info = env.step(action)
        assert not truncated
        trajectory.append(obs)
        rewards.append(reward)
    return np.array(trajectory), np.array(rewards), info, step_info


def test_one_step_is_one_year_and_the_episode_ends_after_the_last():
    env = RegulatorEnv(**SHORT)
    _trajectory, rewards, _, last = play(env, 1, np.zeros(5, dtype=np.float32))
    assert len(rewards) == 3 and last["years_done"] == 3 and last["year"] == 2
    assert env.market.steps == 30 and not env.market.running
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(5, dtype=np.float32))


def test_rewards_sum_to_the_welfare_gain_with_the_final_year_charged():
    env = RegulatorEnv(**SHORT)
    _obs, _info = env.reset(seed=4)
    start = env.welfare()
    total, done = 0.0, False
    while not done:
        _, reward, done, _, _ = env.step(np.full(5, -0.6, dtype=np.float32))  # scarce
        # a stingy release leaves firms short in the last year; welfare counts that year too
        total += reward
    market = env.market
    assert market.over_emission > 0
    assert market.year_records[-1]["shortfall"] > 0
    assert total == pytest.approx(env.welfare() - start)
    m = market.measures
    assert env.welfare() == pytest.approx(
        m["equality"] * m["productivity"] * np.exp(-env.climate_coefficient * m["over_emission"])
    )


def test_same_seed_same_trajectory_and_other_seeds_differ():
    action = np.array([0.5, 1, -1, 0, 0], dtype=np.float32)
    a = play(RegulatorEnv(**SHORT), 7, action)
    b = play(RegulatorEnv(**SHORT), 7, action)
    c = play(RegulatorEnv(**SHORT), 8, action)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2]["market_seed"] == b[2]["market_seed"] != c[2]["market_seed"]


def test_release_respects_the_yearly_maximum_and_the_budget():
    env = RegulatorEnv(years=6, steps_per_year=5)
    env.reset(seed=0)
    releases, done = [], False
    while not done:
        _, _, done, _, info = env.step(np.ones(5, dtype=np.float32))  # ask for the most
        releases.append(info["release"])
    assert max(releases) <= 0.25 * 200
    assert sum(releases) <= 200
    assert env.market.government.remaining_budget >= 0
    assert releases[-1] < releases[0]  # the budget ran out


def test_training_draws_seeds_below_the_held_out_ones():
    env = RegulatorEnv(**SHORT)
    seeds = [env.reset(seed=s)[1]["market_seed"] for s in range(20)]
    assert max(seeds) < EVALUATION_SEED_START
    held_out = set(evaluation_seeds(30)) | set(validation_seeds(30))
    assert not held_out & set(seeds)


def test_seed_pool_is_used_in_turn():
    env = RegulatorEnv(seed_pool=[11, 12], **SHORT)
    assert [env.reset()[1]["market_seed"] for _ in range(3)] == [11, 12, 11]


def test_climate_coefficient_is_drawn_and_observed():
    env = RegulatorEnv(climate_coefficient=[0.05, 0.5], **SHORT)
    seen = set()
    for seed in range(12):
        obs, info = env.reset(seed=seed)
        assert obs[MARKET_FEATURES.index("climate_coefficient")] == pytest.approx(
            info["climate_coefficient"]
        )
        seen.add(info["climate_coefficient"])
    assert seen == {0.05, 0.5}
    with pytest.raises(ValueError, match="climate_coefficient"):
        RegulatorEnv(climate_coefficient=-1.0, **SHORT)


def test_firm_behaviour_is_an_env_parameter():
    env = RegulatorEnv(behaviour="zi-c", **SHORT)
    env.reset(seed=0)
    assert set(env.market.behaviour_names) == {"zi-c"}


def test_the_market_is_scored_with_the_episodes_coefficient():
    """The env's c is the market's own: the reward is the change in the market's welfare."""
    env = RegulatorEnv(climate_coefficient=[0.5], **SHORT)
    env.reset(seed=1)
    assert env.market.config.climate_coefficient == 0.5
    env.step(np.full(5, -0.6, dtype=np.float32))
    m = env.market.measures
    assert m["over_emission"] > 0  # so c matters
    assert m["welfare"] == pytest.approx(
        m["equality"] * m["productivity"] * np.exp(-0.5 * m["over_emission"])
    )
    assert env.welfare() == m["welfare"]


def test_an_episode_equals_a_market_driven_by_the_same_levers():
    env = RegulatorEnv(**SHORT)
    _, info = env.reset(seed=3)
    actions = [np.array([a, 1, -1, 0, 0.5], dtype=np.float32) for a in (0.8, -0.2, 0.1)]
    for action in actions:
        env.step(action)
    market = CarbonMarket(
        "paper", seed=info["market_seed"], policy="manual", firm_data="year", **SHORT
    )
    for action in actions:
        market.set_levers(env.action_spec.decode(action, market.view))
        for _ in range(market.config.steps_per_year):
            market.step()
    pd.testing.assert_frame_equal(
        pd.DataFrame(market.year_records), pd.DataFrame(env.market.year_records)
    )
    np.testing.assert_array_equal(market.accounts.coins, env.market.accounts.coins)
