"""Aggregates over training seeds: IQM, probability of improvement, bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest

from learning.aggregate import bootstrap, iqm, paired_wins, probability_of_improvement


def test_iqm_is_the_mean_of_the_middle_half() -> None:
    assert iqm(np.arange(1, 9).reshape(2, 4)) == 4.5  # mean of 3, 4, 5, 6
    assert iqm([[0, 0, 0, 1000]]) == 0.0  # one outlier does not move it


def test_probability_of_improvement_counts_run_pairs_ties_half() -> None:
    x = np.array([[3.0, 3.0], [1.0, 1.0]])  # run means 3 and 1
    y = np.array([[2.0, 2.0], [1.0, 1.0]])  # run means 2 and 1
    # pairs: 3>2, 3>1, 1<2, 1=1 -> (1 + 1 + 0 + 0.5) / 4
    assert probability_of_improvement(x, y) == 0.625
    assert probability_of_improvement(y, x) == 0.375


def test_bootstrap_interval_holds_the_estimate_and_collapses_for_constant_runs() -> None:
    runs = np.random.default_rng(1).normal(10, 2, size=(5, 30))
    interval = bootstrap(iqm, runs, repetitions=500)
    assert interval.low <= interval.estimate <= interval.high
    assert interval.high - interval.low > 0
    constant = bootstrap(iqm, np.full((5, 30), 7.0), repetitions=50)
    assert (constant.low, constant.estimate, constant.high) == (7.0, 7.0, 7.0)


def test_bootstrap_resamples_each_sample_on_its_own() -> None:
    x, y = np.array([[1.0], [2.0], [3.0]]), np.array([[0.0], [10.0]])
    interval = bootstrap(probability_of_improvement, x, y, repetitions=400, seed=3)
    assert interval.estimate == pytest.approx(0.5)
    assert 0.0 <= interval.low < 0.5 < interval.high <= 1.0


def test_paired_wins_need_a_higher_mean_and_a_small_p() -> None:
    rng = np.random.default_rng(0)
    baseline = rng.normal(100, 10, size=(1, 30))
    better = baseline + 5 + rng.normal(0, 1, size=(1, 30))
    noisy = baseline + rng.normal(0, 20, size=(1, 30))
    worse = baseline - 5
    assert paired_wins(np.vstack([better, noisy, worse]), baseline) == [True, False, False]
