import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from stable_baselines3.common.env_checker import check_env

from agents.learned_firm import ACTION_SIZE
from learning.enterprise_env import EnterpriseEnv, EnterpriseVecEnv
from learning.firm_reward import isoelastic_utility, net_worth

SHORT = {"years": 2, "steps_per_year": 10}


def test_single_firm_env_passes_check_env():
    check_env(EnterpriseEnv(**SHORT))


def test_every_learned_firm_is_a_slot_and_episodes_restart():
    env = EnterpriseVecEnv("paper", seed=0, **SHORT)
    assert env.num_envs == 5
    env.reset()
    market = env.firms.market
    slots = np.arange(5)
    start = isoelastic_utility(net_worth(market.view, slots))
    rng = np.random.default_rng(0)
    total = np.zeros(5)
    for step in range(20):
        _obs, rewards, dones, infos = env.step(rng.uniform(-1, 1, (5, ACTION_SIZE)))
        total += rewards
        if step < 19:
            assert not dones.any()
    assert dones.all() and "terminal_observation" in infos[0]
    np.testing.assert_allclose(
        total, isoelastic_utility(net_worth(market.view, slots)) - start, rtol=1e-5, atol=1e-4
    )
    assert market.rejected_orders == 0  # clipping: nothing invalid reached the book
    assert env.firms.market is not market  # a fresh market after the episode


def test_mixed_market_keeps_its_heuristic_firms():
    env = EnterpriseVecEnv("paper", seed=1, learned_share=0.4, **SHORT)
    assert env.num_envs == 2
    names = set(env.firms.market.behaviour_names)
    assert names == {"learned", "rule-based"}
