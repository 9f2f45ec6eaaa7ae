"""One EnterpriseVecEnv over several markets: one policy call per round for all their firms."""

import math

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from agents.learned_firm import ACTION_SIZE, FIRM_FEATURES
from learning.enterprise_env import EnterpriseVecEnv, FirmMarket, market_seed_sequences
from learning.seeds import EVALUATION_SEED_START
from learning.train_config import MAX_MARKETS, TrainConfig, load_train_config

SHORT = {"years": 1, "steps_per_year": 10}  # 10 rounds an episode
#: values ``markets`` refuses, each with how a YAML file writes it
BAD_MARKETS = [
    (0, "0"),
    (-1, "-1"),
    (1.5, "1.5"),
    (math.nan, ".nan"),
    ("x", "x"),
    (True, "true"),
    (MAX_MARKETS + 1, str(MAX_MARKETS + 1)),
]


def market_seed(firms: FirmMarket) -> int:
    """The seed the wrapper's current market was built from."""
    return int(firms.market.rng.bit_generator.seed_seq.entropy)


def drawn_seeds(sequence, n: int) -> list[int]:
    """The first ``n`` market seeds a market drawing from ``sequence`` plays."""
    return [int(s) for s in np.random.default_rng(sequence).integers(EVALUATION_SEED_START, size=n)]


def assert_same_step(got, expected):
    """Observations, rewards and dones equal, bit for bit, and the same terminal observations."""
    for a, b in zip(got[:3], expected[:3], strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got[3], expected[3], strict=True):
        assert a.keys() == b.keys()
        if "terminal_observation" in a:
            np.testing.assert_array_equal(a["terminal_observation"], b["terminal_observation"])


def hand_driven_steps(firms: FirmMarket, actions: list[np.ndarray]):
    """What the single-market env did before markets were batched: play, restart when over."""
    steps = []
    for action in actions:
        obs, rewards, over = firms.play_round(action)
        infos = [{} for _ in range(len(obs))]
        if over:
            for info, terminal in zip(infos, obs, strict=True):
                info["terminal_observation"] = terminal
                info["TimeLimit.truncated"] = False
            obs = firms.new_market()
        steps.append((obs, rewards.astype(np.float32), np.full(len(obs), over), infos))
    return steps


@pytest.mark.parametrize("overrides", [{}, {"learned_share": 0.5}])
def test_one_market_plays_as_the_single_market_env_did(overrides):
    env = EnterpriseVecEnv("paper", seed=3, **overrides, **SHORT)
    reference = FirmMarket("paper", 3, **overrides, **SHORT)
    assert env.num_envs == len(reference.slots) == (5 if not overrides else 3)
    np.testing.assert_array_equal(env.reset(), reference.new_market())
    rng = np.random.default_rng(0)
    actions = [rng.uniform(-1, 1, (env.num_envs, ACTION_SIZE)) for _ in range(25)]
    expected = hand_driven_steps(reference, actions)
    for step, (action, wanted) in enumerate(zip(actions, expected, strict=True)):
        got = env.step(action)
        assert_same_step(got, wanted)
        assert got[2].all() == (step in (9, 19))  # whole episodes, then the auto-reset
    np.testing.assert_array_equal(env.reset(), reference.new_market())
    # the seeds a single market has always drawn: np.random.default_rng(seed)
    assert market_seed(env.firms) == drawn_seeds(3, 5)[4]


def test_batching_leaves_every_market_its_own_trajectory():
    env = EnterpriseVecEnv("paper", seed=7, markets=3, **SHORT)
    sequences = market_seed_sequences(7, 3)
    # market k alone, on the seeds its own stream draws (construction, reset, 2 episodes)
    alone = [EnterpriseVecEnv("paper", seed_pool=drawn_seeds(s, 4), **SHORT) for s in sequences]
    obs = env.reset()
    np.testing.assert_array_equal(obs, np.concatenate([e.reset() for e in alone]))
    rng = np.random.default_rng(1)
    for _ in range(20):
        actions = rng.uniform(-1, 1, (15, ACTION_SIZE))
        got = env.step(actions)
        for k, single in enumerate(alone):
            slots = slice(5 * k, 5 * k + 5)
            wanted = single.step(actions[slots])
            assert_same_step(tuple(x[slots] for x in got), wanted)
    # and market k plays the same with fewer markets beside it; market 0 is the seed's own
    assert (
        market_seed(EnterpriseVecEnv("paper", seed=7, markets=2, **SHORT).markets[1])
        == (drawn_seeds(sequences[1], 1)[0])
    )
    assert drawn_seeds(sequences[0], 3) == drawn_seeds(7, 3)


def test_each_market_restarts_on_its_own():
    env = EnterpriseVecEnv("paper", seed=2, markets=2, **SHORT)
    env.reset()
    rng = np.random.default_rng(2)
    for _ in range(4):
        env.step(rng.uniform(-1, 1, (10, ACTION_SIZE)))
    env.markets[1].new_market()  # market 1 now ends 4 rounds after market 0
    first = env.markets[0].market
    ended = []
    for step in range(4, 20):
        _obs, _rewards, dones, infos = env.step(rng.uniform(-1, 1, (10, ACTION_SIZE)))
        assert dones[:5].all() == dones[:5].any() and dones[5:].all() == dones[5:].any()
        for k in (0, 1):
            slots = range(5 * k, 5 * k + 5)
            if dones[5 * k]:
                ended.append((step, k))
            assert all(("terminal_observation" in infos[i]) == dones[5 * k] for i in slots)
    assert ended == [(9, 0), (13, 1), (19, 0)]
    assert env.markets[0].market is not first and env.markets[0].episodes == 4


