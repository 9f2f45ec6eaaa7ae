"""The training algorithms a configuration can name: PPO, and PPO with an LSTM policy.

``ppo`` is Stable-Baselines3's PPO with a feed-forward ``MlpPolicy``: each year's action is a
function of that year's observation alone. ``recurrent-ppo`` is sb3-contrib's RecurrentPPO
with an ``MlpLstmPolicy``: an LSTM (one layer of ``lstm_hidden_size`` units, one for the actor
and one for the critic) sits between the observation and the same MLP, so the action can
depend on the whole episode so far, which matters where the shocks are only partly observed.
Both take the same PPO hyperparameters; a saved model says which one it is through the module
of its policy class.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from market.config import ScenarioError


@dataclass(frozen=True)
class Algorithm:
    """An on-policy algorithm, where its class lives and the policy it trains."""

    module: str
    class_name: str
    policy: str
    recurrent: bool

    def model_class(self) -> type:
        """The SB3 (or sb3-contrib) class; imported on use, as torch is."""
        module = __import__(self.module, fromlist=[self.class_name])
        return getattr(module, self.class_name)


ALGORITHMS = {
    "ppo": Algorithm("stable_baselines3", "PPO", "MlpPolicy", recurrent=False),
    "recurrent-ppo": Algorithm("sb3_contrib", "RecurrentPPO", "MlpLstmPolicy", recurrent=True),
}

#: Parameters every PPO model (recurrent or not) saves and no other SB3 algorithm has.
PPO_ONLY = ("clip_range", "n_epochs")
#: The module of sb3-contrib's recurrent policies, as a saved model records its policy class.
RECURRENT_POLICY_MODULE = "sb3_contrib.common.recurrent"


def new_model(config: Any, envs: Any, seed: int, tensorboard_log: str) -> Any:
    """A fresh model of ``config.algorithm`` on ``envs`` with the configuration's settings.

    Args:
        config: a :class:`learning.train_config.TrainConfig`.
        envs: the (normalised) training VecEnv.
        seed: the model's seed.
        tensorboard_log: the TensorBoard directory.
    """
    algorithm = ALGORITHMS[config.algorithm]
    policy_kwargs: dict[str, Any] = {"net_arch": list(config.net_arch)}
    if algorithm.recurrent:
        policy_kwargs["lstm_hidden_size"] = config.lstm_hidden_size
    return algorithm.model_class()(
        config.policy,
        envs,
        learning_rate=config.learning_rate,
        n_steps=config.n_steps,
        batch_size=config.batch_size,
        n_epochs=config.n_epochs,
        gamma=config.gamma,
        gae_lambda=config.gae_lambda,
        clip_range=config.clip_range,
        ent_coef=config.ent_coef,
        policy_kwargs=policy_kwargs,
        seed=seed,
        tensorboard_log=tensorboard_log,
        device="cpu",
        verbose=0,
    )


def saved_algorithm(model_path: Path, where: str) -> Algorithm:
    """The algorithm that saved ``model_path``: PPO or recurrent PPO, read from its parameters.

    Raises:
        ScenarioError: not a readable SB3 zip, or one saved by another algorithm (A2C and DQN
            would otherwise load as something else).
    """
    try:
        with zipfile.ZipFile(model_path) as archive:
            data = json.loads(archive.read("data"))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ScenarioError(
            f"{where}: {model_path} is not a readable Stable-Baselines3 PPO "
            f"file ({type(err).__name__}: {err})"
        ) from None
    missing = [key for key in PPO_ONLY if key not in data]
    if missing:
        raise ScenarioError(
            f"{where}: {model_path} holds no PPO model (it has no {missing[0]!r}; "
            "saved by another algorithm, e.g. A2C or DQN)"
        )
    policy_module = str(data.get("policy_class", {}).get("__module__", ""))
    recurrent = policy_module.startswith(RECURRENT_POLICY_MODULE)
    return ALGORITHMS["recurrent-ppo" if recurrent else "ppo"]
