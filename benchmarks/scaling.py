"""How the market's cost per firm scales, next to Mesa's Boltzmann wealth example.

Run with ``python benchmarks/scaling.py``. It prints, in one process:

* microseconds per firm-round for the generated ``eu-large`` market with its rule-based firms
  at 100, 1,000 and 10,000 firms (the model is built outside the timing; one compliance
  year of rounds is timed, best of a few repeats at the small sizes);
* the same per-agent-step figure for Mesa's Boltzmann wealth example at the same agent
  counts (grid of about one cell per agent, as in Mesa's default 100 agents on 10 x 10),
  and the ratio of ours to Boltzmann's;
* how our cost per firm grows from 100 to 10,000 firms;
* the peak memory traced (``tracemalloc``) while building and running one 10,000-firm year.

Each figure is printed with its target and PASS or MISS; nothing is asserted. The whole run
takes well under three minutes.
"""

from __future__ import annotations

import gc
import math
import time
import tracemalloc
from collections.abc import Callable

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

from model import CarbonMarket

SIZES = (100, 1_000, 10_000)
SCENARIO = "eu-large"
SEED = 0
MARKET_ROUNDS = 50  # one compliance year of eu-large
BOLTZMANN_STEPS = {100: 200, 1_000: 50, 10_000: 10}
REPEATS = {100: 5, 1_000: 3, 10_000: 1}

MAX_RATIO = 1.0  # ours / Boltzmann at 1,000 and 10,000 agents
MAX_GROWTH = 1.5  # cost per firm at 10,000 over cost per firm at 100
MAX_YEAR_BYTES = 1 << 30  # one 10,000-firm year


def microseconds_per_agent_step(
    build: Callable[[int], object], n: int, steps: int, repeats: int
) -> float:
    """Best-of-``repeats`` wall time of ``steps`` model steps, per agent and step (us).

    Each repeat builds a fresh model (not timed) so every repeat times the same rounds.
    """
    best = math.inf
    for _ in range(repeats):
        model = build(n)
        gc.collect()
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, time.perf_counter() - start)
    return best / steps / n * 1e6


def market(n: int) -> CarbonMarket:
    """The generated EU-style market with ``n`` rule-based firms."""
    return CarbonMarket(SCENARIO, seed=SEED, n_firms=n)


def boltzmann(n: int) -> BoltzmannWealth:
    """Mesa's Boltzmann wealth model with ``n`` agents on about one cell per agent."""
    side = max(1, round(math.sqrt(n)))
    return BoltzmannWealth(n=n, width=side, height=side, seed=SEED)


def peak_year_bytes(n: int) -> int:
    """Peak bytes traced while building an ``n``-firm market and playing one year."""
    gc.collect()
    tracemalloc.start()
    model = market(n)
    for _ in range(MARKET_ROUNDS):
        model.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def verdict(ok: bool) -> str:
    """``PASS`` or ``MISS``."""
    return "PASS" if ok else "MISS"


def main() -> None:
    """Measure and print every figure with its target."""
    # Warm up imports, numpy and Mesa's machinery before any timing.
    microseconds_per_agent_step(market, 100, MARKET_ROUNDS, 1)
    microseconds_per_agent_step(boltzmann, 100, 20, 1)

    ours, theirs = {}, {}
    for n in SIZES:
        ours[n] = microseconds_per_agent_step(market, n, MARKET_ROUNDS, REPEATS[n])
        theirs[n] = microseconds_per_agent_step(boltzmann, n, BOLTZMANN_STEPS[n], REPEATS[n])

    print(f"{SCENARIO} (rule-based) vs Mesa BoltzmannWealth, microseconds per agent-step")
    print(f"{'agents':>8} {'ours':>10} {'Boltzmann':>10} {'ratio':>7}  target ratio <= {MAX_RATIO}")
    for n in SIZES:
        ratio = ours[n] / theirs[n]
        target = verdict(ratio <= MAX_RATIO) if n >= 1_000 else "-"
        print(f"{n:>8,} {ours[n]:>10.2f} {theirs[n]:>10.2f} {ratio:>7.2f}  {target}")

    growth = ours[SIZES[-1]] / ours[SIZES[0]]
    print(
        f"cost per firm growth {SIZES[0]:,} -> {SIZES[-1]:,}: {growth:.2f}x  "
        f"target <= {MAX_GROWTH}x  {verdict(growth <= MAX_GROWTH)}"
    )

    peak = peak_year_bytes(SIZES[-1])
    print(
        f"peak traced memory, one {SIZES[-1]:,}-firm year: {peak / 2**20:.1f} MiB  "
        f"target < {MAX_YEAR_BYTES / 2**30:.0f} GiB  {verdict(peak < MAX_YEAR_BYTES)}"
    )


if __name__ == "__main__":
    main()
