"""How fast the learned firms train when one env plays several markets side by side.

For each number of markets M, prints firm-rounds (one learned firm's step, the unit PPO
counts) per CPU-second of (a) stepping ``EnterpriseVecEnv`` with random actions and (b) PPO
``learn``, one rollout and its update, with the shipped ``paper`` settings of
``learning/configs/ppo_enterprises.yaml`` (half-learned markets, 3 learned firms each,
VecNormalize, ``n_steps`` rounds per rollout and slot, one torch thread), each with its ratio
to the first M, and where learn's CPU time went. One policy call per round acts for the
M x 3 firms, so its fixed cost is shared by M markets; each market still plays its round on
its own. CPU time (``time.process_time``), best of three passes (``--repeats``), each timing
every M once.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/firm_training.py [--markets 1 4 8]
[--repeats 3] [--rounds 500]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from stable_baselines3.common.vec_env import VecMonitor, VecNormalize

from learning.algorithms import new_model
from learning.enterprise_env import EnterpriseVecEnv
from learning.train import initial_exploration
from learning.train_config import load_train_config
from learning.train_enterprises import DEFAULT_CONFIG


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


def timed(method, spent: list[float]):
    """``method`` adding the CPU time of each call to ``spent[0]``."""

    def call(*args, **kwargs):
        start = time.process_time()
        result = method(*args, **kwargs)
        spent[0] += time.process_time() - start
        return result

    return call


def learning_rate_per_cpu(markets: int, config, rollouts: int) -> tuple[float, float, float]:
    """PPO ``learn`` over ``rollouts`` rollouts and updates: firm-rounds per CPU-second.

    Returns:
        (firm-rounds per CPU-second, share of the CPU time in the markets' rounds, share in
        the updates); the rest is the policy's calls, normalisation and the rollout buffer.
    """
    torch.set_num_threads(config.torch_threads)
    firms = make_env(markets, config.env_kwargs)
    env = VecNormalize(VecMonitor(firms), norm_obs=config.normalize, norm_reward=config.normalize)
    model = new_model(config, env, 0, None)
    initial_exploration(model, config.log_std_init)
    stepping, updating = [0.0], [0.0]
    firms.step_wait = timed(firms.step_wait, stepping)
    model.train = timed(model.train, updating)
    start = time.process_time()
    model.learn(total_timesteps=rollouts * config.n_steps * env.num_envs)
    spent = time.process_time() - start
    return model.num_timesteps / spent, stepping[0] / spent, updating[0] / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--rounds", type=int, default=500, help="rounds stepped per timing")
    parser.add_argument("--repeats", type=int, default=3, help="passes; the best is kept")
    args = parser.parse_args()
    config = load_train_config(DEFAULT_CONFIG, "paper")
    print(
        f"paper, env_kwargs {config.env_kwargs}, n_steps {config.n_steps}, "
        f"batch {config.batch_size}, {config.n_epochs} epochs; firm-rounds per CPU-second"
    )
    stepping_rate(1, config.env_kwargs, args.rounds)  # numba loads its kernels on first use
    stepping = dict.fromkeys(args.markets, 0.0)
    learning = dict.fromkeys(args.markets, (0.0, 0.0, 0.0))
    # every M once per pass, so a change in the machine's load reaches all of them
    for _ in range(args.repeats):
        for markets in args.markets:
            rate = stepping_rate(markets, config.env_kwargs, args.rounds)
            stepping[markets] = max(stepping[markets], rate)
        for markets in args.markets:
            learning[markets] = max(learning[markets], learning_rate_per_cpu(markets, config, 1))
    first = args.markets[0]
    for markets, rate in stepping.items():
        print(
            f"env stepping, random actions M={markets:<3d} {rate:6.0f}  "
            f"({rate / stepping[first]:.2f}x M={first})"
        )
    for markets, (rate, rounds, updates) in learning.items():
        print(
            f"PPO learn                    M={markets:<3d} {rate:6.0f}  "
            f"({rate / learning[first][0]:.2f}x M={first}; CPU: {rounds:.0%} rounds, "
            f"{updates:.0%} updates, {1 - rounds - updates:.0%} policy calls and buffers)"
        )


if __name__ == "__main__":
    main()
