"""evaluate with several runs of a method: the report over training (or search) seeds."""

from __future__ import annotations

import json

import cli
from agents.schedule import Schedule


def test_two_schedules_get_an_iqm_and_probabilities_of_improvement(tmp_path, capsys) -> None:
    good = Schedule((0.0, 0.25, *(0.1,) * 8)).save(tmp_path / "good.json")
    flat = Schedule((0.1,) * 10).save(tmp_path / "flat.json")
    argv = ["evaluate", "--scenario", "paper", "--policies", "equal,auction", "--seeds", "4",
            "--schedule", str(good), "--schedule", str(flat), "--json"]  # fmt: skip
    assert cli.main(argv) == 0
    (report,) = json.loads(capsys.readouterr().out).values()
    seeded = report["across_seeds"]
    assert seeded["best_rule"] in ("equal", "auction")
    runs = seeded["schedule"]["runs"]
    assert list(runs) == [f"schedule:{good}", f"schedule:{flat}"]
    welfare = {row["policy"]: row["welfare"] for row in report["table"]}
    assert runs[f"schedule:{good}"] == welfare[f"schedule:{good}"]
    iqm = seeded["schedule"]["iqm"]
    assert iqm["low"] <= iqm["estimate"] <= iqm["high"]
    improvement = seeded["schedule"]["improvement"][seeded["best_rule"]]
    assert 0.0 <= improvement["low"] <= improvement["estimate"] <= improvement["high"] <= 1.0
    assert 0 <= seeded["schedule"]["wins_over_best_rule"] <= 2


def test_one_run_per_method_adds_no_seed_report(tmp_path, capsys) -> None:
    flat = Schedule((0.1,) * 10).save(tmp_path / "flat.json")
    argv = ["evaluate", "--policies", "equal", "--seeds", "3", "--schedule", str(flat), "--json"]
    assert cli.main(argv) == 0
    (report,) = json.loads(capsys.readouterr().out).values()
    assert "across_seeds" not in report
