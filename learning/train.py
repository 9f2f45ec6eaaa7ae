"""Training the regulator with Stable-Baselines3 PPO, resumable from its last checkpoint.

``train_regulator`` runs PPO (or RecurrentPPO, ``algorithm: recurrent-ppo``:
:mod:`learning.algorithms`) on vectorised :class:`~learning.regulator_env.RegulatorEnv`
workers (SubprocVecEnv, one per core) wrapped in VecNormalize, evaluates on held-out
validation seeds (EvalCallback), saves checkpoints with their normalisation statistics
(CheckpointCallback), logs to TensorBoard and shows a progress bar. The output directory ends
up holding ``regulator.zip``, ``regulator.vecnormalize.pkl``, ``regulator.json`` and
``regulator.npz`` (the network the regulator acts with): a policy
``--policy learned:DIR/regulator.zip`` can load.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from agents.learned_regulator import residual_metadata
from learning.algorithms import ALGORITHMS, new_model
from learning.export import export_network, load_ppo, sidecars
from learning.regulator_env import RegulatorEnv
from learning.regulator_vec_env import RegulatorVecEnv
from learning.seeds import validation_seeds
from learning.train_config import TrainConfig
from model.batch import batchable

MODEL_NAME = "regulator.zip"
CHECKPOINT_PREFIX = "regulator"


def latest_checkpoint(out: Path) -> tuple[Path, Path, int] | None:
    """The newest checkpoint in ``out/checkpoints``: (model, normalisation stats, steps)."""
    found = []
    for path in (out / "checkpoints").glob(f"{CHECKPOINT_PREFIX}_*_steps.zip"):
        steps = int(re.search(r"_(\d+)_steps", path.name).group(1))
        stats = path.with_name(f"{CHECKPOINT_PREFIX}_vecnormalize_{steps}_steps.pkl")
        if stats.is_file():
            found.append((steps, path, stats))
    if not found:
        return None
    steps, path, stats = max(found)
    return path, stats, steps


def make_envs(
    scenario: str,
    config: TrainConfig,
    seed: int,
    n_envs: int,
    seed_pool: list[int] | None = None,
    subprocess: bool = True,
    batched: bool = True,
):
    """``n_envs`` regulator envs (one step = one year each) as one VecEnv.

    By default one :class:`~learning.regulator_vec_env.RegulatorVecEnv` plays every lane's
    market in one compiled call per year; with ``batched=False``, or when the firms cannot
    play in a batch (learned firms a training env drives), they are RegulatorEnv workers in
    a SubprocVecEnv (when more than one) or a DummyVecEnv, one market at a time. Lane i is
    seeded ``seed + i`` either way, and plays the same episodes.
    """
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor

    kwargs = {**config.env_kwargs, "scenario": scenario, "seed_pool": seed_pool}
    if batched and batchable(RegulatorEnv(**{**kwargs, "seed_pool": None}).checked):
        envs = VecMonitor(RegulatorVecEnv(n_envs, **kwargs))
        envs.seed(seed)
        return envs
    cls = SubprocVecEnv if subprocess and n_envs > 1 else DummyVecEnv
    return make_vec_env(RegulatorEnv, n_envs=n_envs, seed=seed, env_kwargs=kwargs, vec_env_cls=cls)


def train_ppo(
    make_train_envs: Callable[[], Any],
    make_eval_envs: Callable[[], Any],
    config: TrainConfig,
    out: str | Path,
    model_name: str,
    seed: int = 0,
    resume: bool = False,
    progress: bool = True,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Train (or resume) ``config.algorithm`` on VecNormalize(``make_train_envs()``); save it.

    Checkpoints (with their normalisation statistics) go to ``out/checkpoints``, validation
    results to ``out/eval`` and the best validated model to ``out/best``, TensorBoard logs to
    ``out/tensorboard``. The final model is ``out/model_name`` with its ``.vecnormalize.pkl``
    and ``.json`` (``metadata`` plus provenance) beside it. Validation plays the mean action,
    as a trained policy acts.

    Raises:
        ValueError: ``out`` already holds a run and ``resume`` is false.
    """
    import torch
    from stable_baselines3.common.callbacks import CheckpointCallback, EvalCallback
    from stable_baselines3.common.vec_env import VecNormalize

    torch.set_num_threads(config.torch_threads)
    out = Path(out)
    checkpoint = latest_checkpoint(out) if resume else None
    if not resume and out.exists() and any(out.iterdir()):
        raise ValueError(
            f"--out: {out} already holds a run; pass --resume to continue it "
            "or choose an empty directory"
        )
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    envs = make_train_envs()
    if checkpoint is not None:
        model_path, stats_path, done = checkpoint
        model, envs = load_ppo(model_path, "--resume", stats_path, envs)
        trained_by = ALGORITHMS[config.algorithm].class_name
        if type(model).__name__ != trained_by:
            raise ValueError(
                f"algorithm: {out} was trained by {type(model).__name__}, not {trained_by}; "
                "resume it with the configuration it was started with"
            )
        model.tensorboard_log = str(out / "tensorboard")
    else:
        done = 0
        envs = VecNormalize(envs, norm_obs=config.normalize, norm_reward=config.normalize)
        model = new_model(config, envs, seed, str(out / "tensorboard"))
        initial_exploration(model, config.log_std_init)
    eval_envs = VecNormalize(
        make_eval_envs(), training=False, norm_obs=config.normalize, norm_reward=False
    )
    per_worker = max(1, envs.num_envs)
    best_dir = out / "best"
    validation = EvalCallback(
        eval_envs,
        # every slot of an env plays each validation market once
        n_eval_episodes=config.eval_episodes * eval_envs.num_envs,
        eval_freq=max(1, config.eval_freq // per_worker),
        best_model_save_path=str(best_dir),
        log_path=str(out / "eval"),
        deterministic=True,
        callback_on_new_best=SaveNormalization(sidecars(best_dir / "best_model.zip")[0]),
    )
    if checkpoint is not None:
        continue_validation(validation, out / "eval" / "evaluations.npz")
    callbacks = [
        CheckpointCallback(
            save_freq=max(1, config.checkpoint_freq // per_worker),
            save_path=str(out / "checkpoints"),
            name_prefix=CHECKPOINT_PREFIX,
            save_vecnormalize=True,
        ),
        validation,
    ]
    model.learn(
        total_timesteps=max(0, config.n_timesteps - done),
        callback=callbacks,
        progress_bar=progress,
        reset_num_timesteps=checkpoint is None,
        tb_log_name=config.algorithm,
    )
    model_path = out / model_name
    stats_path, meta_path = sidecars(model_path)
    best = best_dir / "best_model.zip"
    kept_timesteps = int(model.num_timesteps)
    if config.keep == "best" and best.is_file():
        shutil.copy(best, model_path)
        shutil.copy(sidecars(best)[0], stats_path)
        kept_timesteps = best_validated_timesteps(validation)
        export_network(model_path, *load_ppo(model_path, "--out"))
    else:
        model.save(model_path)
        envs.save(str(stats_path))
        export_network(model_path, model, envs)
    meta_path.write_text(
        json.dumps(
            {
                **(metadata or {}),
                "normalize": config.normalize,
                "seed": seed,
                "timesteps": kept_timesteps,
                "trained_timesteps": int(model.num_timesteps),
                "config": dataclasses.asdict(config),
                "wall_seconds": round(time.time() - started, 1),
                "python": sys.version.split()[0],
                "platform": platform.platform(),
            },
            indent=2,
        )
    )
    envs.close()
    eval_envs.close()
    return model_path


def initial_exploration(model: Any, log_std: float | list[float]) -> None:
    """Set a fresh PPO model's log standard deviations, one value or one per action dimension.

    Raises:
        ValueError: a list whose length is not the action's.
    """
    import torch

    size = model.policy.log_std.shape[0]
    values = [float(log_std)] * size if isinstance(log_std, int | float) else list(log_std)
    if len(values) != size:
        raise ValueError(f"log_std_init: {len(values)} values for an action of {size}")
    with torch.no_grad():
        model.policy.log_std.copy_(torch.tensor(values, dtype=model.policy.log_std.dtype))


def best_validated_timesteps(validation: Any) -> int:
    """The training step at which the best validation score so far was reached."""
    import numpy as np

    means = [np.mean(results) for results in validation.evaluations_results]
    return int(validation.evaluations_timesteps[int(np.argmax(means))])


def continue_validation(validation: Any, log: Path) -> None:
    """A resumed run's EvalCallback keeps the validation history and best score so far.

    Without it, resuming would overwrite the log of earlier validations and let the first
    validation after the restart replace a better model in ``best/``.
    """
    import numpy as np

    if not log.is_file():
        return
    history = np.load(log)
    validation.evaluations_timesteps = list(history["timesteps"])
    validation.evaluations_results = [list(r) for r in history["results"]]
    validation.evaluations_length = [list(r) for r in history["ep_lengths"]]
    if len(history["results"]):
        validation.best_mean_reward = float(np.max(np.mean(history["results"], axis=1)))


class SaveNormalization(BaseCallback):
    """On a new best validation score, save the training envs' VecNormalize statistics.

    EvalCallback saves only the best model; the observation statistics it was validated
    with belong beside it, or the model cannot be replayed.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _on_step(self) -> bool:
        normalizer = self.model.get_vec_normalize_env()
        if normalizer is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            normalizer.save(str(self.path))
        return True


def train_regulator(
    scenario: str,
    config: TrainConfig,
    out: str | Path,
    seed: int = 0,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
    commit: str = "",
) -> Path:
    """Train (or resume training) a regulator; return the path of the saved ``.zip``.

    ``command`` and ``commit`` (the project's git commit) go into the provenance ``.json``.

    Raises:
        ValueError: ``out`` already holds a run and ``resume`` is false.
    """
    env = RegulatorEnv(scenario, **config.env_kwargs)
    return train_ppo(
        lambda: make_envs(scenario, config, seed, config.n_envs),
        lambda: make_envs(
            scenario,
            config,
            seed + 1,
            1,
            seed_pool=validation_seeds(config.eval_episodes),
            subprocess=False,
        ),
        config,
        out,
        MODEL_NAME,
        seed=seed,
        resume=resume,
        progress=progress,
        metadata={
            "kind": "regulator",
            "scenario": scenario,
            "action_mode": env.action_spec.mode,
            "n_firms": env.action_spec.n_firms,
            "auction": env.action_spec.auction,
            "price_floor": env.action_spec.price_floor,
            **residual_metadata(env.action_spec),
            "command": command,
            "commit": commit,
        },
    )
