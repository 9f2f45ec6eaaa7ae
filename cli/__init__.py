"""The ``carbon-market`` command line.

Subcommands, by the module that defines them:

* ``cli.market_commands``: ``simulate`` (one episode), ``theory`` (a textbook market against
  its closed-form equilibrium), ``policies`` and ``scenarios`` (the listings);
* ``cli.learning_commands``: ``train-regulator``, ``train-enterprises``, ``train-marl``,
  ``evaluate`` and ``export-policy``; ``cli.seed_commands`` the options and the run of
  ``train-regulator --seeds`` (a regulator per seed, side by side);
* ``cli.schedule_commands``: ``optimize-schedule`` (the best open-loop schedule, CMA-ES) and
  ``imitate-schedule`` (a policy's open-loop imitation);
* ``cli.sweep_commands``: ``sweep`` (a parameter sweep) and ``report`` (its plots).

Every module imports only light parts at start-up; a command loads what it needs (torch,
Dask) when it runs. Training and exporting need the ``learn`` extra; without it those commands
say so in one line.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import Any

from cli import learning_commands, market_commands, schedule_commands, sweep_commands
from market.scenario import ScenarioError, ScenarioWarning

COMMAND_GROUPS = (market_commands, learning_commands, schedule_commands, sweep_commands)
#: The libraries of the ``learn`` extra (pyproject.toml), by import name; its PyYAML comes
#: with Dask.
LEARN_EXTRA = frozenset({"torch", "stable_baselines3", "gymnasium", "tensorboard"})


def build_parser() -> argparse.ArgumentParser:
    """The ``carbon-market`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="carbon-market", description="Carbon-market (cap-and-trade) simulator"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def _show_warning(show: Callable[..., None]) -> Callable[..., None]:
    """A scenario's warning as one line, like the errors; any other warning through ``show``."""

    def show_warning(message: Warning | str, category: type[Warning], *args: Any) -> None:
        if issubclass(category, ScenarioWarning):
            print(f"carbon-market: warning: {message}", file=sys.stderr)
        else:
            show(message, category, *args)

    return show_warning


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carbon-market`` console script."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning(warnings.showwarning)
        try:
            args.func(args)
        except (ScenarioError, ValueError) as err:
            print(f"carbon-market: error: {err}", file=sys.stderr)
            return 2
        except ModuleNotFoundError as err:
            if (err.name or "").partition(".")[0] not in LEARN_EXTRA:
                raise
            print(
                f"carbon-market: error: {args.command} needs the learn extra: "
                "pip install 'carbon-market[learn]'",
                file=sys.stderr,
            )
            return 2
    return 0