def test_shapes_and_types_of_a_batched_step():
    env = EnterpriseVecEnv("paper", seed=0, markets=4, learned_share=0.5, **SHORT)
    assert env.num_envs == 4 * 3 and env.slots_per_market == 3
    obs = env.reset()
    assert obs.shape == (12, len(FIRM_FEATURES)) and obs.dtype == np.float32
    obs, rewards, dones, infos = env.step(np.zeros((12, ACTION_SIZE), np.float32))
    assert obs.shape == (12, len(FIRM_FEATURES)) and obs.dtype == np.float32
    assert env.observation_space.contains(obs[0])
    assert rewards.shape == (12,) and rewards.dtype == np.float32
    assert dones.shape == (12,) and dones.dtype == bool and len(infos) == 12
    assert env.get_attr("episodes") == [2] * 12
    env.set_attr("episodes", 9, indices=[3])  # slot 3 is market 1's first firm
    assert env.get_attr("episodes") == [2] * 3 + [9] * 3 + [2] * 6
    assert env.env_method("new_market", indices=[0, 1])[0].shape == (3, len(FIRM_FEATURES))
    assert [f.episodes for f in env.markets] == [3, 9, 2, 2]  # called once per market


def test_a_seed_pool_is_shared_out_among_the_markets():
    pool = [11, 12, 13, 14, 15]
    env = EnterpriseVecEnv("paper", seed_pool=pool, markets=2, **SHORT)
    played = [[], []]
    for _ in range(3):
        env.reset()
        for k, firms in enumerate(env.markets):
            played[k].append(market_seed(firms))
    assert played == [[13, 15, 11], [14, 12, 14]]  # entries k, k + M, ... in turn
    with pytest.raises(ValueError, match="seed_pool: 2 seeds for 3 markets"):
        EnterpriseVecEnv("paper", seed_pool=[1, 2], markets=3, **SHORT)


@pytest.mark.parametrize(("markets", "yaml"), BAD_MARKETS)
def test_markets_must_be_an_integer_in_range(markets, yaml, tmp_path):
    allowed = rf"must be an integer in \[1, {MAX_MARKETS}\]"
    with pytest.raises(ValueError, match=rf"^markets: .* {allowed}"):
        EnterpriseVecEnv("paper", markets=markets, **SHORT)
    with pytest.raises(ValueError, match=rf"^env_kwargs\.markets: .* {allowed}"):
        TrainConfig(env_kwargs={"markets": markets})
    config = tmp_path / "firms.yaml"
    config.write_text(f"paper:\n  env_kwargs:\n    markets: {yaml}\n")
    with pytest.raises(ValueError, match=rf"^env_kwargs\.markets: .* {allowed}"):
        load_train_config(config, "paper")


def test_the_shipped_configuration_trains_on_one_market():
    from learning.train_enterprises import DEFAULT_CONFIG

    for scenario in ("paper", "classroom-12"):
        assert load_train_config(DEFAULT_CONFIG, scenario).env_kwargs["markets"] == 1


def test_a_drawn_number_of_firms_is_refused():
    with pytest.raises(ValueError, match=r"shocks\.n_firms_range: \[3, 8\]"):
        EnterpriseVecEnv("paper-shocks", seed=0, **SHORT)
    assert EnterpriseVecEnv("paper-shocks", seed=0, n_firms=4, **SHORT).num_envs == 4


def test_ppo_counts_every_firm_of_every_market():
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecMonitor

    env = EnterpriseVecEnv("paper", seed=0, markets=2, **SHORT)
    model = PPO(
        "MlpPolicy", VecMonitor(env), n_steps=15, batch_size=50, n_epochs=1, seed=0, device="cpu"
    )
    model.learn(total_timesteps=300)
    # 2 rollouts of 15 rounds: one policy call per round acts for the 2 x 5 firms
    assert model.num_timesteps == 2 * 15 * 2 * 5
    for firms in env.markets:  # 30 rounds after the reset: 3 whole episodes each
        assert firms.episodes == 5 and firms.market.steps == 0
    assert len(model.ep_info_buffer) == 3 * 2 * 5


@pytest.mark.slow  # training: make test
def test_training_on_two_markets_validates_on_one(tmp_path):
    from learning.train_enterprises import train_enterprises
    from tests.learning.regulator.support import tiny_config

    config = tiny_config(
        n_timesteps=200,
        n_steps=10,
        batch_size=100,
        n_epochs=1,
        eval_freq=100,
        checkpoint_freq=200,
        eval_episodes=2,
        env_kwargs={**SHORT, "markets": 2},
    )
    path = train_enterprises("paper", config, tmp_path, "flat-benchmarking", progress=False)
    # 2 rollouts of 10 rounds of 2 x 5 firms, validated after each on the 2 validation
    # markets, each played once by the 5 firms of one market
    evaluations = np.load(tmp_path / "eval" / "evaluations.npz")
    assert list(evaluations["timesteps"]) == [100, 200]
    assert evaluations["results"].shape == (2, 2 * 5)
    assert path.is_file()
