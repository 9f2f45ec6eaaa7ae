"""``carbon-market train-regulator | train-enterprises | train-marl | evaluate | export-policy``."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

from agents.learned_regulator import resolve_policy_path
from agents.network import read_metadata
from agents.registry import shipped_regulators
from cli.arguments import SET_HELP, random_seed, scenario_overrides, writable_directory
from cli.output import print_json
from cli.seed_commands import add_seed_options, train_seeds_side_by_side
from market.data import POLICY_DIR
from model import load_scenario

# Only light imports here: the command line starts without loading torch. Training
# configurations default to the shipped YAML files (learning/configs), named by the
# training modules themselves.


def cmd_train_regulator(args: argparse.Namespace) -> None:
    """Train (or resume) a PPO regulator and save it with its statistics and provenance.

    With ``--seeds``, one regulator per seed, each in ``--out/seed-N``, as parallel tasks.
    """
    from cli.schedule_commands import project_commit

    config = _config(args.config, args.scenario, args.timesteps)
    if args.seeds is not None:
        train_seeds_side_by_side(args, config, _command(), project_commit())
        return
    for flag, value in (("--workers", args.workers), ("--scheduler", args.scheduler)):
        if value is not None:
            raise ValueError(f"{flag}: trains several seeds side by side; give --seeds")
    from learning.train import train_regulator

    path = train_regulator(
        args.scenario,
        config,
        args.out,
        seed=args.seed,
        resume=args.resume,
        progress=sys.stderr.isatty(),
        command=_command(),
        commit=project_commit(),
    )
    _report_saved(path)


def _config(path: str | None, scenario: str, timesteps: int | None, kind: str = "regulator"):
    """The scenario's training configuration, with ``--timesteps`` applied.

    ``path`` None reads the shipped configuration of ``kind`` (``regulator``/``enterprises``).
    """
    from learning.train_config import DEFAULT_CONFIG, load_train_config
    from learning.train_enterprises import DEFAULT_CONFIG as ENTERPRISE_CONFIG

    shipped = ENTERPRISE_CONFIG if kind == "enterprises" else DEFAULT_CONFIG
    config = load_train_config(shipped if path is None else path, scenario)
    if timesteps is not None:
        if timesteps < 1:
            raise ValueError(f"--timesteps: {timesteps} must be >= 1")
        config.n_timesteps = timesteps
    return config


def _report_saved(path: Path) -> None:
    print(f"saved {path} (+ {path.stem}.vecnormalize.pkl, {path.stem}.json)")


def _display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it (shorter names)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _command() -> str:
    return "carbon-market " + shlex.join(sys.argv[1:]) if sys.argv else ""


def cmd_train_enterprises(args: argparse.Namespace) -> None:
    """Train (or resume) the shared enterprise policy under a fixed regulator."""
    from learning.train_enterprises import train_enterprises

    path = train_enterprises(
        args.scenario,
        _config(args.config, args.scenario, args.timesteps, "enterprises"),
        args.out,
        args.policy,
        seed=args.seed,
        resume=args.resume,
        progress=sys.stderr.isatty(),
        command=_command(),
    )
    _report_saved(path)


def cmd_train_marl(args: argparse.Namespace) -> None:
    """Stage 1: firms under a baseline; stage 2: the regulator against them; alternations."""
    from learning.curriculum import train_marl

    firms, regulator = train_marl(
        args.scenario,
        args.out,
        _config(args.enterprise_config, args.scenario, args.enterprise_timesteps, "enterprises"),
        _config(args.config, args.scenario, args.timesteps),
        baseline=args.policy,
        alternations=args.alternations,
        seed=args.seed,
        resume=args.resume,
        progress=sys.stderr.isatty(),
        command=_command(),
    )
    print(f"saved {firms} and {regulator}")


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Every policy on the same held-out seeds, scored with the same coefficient(s)."""
    from learning.evaluate import (
        ENTERPRISE_MIXES,
        RULES,
        collect_runs,
        confidence_table,
        draw,
        draw_profit_differences,
        is_learned,
        markdown_table,
        paired_test,
        profit_comparison,
        score,
    )

    if args.policies == "all":  # the rules and what is shipped for the scenario
        name = load_scenario(args.scenario).name
        shipped = shipped_regulators(name)
        policies = RULES + [f"learned:{_display_path(path)}" for path in shipped]
        schedule = POLICY_DIR / f"schedule-{name}.json"
        if schedule.exists():  # the optimised open-loop schedule shipped for the scenario
            policies.append(f"schedule:{_display_path(schedule)}")
    else:
        policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    policies += [f"learned:{path}" for path in args.learned]
    policies += [f"schedule:{path}" for path in args.schedule]
    learned = [p for p in policies if is_learned(p)]
    if not policies:
        raise ValueError("--policies: empty; give 'all' or a comma list of policies")
    if len(learned) == len(policies):
        raise ValueError(
            f"--policies: {','.join(policies)} has no rule; a learned policy is tested against "
            f"the best rule, so add one, e.g. --policies {','.join([*learned, RULES[0]])}"
        )
    if args.seeds < 2:
        raise ValueError(f"--seeds: {args.seeds} must be >= 2 (confidence intervals)")
    out = Path(args.out) if args.out else None
    if out is not None:
        writable_directory("--out", out)
    overrides = {**scenario_overrides(args.set), **ENTERPRISE_MIXES[args.enterprises]}
    if args.behaviour:
        overrides["behaviour"] = args.behaviour
    if args.enterprises != "heuristic":
        overrides["enterprise_policy"] = args.enterprise_policy
    coefficients = args.climate_coefficient or [
        load_scenario(args.scenario, **overrides).market.climate_coefficient
    ]
    for c in coefficients:  # the scenario's own check of every c and override
        load_scenario(args.scenario, **overrides, climate_coefficient=c)
    runs = collect_runs(
        args.scenario,
        policies,
        args.seeds,
        coefficients,
        progress=sys.stderr.isatty() and not args.json,
        **overrides,
    )
    report = {}
    for c in coefficients:
        scored = score(runs, c)
        table = confidence_table(scored)
        tests = [asdict(paired_test(scored, p)) for p in table["policy"] if is_learned(p)]
        profits = profit_comparison(scored)
        report[str(c)] = {
            "table": table.to_dict(orient="records"),
            "paired_tests": tests,
            "firm_profits": profits.to_dict(orient="records"),
        }
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            table.to_csv(out / f"table_c{c}.csv", index=False)
            (out / f"table_c{c}.md").write_text(markdown_table(table) + "\n")
            scored.drop(columns="releases").to_csv(out / f"runs_c{c}.csv", index=False)
            scored.to_parquet(out / f"runs_c{c}.parquet", index=False)  # with yearly releases
            draw(scored, table, c, out)
            if len(profits):
                profits.to_csv(out / f"firm_profits_c{c}.csv", index=False)
                draw_profit_differences(profits, c, out)
        seeded = _across_seeds(scored, table, load_scenario(args.scenario).name)
        if seeded:
            report[str(c)]["across_seeds"] = _plain(seeded)
        if not args.json:
            print(f"\nclimate coefficient c = {c} ({args.seeds} held-out seeds)\n")
            print(markdown_table(table))
            _print_across_seeds(seeded)
            for test in tests:
                print(
                    f"\n{test['learned']} vs best rule {test['best_rule']}: mean welfare "
                    f"difference {test['mean_difference']:+.4g}, wins {test['wins']}/"
                    f"{test['seeds']}, paired t p = {test['t_pvalue']:.3g}, Wilcoxon p = "
                    f"{test['wilcoxon_pvalue']:.3g}"
                )
            if len(profits):
                print(
                    "\nmean profit per firm, learned vs heuristic (each seed also played with "
                    "the roles swapped; 95% CI):"
                )
                for _, row in profits.iterrows():
                    print(
                        f"  {row['policy']}: learned {row['learned_profit']:.1f}, heuristic "
                        f"{row['heuristic_profit']:.1f}, difference {row['difference']:+.1f}"
                        f" ± {row['difference_ci']:.1f} (learned ahead on {row['wins']}/"
                        f"{row['seeds']} seeds; within the seeded draw alone "
                        f"{row['draw_difference']:+.1f} ± {row['draw_difference_ci']:.1f}); "
                        f"{100 * row['corrected_share']:.2f}% of learned decisions depart "
                        "from the rule"
                    )
    if args.json:
        print_json(report)


