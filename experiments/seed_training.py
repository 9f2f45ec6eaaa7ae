"""Training one regulator per seed, each seed one task on the executors the sweeps use.

``carbon-market train-regulator --seeds 0-4 --out DIR`` trains seed N into ``DIR/seed-N/``
exactly as ``--seed N --out DIR/seed-N`` would: the task calls the same
:func:`learning.train.train_regulator`, and training depends on its seed alone (torch runs on
``config.torch_threads`` threads in each task's process), so which worker trains a seed, and
beside which others, changes none of its files' numbers. Locally the seeds run in worker
processes (:class:`~experiments.executors.LocalExecutor`); with a scheduler address, on a Dask
cluster. A seed is finished once its provenance ``regulator.json`` is written (the last file
training writes); ``resume`` skips finished seeds and continues the others from their newest
checkpoint. A seed whose training raises is reported by name; the others still finish.

The learn extra is imported by the tasks only, so this module loads without torch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from experiments.executors import make_executor

if TYPE_CHECKING:
    from learning.train_config import TrainConfig

#: The provenance file training writes last: a seed's directory holding it is finished.
FINISHED_MARK = "regulator.json"


def seed_directory(out: Path, seed: int) -> Path:
    """Where seed ``seed`` of a study in ``out`` trains: ``out/seed-N``."""
    return out / f"seed-{seed}"


@dataclass(frozen=True)
class SeedTask:
    """Everything a worker needs to train one seed.

    Attributes:
        run_id: the seed's name, ``seed-N``.
        scenario: the scenario's name or TOML path.
        config: the training configuration (the same for every seed).
        out: the seed's output directory.
        seed: the training seed.
        resume: continue from the newest checkpoint in ``out``.
        command: the command line, for the provenance ``.json``.
        commit: the project's git commit, for the provenance ``.json``.
    """

    run_id: str
    scenario: str
    config: TrainConfig
    out: str
    seed: int
    resume: bool
    command: str = ""
    commit: str = ""


@dataclass(frozen=True)
class SeedResult:
    """One seed's trained regulator.

    Attributes:
        seed: the training seed.
        model: the saved ``regulator.zip``.
        wall_seconds: the training's wall-clock time in its task (s).
        cpu_seconds: the task process's CPU time while training (s; without the CPU of env
            subprocesses, when the envs are not batched).
        trained_now: False for a seed found finished and not retrained (its times are then
            those its provenance file recorded, CPU unknown: nan).
    """

    seed: int
    model: Path
    wall_seconds: float
    cpu_seconds: float
    trained_now: bool = True


def train_seed(task: SeedTask) -> SeedResult:
    """Train (or resume) one seed's regulator: what every worker runs for a task."""
    from learning.train import train_regulator

    wall, cpu = time.perf_counter(), time.process_time()
    model = train_regulator(
        task.scenario,
        task.config,
        task.out,
        seed=task.seed,
        resume=task.resume,
        progress=False,
        command=task.command,
        commit=task.commit,
    )
    return SeedResult(
        task.seed, model, time.perf_counter() - wall, time.process_time() - cpu, trained_now=True
    )


@dataclass(frozen=True)
class SeedsOutcome:
    """What training the seeds did.

    Attributes:
        results: each finished seed's regulator (trained now or before), by seed.
        failed: each failed seed's error, by seed (``resume`` trains it again).
    """

    results: tuple[SeedResult, ...]
    failed: dict[int, str] = field(default_factory=dict)


def train_seeds(
    scenario: str,
    config: TrainConfig,
    seeds: Sequence[int],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | None = None,
    command: str = "",
    commit: str = "",
    run: Callable[[SeedTask], SeedResult] = train_seed,
) -> SeedsOutcome:
    """Train a regulator for every seed into ``out/seed-N``, each seed one executor task.

    Args:
        scenario: the scenario's name or TOML path.
        config: the training configuration of every seed.
        seeds: the training seeds (distinct).
        out: the study's directory.
        workers: local processes; default: every core. Not used with ``scheduler``.
        scheduler: a Dask scheduler address (``tcp://HOST:PORT``) to train on instead.
        resume: skip finished seeds, continue the others from their newest checkpoint.
        progress: show a progress bar over the seeds; default: when stderr is a terminal.
        command: the command line, for each seed's provenance ``.json``.
        commit: the project's git commit, for the same.
        run: the function that trains one seed (:func:`train_seed`).

    Returns:
        Every finished seed's result, in the order of ``seeds``, and the failed seeds' errors.

    Raises:
        ValueError: a seed's directory already holds a run and ``resume`` is false (checked
            before any training), or the executor's options are wrong (``SweepError``).
    """
    out = Path(out).absolute()  # a cluster's workers write it from their own directories
    directories = {seed: seed_directory(out, seed) for seed in seeds}
    if not resume:
        used = [str(d) for d in directories.values() if d.is_dir() and any(d.iterdir())]
        if used:
            holds = "already holds a run" if len(used) == 1 else "already hold runs"
            raise ValueError(
                f"--out: {', '.join(used)} {holds}; pass --resume to continue "
                "or choose an empty directory"
            )
    finished = {seed: d for seed, d in directories.items() if (d / FINISHED_MARK).is_file()}
    tasks = [
        SeedTask(f"seed-{seed}", scenario, config, str(d), seed, resume, command, commit)
        for seed, d in directories.items()
        if seed not in finished
    ]
    executor = make_executor(workers, scheduler, run)  # checks the options before any training
    results = {seed: _finished_result(seed, d) for seed, d in finished.items()}
    failed: dict[int, str] = {}
    try:
        with tqdm(
            total=len(seeds),
            initial=len(finished),
            unit="seed",
            desc=f"train {Path(scenario).stem}",
            disable=None if progress is None else not progress,
        ) as bar:
            for outcome in executor.map(tasks):
                if outcome.error is None:
                    results[outcome.task.seed] = outcome.result
                else:
                    failed[outcome.task.seed] = outcome.error
                    bar.set_postfix(failed=len(failed))
                bar.update()
    finally:
        executor.close()
    ordered = tuple(results[seed] for seed in seeds if seed in results)
    return SeedsOutcome(ordered, {seed: failed[seed] for seed in seeds if seed in failed})


def _finished_result(seed: int, directory: Path) -> SeedResult:
    """A seed trained before, with the wall time its provenance file recorded."""
    recorded = json.loads((directory / FINISHED_MARK).read_text())
    wall = float(recorded.get("wall_seconds", float("nan")))
    return SeedResult(seed, directory / "regulator.zip", wall, float("nan"), trained_now=False)
