"""A tiny trained regulator, for tests that need some regulator file."""

import pytest

from learning.train import TrainConfig, train_regulator


@pytest.fixture(scope="session")
def tiny_regulator_path(tmp_path_factory):
    config = TrainConfig(
        n_timesteps=10,
        n_envs=1,
        n_steps=10,
        batch_size=10,
        n_epochs=1,
        eval_freq=10,
        eval_episodes=1,
        checkpoint_freq=10,
        env_kwargs={"years": 1, "steps_per_year": 5},
    )
    return train_regulator("paper", config, tmp_path_factory.mktemp("reg"), progress=False)
