"""Typed, validated scenario configuration: the one place where a market's parameters are checked.

A scenario is a TOML file with three parts:

* ``[market]``: time, prices, compliance rules, the production and R&D technology;
* ``[government]``: the allocation policy and its parameters;
* the firms: either explicit ``[[firms]]`` tables or a ``[generator]`` table that draws them.

Every key is declared once below, with its type, its allowed range and its unit. Loading a
file or applying overrides fails with a :class:`ScenarioError` that names the key and what is
allowed, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCENARIO_DIR = DATA_DIR / "scenarios"

BEHAVIOURS = ("zi-c", "zi-u", "truthful", "rule-based", "learned")


class ScenarioError(ValueError):
    """A scenario key is unknown, of the wrong type, or outside its allowed range."""


def spec(
    default: Any,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    choices: tuple | None = None,
) -> Any:
    """Declare a configuration field with its range (closed unless ``lo_open``) and meaning."""
    meta = {"doc": doc, "lo": lo, "hi": hi, "lo_open": lo_open, "choices": choices}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class MarketConfig:
    """Rules of the market and the firms' technology. Money is in coins, emissions in tonnes."""

    steps_per_year: int = spec(50, "trading rounds in a compliance year", lo=1)
    years: int = spec(10, "compliance years in an episode", lo=1)
    price_floor: int = spec(0, "lowest price tick (coins per allowance)", lo=0)
    price_ceiling: int = spec(20, "highest price tick (coins per allowance)", lo=1)
    penalty: float = spec(30.0, "fine per missing allowance at compliance (coins/t)", lo=0)
    banking: bool = spec(False, "unused allowances carry over to the next year")
    make_good: bool = spec(False, "a compliance shortfall is still owed the next year (EU)")
    order_duration: int = spec(10, "rounds an order rests before it expires", lo=1)
    max_orders: int = spec(5, "open orders a firm may hold at once", lo=1)
    budget: float = spec(
        200.0, "allowances the government may issue over the episode", lo=0, lo_open=True
    )
    max_release_share: float = spec(
        0.25, "largest share of the budget released in one year", lo=0, hi=1, lo_open=True
    )
    climate_coefficient: float = spec(0.2, "weight c of over-emission in welfare", lo=0)
    production: bool = spec(
        True,
        "firms produce and emit each round (paper economy); "
        "false: fixed baseline emissions per year (textbook economy)",
    )
    output_price: float = spec(10.0, "revenue per unit of output (coins)", lo=0)
    research: bool = spec(True, "firms may invest in R&D that lowers their emission rate")
    research_cost: float = spec(5.0, "cost of one R&D attempt is research_cost / R (coins)", lo=0)
    research_success: float = spec(0.7, "probability an R&D attempt succeeds", lo=0, hi=1)
    research_delay: int = spec(5, "rounds before a success takes effect", lo=0)
    forget_after: int = spec(
        25, "rounds without R&D after which one unit of knowledge is lost", lo=1
    )
    research_effect: float = spec(0.1, "a in Er = exp(-a R n) S / (S + G)", lo=0)
    min_emission_rate: float = spec(0.02, "floor of the emission rate (t per unit output)", lo=0)
    green_share: float = spec(
        0.1, "share of each year's release offered as green projects", lo=0, hi=1
    )
    green_project_cost: float = spec(10.0, "price of completing one green project (coins)", lo=0)
    firm_data: str = spec("round", "when per-firm data is collected", choices=("round", "year"))
    learned_share: float = spec(
        0.0,
        "share of the firms (drawn with the seed) that act through the learned enterprise policy",
        lo=0,
        hi=1,
    )
    enterprise_policy: str = spec(
        "shipped",
        "learned firms' policy: 'shipped', a .zip path, or '' while a training env drives them",
    )

    def validate(self) -> None:
        """Check relations between keys (each key's own range is checked on load)."""
        if self.price_ceiling <= self.price_floor:
            raise ScenarioError(
                f"market.price_ceiling: {self.price_ceiling} must be above "
                f"market.price_floor ({self.price_floor})"
            )


