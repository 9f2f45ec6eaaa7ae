"""One run: the same as calling the model directly, and its years add up to its episode."""

from __future__ import annotations

import math
import tomllib

import pytest

from experiments.identity import run_id
from experiments.runner import SUMMARY_METRICS, YEAR_METRICS, RunTask, run_point
from market.scenario_files import resolve_path
from model import CarbonMarket
from model.episode import episode_summary, run_episode

FLOWS = (
    "total_emissions",
    "over_emission",
    "volume",
    "penalties_paid",
    "abatement_cost",
    "green_projects",
)


def task(scenario: str, seed: int, **params: object) -> RunTask:
    data = tomllib.loads(resolve_path(scenario).read_text())
    return RunTask(run_id(data, params, seed), scenario, data, dict(params), seed)


@pytest.mark.parametrize(
    ("scenario", "params"),
    [
        ("paper", {"years": 3, "policy": "decreasing-size", "budget": 150.0}),
        ("classroom", {"years": 2, "steps_per_year": 40}),
    ],
)
def test_run_equals_the_model_called_directly(scenario: str, params: dict) -> None:
    result = run_point(task(scenario, 4, **params))
    direct = episode_summary(run_episode(CarbonMarket(scenario, seed=4, **params)))
    for name in SUMMARY_METRICS:
        expected = math.nan if direct[name] is None else direct[name]
        assert result.summary[name] == pytest.approx(expected, nan_ok=True), name
    assert result.policy == direct["policy"]
    assert [y["year"] for y in result.years] == list(range(params["years"]))
    assert set(result.years[0]) == {"year", *YEAR_METRICS}


@pytest.mark.parametrize(
    ("scenario", "params"),
    [("paper", {"years": 3}), ("classroom", {"years": 3, "steps_per_year": 30})],
)
def test_years_add_up_to_the_episode(scenario: str, params: dict) -> None:
    result = run_point(task(scenario, 2, **params))
    for name in FLOWS:
        total = sum(year[name] for year in result.years)
        assert total == pytest.approx(result.summary[name]), name
    last = result.years[-1]
    for name in ("welfare", "equality", "productivity"):  # end-of-year state
        assert last[name] == pytest.approx(result.summary[name]), name
    traded = [y for y in result.years if y["volume"] > 0]
    assert traded, "no trade at all: the check below would be empty"
    turnover = sum(y["mean_price"] * y["volume"] for y in traded)
    assert turnover / result.summary["volume"] == pytest.approx(result.summary["mean_price"])


def test_run_depends_only_on_the_task() -> None:
    one = task("paper", 9, years=2, policy="auction")
    assert run_point(one) == run_point(one)
    assert run_point(one) != run_point(task("paper", 10, years=2, policy="auction"))
