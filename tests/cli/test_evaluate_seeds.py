"""evaluate with several runs of a method: the report over training (or search) seeds."""

from __future__ import annotations

import json

import pytest

import cli
from agents.schedule import Schedule
from tests.agents.test_learned_regulator import copy_regulator


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


@pytest.mark.learn
def test_recurrent_regulators_are_a_method_of_their_own(
    tiny_regulator, tiny_recurrent_regulator, tmp_path, capsys
) -> None:
    copies = {
        name: copy_regulator(source, tmp_path, name)
        for name, source in [
            ("ppo-a", tiny_regulator),
            ("ppo-b", tiny_regulator),
            ("lstm-a", tiny_recurrent_regulator),
            ("lstm-b", tiny_recurrent_regulator),
        ]
    }
    argv = ["evaluate", "--scenario", "paper", "--policies", "equal", "--seeds", "3", "--json",
            *(arg for path in copies.values() for arg in ("--learned", str(path)))]  # fmt: skip
    assert cli.main(argv) == 0
    (report,) = json.loads(capsys.readouterr().out).values()
    seeded = report["across_seeds"]
    assert list(seeded["learned"]["runs"]) == [f"learned:{copies[n]}" for n in ("ppo-a", "ppo-b")]
    recurrent = seeded["learned-recurrent-ppo"]
    assert list(recurrent["runs"]) == [f"learned:{copies[n]}" for n in ("lstm-a", "lstm-b")]
    assert set(recurrent["improvement"]) == {"learned", "equal"}


@pytest.mark.learn
def test_regulators_made_differently_are_not_pooled_as_seeds(tiny_regulator, tmp_path) -> None:
    from agents.network import metadata_path
    from cli.learning_commands import _method

    def made(name, **changes):
        path = copy_regulator(tiny_regulator, tmp_path, name)
        meta = json.loads(metadata_path(path).read_text())
        config = meta.setdefault("config", {})
        if "behaviour" in changes:  # trained by train-marl against learned firms
            config.setdefault("env_kwargs", {})["behaviour"] = changes["behaviour"]
        meta["scenario"] = changes.get("scenario", meta["scenario"])
        metadata_path(path).write_text(json.dumps(meta))
        return f"learned:{path}"

    assert _method(made("plain"), "paper") == "learned"
    assert _method(made("marl", behaviour="learned"), "paper") == "learned-vs-learned-firms"
    assert _method(made("shocks", scenario="paper-shocks"), "paper") == "learned@paper-shocks"
    assert _method(made("shocks-home", scenario="paper-shocks"), "paper-shocks") == "learned"
    assert _method("schedule:any.json", "paper") == "schedule"
    assert _method("equal", "paper") is None
