"""``carbon-market optimize-schedule``: the best open-loop schedule for a scenario (CMA-ES)."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path


def cmd_optimize_schedule(args: argparse.Namespace) -> None:
    """Search (or resume searching) for a scenario's best schedule; write it as JSON."""
    from learning.schedule_search import SearchConfig, optimize_schedule, provenance

    out = Path(args.out)
    if out.suffix != ".json":
        raise ValueError(f"--out: {out} must name a .json file (the schedule)")
    if out.exists() and not args.resume:
        raise ValueError(f"--out: {out} exists; pass --resume to continue its search")
    config = SearchConfig(
        episodes=args.episodes,
        seeds_per_candidate=args.seeds_per_candidate,
        selection_seeds=args.selection_seeds,
        seed=args.seed,
        climate_coefficient=args.climate_coefficient,
    )
    started = time.time()
    journal = out.with_suffix(".journal.sqlite")
    if journal.exists() and not args.resume:
        raise ValueError(f"--out: {journal} exists; pass --resume to continue that search")
    result = optimize_schedule(args.scenario, config, journal, progress=not args.quiet)
    record = provenance(args.scenario, config, result, started)
    record["command"] = "carbon-market " + shlex.join(sys.argv[1:])
    record["commit"] = _commit()
    result.schedule.save(out, provenance=record)
    shares = ", ".join(f"{s:.3f}" for s in result.schedule.release_shares)
    print(f"saved {out}: release shares [{shares}], selection welfare "
          f"{result.selection_welfare:.1f} coins per firm over {config.selection_seeds} "
          f"training seeds ({result.episodes} episodes)")  # fmt: skip
    print(f"play it with --policy schedule:{out}")


def _commit() -> str:
    """The project's git commit, or '' outside a clone."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return found.stdout.strip()


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``optimize-schedule`` to the command line."""
    search = sub.add_parser(
        "optimize-schedule",
        help="find the best open-loop schedule by CMA-ES on training seeds (resumable)",
    )
    search.add_argument("--scenario", default="paper", help="scenario name or TOML path")
    search.add_argument(
        "--episodes", type=int, default=4000,
        help="simulation budget in episodes (a 40,000-year PPO run on paper is 4,000)",
    )  # fmt: skip
    search.add_argument("--out", required=True, help="the schedule file to write (.json)")
    search.add_argument("--seed", type=int, default=0, help="the search's seed, 0 to 99")
    search.add_argument(
        "--seeds-per-candidate", type=int, default=8, help="episodes per candidate per generation"
    )
    search.add_argument(
        "--selection-seeds", type=int, default=64,
        help="episodes on which each restart's final schedule is compared",
    )  # fmt: skip
    search.add_argument(
        "--climate-coefficient", type=float, default=None,
        help="c of the scored welfare (1/t; default: the scenario's)",
    )  # fmt: skip
    search.add_argument("--resume", action="store_true", help="continue the search in --out")
    search.add_argument("--quiet", action="store_true", help="no line per generation")
    search.set_defaults(func=cmd_optimize_schedule)
