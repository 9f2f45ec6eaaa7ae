"""The PPO regulators trained on ``eu-shocks`` over training seeds, against single baselines.

``carbon-market evaluate`` aggregates a method evaluated with several runs against the best
single policy of the rest; this adds the same statistics (``learning.aggregate``: IQM and
probability of improvement, 95% stratified bootstrap intervals) against each baseline named,
and every run's paired test against each.

Run from the repository root on the runs ``evaluate --out`` wrote:

    python docs/evaluation/eu-shocks/aggregate.py docs/evaluation/eu-shocks/runs_c0.2.parquet \
        --baseline eu-benchmark --baseline schedule:data/policies/schedule-eu-shocks.json
"""

from __future__ import annotations

import argparse

import pandas as pd
from scipy import stats

from learning.aggregate import bootstrap, iqm, probability_of_improvement, runs_matrix


def main() -> None:
    """Print every learned run's mean, the IQM and P(learned > baseline) for each baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", help="runs_cC.parquet written by carbon-market evaluate --out")
    parser.add_argument("--baseline", action="append", required=True, help="a policy's name")
    args = parser.parse_args()
    scored = pd.read_parquet(args.runs)
    learned = sorted(p for p in scored["policy"].unique() if p.startswith("learned:"))
    runs = runs_matrix(scored, learned)
    seeds = runs.shape[1]
    print(f"{len(learned)} learned runs on {seeds} held-out seeds; IQM {bootstrap(iqm, runs)}")
    for name, row in zip(learned, runs, strict=True):
        print(f"  {name}: mean {row.mean():.5g}")
    for baseline in args.baseline:
        base = runs_matrix(scored, [baseline])
        chance = bootstrap(probability_of_improvement, runs, base)
        print(f"{baseline}: mean {base.mean():.5g}, IQM {iqm(base):.4g}; "
              f"P(learned > {baseline}) = {chance}")  # fmt: skip
        for name, row in zip(learned, runs, strict=True):
            diff = row - base[0]
            print(f"  {name}: {diff.mean():+.4g}, better on {(diff > 0).sum()}/{diff.size}, "
                  f"paired t p = {stats.ttest_rel(row, base[0]).pvalue:.3g}, "
                  f"Wilcoxon p = {stats.wilcoxon(row, base[0]).pvalue:.3g}")  # fmt: skip


if __name__ == "__main__":
    main()
