"""How fast the regulator's env runs and trains, with PPO on CartPole as the yardstick.

Prints, in one run: RegulatorEnv years per second on the paper scenario (heuristic firms,
random actions, one process), the batched RegulatorVecEnv's years per second at several
batch sizes, and PPO training env steps per second on the regulator's env as training uses
it (the batched env, two lanes) and on CartPole-v1 with the same PPO settings (the shipped
config's, two envs in this process, torch on the config's ``torch_threads``, as
``train-regulator`` runs it). Target: PPO on the regulator at least half CartPole's rate, i.e.
training bound by learning rather than by the simulation.

torch's own default (one thread per core) is not what training uses, and on a shared 2-core
machine it measures something else: its idle threads spin for the cores the simulation
needs between the network's calls (0.07x instead of 0.59x, measured side by side under load).

Run: .venv/bin/python benchmarks/rl_throughput.py
"""

import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

from learning.regulator_env import RegulatorEnv
from learning.regulator_vec_env import RegulatorVecEnv
from learning.train import make_envs
from learning.train_config import DEFAULT_CONFIG, load_train_config


def env_years_per_second(years: int = 200) -> float:
    env = RegulatorEnv("paper")
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    start, done_years = time.perf_counter(), 0
    while done_years < years:
        _, _, done, _, _ = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        done_years += 1
        if done:
            env.reset()
    return years / (time.perf_counter() - start)


def batched_years_per_second(lanes: int, years: int = 400) -> float:
    env = RegulatorVecEnv(lanes, "paper")
    env.seed(0)
    env.reset()
    rng = np.random.default_rng(0)
    start, done_years = time.perf_counter(), 0
    while done_years < years:
        env.step(rng.uniform(-1, 1, (lanes, *env.action_space.shape)).astype(np.float32))
        done_years += lanes
    return done_years / (time.perf_counter() - start)


def ppo_steps_per_second(envs, steps: int) -> float:
    config = load_train_config(DEFAULT_CONFIG, "paper")
    torch.set_num_threads(config.torch_threads)
    model = PPO(
        "MlpPolicy",
        envs,
        n_steps=config.n_steps,
        batch_size=config.batch_size,
        n_epochs=config.n_epochs,
        learning_rate=config.learning_rate,
        policy_kwargs={"net_arch": config.net_arch},
        device="cpu",
        seed=0,
    )
    model.learn(config.n_steps * 2)  # warm-up
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    return steps / (time.perf_counter() - start)


if __name__ == "__main__":
    print(
        f"RegulatorEnv (paper, heuristic firms): {env_years_per_second():.1f} years/s "
        "(one env step = one year = 50 rounds)"
    )
    for lanes in (2, 16, 64, 256):
        print(f"RegulatorVecEnv, {lanes} lanes: {batched_years_per_second(lanes):.1f} years/s")
    config = load_train_config(DEFAULT_CONFIG, "paper")
    ours = ppo_steps_per_second(make_envs("paper", config, 0, 2), 4_000)
    cartpole = ppo_steps_per_second(
        make_vec_env(lambda: gym.make("CartPole-v1"), 2, seed=0), 20_000
    )
    ratio = ours / cartpole
    print(
        f"PPO training, env steps/s: RegulatorEnv {ours:.1f}, CartPole {cartpole:.1f}, "
        f"ratio {ratio:.3f} (target >= 0.5: {'PASS' if ratio >= 0.5 else 'MISS'})"
    )
