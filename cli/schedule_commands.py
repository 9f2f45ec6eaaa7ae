"""The schedule commands: the best open-loop schedule, and a policy's open-loop imitation.

``optimize-schedule`` searches by CMA-ES on training seeds; ``imitate-schedule`` writes the
schedule a policy's mean yearly releases make (``learning.imitation``).
"""

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

    out = _schedule_file(args.out)
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
    start = None
    if args.start is not None:
        from agents.schedule import load_schedule
        from model import load_scenario

        start = load_schedule(args.start, load_scenario(args.scenario).market.years)
    result = optimize_schedule(args.scenario, config, journal, progress=not args.quiet, start=start)
    record = provenance(args.scenario, config, result, started)
    if args.start is not None:
        record["start"] = str(args.start)
    result.schedule.save(out, provenance=_stamped(record))
    print(f"saved {out}: release shares [{_shares(result.schedule)}], selection welfare "
          f"{result.selection_welfare:.1f} coins per firm over {config.selection_seeds} "
          f"training seeds ({result.episodes} episodes)")  # fmt: skip
    print(f"play it with --policy schedule:{out}")


def cmd_imitate_schedule(args: argparse.Namespace) -> None:
    """Write a policy's open-loop imitation (its mean yearly releases) as a schedule file."""
    from learning.imitation import imitation_seeds, open_loop_imitation

    out = _schedule_file(args.out)
    if args.seeds < 1:
        raise ValueError(f"--seeds: {args.seeds} must be >= 1")
    started = time.time()
    seeds = imitation_seeds(args.seeds)
    imitation = open_loop_imitation(args.scenario, args.policy, seeds, args.climate_coefficient)
    record = {
        "scenario": str(args.scenario),
        "imitates": args.policy,
        "climate_coefficient": args.climate_coefficient,
        "seeds": [seeds[0], seeds[-1]],
        "release_share_sd": imitation.yearly_shares.std(axis=0).tolist(),
        "split_residual": imitation.split_residual,
        "wall_seconds": round(time.time() - started, 1),
    }
    imitation.schedule.save(out, provenance=_stamped(record))
    print(f"saved {out}: the mean release shares of {args.policy} over {args.seeds} training "
          f"seeds [{_shares(imitation.schedule)}]; split by rules {_weights(imitation.schedule)} "
          f"(RMS misfit {imitation.split_residual:.3f})")  # fmt: skip
    print(f"refine it with optimize-schedule --start {out}; play it with --policy schedule:{out}")


def _schedule_file(path: str) -> Path:
    """``--out`` as a schedule file's path (it must end in .json)."""
    out = Path(path)
    if out.suffix != ".json":
        raise ValueError(f"--out: {out} must name a .json file (the schedule)")
    return out


def _shares(schedule) -> str:
    return ", ".join(f"{share:.3f}" for share in schedule.release_shares)


def _weights(schedule) -> str:
    from agents.policies import ALLOCATION_RULES

    return ", ".join(
        f"{rule} {w:.2f}" for rule, w in zip(ALLOCATION_RULES, schedule.rule_weights, strict=True)
    )


def _stamped(record: dict) -> dict:
    """A provenance record with the command that made it and the project's commit."""
    command = "carbon-market " + shlex.join(sys.argv[1:])
    return {**record, "command": command, "commit": project_commit()}


def project_commit() -> str:
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
    search.add_argument(
        "--start", default=None,
        help="a schedule file to refine (e.g. imitate-schedule's): the first restart starts there",
    )  # fmt: skip
    search.add_argument("--resume", action="store_true", help="continue the search in --out")
    search.add_argument("--quiet", action="store_true", help="no line per generation")
    search.set_defaults(func=cmd_optimize_schedule)

    imitate = sub.add_parser(
        "imitate-schedule",
        help="a policy's open-loop imitation: its mean yearly releases as a schedule file",
    )
    imitate.add_argument("--scenario", default="paper", help="scenario name or TOML path")
    imitate.add_argument(
        "--policy", required=True,
        help="the policy to imitate (learned:PATH, learned:shipped, msr, ...)",
    )  # fmt: skip
    imitate.add_argument("--seeds", type=int, default=64, help="training seeds to play")
    imitate.add_argument(
        "--climate-coefficient", type=float, default=None,
        help="c the policy plays at (a learned regulator observes it; default: the scenario's)",
    )  # fmt: skip
    imitate.add_argument("--out", required=True, help="the schedule file to write (.json)")
    imitate.set_defaults(func=cmd_imitate_schedule)
