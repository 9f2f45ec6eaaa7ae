"""The engine's speed, each figure with its ratio to Mesa's Boltzmann agent-step.

Run with ``python benchmarks/engine.py``. It prints, in one process (the two-worker figure in
two more), against the yardstick of one Mesa Boltzmann wealth agent-step measured here:

* ``paper`` episodes through ``CarbonMarket`` (rule-based firms, ``flat-benchmarking``), and
  the paper's own simulator's rate for comparison (2.3 episodes a second on this machine,
  measured side by side when the issue was written);
* ``paper`` episodes as one batch of 256 markets on one core, and with two worker processes;
* an ``eu-large`` firm-round at 1,000 and 10,000 firms, and the memory of a 10,000-firm year;
* the cold start: the first episode in a fresh process after install (``make install``
  compiles and caches every kernel, ``python -m model.warmup``), and with nothing cached
  (what that install step pays once).

The PPO figures are ``benchmarks/rl_throughput.py``'s, the dashboard's
``benchmarks/dashboard_step.py``'s. Each figure has its target and PASS or MISS; nothing is
asserted.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

from model import CarbonMarket
from model.batch import MarketBatch

PAPER = {"policy": "flat-benchmarking", "behaviour": "rule-based"}
PAPER_SIMULATOR = 2.3  # the paper's own simulator, paper episodes per second on this machine
ROUNDS = 500  # a paper episode
FIRMS = 5
REPEATS = 3  # timings of each batched figure; the best is printed


def boltzmann_agent_step(n: int = 1_000, steps: int = 50) -> float:
    """Seconds per agent-step of Mesa's Boltzmann wealth model (the yardstick)."""
    side = round(math.sqrt(n))
    model = BoltzmannWealth(n=n, width=side, height=side, seed=0)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - start) / (steps * n)


def episodes_alone(episodes: int = 20) -> float:
    """``paper`` episodes a second, one ``CarbonMarket`` after another."""
    start = time.perf_counter()
    for seed in range(episodes):
        market = CarbonMarket("paper", seed=seed, **PAPER)
        while market.running:
            market.step()
    return episodes / (time.perf_counter() - start)


def episodes_batched(lanes: int = 256, first_seed: int = 0) -> float:
    """``paper`` episodes a second, as one batch of ``lanes`` markets."""
    start = time.perf_counter()
    MarketBatch("paper", range(first_seed, first_seed + lanes), **PAPER).run()
    return lanes / (time.perf_counter() - start)


def best_batched(repeats: int = REPEATS) -> float:
    """The best of ``repeats`` timings of :func:`episodes_batched` (the machine may be shared)."""
    return max(episodes_batched(256, 1000 * k) for k in range(repeats))


def _batch_worker(first_seed: int) -> None:
    MarketBatch("paper", range(first_seed, first_seed + 256), **PAPER).run()


def episodes_two_workers(repeats: int = REPEATS) -> float:
    """``paper`` episodes a second with two processes, each a batch of 256 markets.

    Each worker plays the batch the one-core figure times, so the ratio compares the same
    work; the best of ``repeats`` timings, as for one core.
    """
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(_batch_worker, [0, 1])  # warm the workers (imports, cached kernels)
        best = 0.0
        for k in range(repeats):
            start = time.perf_counter()
            pool.map(_batch_worker, [10_000 + 2000 * k, 11_000 + 2000 * k])
            best = max(best, 512 / (time.perf_counter() - start))
    return best


def eu_firm_round(n: int) -> float:
    """Seconds per firm-round of ``eu-large`` with ``n`` rule-based firms (one year)."""
    market = CarbonMarket("eu-large", seed=0, n_firms=n)
    rounds = market.config.steps_per_year
    start = time.perf_counter()
    for _ in range(rounds):
        market.step()
    return (time.perf_counter() - start) / (rounds * n)


def year_memory(n: int = 10_000) -> int:
    """Peak bytes traced while building and playing one ``n``-firm ``eu-large`` year."""
    tracemalloc.start()
    market = CarbonMarket("eu-large", seed=0, n_firms=n)
    for _ in range(market.config.steps_per_year):
        market.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def first_episode(cache: str | None) -> float:
    """Seconds for a fresh process to import the model and play its first ``paper`` episode.

    Args:
        cache: a numba cache folder to use (an empty one: every kernel is compiled), or None
            for the project's own cache, which ``make install`` fills.
    """
    code = (
        "import time; t = time.perf_counter(); from model import CarbonMarket; "
        "m = CarbonMarket('paper', seed=0); "
        "[m.step() for _ in range(500)]; print(time.perf_counter() - t)"
    )
    env = dict(os.environ)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(result.stdout.split()[-1])


def line(name: str, value: str, ratio: str, target: str, ok: bool | None) -> None:
    verdict = "-" if ok is None else ("PASS" if ok else "MISS")
    print(f"{name:<46} {value:>16} {ratio:>16}  {target:<34} {verdict}")


def main() -> None:
    episodes_alone(2)  # warm-up: imports and cached kernels
    episodes_batched(8)
    yardstick = boltzmann_agent_step()
    print(f"yardstick: a Mesa Boltzmann agent-step takes {yardstick * 1e6:.2f} us here\n")
    line("figure", "value", "vs Boltzmann", "target", None)

    alone = episodes_alone()
    per_firm_round = 1 / alone / (ROUNDS * FIRMS)
    line(
        "paper episode through CarbonMarket",
        f"{alone:.1f} eps/s",
        f"{per_firm_round / yardstick:.2f}x step",
        f">= 100 eps/s (40x paper sim: {alone / PAPER_SIMULATOR:.0f}x)",
        alone >= 100,
    )
    batched = best_batched()
    line(
        "paper episodes batched, B = 256, one core",
        f"{batched:.1f} eps/s",
        f"{1 / batched / (ROUNDS * FIRMS) / yardstick:.2f}x step",
        f">= 1,000 eps/s (paper sim x{batched / PAPER_SIMULATOR:.0f})",
        batched >= 1000,
    )
    two = episodes_two_workers()
    line(
        "paper episodes batched, two workers",
        f"{two:.1f} eps/s",
        f"{two / batched:.2f}x one core",
        ">= 1.8x one core",
        two >= 1.8 * batched,
    )
    for n in (1_000, 10_000):
        seconds = eu_firm_round(n)
        line(
            f"eu-large firm-round, {n:,} firms",
            f"{seconds * 1e6:.2f} us",
            f"{seconds / yardstick:.2f}x step",
            "<= 0.25x a Boltzmann agent-step",
            seconds / yardstick <= 0.25,
        )
    peak = year_memory()
    line("memory of a 10,000-firm year", f"{peak / 2**20:.0f} MiB", "", "< 1 GiB", peak < 2**30)
    installed = first_episode(None)
    line("first episode after install (kernels cached)", f"{installed:.1f} s", "", "< 10 s",
         installed < 10)  # fmt: skip
    with tempfile.TemporaryDirectory() as empty:
        compiled = first_episode(empty)
    line("first episode compiling every kernel", f"{compiled:.1f} s", "", "paid once", None)


if __name__ == "__main__":
    main()
