"""``carbon-market train-regulator --seeds``: one regulator per seed, trained side by side.

Each seed is one task on the executors the sweeps use (``experiments.seed_training``): local
processes (``--workers``) or a Dask cluster (``--scheduler``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.arguments import integer_at_least, seed_list, writable_directory

if TYPE_CHECKING:
    from learning.train_config import TrainConfig


def add_seed_options(parser: argparse.ArgumentParser, seed: argparse._ActionsContainer) -> None:
    """Add ``--seeds`` to ``seed`` (the group exclusive with ``--seed``), and where they run."""
    seed.add_argument(
        "--seeds",
        type=seed_list,
        metavar="LIST",
        help="train one regulator per seed, e.g. 0-4 or 0-2,7, each into --out/seed-N, "
        "side by side as parallel tasks",
    )
    parser.add_argument(
        "--workers",
        type=integer_at_least(1),
        metavar="N",
        help="with --seeds: local processes training at once (default: every core)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --seeds: train on the Dask cluster at ADDRESS (tcp://HOST:PORT)",
    )


def train_seeds_side_by_side(
    args: argparse.Namespace, config: TrainConfig, command: str, commit: str
) -> None:
    """``train-regulator --seeds``: every seed a task; print each seed's output and time.

    ``config`` is every seed's training configuration; ``command`` and ``commit`` go into
    each seed's provenance file.

    Raises:
        ValueError: some seeds failed (the message names each one; the others are saved).
    """
    from cli.sweep_commands import Stopped, stop_on_signals
    from experiments.seed_training import train_seeds

    out = Path(args.out)
    writable_directory("--out", out)
    try:
        with stop_on_signals("train-regulator"):
            done = train_seeds(
                args.scenario,
                config,
                args.seeds,
                out,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                command=command,
                commit=commit,
            )
    except Stopped as stopped:  # finished seeds are saved, the others have their checkpoints
        print(
            f"carbon-market train-regulator: stopped by {stopped.signal.name}; the finished "
            f"seeds are saved in {out}; continue the others with --resume",
            file=sys.stderr,
        )
        sys.exit(128 + stopped.signal)
    for result in done.results:
        when = "trained now" if result.trained_now else "trained before, not retrained"
        cpu = "" if not result.trained_now else f", {result.cpu_seconds:.1f} s CPU"
        print(f"seed {result.seed}: {result.model} ({when}; {result.wall_seconds:.1f} s wall{cpu})")
    if done.failed:
        lines = "\n".join(f"  seed {seed}: {error}" for seed, error in done.failed.items())
        raise ValueError(
            f"{len(done.failed)} of {len(args.seeds)} seeds failed (--resume trains them "
            f"again):\n{lines}"
        )
