"""Run identity: the same run has the same id, a different run a different one."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from experiments import load_sweep
from experiments.identity import fingerprint, run_id, sweep_tasks
from market.scenario_files import resolve_path

PAPER = tomllib.loads(resolve_path("paper").read_text())


def test_id_depends_on_scenario_params_and_seed_only() -> None:
    base = run_id(PAPER, {"budget": 200, "policy": "equal"}, 1)
    assert base == run_id(copy.deepcopy(PAPER), {"policy": "equal", "budget": 200.0}, 1)
    assert base != run_id(PAPER, {"budget": 200, "policy": "equal"}, 2)
    assert base != run_id(PAPER, {"budget": 201, "policy": "equal"}, 1)
    assert base != run_id(PAPER, {"budget": 200, "policy": "equal", "years": 2}, 1)
    edited = copy.deepcopy(PAPER)
    edited["market"]["penalty"] = 31.0  # the scenario file changed: another run
    assert base != run_id(edited, {"budget": 200, "policy": "equal"}, 1)


def test_every_run_of_a_sweep_has_its_own_id(small_sweep_file: Path) -> None:
    sweep = load_sweep(small_sweep_file)
    tasks = sweep_tasks(sweep)
    assert len(tasks) == len(sweep.points()) * len(sweep.seeds) == 12
    assert len({t.run_id for t in tasks}) == len(tasks)
    assert all(t.params["years"] == 2 for t in tasks)  # fixed keys are part of every run


def test_fingerprint_tells_sweeps_apart(small_sweep_file: Path, tmp_path: Path) -> None:
    sweep = load_sweep(small_sweep_file)
    same = fingerprint(sweep, sweep_tasks(sweep))
    assert same == fingerprint(load_sweep(small_sweep_file), sweep_tasks(sweep))
    more_seeds = tmp_path / "more.toml"
    more_seeds.write_text(small_sweep_file.read_text().replace("count = 3", "count = 4"))
    other = load_sweep(more_seeds)
    assert fingerprint(other, sweep_tasks(other)) != same
