"""Training the learned firms: one PPO policy shared by every learned firm of a market.

The firms train under a fixed regulator (a rule such as ``flat-benchmarking``, or a trained
one as ``learned:PATH``). The output directory ends up holding ``enterprises.zip``,
``enterprises.vecnormalize.pkl``, ``enterprises.json`` and ``enterprises.npz``: set a scenario's
``market.enterprise_policy`` to the ``.zip`` (or use ``learned_share`` with the shipped one).
``env_kwargs.markets`` (M) trains on M markets per env, one policy call per round for all of
their learned firms; each step then counts M times the learned firms of one market.
"""

from __future__ import annotations

from pathlib import Path

from agents.learned_firm import ACTION_SIZE, FIRM_FEATURES
from learning.enterprise_env import EnterpriseVecEnv
from learning.seeds import validation_seeds
from learning.train import train_ppo
from learning.train_config import TrainConfig

DEFAULT_CONFIG = Path(__file__).resolve().parent / "configs" / "ppo_enterprises.yaml"
MODEL_NAME = "enterprises.zip"


def train_enterprises(
    scenario: str,
    config: TrainConfig,
    out: str | Path,
    policy: str,
    seed: int = 0,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
) -> Path:
    """Train (or resume) the shared enterprise policy under the regulator ``policy``.

    Raises:
        ValueError: ``out`` already holds a run and ``resume`` is false.
    """
    from stable_baselines3.common.vec_env import VecMonitor

    kwargs = {**config.env_kwargs, "policy": policy}
    # Validation plays its pool on one market whatever ``markets`` trains on: SB3's
    # evaluation shares its episodes out over the slots unevenly when the pool does not
    # divide among the markets, so M markets could play some seeds twice and others never.
    pool = validation_seeds(config.eval_episodes)
    return train_ppo(
        lambda: VecMonitor(EnterpriseVecEnv(scenario, seed=seed, **kwargs)),
        lambda: VecMonitor(EnterpriseVecEnv(scenario, seed_pool=pool, **{**kwargs, "markets": 1})),
        config,
        out,
        MODEL_NAME,
        seed=seed,
        resume=resume,
        progress=progress,
        metadata={
            "kind": "enterprises",
            "scenario": scenario,
            "regulator": policy,
            "observation": list(FIRM_FEATURES),
            "action_size": ACTION_SIZE,
            "command": command,
        },
    )
