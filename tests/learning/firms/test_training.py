import json

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from agents.learned_firm import ACTION_SIZE
from agents.network import read_metadata
from learning.curriculum import train_marl
from learning.enterprise_env import EnterpriseVecEnv
from learning.export import load_ppo
from learning.train_enterprises import train_enterprises
from model import CarbonMarket, ScenarioError
from tests.learning.regulator.support import tiny_config

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

SHORT = {"years": 2, "steps_per_year": 10}


def config(**changes):
    """A firm-training configuration small enough for seconds on 2-year paper markets."""
    settings = dict(
        n_timesteps=8000,
        n_steps=100,
        batch_size=100,
        n_epochs=5,
        eval_freq=4000,
        checkpoint_freq=4000,
        env_kwargs=SHORT,
    )
    return tiny_config(**{**settings, **changes})


def episode_return(act, seed):
    """Mean over firms of one episode's summed reward (utility gain)."""
    env = EnterpriseVecEnv("paper", seed_pool=[seed], **SHORT)
    obs, total = env.reset(), 0.0
    while True:
        obs, rewards, dones, _ = env.step(act(obs))
        total += rewards.mean()
        if dones.all():
            return total


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("enterprises")
    return train_enterprises("paper", config(), out, "flat-benchmarking", seed=0, progress=False)


def test_short_training_beats_a_random_policy(trained):
    model, normalizer = load_ppo(trained, "test")
    metadata = read_metadata(trained, "test")
    assert metadata["kind"] == "enterprises" and metadata["regulator"] == "flat-benchmarking"
    rng = np.random.default_rng(0)
    seeds = [1_000_000_001, 1_000_000_002]
    random_return = np.mean(
        [episode_return(lambda obs: rng.uniform(-1, 1, (len(obs), ACTION_SIZE)), s) for s in seeds]
    )
    learned_return = np.mean(
        [
            episode_return(
                lambda obs: model.predict(normalizer.normalize_obs(obs), deterministic=True)[0], s
            )
            for s in seeds
        ]
    )
    assert learned_return > random_return


def test_a_trained_policy_drives_a_mixed_market(trained):
    market = CarbonMarket(
        "paper", seed=4, learned_share=0.5, enterprise_policy=str(trained), **SHORT
    )
    while market.running:
        market.step()
    assert market.rejected_orders == 0
    assert set(market.behaviour_names) == {"learned", "rule-based"}


def test_a_regulator_file_is_not_an_enterprise_policy(tiny_regulator):
    with pytest.raises(ScenarioError, match="is not an enterprise policy"):
        CarbonMarket("paper", seed=0, learned_share=0.5, enterprise_policy=str(tiny_regulator))


def test_two_stage_curriculum_writes_both_policies_and_resumes(tmp_path):
    small = config(n_timesteps=200, eval_freq=200, checkpoint_freq=200)
    regulator = tiny_config(
        n_timesteps=20, n_steps=10, batch_size=10, n_epochs=1, eval_episodes=1, env_kwargs=SHORT
    )
    firms, reg = train_marl("paper", tmp_path, small, regulator, progress=False)
    meta = json.loads(reg.with_suffix(".json").read_text())
    assert meta["kind"] == "regulator"
    stage2 = json.loads((tmp_path / "stage2-regulator" / "regulator.json").read_text())
    assert stage2["config"]["env_kwargs"]["behaviour"] == "learned"
    assert firms.is_file() and reg.is_file()
    # a second call with --resume finds both stages done and trains nothing more
    before = (tmp_path / "stage1-enterprises" / "enterprises.zip").stat().st_mtime
    train_marl("paper", tmp_path, small, regulator, resume=True, progress=False)
    assert (tmp_path / "stage1-enterprises" / "enterprises.zip").stat().st_mtime == before
    with pytest.raises(ValueError, match="already holds a run"):
        train_marl("paper", tmp_path, small, regulator, progress=False)


def test_keep_best_writes_the_validated_best_policy_with_its_statistics(tmp_path):
    import filecmp

    path = train_enterprises(
        "paper",
        config(n_timesteps=600, eval_freq=200, checkpoint_freq=200, keep="best"),
        tmp_path,
        "flat-benchmarking",
        progress=False,
    )
    best = tmp_path / "best" / "best_model.zip"
    assert filecmp.cmp(path, best, shallow=False)
    assert filecmp.cmp(
        path.with_suffix(".vecnormalize.pkl"),
        best.with_suffix(".vecnormalize.pkl"),
        shallow=False,
    )
    # every validation plays each of the eval_episodes markets once with all five firms
    evaluations = np.load(tmp_path / "eval" / "evaluations.npz")
    assert evaluations["results"].shape == (len(evaluations["timesteps"]), 2 * 5)
    meta = json.loads(path.with_suffix(".json").read_text())
    best_at = evaluations["timesteps"][np.argmax(evaluations["results"].mean(axis=1))]
    assert meta["timesteps"] == best_at <= meta["trained_timesteps"]


def test_keep_must_be_last_or_best():
    with pytest.raises(ValueError, match="keep"):
        config(keep="final")


def test_a_deployed_policy_sees_what_the_training_env_saw(trained):
    """Observed at the end of each round, as the training env observes its slots."""
    from agents.learned_firm import firm_observations

    model, normalizer = load_ppo(trained, "test")
    market = CarbonMarket(
        "paper", seed=6, learned_share=0.5, enterprise_policy=str(trained), **SHORT
    )
    ((behaviour, firms),) = [(b, f) for b, f in market.behaviour_groups() if b.name == "learned"]
    for _ in range(12):  # across a year boundary
        market.step()
        expected, _ = model.predict(
            normalizer.normalize_obs(firm_observations(market.view, firms)), deterministic=True
        )
        # the exported network acts as SB3 predicts, up to float32 rounding
        np.testing.assert_allclose(behaviour.next_actions, expected, rtol=0, atol=1e-5)


def test_exploration_noise_can_differ_per_decision():
    from stable_baselines3 import PPO

    from learning.enterprise_env import EnterpriseEnv
    from learning.train import initial_exploration

    model = PPO("MlpPolicy", EnterpriseEnv(**SHORT), n_steps=64, batch_size=64, device="cpu")
    initial_exploration(model, [-2.0, -2.0, -2.0, -0.5, -0.5, -0.5])
    np.testing.assert_allclose(model.policy.log_std.detach().numpy(), [-2] * 3 + [-0.5] * 3)
    initial_exploration(model, -1.0)
    np.testing.assert_allclose(model.policy.log_std.detach().numpy(), [-1.0] * ACTION_SIZE)
    with pytest.raises(ValueError, match="log_std_init: 2 values for an action of 6"):
        initial_exploration(model, [0.0, 0.0])
