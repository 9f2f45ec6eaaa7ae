"""Statistics over seeds: means with 95% confidence intervals, per policy and parameter value.

A sweep's seeds are its replications. For a metric against one swept parameter, each seed's
runs at a parameter value are first averaged over the other swept parameters (so each seed
gives one number per value), then the mean over seeds gets a Student-t 95% interval:
``mean ± t(0.975, n - 1) · sd / sqrt(n)`` with ``n`` seeds (no interval for one seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.typing import SeriesGroupBy
from scipy import stats

from experiments.store import Results

LEVEL = 0.95


def mean_interval(values: SeriesGroupBy) -> pd.DataFrame:
    """Per group: ``n`` (non-missing values), ``mean``, and the interval's ``low``/``high``."""
    n = values.count()
    mean = values.mean()
    sem = values.std(ddof=1) / np.sqrt(n)
    half = stats.t.ppf(0.5 + LEVEL / 2, (n - 1).where(n > 1)) * sem
    return pd.DataFrame({"n": n, "mean": mean, "low": mean - half, "high": mean + half})


def band(runs: pd.DataFrame, metric: str, parameter: str) -> pd.DataFrame:
    """``metric`` against ``parameter``, per policy: the mean over seeds and its 95% band.

    Returns:
        One row per (policy, parameter value): ``policy``, the parameter, ``n`` (seeds),
        ``mean``, ``low``, ``high``. Runs whose metric is undefined (nan) are left out.
    """
    panel = ["policy"] if parameter != "policy" else []
    keys = [*panel, parameter]
    per_seed = runs.groupby([*keys, "seed"], sort=True)[metric].mean()
    out = mean_interval(per_seed.groupby(level=keys, sort=True)).reset_index()
    return out[out["n"] > 0].reset_index(drop=True)


def summary_table(results: Results) -> pd.DataFrame:
    """One row per parameter point (and policy), with statistics over seeds.

    Columns: the policy and swept parameters, ``seeds`` (runs), then for each metric its
    mean (``<metric>_mean``) and 95% interval half-width (``<metric>_ci95``).
    """
    keys = list(dict.fromkeys(["policy", *results.parameters]))
    groups = results.runs.groupby(keys, sort=True)
    table = groups["seed"].count().rename("seeds").to_frame()
    for metric in results.metrics:
        interval = mean_interval(groups[metric])
        table[f"{metric}_mean"] = interval["mean"]
        table[f"{metric}_ci95"] = (interval["high"] - interval["mean"]).astype(float)
    return table.reset_index()