@dataclass
class GovernmentConfig:
    """The allocation policy and its parameters (see ``carbon-market policies``)."""

    policy: str = spec("flat-grandfathering", "allocation policy name")
    auction_share: float = spec(
        0.0,
        "share of the firms' allowances sold in a uniform-price "
        "auction before trading (policies that auction)",
        lo=0,
        hi=1,
    )
    recycling: str = spec(
        "lump-sum", "what happens to auction revenue", choices=("lump-sum", "kept")
    )
    linear_reduction_factor: float = spec(
        0.022,
        "yearly cut of the cap as a share of the first year's cap (eu-benchmark)",
        lo=0,
        hi=0.2,
    )
    benchmark_percentile: float = spec(
        10.0,
        "benchmark = mean emission rate of this best percent of firms (eu-benchmark)",
        lo=0,
        hi=100,
        lo_open=True,
    )


@dataclass
class FirmConfig:
    """One enterprise. Units: capacity in output units per round, emission_rate in t per unit."""

    capacity: float = spec(1.0, "output per round at full use (V)", lo=0)
    research_ability: float = spec(1.0, "R&D skill R", lo=0, lo_open=True)
    emission_rate: float = spec(1.0, "initial tonnes per unit of output (Er)", lo=0)
    baseline_emissions: float = spec(
        math.nan, "tonnes per year without abatement (textbook economy only)", lo=0
    )
    abatement_cost: float = spec(
        math.inf,
        "slope c of marginal abatement cost (coins/t per t); inf = no abatement option",
        lo=0,
        lo_open=True,
    )
    coins: float = spec(20.0, "initial coins", lo=0)
    allocation: float = spec(math.nan, "allowances per year under the 'scenario' policy", lo=0)
    behaviour: str = spec("rule-based", "trading behaviour", choices=BEHAVIOURS)
    sector: str = spec("", "sector label (generated markets)")


@dataclass
class GeneratorConfig:
    """Draws ``n_firms`` firms.

    A list draws uniformly from its values, ``{low, high}`` draws uniformly from the
    interval, a number is used as is.
    """

    n_firms: int = spec(5, "number of firms", lo=1)
    capacity: Any = spec([1.0, 1.2, 1.4, 1.6], "capacity V")
    research_ability: Any = spec([1.0, 1.2, 1.4, 1.6], "R&D skill R")
    emission_rate: Any = spec(1.0, "initial emission rate (ignored when sectors are used)")
    coins: Any = spec(20.0, "initial coins")
    behaviour: str = spec("rule-based", "trading behaviour of every firm", choices=BEHAVIOURS)
    sectors: list = spec(
        [],
        "calibration sectors to draw firms from (data/calibration/sectors.csv); empty = no sectors",
    )
    cap_share: float = spec(
        0.0,
        "when > 0, the budget is this share of the drawn firms' "
        "emissions over the episode at full capacity (overrides "
        "market.budget, so the cap scales with n_firms)",
        lo=0,
    )
    abatement_share: float = spec(
        0.2,
        "abatement share at which a sector's marginal abatement cost band applies (sets c)",
        lo=0,
        hi=1,
        lo_open=True,
    )


@dataclass
class Scenario:
    """A complete, validated scenario."""

    name: str
    description: str
    market: MarketConfig
    government: GovernmentConfig
    firms: list[FirmConfig] | None
    generator: GeneratorConfig | None

    @property
    def n_firms(self) -> int:
        """Number of firms in the market."""
        return len(self.firms) if self.firms is not None else self.generator.n_firms


# --------------------------------------------------------------------------- validation


