"""How fast the learned firms train when one env plays several markets side by side.

For each number of markets M, prints firm-rounds (one learned firm's step, the unit PPO
counts) per CPU-second of (a) stepping ``EnterpriseVecEnv`` with random actions and (b) PPO
``learn`` with the shipped ``paper`` settings of ``learning/configs/ppo_enterprises.yaml``
(half-learned markets, 3 learned firms each, VecNormalize, ``n_steps`` rounds per rollout
and slot, one torch thread), each with its ratio to M = 1. One policy call per round acts for
the M x 3 firms, so the fixed costs of a call and of a step are shared by M markets. CPU
time (``time.process_time``), best of three, every M timed once in each of the three passes.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/firm_training.py [--markets 1 4 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from stable_baselines3.common.vec_env import VecMonitor, VecNormalize

from learning.algorithms import new_model
from learning.enterprise_env import EnterpriseVecEnv
from learning.train import initial_exploration, load_train_config
from learning.train_enterprises import DEFAULT_CONFIG

REPEATS = 3


def make_env(markets: int, env_kwargs: dict) -> EnterpriseVecEnv:
    """The training env of the config, over ``markets`` markets, under the baseline regulator."""
    kwargs = {**env_kwargs, "markets": markets, "policy": "flat-benchmarking"}
    return EnterpriseVecEnv("paper", seed=0, **kwargs)


def stepping_rate(markets: int, env_kwargs: dict, rounds: int) -> float:
    """Firm-rounds per CPU-second of ``rounds`` rounds with random actions."""
    env = make_env(markets, env_kwargs)
    env.reset()
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (rounds, env.num_envs, env.action_space.shape[0]))
    actions = actions.astype(np.float32)
    start = time.process_time()
    for action in actions:
        env.step(action)
    return rounds * env.num_envs / (time.process_time() - start)


def learning_rate_per_cpu(markets: int, config, rollouts: int) -> float:
    """Firm-rounds per CPU-second of PPO ``learn`` over ``rollouts`` rollouts and updates."""
    torch.set_num_threads(config.torch_threads)
    env = VecNormalize(
        VecMonitor(make_env(markets, config.env_kwargs)),
        norm_obs=config.normalize,
        norm_reward=config.normalize,
    )
    model = new_model(config, env, 0, None)
    initial_exploration(model, config.log_std_init)
    start = time.process_time()
    model.learn(total_timesteps=rollouts * config.n_steps * env.num_envs)
    return model.num_timesteps / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--rounds", type=int, default=500, help="rounds stepped per timing")
    parser.add_argument("--rollouts", type=int, default=1, help="PPO rollouts per timing")
    args = parser.parse_args()
    config = load_train_config(DEFAULT_CONFIG, "paper")
    print(
        f"paper, env_kwargs {config.env_kwargs}, n_steps {config.n_steps}, "
        f"batch {config.batch_size}, {config.n_epochs} epochs; firm-rounds per CPU-second"
    )
    for name, rate in (
        (
            "env stepping, random actions",
            lambda m: stepping_rate(m, config.env_kwargs, args.rounds),
        ),
        ("PPO learn", lambda m: learning_rate_per_cpu(m, config, args.rollouts)),
    ):
        base = None
        for markets in args.markets:
            figure = rate(markets)
            base = base or figure
            print(
                f"{name:30s} M={markets:<3d} {figure:8.0f}  "
                f"({figure / base:.2f}x M={args.markets[0]})"
            )


if __name__ == "__main__":
    main()
