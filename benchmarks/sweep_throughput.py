"""Sweep throughput: runs per minute with 1 and 2 local workers, and the per-run overhead of
the sweep machinery (tasks, process pool, per-year metrics, Parquet files) against calling
the model directly: a worker plays each point's seeds as one batch of markets, so the
yardstick is the same batches played in a loop (and, for scale, one market at a time).

Targets: at least 1.8x from 1 to 2 workers; overhead under 5% of a run.

    .venv/bin/python benchmarks/sweep_throughput.py [--seeds 12] [--repeats 3]

Each figure is the best of ``--repeats`` interleaved timings (the machine may be shared).
The fork server's one-time import of the model is paid before timing, as the direct loop's
import is; the pool's start for each sweep is inside the sweep timings. Beside the wall
clock it prints the CPU time of this process (``time.process_time``): for the direct loops
that is the whole run, for a sweep the work of the sweep's own process (handing out tasks,
recording results), which one process does for every worker, so it bounds the speed-up.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from experiments import load_sweep, run_sweep
from experiments.identity import sweep_tasks
from experiments.sweep import RUNS_PER_TASK, batched
from market.scenario import parse_scenario
from model import CarbonMarket
from model.batch import MarketBatch
from model.episode import episode_summary, run_episode
from model.lane_results import lane_results

SWEEP = """
name = "throughput"
scenario = "paper"
seeds = {{start = 0, count = {seeds}}}
metrics = ["welfare", "mean_price", "over_emission", "equality", "penalties_paid", "volume"]

[grid]
policy = ["flat-grandfathering", "decreasing-size"]
budget = [150.0, 250.0]
"""
ALONE, DIRECT = "one market at a time", "direct (batches in a loop)"
ONE, TWO = "sweep, 1 worker", "sweep, 2 workers"


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Seconds of wall clock and of this process's CPU that ``work()`` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def alone(tasks: list) -> None:
    """Build and play every run by calling the model, one market at a time."""
    for task in tasks:
        market = CarbonMarket(task.scenario, seed=task.seed, **task.params)
        episode_summary(run_episode(market))


def direct(tasks: list) -> None:
    """Play and measure every run as the sweep's workers do: each batch as one MarketBatch."""
    for batch in batched(tasks, RUNS_PER_TASK):
        first = batch.runs[0]
        scenario = parse_scenario(first.scenario_data, first.scenario, first.params)
        played = MarketBatch([scenario] * len(batch.runs), [t.seed for t in batch.runs]).run()
        lane_results(played)  # each lane's summary and years, from the arrays


def swept(sweep_file: Path, workers: int, scratch: Path) -> None:
    """``carbon-market sweep`` (in-process) with ``workers`` local processes."""
    out = Path(tempfile.mkdtemp(dir=scratch)) / "out"
    run_sweep(load_sweep(sweep_file), out, workers=workers, progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds per point (4 points)")
    parser.add_argument("--repeats", type=int, default=3, help="timings per figure (best)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        sweep_file = scratch / "throughput.toml"
        sweep_file.write_text(SWEEP.format(seeds=args.seeds))
        tasks = sweep_tasks(load_sweep(sweep_file))
        warm = scratch / "warm.toml"  # starts the fork server (imports the model once)
        warm.write_text(SWEEP.format(seeds=1))
        swept(warm, 2, scratch)
        rounds = [  # interleaved, so a busy spell on a shared machine hits all four alike
            {
                ALONE: timed(lambda: alone(tasks)),
                DIRECT: timed(lambda: direct(tasks)),
                ONE: timed(lambda: swept(sweep_file, 1, scratch)),
                TWO: timed(lambda: swept(sweep_file, 2, scratch)),
            }
            for _ in range(args.repeats)
        ]
        names = (ALONE, DIRECT, ONE, TWO)
        times = {name: min(r[name][0] for r in rounds) for name in names}
        cpu = {name: min(r[name][1] for r in rounds) for name in names}
    runs = len(tasks)
    print(f"sweep throughput: paper, 10 years of 50 rounds a run; {runs} runs (4 points x "
          f"{args.seeds} seeds), best of {args.repeats}")  # fmt: skip
    print(f"  {'':<30} {'wall':>9}  {'runs/min':>8}  {'CPU here':>9}  {'a run':>8}")
    for name, seconds in times.items():
        print(
            f"  {name:<30} {seconds:7.2f} s  {runs / seconds * 60:8.0f}  {cpu[name]:7.2f} s  "
            f"{cpu[name] / runs * 1e3:5.2f} ms"
        )
    one, two, base = times[ONE], times[TWO], times[DIRECT]
    print(f"batches against one market at a time: {times[ALONE] / base:.2f}x")
    speedup = one / two
    overhead = (one - base) / base
    print(
        f"speed-up 1 -> 2 workers: {speedup:.2f}x  target >= 1.8x  "
        f"{'PASS' if speedup >= 1.8 else 'FAIL'}"
    )
    print(
        f"sweep overhead per run: {(one - base) / runs * 1e3:.1f} ms of "
        f"{base / runs * 1e3:.0f} ms ({overhead:+.1%})  target < 5%  "
        f"{'PASS' if overhead < 0.05 else 'FAIL'}"
    )
    played = cpu[DIRECT] / runs * 1e3
    print(
        f"the sweep's own process: {cpu[ONE] / runs * 1e3:.2f} ms CPU a run "
        f"({cpu[ONE] / cpu[DIRECT]:.0%} of a run played directly, {played:.2f} ms)"
    )


if __name__ == "__main__":
    main()