def _across_seeds(scored, table, scenario: str) -> dict:
    """The aggregate over runs of every method evaluated with two runs or more on ``scenario``."""
    from learning.aggregate import across_seeds

    methods: dict[str, list[str]] = {}
    for policy in table["policy"]:
        kind = _method(policy, scenario)
        if kind is not None:
            methods.setdefault(kind, []).append(policy)
    methods = {kind: runs for kind, runs in methods.items() if len(runs) >= 2}
    if not methods:
        return {}
    grouped = {run for runs in methods.values() for run in runs}
    rest = table[~table["policy"].isin(grouped)]
    if rest.empty:
        return {}
    best_rule = rest.sort_values("welfare", ascending=False)["policy"].iloc[0]
    return {"best_rule": best_rule, **across_seeds(scored, methods, best_rule)}


def _method(policy: str, scenario: str) -> str | None:
    """The method a policy is a run of, when evaluated on ``scenario``; None for a rule.

    Runs of one method differ only in their training seed: ``schedule``, or ``learned``
    (PPO, trained on ``scenario`` against heuristic firms) with a suffix for each way the
    regulator was made otherwise, read from its provenance ``.json``: ``-ALGO`` (another
    algorithm, e.g. ``-recurrent-ppo``), ``-residual`` (a correction around a schedule),
    ``-vs-learned-firms`` (trained against learned firms,
    ``train-marl``), ``@SCENARIO`` (trained on another scenario). Regulators made differently
    are compared with each other, not pooled.
    """
    kind, _, path = policy.partition(":")
    if kind == "schedule":
        return kind
    if kind != "learned":
        return None
    metadata = read_metadata(resolve_policy_path(path), policy)
    config = metadata.get("config", {})
    method = "learned"
    if config.get("algorithm", "ppo") != "ppo":
        method += f"-{config['algorithm']}"
    if "base_schedule" in metadata:
        method += "-residual"
    if config.get("env_kwargs", {}).get("behaviour") == "learned":
        method += "-vs-learned-firms"
    trained_on = metadata.get("scenario", scenario)
    return method if trained_on == scenario else f"{method}@{trained_on}"


