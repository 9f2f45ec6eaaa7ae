"""A scenario's tables (a parsed TOML file, or a dict) checked key by key into a frozen one.

:func:`parse_scenario` checks the tables and applies flat overrides into a
:class:`Scenario`; reading the files (shipped names, paths, the caches) is
:mod:`market.scenario_files`. Checking a table or applying overrides fails with a
:class:`ScenarioError` that names the key and what is allowed, so a typo never silently
falls back to a default. The keys themselves, with their ranges and units, are declared in
:mod:`market.config`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import warnings
from dataclasses import dataclass
from typing import Any

from market.config import (
    MAX_FIRMS,
    FirmConfig,
    GeneratorConfig,
    GovernmentConfig,
    MarketConfig,
    ScenarioError,
    ScenarioWarning,
    ShockConfig,
    allowed_range,
)

__all__ = ["Scenario", "ScenarioError", "ScenarioWarning", "parse_scenario"]


@dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario. Frozen: a run's changing values live in the model."""

    name: str
    description: str
    market: MarketConfig
    government: GovernmentConfig
    firms: tuple[FirmConfig, ...] | None
    generator: GeneratorConfig | None
    shocks: ShockConfig

    @property
    def n_firms(self) -> int:
        """Number of firms in the market."""
        return len(self.firms) if self.firms is not None else self.generator.n_firms


# --------------------------------------------------------------------------- validation


