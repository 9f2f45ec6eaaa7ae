"""Every scenario key, declared once: its type, default, allowed range and unit.

A scenario has five kinds of table: ``[market]`` (time, prices, compliance rules, the firms'
technology), ``[government]`` (the allocation policy and its parameters), ``[[firms]]`` (one
table per firm), ``[generator]`` (draws the firms instead) and ``[shocks]`` (the uncertainty
drawn once per episode: demand, technology, the number of firms). Each is a frozen dataclass
below; :func:`spec` attaches the range and the meaning that loading checks
(:mod:`market.scenario`) and that ``--help`` and the docs print (:func:`describe_keys`).

Names of behaviours and policies are not listed here: they are the agents' own
(``agents.registry``), checked when a market is built from the scenario.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

#: The most firms a market may have. The engine's arrays grow linearly with the firms: at
#: 100,000 generated firms a compliance year takes about 15 s and 0.6 GB (eu-large, one core),
#: at 1,000,000 about 4 minutes and 3.2 GB, so the bound keeps a run on an ordinary machine.
MAX_FIRMS = 100_000


class ScenarioError(ValueError):
    """A scenario key is unknown, of the wrong type, or outside its allowed range."""


class ScenarioWarning(UserWarning):
    """A scenario is valid but will not run as it reads (e.g. its budget runs out early)."""


def spec(
    default: Any,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    choices: tuple | None = None,
    inf_allowed: bool = False,
    integer: bool = False,
    unit: str = "",
) -> Any:
    """Declare a configuration field with its range (closed unless ``lo_open``/``hi_open``).

    A float must be finite unless ``inf_allowed`` (only where ``doc`` says what inf means).
    A tuple default declares an interval ``[low, high]`` drawn from (``()``: not drawn), each
    end inside the range, of integers if ``integer``. ``unit`` is what axes and tables print
    beside the key (empty: a count or a share).
    """
    meta = {
        "doc": doc,
        "unit": unit,
        "lo": lo,
        "hi": hi,
        "lo_open": lo_open,
        "hi_open": hi_open,
        "choices": choices,
        "inf_allowed": inf_allowed,
        "integer": integer,
    }
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class MarketConfig:
    """Rules of the market and the firms' technology. Money is in coins, emissions in tonnes."""

    steps_per_year: int = spec(50, "trading rounds in a compliance year", lo=1, unit="rounds")
    years: int = spec(10, "compliance years in an episode", lo=1, unit="years")
    price_floor: int = spec(
        0, "lowest price tick (coins per allowance)", lo=0, unit="coins per allowance"
    )
    price_ceiling: int = spec(
        20, "highest price tick (coins per allowance)", lo=1, unit="coins per allowance"
    )
    penalty: float = spec(
        30.0, "fine per missing allowance at compliance (coins/t)", lo=0, unit="coins/t"
    )
    banking: bool = spec(False, "unused allowances carry over to the next year")
    make_good: bool = spec(False, "a compliance shortfall is still owed the next year (EU)")
    order_duration: int = spec(10, "rounds an order rests before it expires", lo=1, unit="rounds")
    max_orders: int = spec(5, "open orders a firm may hold at once", lo=1)
    budget: float = spec(
        200.0,
        "allowances the government may issue over the episode",
        lo=0,
        lo_open=True,
        unit="allowances",
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
    output_price: float = spec(
        10.0, "revenue per unit of output (coins)", lo=0, unit="coins per unit"
    )
    research: bool = spec(True, "firms may invest in R&D that lowers their emission rate")
    research_cost: float = spec(
        5.0, "cost of one R&D attempt is research_cost / R (coins)", lo=0, unit="coins"
    )
    research_success: float = spec(0.7, "probability an R&D attempt succeeds", lo=0, hi=1)
    research_delay: int = spec(5, "rounds before a success takes effect", lo=0)
    forget_after: int = spec(
        25, "rounds without R&D after which one unit of knowledge is lost", lo=1
    )
    research_effect: float = spec(0.1, "a in Er = exp(-a R n) S / (S + G)", lo=0)
    min_emission_rate: float = spec(
        0.02, "floor of the emission rate (t per unit output)", lo=0, unit="t per unit"
    )
    green_share: float = spec(
        0.1, "share of each year's release offered as green projects", lo=0, hi=1
    )
    green_project_cost: float = spec(
        10.0, "price of completing one green project (coins)", lo=0, unit="coins"
    )
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


@dataclass(frozen=True)
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
    supply_split: str = spec(
        "auction",
        "how msr, price-collar and price-target give out what they release: sold at auction, "
        "or free by a textbook rule",
        choices=("auction", "grandfathering", "benchmarking", "size", "equal"),
    )
    reserve_price_share: float = spec(
        0.1,
        "price-collar: the auction reserve price (the year's floor) as a share of the price "
        "ceiling",
        lo=0,
        hi=1,
    )
    ccr_trigger_share: float = spec(
        0.65,
        "price-collar: last year's average price, as a share of the ceiling, that releases "
        "the cost-containment reserve",
        lo=0,
        hi=1,
    )
    ccr_share: float = spec(
        0.1,
        "price-collar: share of the budget held in the cost-containment reserve (RGGI: 10%)",
        lo=0,
        hi=1,
    )
    target_price_share: float = spec(
        0.5,
        "price-target: the target price as a share of the price ceiling",
        lo=0,
        hi=1,
        lo_open=True,
    )
    target_gain: float = spec(
        0.5, "price-target: release change per unit of relative price gap", lo=0
    )


@dataclass(frozen=True)
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
        inf_allowed=True,
    )
    coins: float = spec(20.0, "initial coins", lo=0)
    allocation: float = spec(math.nan, "allowances per year under the 'scenario' policy", lo=0)
    behaviour: str = spec("rule-based", "trading behaviour (see `carbon-market behaviours`)")
    sector: str = spec("", "sector label (generated markets)")


