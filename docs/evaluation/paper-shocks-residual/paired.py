"""The residual study's comparisons from runs_c0.2.csv (see README.md).

Paired tests against the shipped schedule, IQMs and probabilities of improvement with 2,000
stratified resamples.
"""

from pathlib import Path

import pandas as pd
from scipy import stats

from learning.aggregate import bootstrap, iqm, probability_of_improvement, runs_matrix

HERE = Path(__file__).parent
scored = pd.read_csv(HERE / "runs_c0.2.csv")
SHIPPED = "schedule:data/policies/schedule-paper-shocks.json"
METHODS = {
    "residual": [f"learned:/tmp/residual-runs/seed-{s}/regulator.zip" for s in range(5)],
    "PPO": [f"learned:/tmp/ppo-ps-runs/seed-{s}/regulator.zip" for s in range(5)],
    "schedule-8000": [f"schedule:/tmp/schedule-ps-8000-s{s}.json" for s in range(5)],
    "shipped schedule": [SHIPPED],
}
matrices = {name: runs_matrix(scored, runs) for name, runs in METHODS.items()}
reference = matrices["shipped schedule"][0]
for name in ("residual", "PPO", "schedule-8000"):
    print(f"{name}: IQM {bootstrap(iqm, matrices[name])}")
    for policy, run in zip(METHODS[name], matrices[name], strict=True):
        gap = run.mean() - reference.mean()
        t, w = stats.ttest_rel(run, reference).pvalue, stats.wilcoxon(run, reference).pvalue
        print(
            f"  {policy}: mean {run.mean():.1f}, vs shipped schedule {gap:+.1f}, "
            f"wins {(run > reference).sum()}/30, paired t p = {t:.3g}, Wilcoxon p = {w:.3g}"
        )
for a, b in (
    ("residual", "shipped schedule"),
    ("residual", "PPO"),
    ("residual", "schedule-8000"),
    ("PPO", "shipped schedule"),
    ("PPO", "schedule-8000"),
):
    print(f"P({a} > {b}) = {bootstrap(probability_of_improvement, matrices[a], matrices[b])}")
