"""Shared settings of the learning tests."""

from dataclasses import dataclass

import numpy as np

from learning.train_config import TrainConfig

#: The episodes the tiny recurrent regulator trains on (``tiny_recurrent_config``).
RECURRENT_EPISODE = {"years": 4, "steps_per_year": 10}


def tiny_config(**changes):
    """A PPO configuration small enough to train in seconds on paper with 2-year episodes."""
    settings = dict(
        n_timesteps=40,
        n_envs=1,
        n_steps=20,
        batch_size=20,
        n_epochs=2,
        eval_freq=20,
        eval_episodes=2,
        checkpoint_freq=20,
        env_kwargs={"action_mode": "rules", "years": 2, "steps_per_year": 10},
    )
    settings.update(changes)
    return TrainConfig(**settings)


def tiny_recurrent_config(**changes):
    """The tiny configuration with RecurrentPPO, on 4-year episodes so that memory can matter."""
    settings = dict(
        algorithm="recurrent-ppo",
        policy="MlpLstmPolicy",
        lstm_hidden_size=8,
        env_kwargs={"action_mode": "rules", **RECURRENT_EPISODE},
    )
    settings.update(changes)
    return tiny_config(**settings)


@dataclass
class Episode:
    """One episode of a regulator played by Stable-Baselines3 in its training env."""

    observations: np.ndarray  #: raw observations, shape (years, d)
    actions: np.ndarray  #: its deterministic actions, shape (years, a)
    releases: list[float]  #: the allowances released each year


def sb3_recurrent_episodes(model_path, market_seeds) -> list[Episode]:
    """sb3-contrib's deterministic play of a recurrent regulator, one episode per market seed.

    The LSTM state is carried from year to year and reset (``episode_start``) at each
    episode's first year, as in training and validation.
    """
    from learning.export import load_ppo
    from learning.regulator_env import RegulatorEnv

    model, normalizer = load_ppo(model_path, "test")
    env = RegulatorEnv("paper", action_mode="rules", seed_pool=market_seeds, **RECURRENT_EPISODE)
    episodes, state = [], None
    for _ in market_seeds:
        obs, _ = env.reset()
        observations, actions, start, done = [], [], True, False
        while not done:
            observations.append(obs)
            action, state = model.predict(
                normalizer.normalize_obs(obs[None, :]),
                state=state,
                episode_start=np.array([start]),
                deterministic=True,
            )
            actions.append(action[0])
            obs, _, done, _, _ = env.step(action[0])
            start = False
        releases = [record["release"] for record in env.market.year_records]
        episodes.append(Episode(np.array(observations), np.array(actions), releases))
    return episodes
