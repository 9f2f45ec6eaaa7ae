"""A sweep file: one scenario, the parameters to vary and how, the seeds, the metrics to keep.

A sweep is a TOML file (``data/sweeps/paper-cap.toml`` is the shipped example)::

    name = "paper-cap"                 # optional; default: the file's stem
    scenario = "paper"                 # shipped name, or a .toml path relative to this file
    seeds = {start = 0, count = 5}     # or a list: seeds = [0, 1, 2]
    metrics = ["welfare", "mean_price", "over_emission"]

    [fixed]                            # scenario keys held fixed in every run
    years = 5

    [grid]                             # every combination of these values
    budget = [100.0, 200.0, 300.0]
    policy = ["flat-grandfathering", "decreasing-size"]

    [random]                           # and/or samples drawn with the sweep's own seed
    samples = 8
    seed = 0
    penalty = {low = 20.0, high = 40.0}    # uniform; integers when both bounds are integers
    behaviour = ["zi-c", "rule-based"]     # a uniform choice

Parameters are the scenario's flat override keys (``carbon-market simulate --set``). Every
run of the sweep is checked here, before any run starts: a bad key, type or value fails with
a :class:`SweepError` that names the key.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.runner import SUMMARY_METRICS
from market.scenario import ScenarioError, parse_scenario
from market.scenario_files import read_toml, resolve_path
from model import load_scenario

Value = bool | int | float | str

TOP_LEVEL = ("name", "description", "scenario", "seeds", "metrics", "fixed", "grid", "random")
RANDOM_SETTINGS = ("samples", "seed")
# Keys a sweep sets itself, so they cannot be scenario parameters.
RESERVED = {"seed": "the top-level `seeds` key", "scenario": "the top-level `scenario` key"}


class SweepError(ValueError):
    """A sweep file, its output directory or one of its runs is not usable (names the key)."""


@dataclass(frozen=True)
class Sweep:
    """A validated sweep.

    Attributes:
        name: the sweep's name (the default output directory is ``runs/<name>``).
        description: free text.
        scenario: the scenario's name, as rows and plots show it.
        scenario_data: the scenario file, parsed: every run carries it, so cluster workers
            need no copy of the file.
        fixed: scenario overrides held fixed in every run.
        grid: each grid parameter's values, in file order.
        random: each random parameter's distribution: a list (choice) or ``{low, high}``.
        samples: random samples drawn (0 without ``[random]``).
        sample_seed: seed of the random samples' generator.
        seeds: the model seeds every parameter point runs with.
        metrics: the metrics kept in the results.
        kinds: each swept parameter's type: ``bool``, ``int``, ``float`` or ``str``.
    """

    name: str
    description: str
    scenario: str
    scenario_data: dict
    fixed: dict[str, Value]
    grid: dict[str, list[Value]]
    random: dict[str, Any]
    samples: int
    sample_seed: int
    seeds: list[int]
    metrics: list[str]
    kinds: dict[str, str]

    @property
    def parameters(self) -> list[str]:
        """The swept parameters: grid ones, then random ones."""
        return [*self.grid, *self.random]

    def points(self) -> list[dict[str, Value]]:
        """Every parameter point: the grid's product times the random samples, each once."""
        grid = [
            dict(zip(self.grid, combo, strict=True))
            for combo in itertools.product(*self.grid.values())
        ]
        samples = self._samples() or [{}]
        unique: dict[str, dict[str, Value]] = {}
        for point in ({**g, **s} for g in grid for s in samples):
            unique.setdefault(json.dumps(point, sort_keys=True), point)
        return list(unique.values())

    def _samples(self) -> list[dict[str, Value]]:
        rng = np.random.default_rng(self.sample_seed)
        out = []
        for _ in range(self.samples):
            sample: dict[str, Value] = {}
            for name, dist in self.random.items():
                if isinstance(dist, list):
                    sample[name] = dist[int(rng.integers(len(dist)))]
                elif self.kinds[name] == "int":
                    sample[name] = int(rng.integers(dist["low"], dist["high"], endpoint=True))
                else:
                    sample[name] = float(rng.uniform(dist["low"], dist["high"]))
            out.append(sample)
        return out

    def describe(self) -> dict[str, Any]:
        """The sweep as plain data (what the output directory's ``sweep.json`` records)."""
        return {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario,
            "fixed": self.fixed,
            "grid": self.grid,
            "random": self.random,
            "samples": self.samples,
            "sample_seed": self.sample_seed,
            "seeds": self.seeds,
            "metrics": self.metrics,
            "parameters": self.kinds,
        }


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    Raises:
        SweepError: the file is missing, not TOML, or a key is unknown, empty, of the wrong
            type or makes some run's scenario invalid (the message names the key).
    """
    path = Path(path)
    if not path.exists():
        raise SweepError(f"sweep: no file at {path}")
    try:
        data = read_toml(path, "sweep")
    except ScenarioError as err:
        raise SweepError(str(err)) from None
    return parse_sweep(data, name=path.stem, base_dir=path.parent)


def parse_sweep(data: dict, name: str = "sweep", base_dir: Path = Path()) -> Sweep:
    """Validate a sweep given as a dict (the parsed TOML).

    Relative scenario paths start at ``base_dir``.
    """
    for key in data:
        if key not in TOP_LEVEL:
            raise SweepError(_unknown(key, "unknown top-level key", key, TOP_LEVEL))
    scenario_name, scenario_data = _scenario(data.get("scenario"), base_dir)

    def check(where: str, overrides: dict[str, Value]) -> None:
        """Fail naming ``where`` unless the overrides make a valid market (names included)."""
        try:
            load_scenario(parse_scenario(scenario_data, scenario_name, overrides))
        except ValueError as err:  # ScenarioError, or a policy that cannot be built
            raise SweepError(f"{where}: {err}") from None

    fixed = _table(data, "fixed")
    for key in fixed:
        _not_reserved(f"fixed.{key}", key)
    check("fixed", fixed)
    kinds: dict[str, str] = {}
    grid = {}
    for key, values in _table(data, "grid").items():
        where = f"grid.{key}"
        _not_swept_twice(where, key, fixed)
        kinds[key], grid[key] = _values(where, values)
        for value in grid[key]:
            check(f"{where} = {value!r}", {**fixed, key: value})
    random, samples, sample_seed = _random(_table(data, "random"), fixed, grid, kinds, check)
    if "grid" in data and not grid:
        raise SweepError("grid: empty; give at least one parameter with a list of values")
    if not grid and not random:
        raise SweepError(
            "grid: a sweep needs at least one parameter in [grid] or [random] "
            "(to replicate one setting, give one parameter a single value)"
        )
    sweep = Sweep(
        name=_name(data, name),
        description=_string(data, "description", ""),
        scenario=scenario_name,
        scenario_data=scenario_data,
        fixed=fixed,
        grid=grid,
        random=random,
        samples=samples,
        sample_seed=sample_seed,
        seeds=_seeds(data.get("seeds")),
        metrics=_metrics(data.get("metrics")),
        kinds=kinds,
    )
    for point in sweep.points():
        check(f"parameter point {point}", {**fixed, **point})
    return sweep


# --------------------------------------------------------------------------- the keys


def _scenario(value: Any, base_dir: Path) -> tuple[str, dict]:
    if value is None:
        raise SweepError('scenario: required, e.g. scenario = "paper" or a .toml path')
    if not isinstance(value, str):
        raise SweepError(f"scenario: expected a scenario name or path, got {value!r}")
    looks_like_path = value.endswith(".toml") or "/" in value
    target = base_dir / value if looks_like_path and not Path(value).is_absolute() else value
    try:
        path = resolve_path(target)
        return path.stem, read_toml(path)
    except ScenarioError as err:
        raise SweepError(str(err)) from None


def _table(data: dict, key: str) -> dict:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise SweepError(f"{key}: expected a table [{key}], got {table!r}")
    return dict(table)


def _string(data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise SweepError(f"{key}: expected a string, got {value!r}")
    return value


def _name(data: dict, default: str) -> str:
    """The sweep's name: also the default output directory's name, so a plain file name."""
    name = _string(data, "name", default)
    if not re.fullmatch(r"[\w.-]+", name) or name.strip(".") == "":
        raise SweepError(
            f"name: {name!r} is not allowed; use letters, digits, '-', '_' and '.' only"
        )
    return name


def _not_reserved(where: str, key: str) -> None:
    if key in RESERVED:
        raise SweepError(
            f"{where}: {key} is not a scenario parameter; it is set by {RESERVED[key]}"
        )


def _not_swept_twice(where: str, key: str, *others: dict) -> None:
    _not_reserved(where, key)
    for other in others:
        if key in other:
            raise SweepError(f"{where}: {key} is already set elsewhere in the sweep; give it once")


def _kind(where: str, value: Any) -> str:
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, types):
            return kind
    raise SweepError(f"{where}: expected a number, a string or true/false, got {value!r}")


def _values(where: str, values: Any) -> tuple[str, list[Value]]:
    """A grid parameter's values: a non-empty list of one type, without repeats."""
    if not isinstance(values, list):
        raise SweepError(f"{where}: expected a list of values, got {values!r}")
    if not values:
        raise SweepError(f"{where}: empty list; give at least one value")
    kinds = {_kind(f"{where}[{i}]", v) for i, v in enumerate(values)}
    if kinds == {"int", "float"}:
        kinds, values = {"float"}, [float(v) for v in values]
    if len(kinds) > 1:
        raise SweepError(f"{where}: mixes {' and '.join(sorted(kinds))} values; use one type")
    repeated = [v for i, v in enumerate(values) if v in values[:i]]
    if repeated:
        raise SweepError(f"{where}: {repeated[0]!r} is listed twice")
    return kinds.pop(), values


