"""The paper's two-stage training, with optional further alternations (``train-marl``).

Stage 1 trains the firms' shared policy under a fixed baseline regulator; stage 2 trains the
regulator with those learned firms fixed. Each further alternation retrains the firms under
the newest regulator, then the regulator against the newest firms. Every stage writes its own
directory (``stage1-enterprises``, ``stage2-regulator``, ...); a stage whose model exists is
skipped and an interrupted one resumes, so ``--resume`` continues the whole curriculum where it
stopped. The final policies are copied to ``enterprises.*`` and ``regulator.*`` in ``out``.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from agents.network import network_path
from learning.export import sidecars
from learning.train import MODEL_NAME, train_regulator
from learning.train_config import TrainConfig
from learning.train_enterprises import MODEL_NAME as ENTERPRISE_MODEL
from learning.train_enterprises import train_enterprises


def _copy_policy(model: Path, target: Path) -> Path:
    """Copy a saved policy and its sidecars to ``target`` (a ``.zip`` path)."""
    shutil.copy(model, target)
    shutil.copy(network_path(model), network_path(target))
    for source, destination in zip(sidecars(model), sidecars(target), strict=True):
        shutil.copy(source, destination)
    return target


def train_marl(
    scenario: str,
    out: str | Path,
    enterprise_config: TrainConfig,
    regulator_config: TrainConfig,
    baseline: str = "flat-benchmarking",
    alternations: int = 0,
    seed: int = 0,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
) -> tuple[Path, Path]:
    """Run the curriculum; return the final (enterprise policy, regulator) paths.

    Raises:
        ValueError: ``out`` already holds a run and ``resume`` is false, or a bad argument.
    """
    if alternations < 0:
        raise ValueError(f"--alternations: {alternations} must be >= 0")
    out = Path(out)
    if not resume and out.exists() and any(out.iterdir()):
        raise ValueError(f"--out: {out} already holds a run; pass --resume to continue it")
    regulator_policy = baseline
    enterprises = regulator = None
    for round_ in range(alternations + 1):
        stage = 2 * round_ + 1
        firm_dir = out / f"stage{stage}-enterprises"
        enterprises = firm_dir / ENTERPRISE_MODEL
        if not enterprises.is_file():
            train_enterprises(
                scenario,
                enterprise_config,
                firm_dir,
                regulator_policy,
                seed=seed + stage,
                resume=firm_dir.exists(),
                progress=progress,
                command=command,
            )
        regulator_dir = out / f"stage{stage + 1}-regulator"
        regulator = regulator_dir / MODEL_NAME
        if not regulator.is_file():
            config = copy.deepcopy(regulator_config)
            config.env_kwargs = {
                **config.env_kwargs,
                "behaviour": "learned",
                "enterprise_policy": str(enterprises.resolve()),
            }
            train_regulator(
                scenario,
                config,
                regulator_dir,
                seed=seed + stage + 1,
                resume=regulator_dir.exists(),
                progress=progress,
                command=command,
            )
        regulator_policy = f"learned:{regulator.resolve()}"
    return (
        _copy_policy(enterprises, out / ENTERPRISE_MODEL),
        _copy_policy(regulator, out / MODEL_NAME),
    )