def _plain(value):
    """``value`` with every interval as a dict, for JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return asdict(value) if hasattr(value, "estimate") else value


def _print_across_seeds(seeded: dict) -> None:
    if not seeded:
        return
    best_rule = seeded["best_rule"]
    print(f"\nover training seeds (IQM and probability of improvement, 95% stratified "
          f"bootstrap intervals; best single policy of the rest: {best_rule})")  # fmt: skip
    for kind, result in seeded.items():
        if kind == "best_rule":
            continue
        means = ", ".join(f"{value:.0f}" for value in result["runs"].values())
        print(f"  {kind} ({len(result['runs'])} runs): held-out means {means}; IQM "
              f"{result['iqm']}; beats {best_rule} with paired p < 0.05 in "
              f"{result['wins_over_best_rule']}/{len(result['runs'])} runs")  # fmt: skip
        for other, interval in result["improvement"].items():
            print(f"    P({kind} > {other}) = {interval}")


def cmd_export_policy(args: argparse.Namespace) -> None:
    """Write the network file a saved policy acts with (``NAME.npz`` beside ``NAME.zip``)."""
    from learning.export import export_network

    for path in args.models:
        print(f"saved {export_network(path)}")


def _run_arguments(parser: argparse.ArgumentParser, seeds: bool = False) -> None:
    """The output, seed and resume options every training command takes.

    ``seeds``: also ``--seeds`` (one run per seed, instead of ``--seed``) and where they run.
    """
    parser.add_argument("--out", required=True, help="output directory")
    seed = parser.add_mutually_exclusive_group() if seeds else parser
    seed.add_argument("--seed", type=random_seed, default=0, help="training seed (default 0)")
    if seeds:
        add_seed_options(parser, seed)
    parser.add_argument(
        "--resume", action="store_true", help="continue from the newest checkpoint in --out"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the learning subcommands to the ``carbon-market`` parser."""
    train = sub.add_parser("train-regulator", help="train a PPO regulator (resumable)")
    train.add_argument("--scenario", default="paper", help="shipped scenario name or TOML path")
    train.add_argument(
        "--config",
        help="RL-Zoo-style YAML with an entry for the scenario "
        "(default: learning/configs/ppo_regulator.yaml)",
    )
    train.add_argument("--timesteps", type=int, help="env steps (years) in all; default: YAML")
    _run_arguments(train, seeds=True)
    train.set_defaults(func=cmd_train_regulator)

    firms = sub.add_parser(
        "train-enterprises", help="train the learned firms' shared PPO policy (resumable)"
    )
    firms.add_argument("--scenario", default="paper")
    firms.add_argument(
        "--policy", default="flat-benchmarking", help="the fixed regulator the firms train under"
    )
    firms.add_argument(
        "--config", help="enterprise YAML (default: learning/configs/ppo_enterprises.yaml)"
    )
    firms.add_argument("--timesteps", type=int, help="firm-rounds in all; default: YAML")
    _run_arguments(firms)
    firms.set_defaults(func=cmd_train_enterprises)

    marl = sub.add_parser("train-marl", help="two-stage training: firms, then the regulator")
    marl.add_argument("--scenario", default="paper")
    marl.add_argument(
        "--policy", default="flat-benchmarking", help="the baseline regulator of stage 1"
    )
    marl.add_argument("--config", help="regulator YAML (default: shipped)")
    marl.add_argument("--enterprise-config", help="enterprise YAML (default: shipped)")
    marl.add_argument("--timesteps", type=int, help="regulator env steps per stage")
    marl.add_argument("--enterprise-timesteps", type=int, help="firm-rounds per stage")
    marl.add_argument(
        "--alternations",
        type=int,
        default=0,
        help="further (firms, regulator) rounds after the first (default 0)",
    )
    _run_arguments(marl)
    marl.set_defaults(func=cmd_train_marl)

    evaluate = sub.add_parser("evaluate", help="compare policies on the same held-out seeds")
    evaluate.add_argument("--scenario", default="paper")
    evaluate.add_argument(
        "--policies",
        default="all",
        help="'all' (every rule, the shipped regulators and the scenario's shipped schedule) "
        "or a comma list",
    )
    evaluate.add_argument(
        "--learned",
        action="append",
        default=[],
        metavar="PATH",
        help="also evaluate this trained regulator (.zip); repeatable (one per training "
        "seed: the report then adds IQMs and probabilities of improvement)",
    )
    evaluate.add_argument(
        "--schedule",
        action="append",
        default=[],
        metavar="FILE",
        help="also evaluate this schedule (.json, from optimize-schedule); repeatable",
    )
    evaluate.add_argument("--seeds", type=int, default=30, help="held-out seeds (default 30)")
    evaluate.add_argument(
        "--climate-coefficient",
        type=float,
        nargs="+",
        help="score with these c (default: the scenario's market.climate_coefficient)",
    )
    evaluate.add_argument(
        "--enterprises",
        choices=("heuristic", "learned", "mixed"),
        default="heuristic",
        help="firms: the scenario's heuristics, all learned, or half learned",
    )
    evaluate.add_argument(
        "--enterprise-policy",
        default="shipped",
        help="the learned firms' policy: 'shipped' or the path of a saved .zip",
    )
    evaluate.add_argument("--behaviour", help="every firm's behaviour (default: scenario's)")
    evaluate.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    evaluate.add_argument("--out", help="directory for tables (CSV, Markdown) and figures")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(func=cmd_evaluate)

    export = sub.add_parser(
        "export-policy",
        help="write the network file (NAME.npz) a policy saved before acts with",
    )
    export.add_argument("models", nargs="+", metavar="NAME.zip", help="saved PPO models")
    export.set_defaults(func=cmd_export_policy)