def _check_value(where: str, value: Any, f: dataclasses.Field) -> Any:
    """Type- and range-check one value against its field declaration; return it coerced."""
    if f.type == "Any":  # a generator distribution, checked by _check_distribution
        return value
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
    if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
        lo, hi = meta.get("lo"), meta.get("hi")
        if lo is not None and (value < lo or (meta.get("lo_open") and value == lo)):
            bound = f"> {lo}" if meta.get("lo_open") else f">= {lo}"
            raise ScenarioError(
                f"{where}: {value!r} is not allowed; it must be {bound}"
                + (f" and <= {hi}" if hi is not None else "")
            )
        if hi is not None and value > hi:
            raise ScenarioError(f"{where}: {value!r} is not allowed; it must be <= {hi}")
    return value


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
    """A generator value: a number, a non-empty list of numbers, or a {low, high} table."""
    if isinstance(value, bool):
        raise ScenarioError(f"{where}: expected a number, a list or {{low, high}}, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ScenarioError(f"{where}: {value!r} must be >= 0")
    elif isinstance(value, list):
        if not value or not all(isinstance(v, int | float) and v >= 0 for v in value):
            raise ScenarioError(f"{where}: expected a non-empty list of numbers >= 0")
    elif isinstance(value, dict):
        if set(value) != {"low", "high"} or not value["low"] <= value["high"]:
            raise ScenarioError(f"{where}: expected {{low = L, high = H}} with 0 <= L <= H")
        if value["low"] < 0:
            raise ScenarioError(f"{where}.low: must be >= 0")
    else:
        raise ScenarioError(f"{where}: expected a number, a list or {{low, high}}, got {value!r}")


def _validate(scenario: Scenario) -> Scenario:
    """Cross-table checks: things each key alone cannot know."""
    m = scenario.market
    m.validate()
    if scenario.firms is not None and scenario.generator is not None:
        raise ScenarioError("firms: give either [[firms]] tables or a [generator], not both")
    if scenario.firms is None and scenario.generator is None:
        raise ScenarioError("firms: a scenario needs [[firms]] tables or a [generator] table")
    if scenario.firms is not None and not scenario.firms:
        raise ScenarioError("firms: a market needs at least one firm")
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
    if scenario.government.policy == "scenario":
        missing = [i for i, f in enumerate(scenario.firms or []) if math.isnan(f.allocation)]
        if scenario.firms is None or missing:
            raise ScenarioError(
                "government.policy: 'scenario' needs an allocation in every [[firms]] table"
                + (f" (missing in firms[{missing[0]}])" if missing else "")
            )
    return scenario


# --------------------------------------------------------------------------- loading

_TOP_LEVEL = {"name", "description", "market", "government", "firms", "generator"}

# Flat override names that live in a table other than [market].
_OVERRIDE_TABLES = {
    **{f.name: "government" for f in dataclasses.fields(GovernmentConfig)},
    "n_firms": "generator",
    "behaviour": "firms",
}


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that ship in ``data/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_path(name_or_path: str | Path) -> Path:
    """Find a scenario file from a shipped name (``paper``) or a path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise ScenarioError(f"scenario: no file at {path}")
        return path
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if not shipped.exists():
        raise ScenarioError(
            f"scenario: {name_or_path!r} is neither a file nor a shipped scenario; "
            f"shipped: {', '.join(shipped_scenarios())}"
        )
    return shipped


def parse_scenario(data: dict, name: str = "custom", overrides: dict | None = None) -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML), applying flat overrides.

    Overrides are keys of ``[market]`` or ``[government]`` (``penalty=50``, ``policy="equal"``)
    or ``n_firms`` (resizes a generator, or repeats/truncates explicit firms cyclically) or
    ``behaviour`` (every firm holds it: ``behaviour="zi-c"``).
    """
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        raise ScenarioError(
            f"{sorted(unknown)[0]}: unknown top-level key; allowed: {', '.join(sorted(_TOP_LEVEL))}"
        )
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for table in ("market", "government"):
        data.setdefault(table, {})
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
            else [_build(FirmConfig, t, f"firms[{i}]") for i, t in enumerate(firms)],
            generator=None
            if "generator" not in data
            else _build(GeneratorConfig, data["generator"], "generator"),
        )
    )


def _override_n_firms(data: dict, n_firms: Any) -> None:
    if isinstance(n_firms, bool) or not isinstance(n_firms, int) or n_firms < 1:
        raise ScenarioError(f"n_firms: {n_firms!r} is not allowed; it must be an integer >= 1")
    if "generator" in data:
        data["generator"] = {**data["generator"], "n_firms": n_firms}
    elif data.get("firms"):
        firms = data["firms"]
        data["firms"] = [dict(firms[i % len(firms)]) for i in range(n_firms)]


def load_scenario(name_or_path: str | Path = "paper", **overrides: Any) -> Scenario:
    """Load and validate a scenario by shipped name or path, with flat overrides."""
    path = resolve_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"scenario: {path} is not valid TOML: {err}") from err
    return parse_scenario(data, name=path.stem, overrides=overrides)


def describe_keys() -> dict[str, list[tuple[str, Any, str]]]:
    """Every scenario key per table with its default and meaning (for docs and ``--help``)."""
    tables = {
        "market": MarketConfig,
        "government": GovernmentConfig,
        "firms": FirmConfig,
        "generator": GeneratorConfig,
    }
    out = {}
    for table, cls in tables.items():
        out[table] = [
            (
                f.name,
                f.default if f.default is not dataclasses.MISSING else f.default_factory(),
                f.metadata["doc"],
            )
            for f in dataclasses.fields(cls)
        ]
    return out