def _check_value(where: str, value: Any, f: dataclasses.Field) -> Any:
    """Type- and range-check one value against its field declaration; return it coerced."""
    if f.type == "Any":  # a generator distribution, checked by _check_distribution
        return value
    if f.type == "tuple":
        return _check_interval(where, value, f)
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    meta = f.metadata
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(f"{where}: expected true or false, got {value!r}")
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{where}: expected an integer, got {value!r}")
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{where}: expected a number, got {value!r}")
        value = float(value)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(f"{where}: expected a string, got {value!r}")
    elif isinstance(default, list) and f.type == "list" and not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list, got {value!r}")
    if meta.get("choices") and value not in meta["choices"]:
        raise ScenarioError(f"{where}: {value!r} is not one of {', '.join(meta['choices'])}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        _check_range(where, value, meta)
    return value


def _check_range(where: str, value: float, meta: dict) -> None:
    """A number inside its declared range; a float finite unless inf has a declared meaning."""
    lo, hi, allowed = meta.get("lo"), meta.get("hi"), allowed_range(meta)
    finite = math.isfinite(value) or (meta.get("inf_allowed") and not math.isnan(value))
    outside = (lo is not None and (value < lo or (meta.get("lo_open") and value == lo))) or (
        hi is not None and (value > hi or (meta.get("hi_open") and value == hi))
    )
    if not finite or outside:
        kind = "" if finite else "a number " if meta.get("inf_allowed") else "a finite number "
        raise ScenarioError(f"{where}: {value!r} is not allowed; it must be {kind}{allowed}")


def _check_interval(where: str, value: Any, f: dataclasses.Field) -> tuple:
    """An interval ``[low, high]`` to draw from: two numbers in the key's range, low <= high.

    ``[]`` is allowed where the default is empty (nothing is drawn).
    """
    integer = f.metadata["integer"]
    kind = "integers" if integer else "numbers"
    if not isinstance(value, list | tuple) or (len(value) != 2 and (value or f.default)):
        raise ScenarioError(f"{where}: expected [low, high], two {kind}, got {value!r}")
    for i, end in enumerate(value):
        if isinstance(end, bool) or not isinstance(end, int if integer else int | float):
            raise ScenarioError(f"{where}[{i}]: expected {kind[:-1]}, got {end!r}")
        _check_range(f"{where}[{i}]", end, f.metadata)
    if value and value[0] > value[1]:
        raise ScenarioError(f"{where}: low {value[0]!r} is above high {value[1]!r}")
    return tuple(value if integer else (float(end) for end in value))


def _build(cls: type, table: Any, where: str) -> Any:
    """Build a config dataclass from a TOML table, rejecting unknown keys."""
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: expected a table, got {table!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in fields:
            hint = difflib.get_close_matches(key, fields, n=1)
            raise ScenarioError(
                f"{where}.{key}: unknown key"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; allowed keys: {', '.join(sorted(fields))}"
            )
        values[key] = _check_value(f"{where}.{key}", value, fields[key])
    return cls(**values)


def _check_distribution(where: str, value: Any) -> None:
    """A generator value: a number, a non-empty list of numbers, or a {low, high} table.

    Every number is finite and >= 0.
    """

    def number(at: str, v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and _non_negative(at, v)

    if isinstance(value, int | float) and number(where, value):
        return
    if isinstance(value, list):
        if not value or not all(number(f"{where}[{i}]", v) for i, v in enumerate(value)):
            raise ScenarioError(f"{where}: expected a non-empty list of numbers >= 0")
    elif isinstance(value, dict):
        if (
            set(value) != {"low", "high"}
            or not all(number(f"{where}.{k}", value[k]) for k in value)
            or not value["low"] <= value["high"]
        ):
            raise ScenarioError(f"{where}: expected {{low = L, high = H}} with 0 <= L <= H")
    else:
        raise ScenarioError(f"{where}: expected a number, a list or {{low, high}}, got {value!r}")


def _non_negative(where: str, value: float) -> bool:
    """True for a finite number >= 0; a ScenarioError naming ``where`` otherwise."""
    if not math.isfinite(value) or value < 0:
        raise ScenarioError(f"{where}: {value!r} is not allowed; it must be a finite number >= 0")
    return True


def _validate(scenario: Scenario) -> Scenario:
    """Cross-table checks: things each key alone cannot know."""
    m = scenario.market
    m.validate()
    if scenario.firms is not None and scenario.generator is not None:
        raise ScenarioError("firms: give either [[firms]] tables or a [generator], not both")
    if scenario.firms is None and scenario.generator is None:
        raise ScenarioError("firms: a scenario needs [[firms]] tables or a [generator] table")
    if scenario.firms is not None and not 1 <= len(scenario.firms) <= MAX_FIRMS:
        raise ScenarioError(
            f"firms: a market needs at least one firm and at most {MAX_FIRMS}, "
            f"got {len(scenario.firms)}"
        )
    if scenario.generator is not None:
        for key in ("capacity", "research_ability", "emission_rate", "coins"):
            _check_distribution(f"generator.{key}", getattr(scenario.generator, key))
        if not m.production:
            raise ScenarioError("generator: generated firms need market.production = true")
    for i, firm in enumerate(scenario.firms or []):
        where = f"firms[{i}]"
        if not m.production and math.isnan(firm.baseline_emissions):
            raise ScenarioError(
                f"{where}.baseline_emissions: required when "
                "market.production = false (textbook economy)"
            )
        if m.production and not math.isnan(firm.baseline_emissions):
            raise ScenarioError(
                f"{where}.baseline_emissions: only used when market.production = false; remove it"
            )
    _validate_shocks(scenario)
    if scenario.government.policy == "scenario":
        missing = [i for i, f in enumerate(scenario.firms or []) if math.isnan(f.allocation)]
        if scenario.firms is None or missing:
            raise ScenarioError(
                "government.policy: 'scenario' needs an allocation in every [[firms]] table"
                + (f" (missing in firms[{missing[0]}])" if missing else "")
            )
        warn_if_the_budget_runs_out(scenario)
    return scenario


def _validate_shocks(scenario: Scenario) -> None:
    """The number of firms is drawn only where a generator draws the firms."""
    if scenario.shocks.n_firms_range and scenario.generator is None:
        raise ScenarioError(
            "shocks.n_firms_range: draws the number of generated firms; "
            "this scenario lists [[firms]] (use a [generator])"
        )


def warn_if_the_budget_runs_out(scenario: Scenario) -> None:
    """Warn, naming the year, when the firms' fixed yearly allocations outrun the budget.

    The 'scenario' policy gives every firm its allocation each year while the budget lasts;
    after that the firms share what is left, then nothing.
    """
    m = scenario.market
    yearly = sum(firm.allocation for firm in scenario.firms)
    covered = min(m.years, math.floor(m.budget / yearly + 1e-9)) if yearly > 0 else m.years
    if covered < m.years:
        warnings.warn(
            f"market.budget: {m.budget:g} allowances cover the firms' allocations "
            f"({yearly:g} a year) for {covered} of the {m.years} years; the budget runs out "
            f"in year {covered + 1} (a budget of {yearly * m.years:g} covers every year)",
            ScenarioWarning,
            stacklevel=2,
        )


# --------------------------------------------------------------------------- loading

_TOP_LEVEL = {"name", "description", "market", "government", "firms", "generator", "shocks"}

# Flat override names that live in a table other than [market].
_OVERRIDE_TABLES = {
    **{f.name: "government" for f in dataclasses.fields(GovernmentConfig)},
    **{f.name: "shocks" for f in dataclasses.fields(ShockConfig)},
    "n_firms": "generator",
    "cap_share": "generator",
    "behaviour": "firms",
}


def parse_scenario(data: dict, name: str = "custom", overrides: dict | None = None) -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML), applying flat overrides.

    Overrides are keys of ``[market]``, ``[government]`` or ``[shocks]`` (``penalty=50``,
    ``policy="equal"``, ``recession_probability=1.0``), a generator's ``cap_share`` (the
    reduction target of a drawn market), or ``n_firms`` (resizes a generator,
    dropping a per-episode ``n_firms_range``, or repeats/truncates explicit firms cyclically)
    or ``behaviour`` (every firm holds it: ``behaviour="zi-c"``).
    """
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        raise ScenarioError(
            f"{sorted(unknown)[0]}: unknown top-level key; allowed: {', '.join(sorted(_TOP_LEVEL))}"
        )
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for table in ("market", "government", "shocks"):
        data.setdefault(table, {})
        if not isinstance(data[table], dict):
            raise ScenarioError(f"{table}: expected a table [{table}], got {data[table]!r}")
    for key, value in (overrides or {}).items():
        table = _OVERRIDE_TABLES.get(key, "market")
        if key == "n_firms":
            _override_n_firms(data, value)
        elif key == "behaviour":
            if isinstance(data.get("firms"), list):
                data["firms"] = [{**firm, "behaviour": value} for firm in data["firms"]]
            if "generator" in data:
                data["generator"] = {**data["generator"], "behaviour": value}
        elif table == "market" and key not in {f.name for f in dataclasses.fields(MarketConfig)}:
            hint = difflib.get_close_matches(
                key,
                [f.name for f in dataclasses.fields(MarketConfig)] + list(_OVERRIDE_TABLES),
                n=1,
            )
            raise ScenarioError(
                f"{key}: unknown parameter" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            )
        elif table == "generator" and "generator" not in data:
            raise ScenarioError(
                f"{key}: {name} lists its firms and has no [generator] to set it in"
            )
        else:
            data[table][key] = value
    firms = data.get("firms")
    if firms is not None and not isinstance(firms, list):
        raise ScenarioError("firms: expected [[firms]] tables")
    return _validate(
        Scenario(
            name=str(data.get("name", name)),
            description=str(data.get("description", "")),
            market=_build(MarketConfig, data["market"], "market"),
            government=_build(GovernmentConfig, data["government"], "government"),
            firms=None
            if firms is None
            else tuple(_build(FirmConfig, t, f"firms[{i}]") for i, t in enumerate(firms)),
            generator=None
            if "generator" not in data
            else _build(GeneratorConfig, data["generator"], "generator"),
            shocks=_build(ShockConfig, data["shocks"], "shocks"),
        )
    )


def _override_n_firms(data: dict, n_firms: Any) -> None:
    """Resize the market to ``n_firms`` (no longer drawn per episode), checked before copying."""
    if isinstance(n_firms, bool) or not isinstance(n_firms, int) or not 1 <= n_firms <= MAX_FIRMS:
        raise ScenarioError(
            f"n_firms: {n_firms!r} is not allowed; it must be an integer >= 1 and <= {MAX_FIRMS}"
        )
    data["shocks"] = {k: v for k, v in data["shocks"].items() if k != "n_firms_range"}
    if "generator" in data:
        data["generator"] = {**data["generator"], "n_firms": n_firms}
    elif data.get("firms"):
        firms = data["firms"]
        data["firms"] = [dict(firms[i % len(firms)]) for i in range(n_firms)]
