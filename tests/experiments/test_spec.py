"""Sweep files: what a valid one expands to, and bad ones failing before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

import cli
from experiments import SweepError, load_sweep
from experiments.identity import sweep_tasks
from experiments.spec import parse_sweep

ROOT = Path(__file__).resolve().parents[2]

BASE = {
    "scenario": "paper",
    "seeds": [0, 1],
    "metrics": ["welfare"],
    "fixed": {"years": 1},
}


def test_shipped_example_is_valid() -> None:
    sweep = load_sweep(ROOT / "data" / "sweeps" / "paper-cap.toml")
    assert sweep.parameters == ["budget", "policy"]
    assert len(sweep_tasks(sweep)) == 5 * 3 * 5


def test_grid_is_the_product_of_its_values() -> None:
    sweep = parse_sweep(
        {**BASE, "grid": {"penalty": [10, 20.5, 30], "policy": ["equal", "auction"]}}
    )
    points = sweep.points()
    assert len(points) == 6
    assert {(p["penalty"], p["policy"]) for p in points} == {
        (pen, pol) for pen in (10.0, 20.5, 30.0) for pol in ("equal", "auction")
    }
    assert sweep.kinds == {"penalty": "float", "policy": "str"}  # 10 and 30 become floats
    assert all(isinstance(p["penalty"], float) for p in points)


def test_random_samples_are_reproducible_and_within_their_ranges() -> None:
    data = {
        **BASE,
        "grid": {"policy": ["equal", "auction"]},
        "random": {
            "samples": 20,
            "seed": 7,
            "penalty": {"low": 20.0, "high": 40.0},
            "max_orders": {"low": 2, "high": 4},
            "behaviour": ["zi-c", "rule-based"],
        },
    }
    sweep = parse_sweep(data)
    points = sweep.points()
    assert points == parse_sweep(data).points()  # the sweep's seed fixes the samples
    assert len(points) == 2 * 20
    assert all(20.0 <= p["penalty"] <= 40.0 for p in points)
    assert {p["max_orders"] for p in points} == {2, 3, 4}  # integer bounds draw integers
    assert {p["behaviour"] for p in points} == {"zi-c", "rule-based"}
    other = parse_sweep({**data, "random": {**data["random"], "seed": 8}}).points()
    assert other != points


def test_repeated_random_samples_run_once() -> None:
    sweep = parse_sweep({**BASE, "random": {"samples": 30, "behaviour": ["zi-c", "truthful"]}})
    assert sorted(p["behaviour"] for p in sweep.points()) == ["truthful", "zi-c"]


def test_seeds_as_a_range() -> None:
    sweep = parse_sweep({**BASE, "seeds": {"start": 3, "count": 4}, "grid": {"penalty": [10]}})
    assert sweep.seeds == [3, 4, 5, 6]


def test_relative_scenario_path_starts_at_the_sweep_file(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text((ROOT / "data/scenarios/classroom.toml").read_text())
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        'scenario = "mine.toml"\nseeds = [0]\nmetrics = ["volume"]\n[grid]\npenalty = [100]\n'
    )
    sweep = load_sweep(sweep_file)
    assert sweep.scenario == "mine"
    assert sweep.scenario_data["name"] == "classroom"


BAD = [
    ({"grdi": {"penalty": [10]}}, "grdi: unknown top-level key (did you mean 'grid'?)"),
    ({"grid": {}}, "grid: empty"),
    ({}, "grid: a sweep needs at least one parameter"),
    ({"grid": {"penalty": []}}, "grid.penalty: empty list"),
    ({"grid": {"penalty": 10}}, "grid.penalty: expected a list of values"),
    ({"grid": {"penalty": ["high"]}}, "grid.penalty = 'high': market.penalty: expected a number"),
    ({"grid": {"penalty": [10, -5]}}, "grid.penalty = -5: market.penalty: -5"),
    ({"grid": {"penalty": [10, "x"]}}, "grid.penalty: mixes"),
    ({"grid": {"penalty": [10, 10.0]}}, "grid.penalty: 10.0 is listed twice"),
    ({"grid": {"penalty": [[1]]}}, "grid.penalty[0]: expected a number, a string"),
    ({"grid": {"penaltee": [10]}}, "grid.penaltee = 10: penaltee: unknown parameter (did you mean"),
    ({"grid": {"policy": ["nope"]}}, "grid.policy = 'nope': government.policy: 'nope'"),
    ({"grid": {"seed": [1, 2]}}, "grid.seed: seed is not a scenario parameter"),
    ({"grid": {"years": [1, 2]}}, "grid.years: years is already set elsewhere"),
    ({"grid": {"price_floor": [0, 25]}}, "grid.price_floor = 25: market.price_ceiling: 20"),
    ({"random": {"penalty": {"low": 1.0, "high": 2.0}}}, "random.samples: expected an integer"),
    (
        {"random": {"samples": 2, "penalty": {"low": 5.0, "high": 1.0}}},
        "random.penalty: expected numbers with low < high",
    ),
    (
        {"random": {"samples": 2, "penalty": {"lo": 1.0}}},
        "random.penalty: expected {low = L, high = H}",
    ),
    ({"random": {"samples": 2}}, "random: no parameters"),
    ({"fixed": {"years": 0}, "grid": {"penalty": [10]}}, "fixed: market.years: 0"),
    ({"seeds": "many", "grid": {"penalty": [10]}}, "seeds: expected a list of integers"),
    ({"seeds": [0, -1], "grid": {"penalty": [10]}}, "seeds[1]: expected an integer >= 0"),
    (
        {"seeds": {"count": 0}, "grid": {"penalty": [10]}},
        "seeds: start must be >= 0 and count >= 1",
    ),
    (
        {"metrics": ["welfar"], "grid": {"penalty": [10]}},
        "metrics[0]: 'welfar' is not a metric (did you mean 'welfare'?)",
    ),
    ({"metrics": [], "grid": {"penalty": [10]}}, "metrics: expected a non-empty list"),
    ({"scenario": "nowhere", "grid": {"penalty": [10]}}, "scenario: 'nowhere' is neither a file"),
    ({"scenario": 3, "grid": {"penalty": [10]}}, "scenario: expected a scenario name or path"),
    ({"name": "../elsewhere", "grid": {"penalty": [10]}}, "name: '../elsewhere' is not allowed"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_sweep_fails_naming_the_key(change: dict, message: str) -> None:
    data = {**BASE, "fixed": {"years": 1}, **change}
    if "fixed" not in change:
        data["fixed"] = {"years": 1}
    with pytest.raises(SweepError) as err:
        parse_sweep(data)
    assert message in str(err.value)


def test_cli_rejects_a_bad_sweep_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_file = tmp_path / "bad.toml"
    sweep_file.write_text(
        'scenario = "paper"\nseeds = [0]\nmetrics = ["welfare"]\n[grid]\nbudget = ["lots"]\n'
    )
    out = tmp_path / "out"
    assert cli.main(["sweep", str(sweep_file), "--out", str(out)]) == 2
    assert "grid.budget = 'lots': market.budget: expected a number" in capsys.readouterr().err
    assert not out.exists()


def test_cli_rejects_a_file_that_is_not_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_file = tmp_path / "bad.toml"
    sweep_file.write_text("scenario = \n")
    assert cli.main(["sweep", str(sweep_file), "--out", str(tmp_path / "out")]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[grid]\nresearch_success = [0.5, nan]\n", "grid.research_success = nan: market."),
        ("[grid]\nbudget = [100.0, inf]\n", "grid.budget = inf: market.budget: inf is not"),
        ("[fixed]\nmax_release_share = nan\n[grid]\npenalty = [10.0]\n", "fixed: market."),
        (
            "[random]\nsamples = 2\npenalty = {low = 1.0, high = inf}\n",
            "random.penalty = inf: market.penalty: inf is not allowed",
        ),
    ],
)
def test_a_nan_or_inf_in_a_sweep_fails_before_the_output_directory_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    sweep_file = tmp_path / "bad.toml"
    sweep_file.write_text('scenario = "paper"\nseeds = [0]\nmetrics = ["welfare"]\n' + table)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(sweep_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "it must be a finite number" in err
    assert not out.exists()
