"""Run identity: a run is its scenario, its parameters and its seed, and nothing else.

A run's id is a hash of the scenario file's contents, every override the run applies and the
seed. The results store names each run's files by that id, so a run can be recorded at most
once, and ``--resume`` recognises finished runs whatever order they finished in. Numbers are
compared by value (``200`` and ``200.0`` are the same budget).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from experiments.runner import RunTask
from experiments.spec import Sweep

ID_LENGTH = 20  # hex digits: 80 bits, no collision in any sweep a person could run


def _plain(value: Any) -> Any:
    """``value`` with whole finite floats as integers, so equal numbers hash equal."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def digest(value: Any) -> str:
    """A stable hash of plain data (dicts, lists, numbers, strings, booleans)."""
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH]


def run_id(scenario_data: dict, params: dict[str, Any], seed: int) -> str:
    """The identity of one run: its scenario file, all its overrides and its seed."""
    return digest({"scenario": scenario_data, "params": params, "seed": seed})


def sweep_tasks(sweep: Sweep) -> list[RunTask]:
    """Every run of a sweep, parameter point by parameter point, seed by seed."""
    tasks = []
    for point in sweep.points():
        params = {**sweep.fixed, **point}
        for seed in sweep.seeds:
            tasks.append(
                RunTask(
                    run_id=run_id(sweep.scenario_data, params, seed),
                    scenario=sweep.scenario,
                    scenario_data=sweep.scenario_data,
                    params=params,
                    seed=seed,
                )
            )
    return tasks


def fingerprint(sweep: Sweep, tasks: list[RunTask]) -> str:
    """What makes two sweeps the same for ``--resume``: their runs and the columns kept."""
    return digest(
        {
            "runs": sorted(task.run_id for task in tasks),
            "parameters": sweep.kinds,
            "metrics": sweep.metrics,
        }
    )
