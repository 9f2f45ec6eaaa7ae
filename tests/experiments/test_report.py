"""The sweep report: the statistics it draws, and the files it writes."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest

import cli
from experiments import Results, load_results, load_sweep, run_sweep
from experiments.plots import plot_metric, write_report
from experiments.summary import band, summary_table
from tests.experiments.helpers import write_sweep

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

T_975_2 = 4.302652729911275  # Student t, 97.5% quantile, 2 degrees of freedom


def synthetic_runs() -> pd.DataFrame:
    """Two policies; penalty 10/20 swept with max_orders 1/2; three seeds. Welfare is
    penalty + max_orders + seed (+ 100 under 'auction'), so every mean is known."""
    rows = [
        {
            "policy": policy,
            "penalty": penalty,
            "max_orders": orders,
            "seed": seed,
            "welfare": penalty + orders + seed + (100 if policy == "auction" else 0),
        }
        for policy in ("auction", "equal")
        for penalty in (10.0, 20.0)
        for orders in (1, 2)
        for seed in (0, 1, 2)
    ]
    return pd.DataFrame(rows)


def test_band_averages_other_parameters_within_a_seed_then_over_seeds() -> None:
    data = band(synthetic_runs(), "welfare", "penalty")
    assert list(data["policy"]) == ["auction", "auction", "equal", "equal"]
    assert list(data["penalty"]) == [10.0, 20.0, 10.0, 20.0]
    assert list(data["n"]) == [3, 3, 3, 3]
    # per seed: penalty + 1.5 + seed; over seeds 0, 1, 2: mean penalty + 2.5, sd 1
    assert list(data["mean"]) == pytest.approx([112.5, 122.5, 12.5, 22.5])
    half = T_975_2 * 1 / math.sqrt(3)
    assert list(data["high"] - data["mean"]) == pytest.approx([half] * 4)
    assert list(data["mean"] - data["low"]) == pytest.approx([half] * 4)


def test_band_against_the_policy_itself_has_one_panel() -> None:
    data = band(synthetic_runs(), "welfare", "policy")
    assert list(data.columns) == ["policy", "n", "mean", "low", "high"]
    assert list(data["mean"]) == pytest.approx([117.5, 17.5])  # 15 + 1.5 + 1 (+ 100)


def test_one_seed_has_no_interval_and_undefined_values_are_left_out() -> None:
    runs = synthetic_runs()
    runs = runs[runs["seed"] == 0].copy()
    runs.loc[runs["policy"] == "equal", "welfare"] = math.nan
    data = band(runs, "welfare", "penalty")
    assert list(data["policy"]) == ["auction", "auction"]
    assert data["low"].isna().all() and data["high"].isna().all()


@pytest.fixture(scope="module")
def sweep_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep (two policies x two budgets x three seeds)."""
    directory = tmp_path_factory.mktemp("report")
    out = directory / "out"
    run_sweep(load_sweep(write_sweep(directory)), out, workers=2, progress=False)
    return out


def test_summary_table_has_a_row_per_point_with_mean_and_interval(sweep_results: Path) -> None:
    results = load_results(sweep_results)
    table = summary_table(results)
    assert len(table) == 4
    assert (table["seeds"] == 3).all()
    expected = results.runs.groupby(["policy", "budget"])["welfare"].agg(["mean", "std"])
    merged = table.set_index(["policy", "budget"]).join(expected)
    assert merged["welfare_mean"].to_numpy() == pytest.approx(merged["mean"].to_numpy())
    half = T_975_2 * merged["std"] / math.sqrt(3)
    assert merged["welfare_ci95"].to_numpy() == pytest.approx(half.to_numpy())


def test_report_writes_figures_page_and_tables(sweep_results: Path, tmp_path: Path) -> None:
    results: Results = load_results(sweep_results)
    assert cli.main(["report", str(sweep_results), "--out", str(tmp_path / "r")]) == 0
    files = write_report(sweep_results, tmp_path / "r")
    names = sorted(p.name for p in files.figures)
    assert names == sorted(f"{m}-vs-budget.png" for m in results.metrics)  # policy = panels
    page = files.page.read_text()
    for figure in files.figures:
        image = matplotlib.image.imread(figure)
        assert image.shape[1] < 2 * image.shape[0]  # one chart, not a panel per policy
        assert f'src="{figure.name}"' in page
    table = pd.read_csv(files.table_csv)
    assert len(table) == 4 and "welfare_ci95" in table
    markdown = files.table_md.read_text().splitlines()
    assert markdown[0].startswith("| policy") and len(markdown) == 2 + 4


def test_report_on_a_directory_without_a_sweep_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", str(tmp_path)]) == 2
    assert "no sweep.json here" in capsys.readouterr().err


def test_one_chart_overlays_every_policy_with_readable_names_and_units(
    sweep_results: Path,
) -> None:
    results = load_results(sweep_results)
    (ax,) = plot_metric(results, "over_emission", "budget").axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "decreasing-size",
        "flat-grandfathering",
    ]
    assert len(ax.lines) == 2 and len(ax.collections) == 2  # a line and a band per policy
    assert ax.get_xlabel() == "budget (allowances)"
    assert ax.get_ylabel() == "over-emission (t)"
    assert plot_metric(results, "mean_price", "budget").axes[0].get_ylabel() == (
        "mean price (coins per allowance)"
    )


@pytest.mark.parametrize("metric", ["over_emission", "penalties_paid"])
def test_a_band_of_a_non_negative_metric_stops_at_zero(sweep_results: Path, metric: str) -> None:
    results = load_results(sweep_results)
    assert band(results.runs, metric, "budget")["low"].min() < 0  # three seeds: a wide band
    (ax,) = plot_metric(results, metric, "budget").axes
    lowest = min(c.get_paths()[0].vertices[:, 1].min() for c in ax.collections)
    assert lowest == 0.0


def test_a_categorical_parameter_puts_every_policy_beside_each_tick() -> None:
    runs = pd.DataFrame(
        [
            {"policy": policy, "behaviour": behaviour, "seed": seed, "welfare": 10.0 + seed}
            for policy in ("auction", "equal")
            for behaviour in ("zi-c", "rule-based")
            for seed in (0, 1, 2)
        ]
    )
    manifest = {
        "name": "s",
        "parameters": {"policy": "str", "behaviour": "str"},
        "metrics": ["welfare"],
    }
    (ax,) = plot_metric(Results(runs, pd.DataFrame(), manifest), "welfare", "behaviour").axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rule-based", "zi-c"]
    assert ax.get_xticks().tolist() == [0, 1]
    centres = sorted(bars.lines[0].get_xdata()[0] for bars in ax.containers)
    assert centres == pytest.approx([-0.05, 0.05])  # the two policies either side of tick 0