def _random(
    table: dict, fixed: dict, grid: dict, kinds: dict, check: Callable[..., None]
) -> tuple[dict, int, int]:
    """The ``[random]`` table: its settings and each parameter's distribution."""
    if not table:
        return {}, 0, 0
    samples, seed = table.pop("samples", None), table.pop("seed", 0)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise SweepError(f"random.samples: expected an integer >= 1, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SweepError(f"random.seed: expected an integer >= 0, got {seed!r}")
    if not table:
        raise SweepError("random: no parameters; add e.g. penalty = {low = 20.0, high = 40.0}")
    random = {}
    for key, dist in table.items():
        where = f"random.{key}"
        _not_swept_twice(where, key, fixed, grid)
        if isinstance(dist, dict):
            kinds[key], values = _bounds(where, dist)
            random[key] = dict(zip(("low", "high"), values, strict=True))
        else:
            kinds[key], values = _values(where, dist)
            random[key] = values
        for value in values:
            check(f"{where} = {value!r}", {**fixed, key: value})
    return random, samples, seed


def _bounds(where: str, dist: dict) -> tuple[str, list[Value]]:
    """A uniform distribution ``{low, high}``: integers when both bounds are integers."""
    if set(dist) != {"low", "high"}:
        raise SweepError(f"{where}: expected {{low = L, high = H}} or a list, got {dist!r}")
    low, high = dist["low"], dist["high"]
    kinds = {_kind(f"{where}.low", low), _kind(f"{where}.high", high)}
    if not kinds <= {"int", "float"} or not low < high:
        raise SweepError(f"{where}: expected numbers with low < high, got {dist!r}")
    if kinds == {"int"}:
        return "int", [low, high]
    return "float", [float(low), float(high)]


def _seeds(value: Any) -> list[int]:
    usage = "expected a list of integers >= 0 or {start = S, count = N}"
    if value is None:
        raise SweepError(f"seeds: required; {usage}")
    if isinstance(value, dict):
        if set(value) - {"start", "count"} or "count" not in value:
            raise SweepError(f"seeds: {usage}, got {value!r}")
        start, count = value.get("start", 0), value["count"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, count)):
            raise SweepError(f"seeds: {usage}, got {value!r}")
        if start < 0 or count < 1:
            raise SweepError(f"seeds: start must be >= 0 and count >= 1, got {value!r}")
        return list(range(start, start + count))
    if not isinstance(value, list) or not value:
        raise SweepError(f"seeds: {usage}, got {value!r}")
    for i, seed in enumerate(value):
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SweepError(f"seeds[{i}]: expected an integer >= 0, got {seed!r}")
    if len(set(value)) < len(value):
        raise SweepError("seeds: a seed is listed twice")
    return list(value)


def _metrics(value: Any) -> list[str]:
    if value is None:
        raise SweepError(f"metrics: required; choose from {', '.join(SUMMARY_METRICS)}")
    if not isinstance(value, list) or not value:
        raise SweepError(f"metrics: expected a non-empty list of metric names, got {value!r}")
    for i, metric in enumerate(value):
        if metric not in SUMMARY_METRICS:
            raise SweepError(
                _unknown(f"metrics[{i}]", f"{metric!r} is not a metric", metric, SUMMARY_METRICS)
            )
    if len(set(value)) < len(value):
        raise SweepError("metrics: a metric is listed twice")
    return list(value)


def _unknown(where: str, problem: str, key: Any, allowed: tuple[str, ...]) -> str:
    hint = difflib.get_close_matches(str(key), allowed, n=1)
    return (
        f"{where}: {problem}"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
        + f"; allowed: {', '.join(allowed)}"
    )