@dataclass(frozen=True)
class GeneratorConfig:
    """Draws ``n_firms`` firms.

    A list draws uniformly from its values, ``{low, high}`` draws uniformly from the
    interval, a number is used as is.
    """

    n_firms: int = spec(5, "number of firms", lo=1, hi=MAX_FIRMS, unit="firms")
    capacity: Any = spec([1.0, 1.2, 1.4, 1.6], "capacity V")
    research_ability: Any = spec([1.0, 1.2, 1.4, 1.6], "R&D skill R")
    emission_rate: Any = spec(1.0, "initial emission rate (ignored when sectors are used)")
    coins: Any = spec(20.0, "initial coins")
    behaviour: str = spec("rule-based", "trading behaviour of every firm")
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


@dataclass(frozen=True)
class ShockConfig:
    """The uncertainty a regulator faces, drawn once per episode from the market's seed.

    Every switch is off by default (docs/shocks.md): the output price stays
    ``market.output_price``, the technology and the number of firms are the scenario's.
    The output price of year t is ``output_price x exp(x_t)``, times ``1 - depth`` in a
    recession's years, where ``x_t = rho x_(t-1) + sigma e_t`` (logs, e_t standard normal,
    x_0 drawn from the process's stationary spread).
    """

    output_price_rho: float = spec(
        0.0, "persistence rho of the yearly AR(1) in the log output price", lo=0, hi=1, hi_open=True
    )
    output_price_sigma: float = spec(
        0.0, "standard deviation sigma of the yearly shock to the log output price", lo=0, hi=1
    )
    recession_probability: float = spec(
        0.0, "probability that an episode holds one recession", lo=0, hi=1
    )
    recession_depth: tuple = spec(
        (0.2, 0.4),
        "fall of the output price in a recession (share), drawn uniformly from [low, high]",
        lo=0,
        hi=1,
        hi_open=True,
    )
    recession_years: tuple = spec(
        (1, 3),
        "length of a recession, drawn uniformly from [low, high]",
        lo=1,
        integer=True,
        unit="years",
    )
    recession_start: tuple = spec(
        (1, 5),
        "year (from 0) a recession starts, drawn uniformly from [low, high]; it may outlast "
        "the episode, or start after a shortened one",
        lo=0,
        integer=True,
        unit="years",
    )
    research_success_range: tuple = spec(
        (),
        "R&D success probability drawn per episode from [low, high]; "
        "empty: market.research_success",
        lo=0,
        hi=1,
    )
    research_ability_factor: tuple = spec(
        (),
        "every firm's R&D skill R times a factor drawn per episode from [low, high]; empty: 1",
        lo=0,
        lo_open=True,
    )
    n_firms_range: tuple = spec(
        (),
        "number of generated firms drawn per episode from [low, high]; empty: generator.n_firms",
        lo=1,
        hi=MAX_FIRMS,
        integer=True,
        unit="firms",
    )


def unit_of(key: str) -> str:
    """The unit of a flat scenario key (``--set`` and sweep names), "" if it has none."""
    for table in ("market", "government", "generator", "shocks"):
        for f in dataclasses.fields(TABLES[table]):
            if f.name == key:
                return f.metadata["unit"]
    return ""


def allowed_range(meta: dict) -> str:
    """The range a field's declaration allows, as errors print it (``> 0 and <= 1``)."""
    parts = []
    if meta.get("lo") is not None:
        parts.append(f"{'>' if meta.get('lo_open') else '>='} {meta['lo']}")
    if meta.get("hi") is not None:
        parts.append(f"{'<' if meta.get('hi_open') else '<='} {meta['hi']}")
    return " and ".join(parts)


TABLES: dict[str, type] = {
    "market": MarketConfig,
    "government": GovernmentConfig,
    "firms": FirmConfig,
    "generator": GeneratorConfig,
    "shocks": ShockConfig,
}


def default(table: str, key: str) -> Any:
    """The default of one key, e.g. ``default("market", "climate_coefficient")`` -> 0.2."""
    (found,) = (f for f in dataclasses.fields(TABLES[table]) if f.name == key)
    return found.default if found.default is not dataclasses.MISSING else found.default_factory()


def describe_keys() -> dict[str, list[tuple[str, Any, str]]]:
    """Every scenario key per table with its default and meaning (for docs and ``--help``)."""
    return {
        table: [
            (f.name, default(table, f.name), f.metadata["doc"]) for f in dataclasses.fields(cls)
        ]
        for table, cls in TABLES.items()
    }
