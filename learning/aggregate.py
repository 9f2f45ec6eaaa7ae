"""Aggregates over training seeds that a referee accepts (Agarwal et al. 2021, NeurIPS).

"Deep RL at the edge of the statistical precipice" asks that a learned policy trained with a
few seeds be reported by robust aggregates with interval estimates, not by a mean of a best
run: the interquartile mean (IQM) of the scores of every run, the probability that a run of
one method beats a run of another, each with a stratified bootstrap confidence interval
(runs resampled with replacement within each task). The same statistics as the ``rliable``
package, written here with numpy.

Scores are arrays of shape ``(runs, episodes)``: one row per training seed (or search seed,
for an optimised baseline), one column per held-out evaluation seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats


def iqm(scores: np.ndarray) -> float:
    """The interquartile mean: the mean of the middle 50% of every run's every score."""
    return float(stats.trim_mean(np.asarray(scores, dtype=float).ravel(), 0.25))


def probability_of_improvement(x: np.ndarray, y: np.ndarray) -> float:
    """P(a run of X beats a run of Y): the Mann-Whitney statistic of the runs' mean scores.

    Args:
        x: scores of X, shape ``(runs_x, episodes)``.
        y: scores of Y, shape ``(runs_y, episodes)``.

    Returns:
        The share of run pairs in which X's mean is higher, ties counting one half.
    """
    a = np.asarray(x, dtype=float).mean(axis=1)[:, None]
    b = np.asarray(y, dtype=float).mean(axis=1)[None, :]
    return float(((a > b) + 0.5 * (a == b)).mean())


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap confidence interval."""

    estimate: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}]"


def bootstrap(
    statistic: Callable[..., float],
    *samples: np.ndarray,
    repetitions: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """``statistic(*samples)`` with a stratified bootstrap percentile interval.

    Each sample's runs (rows) are resampled with replacement on their own, as rliable does
    for one task; the episodes of a run stay together.

    Args:
        statistic: a function of the samples, e.g. :func:`iqm`.
        samples: arrays of shape ``(runs, episodes)``.
        repetitions: bootstrap resamples.
        confidence: the interval's coverage.
        seed: the resampling's seed.
    """
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(sample, dtype=float) for sample in samples]
    draws = np.empty(repetitions)
    for r in range(repetitions):
        draws[r] = statistic(*(a[rng.integers(0, len(a), len(a))] for a in arrays))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Interval(statistic(*arrays), float(low), float(high))


def paired_wins(learned: np.ndarray, baseline: np.ndarray, alpha: float = 0.05) -> list[bool]:
    """For each learned run, whether it beats the baseline's mean run on the same episodes.

    A run wins when its mean is higher and a paired t-test over the episodes gives
    p < ``alpha`` (the issue's criterion: at least four of five training seeds).

    Args:
        learned: shape ``(runs, episodes)``.
        baseline: shape ``(runs_b, episodes)``, on the same episodes in the same order.
        alpha: the test's level.
    """
    reference = np.asarray(baseline, dtype=float).mean(axis=0)
    wins = []
    for run in np.asarray(learned, dtype=float):
        result = stats.ttest_rel(run, reference)
        wins.append(bool(run.mean() > reference.mean() and result.pvalue < alpha))
    return wins


def runs_matrix(scored, policies: list[str]) -> np.ndarray:
    """Welfare of each policy (a run) on each held-out seed, shape ``(runs, seeds)``.

    Args:
        scored: the evaluation's scored runs (``learning.evaluate.score``), one row per
            policy and seed.
        policies: the runs' policy names, e.g. one learned regulator per training seed.
    """
    table = scored.pivot_table(index="policy", columns="seed", values="welfare")
    return table.loc[policies].to_numpy()


def across_seeds(scored, methods: dict[str, list[str]], best_rule: str) -> dict:
    """The referee's report of methods trained (or searched) with several seeds.

    Args:
        scored: the evaluation's scored runs.
        methods: each method's runs, e.g. ``{"learned": [...5 regulators], "schedule": [...]}``.
        best_rule: the best single policy of the rest (one run).

    Returns:
        Per method: every run's held-out mean, the IQM with its 95% interval, the probability
        of improvement over every other method and over ``best_rule`` with intervals, and
        how many runs beat ``best_rule`` with a paired p < 0.05.
    """
    matrices = {name: runs_matrix(scored, runs) for name, runs in methods.items()}
    baseline = runs_matrix(scored, [best_rule])
    report = {}
    for name, runs in matrices.items():
        others = {**{k: v for k, v in matrices.items() if k != name}, best_rule: baseline}
        report[name] = {
            "runs": dict(zip(methods[name], runs.mean(axis=1).tolist(), strict=True)),
            "iqm": bootstrap(iqm, runs),
            "improvement": {
                other: bootstrap(probability_of_improvement, runs, matrix)
                for other, matrix in others.items()
            },
            "wins_over_best_rule": sum(paired_wins(runs, baseline)),
        }
    return report
