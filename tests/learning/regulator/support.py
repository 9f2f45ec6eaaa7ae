"""Shared settings of the learning tests."""

from learning.train import TrainConfig


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
        env_kwargs={"action_mode": "rules", "years": 4, "steps_per_year": 10},
    )
    settings.update(changes)
    return tiny_config(**settings)
