"""The ``carbon-market`` command line, in-process and as the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cli
from agents.policies import SCHEDULES

ROOT = Path(__file__).resolve().parent.parent
SIMULATE = [
    "simulate",
    "--scenario",
    "paper",
    "--policy",
    "decreasing-size",
    "--seed",
    "3",
    "--years",
    "2",
]


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert cli.main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_simulate_json(capsys: pytest.CaptureFixture[str]) -> None:
    summary = run_json(capsys, SIMULATE)
    assert summary["rounds"] == 100
    assert summary["scenario"] == "paper"
    assert summary["policy"] == "decreasing-size"
    for key in ("welfare", "equality", "productivity", "over_emission"):
        assert isinstance(summary[key], float)
    assert 0 <= summary["equality"] <= 1
    assert summary["over_emission"] >= 0
    # two years resample the decreasing schedule to shares [0.8, 0.2]: releases 50 (the 25%
    # cap) and 40; 45 and 36 to firms, weights [5, 5, 4, 3, 3] -> 43 + 35 free allowances
    assert 0 < summary["green_projects"] <= 5 + 4
    assert summary["allowances_issued"] == 43 + 35 + summary["green_projects"]


def test_simulate_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, SIMULATE) == run_json(capsys, SIMULATE)


def test_simulate_writes_parquet_tables(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "tmp" / "x.parquet"
    summary = run_json(capsys, [*SIMULATE, "--out", str(out)])
    rounds = pd.read_parquet(out)
    trades = pd.read_parquet(tmp_path / "tmp" / "x_trades.parquet")
    assert len(rounds) == 101  # the initial collect plus 100 rounds
    assert {"price", "volume", "remaining_budget", "welfare"} <= set(rounds.columns)
    assert list(trades.columns) == ["round", "year", "buyer", "seller", "price", "quantity"]
    assert int(trades["quantity"].sum()) == summary["volume"]
    assert int(rounds["volume"].sum()) == summary["volume"]
    assert summary["out"] == str(out)
    assert summary["trades_out"] == str(tmp_path / "tmp" / "x_trades.parquet")


def test_simulate_writes_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    summary = run_json(capsys, [*SIMULATE, "--out", str(out)])
    assert len(pd.read_csv(out)) == 101
    assert pd.read_csv(tmp_path / "x_trades.csv")["quantity"].sum() == summary["volume"]


def test_simulate_bad_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = cli.main([*SIMULATE[:-2], "--years", "1", "--out", str(tmp_path / "x.txt")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() == "carbon-market: error: --out: x.txt must end in .parquet or .csv"


def test_simulate_bad_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--years", "1", "--set", "penalty=-1"]) == 2
    err = capsys.readouterr().err
    assert "market.penalty: -1.0 is not allowed; it must be >= 0" in err


def test_simulate_malformed_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--years", "1", "--set", "penalty"]) == 2
    assert "--set: 'penalty' must look like key=value" in capsys.readouterr().err


def test_simulate_unknown_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--years", "1", "--policy", "nope"]) == 2
    assert "government.policy: 'nope' is not one of" in capsys.readouterr().err


def test_theory_classroom(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, ["theory", "--scenario", "classroom", "--seeds", "2"])
    assert report["equilibrium_price"] == pytest.approx(40.0)
    assert report["abatement"] == pytest.approx([40.0, 20.0, 10.0])
    assert report["least_total_cost"] == pytest.approx(1400.0)
    assert report["unit_permit_max_gains"] == pytest.approx(1000.0)
    assert report["competitive_price_interval"] == pytest.approx([39.5, 40.5])
    assert report["price_capped_by_penalty"] is False
    assert report["seeds"] == 2
    assert 0 < report["simulated_mean"]["allocative_efficiency"] <= 1


def test_theory_rejects_a_paper_economy(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["theory", "--scenario", "paper", "--seeds", "1"]) == 2
    err = capsys.readouterr().err
    assert "theory: 'paper' is not a textbook market (market.production = true)" in err


def test_policies_lists_every_policy(capsys: pytest.CaptureFixture[str]) -> None:
    listed = run_json(capsys, ["policies"])
    baselines = {f"{s}-{r}" for s in SCHEDULES for r in ("grandfathering", "benchmarking", "size")}
    assert len(baselines) == 9
    others = {"equal", "auction", "eu-benchmark", "scenario", "manual", "learned:PATH"}
    supply = {"msr", "price-collar", "price-target", "schedule:FILE"}
    assert set(listed) == baselines | others | supply
    assert cli.main(["policies"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 19
    assert lines[0].startswith("flat-grandfathering ")


def test_scenarios_lists_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scenarios"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["classroom", "classroom-12", "eu-large", "eu-shocks", "paper", "paper-shocks"]


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["simulate", "--seed", "x"])
    assert exc.value.code == 2
    assert "--seed" in capsys.readouterr().err


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "carbon-market"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def test_console_script_simulate_and_error(tmp_path: Path) -> None:
    ok = subprocess.run(
        [*console_script(), *SIMULATE, "--json", "--out", str(tmp_path / "x.parquet")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    assert summary["rounds"] == 100
    assert len(pd.read_parquet(tmp_path / "x.parquet")) == 101
    bad = subprocess.run(
        [*console_script(), "simulate", "--years", "1", "--set", "penalty=-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "market.penalty" in bad.stderr


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (
            "research_success=nan",
            "market.research_success: nan is not allowed; it must be a finite number >= 0 and <= 1",
        ),
        ("budget=inf", "market.budget: inf is not allowed; it must be a finite number > 0"),
        ("penalty=-inf", "market.penalty: -inf is not allowed; it must be a finite number >= 0"),
    ],
)
def test_simulate_set_refuses_nan_and_infinity(
    capsys: pytest.CaptureFixture[str], pair: str, message: str
) -> None:
    assert cli.main(["simulate", "--years", "1", "--set", pair]) == 2
    assert capsys.readouterr().err.strip() == f"carbon-market: error: {message}"


def test_simulate_refuses_more_firms_than_the_engine_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["simulate", "--set", "n_firms=1000000000"]) == 2
    assert capsys.readouterr().err.strip() == (
        "carbon-market: error: n_firms: 1000000000 is not allowed; "
        "it must be an integer >= 1 and <= 100000"
    )
