"""``carbon-market simulate | theory | policies | scenarios``: one market and its listings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.arguments import (
    SET_HELP,
    integer_at_least,
    random_seed,
    scenario_overrides,
    writable_directory,
)
from cli.output import print_json
from market.scenario_files import shipped_scenarios


def _print(result: dict, as_json: bool) -> None:
    """The result as JSON, or as aligned ``key  value unit`` lines and what unclear keys mean."""
    from model.episode import MEANINGS, UNITS

    if as_json:
        print_json(result)
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        figure = key.removeprefix("simulated ")
        unit = UNITS.get(figure, "") if value is not None else ""
        print(f"{key:<{width}}  {_shown(value)}{f' {unit}' if unit else ''}")
    notes = [f"{key}: {meaning}" for key, meaning in MEANINGS.items() if _mentions(result, key)]
    if notes:
        print()
        print("\n".join(notes))


def _shown(value: Any) -> str:
    """A number to four significant figures; an undefined one (None, nan) as 'undefined'."""
    if value is None or (isinstance(value, float) and value != value):
        return "undefined"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def _mentions(result: dict, key: str) -> bool:
    return key in result or f"simulated {key}" in result


def cmd_simulate(args: argparse.Namespace) -> None:
    """Run one episode, write its data, print its summary."""
    from model import CarbonMarket
    from model.episode import episode_summary, run_episode, trades_frame, write_table

    overrides = scenario_overrides(args.set)
    if args.policy:
        overrides["policy"] = args.policy
    if args.years is not None:
        overrides["years"] = args.years
    if args.out and Path(args.out).suffix not in (".parquet", ".csv"):
        raise ValueError(f"--out: {Path(args.out).name} must end in .parquet or .csv")
    if args.out:
        writable_directory("--out", Path(args.out).parent)
    market = CarbonMarket(args.scenario, seed=args.seed, **overrides)
    run_episode(market, progress=not args.json and sys.stderr.isatty())
    summary = episode_summary(market)
    if args.out:
        out = Path(args.out)
        write_table(market.datacollector.get_model_vars_dataframe(), out)
        trades_path = out.with_name(f"{out.stem}_trades{out.suffix}")
        write_table(trades_frame(market), trades_path)
        summary["out"] = str(out)
        summary["trades_out"] = str(trades_path)
    _print(summary, args.json)


def cmd_theory(args: argparse.Namespace) -> None:
    """Closed-form equilibrium of a textbook scenario against simulated markets."""
    from model.episode import theory_report

    report = theory_report(args.scenario, args.seeds, **scenario_overrides(args.set))
    if args.json:
        _print(report, True)
        return
    flat = {k: v for k, v in report.items() if not isinstance(v, dict)}
    flat.update({f"simulated {k}": v for k, v in report["simulated_mean"].items()})
    _print(flat, False)


def cmd_policies(args: argparse.Namespace) -> None:
    """List the government policies."""
    from agents.registry import policy_descriptions

    listing = policy_descriptions()
    if args.json:
        _print(listing, True)
        return
    for name, description in listing.items():
        print(f"{name:<28} {description}")


def cmd_scenarios(args: argparse.Namespace) -> None:
    """List the shipped scenarios."""
    from market.scenario_files import load_scenario

    for name in shipped_scenarios():
        print(f"{name:<14} {load_scenario(name).description}")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``simulate``, ``theory``, ``policies`` and ``scenarios``."""
    scenario_help = f"shipped name ({', '.join(shipped_scenarios())}) or a TOML path"

    sim = sub.add_parser("simulate", help="run one episode and summarise it")
    sim.add_argument("--scenario", default="paper", help=scenario_help)
    sim.add_argument("--policy", help="government policy (see `carbon-market policies`)")
    sim.add_argument("--seed", type=random_seed, default=0, help="random seed (default 0)")
    sim.add_argument("--years", type=int, help="compliance years to simulate")
    sim.add_argument(
        "--out",
        help="write per-round data to FILE.parquet or FILE.csv "
        "(the trade ledger goes to FILE_trades.*)",
    )
    sim.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    sim.add_argument("--json", action="store_true", help="print the summary as JSON")
    sim.set_defaults(func=cmd_simulate)

    theory = sub.add_parser("theory", help="textbook equilibrium against simulated markets")
    theory.add_argument("--scenario", default="classroom", help=scenario_help)
    theory.add_argument(
        "--seeds", type=integer_at_least(1), default=10, help="simulated seeds (default 10)"
    )
    theory.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    theory.add_argument("--json", action="store_true", help="print as JSON")
    theory.set_defaults(func=cmd_theory)

    policies = sub.add_parser("policies", help="list the government policies")
    policies.add_argument("--json", action="store_true", help="print as JSON")
    policies.set_defaults(func=cmd_policies)

    scenarios = sub.add_parser("scenarios", help="list the shipped scenarios")
    scenarios.set_defaults(func=cmd_scenarios)
