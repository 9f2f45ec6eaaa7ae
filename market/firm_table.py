"""Turn a scenario's firms (explicit tables or a generator) into per-firm columns.

A generator draws each attribute from a list (uniform choice), a ``{low, high}`` interval
(uniform) or a fixed number, with the model's random generator, so a seed fixes the market.
With ``sectors``, each firm is put in a sector at random and draws its emission rate and its
marginal-abatement-cost band from ``data/calibration/sectors.csv``; the slope of its linear
marginal abatement cost is then ``c = MAC / (abatement_share x annual baseline emissions)``,
so the sector's cost band applies at that abatement share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from market.config import ScenarioError
from market.data import SECTOR_TABLE
from market.scenario import Scenario


@dataclass
class FirmTable:
    """One array per firm attribute, each of shape ``(n_firms,)``."""

    capacity: np.ndarray
    research_ability: np.ndarray
    emission_rate: np.ndarray
    baseline_emissions: np.ndarray
    abatement_cost: np.ndarray
    coins: np.ndarray
    allocation: np.ndarray
    behaviour: list[str]
    sector: np.ndarray


def load_sector_table() -> pd.DataFrame:
    """The calibration table: one row per (sector, quantity) with a low-high band and a source."""
    table = pd.read_csv(SECTOR_TABLE)
    if table["source_url"].isna().any():
        raise ValueError(f"{SECTOR_TABLE}: every row needs a source_url")
    return table


def _draw(rng: np.random.Generator, spec: Any, n: int) -> np.ndarray:
    if isinstance(spec, list):
        return rng.choice(np.asarray(spec, dtype=float), size=n)
    if isinstance(spec, dict):
        return rng.uniform(spec["low"], spec["high"], size=n)
    return np.full(n, float(spec))


def build_firms(scenario: Scenario, rng: np.random.Generator) -> FirmTable:
    """The firms of a scenario as columns; generated firms are drawn with ``rng``."""
    if scenario.firms is not None:
        firms = scenario.firms
        column = lambda key: np.array([getattr(f, key) for f in firms], dtype=float)  # noqa: E731
        return FirmTable(
            capacity=column("capacity"),
            research_ability=column("research_ability"),
            emission_rate=column("emission_rate"),
            baseline_emissions=column("baseline_emissions"),
            abatement_cost=column("abatement_cost"),
            coins=column("coins"),
            allocation=column("allocation"),
            behaviour=[f.behaviour for f in firms],
            sector=np.array([f.sector for f in firms], dtype=object),
        )
    gen, market = scenario.generator, scenario.market
    n = gen.n_firms
    capacity = _draw(rng, gen.capacity, n)
    table = FirmTable(
        capacity=capacity,
        research_ability=_draw(rng, gen.research_ability, n),
        emission_rate=_draw(rng, gen.emission_rate, n),
        baseline_emissions=np.full(n, np.nan),
        abatement_cost=np.full(n, np.inf),
        coins=_draw(rng, gen.coins, n),
        allocation=np.full(n, np.nan),
        behaviour=[gen.behaviour] * n,
        sector=np.full(n, "", dtype=object),
    )
    if gen.sectors:
        _draw_sectors(table, gen.sectors, gen.abatement_share, market.steps_per_year, rng)
    return table


def _draw_sectors(
    table: FirmTable,
    sectors: list[str],
    abatement_share: float,
    steps_per_year: int,
    rng: np.random.Generator,
) -> None:
    calibration = load_sector_table()
    known = set(calibration["sector"])
    for name in sectors:
        if name not in known:
            raise ScenarioError(
                f"generator.sectors: {name!r} is not in {SECTOR_TABLE.name}; "
                f"known: {', '.join(sorted(known))}"
            )
    n = len(table.capacity)
    choice = rng.integers(0, len(sectors), n)
    table.sector = np.asarray(sectors, dtype=object)[choice]
    bands = calibration.set_index(["sector", "quantity"])[["low", "high"]]
    for i, name in enumerate(sectors):
        members = np.flatnonzero(choice == i)
        low, high = bands.loc[(name, "emission_intensity")]
        table.emission_rate[members] = rng.uniform(low, high, members.size)
        low, high = bands.loc[(name, "marginal_abatement_cost")]
        mac = rng.uniform(low, high, members.size)
        annual = table.capacity[members] * steps_per_year * table.emission_rate[members]
        table.abatement_cost[members] = mac / (abatement_share * annual)


def episode_emissions_at_capacity(table: FirmTable, steps_per_year: int, years: int) -> float:
    """Tonnes the firms would emit over the episode at full capacity and initial rates."""
    return float(np.sum(table.capacity * table.emission_rate)) * steps_per_year * years


def episode_firms(
    scenario: Scenario, research_ability_factor: float, rng: np.random.Generator
) -> tuple[FirmTable, float]:
    """An episode's firms and its budget (allowances), drawn with the market's generator.

    Args:
        scenario: the episode's scenario (``market.shocks.episode_scenario``).
        research_ability_factor: the episode's factor on every firm's R&D skill (shocks).
        rng: the market's generator, as it is when the market is built.

    Returns:
        The firms, and the episode's budget: the scenario's, or ``cap_share`` of what the
        firms would emit at full capacity and initial rates.
    """
    cfg = scenario.market
    table = build_firms(scenario, rng)
    table.research_ability *= research_ability_factor
    budget = cfg.budget
    if scenario.generator is not None and scenario.generator.cap_share > 0:
        budget = scenario.generator.cap_share * episode_emissions_at_capacity(
            table, cfg.steps_per_year, cfg.years
        )
    return table, budget
