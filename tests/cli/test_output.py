"""What the commands print: strict JSON (null where a metric is undefined), and their flags."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import cli
from cli.output import plain
from model import CarbonMarket
from model.episode import mean_efficiency

# One textbook firm: nothing to trade, so no year has gains from trade (efficiency undefined)
# and there are no prices.
ONE_FIRM = """
[market]
steps_per_year = 20
years = 2
price_ceiling = 120
penalty = 200.0
budget = 160.0
max_release_share = 1.0
production = false
research = false
green_share = 0.0
[government]
policy = "scenario"
[[firms]]
baseline_emissions = 100.0
abatement_cost = 1.0
allocation = 80.0
behaviour = "zi-c"
"""


def strict_json(text: str) -> dict:
    """Parse as RFC 8259 JSON: NaN, Infinity and -Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("command", ["simulate", "theory"])
def test_json_is_strict_with_null_for_undefined_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    scenario = tmp_path / "one.toml"
    scenario.write_text(ONE_FIRM)
    extra = ["--seeds", "2"] if command == "theory" else []
    assert cli.main([command, "--scenario", str(scenario), *extra, "--json"]) == 0
    out = strict_json(capsys.readouterr().out)
    shown = out["simulated_mean"] if command == "theory" else out
    assert shown["allocative_efficiency"] is None
    assert shown["mean_price"] is None
    if command == "theory":
        assert out["simulated_std"]["smiths_alpha"] is None
        assert out["simulated_mean"]["abatement_cost_per_year"] == 200.0  # a = 20, c = 1


def test_plain_turns_numpy_numbers_and_non_finite_floats_into_json_values() -> None:
    value = {"a": np.float64("nan"), "b": [np.int64(3), math.inf, 1.5], "c": (True, None)}
    assert plain(value) == {"a": None, "b": [3, None, 1.5], "c": [True, None]}
    assert type(plain(np.int64(3))) is int and type(plain(np.float32(0.5))) is float


def test_the_mean_efficiency_uses_the_years_that_have_one() -> None:
    market = CarbonMarket("classroom", seed=0, years=1)
    market.efficiency.by_year = [0.9, math.nan, 0.7]
    assert mean_efficiency(market) == pytest.approx(0.8)
    market.efficiency.by_year = [math.nan]
    assert mean_efficiency(market) is None


def test_simulate_years_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--years", "0"]) == 2
    assert capsys.readouterr().err.strip() == (
        "carbon-market: error: market.years: 0 is not allowed; it must be >= 1"
    )


def test_a_budget_that_runs_out_is_a_one_line_warning(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "--scenario", "classroom", "--years", "4", "--set", "steps_per_year=10"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().err.strip() == (
        "carbon-market: warning: market.budget: 690 allowances cover the firms' allocations "
        "(230 a year) for 3 of the 4 years; the budget runs out in year 4 "
        "(a budget of 920 covers every year)"
    )


def test_theory_prints_units_and_says_what_smiths_alpha_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["theory", "--scenario", "classroom", "--seeds", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "equilibrium_price                  40 coins per allowance" in lines
    assert "abatement                          [40, 20, 10] t per year, per firm" in lines
    alpha = next(line for line in lines if line.startswith("simulated smiths_alpha"))
    assert alpha.endswith(" % of p*")
    assert (
        "smiths_alpha: Smith's alpha: the root-mean-square gap between trade prices and the "
        "equilibrium price p*, in percent of p* (0: every trade at p*)"
    ) in lines


def test_simulate_prints_units_and_undefined_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--years", "1", "--set", "steps_per_year=5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("total_emissions") and line.endswith(" t") for line in lines)
    assert any(line.startswith("penalties_paid") and line.endswith(" coins") for line in lines)
    assert "allocative_efficiency  undefined" in lines  # a production market has no benchmark
