"""Running an episode and summarising it: what `carbon-market simulate` and `theory` print."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from market import metrics
from market.theory import competitive_equilibrium, unit_permit_equilibrium
from model.carbon_market import CarbonMarket

#: The unit of every figure :func:`episode_summary` and :func:`theory_report` give ("" for
#: a pure number: an index, a share or a count of rounds).
UNITS = {
    "welfare": "",
    "equality": "",
    "productivity": "coins per firm",
    "total_emissions": "t",
    "over_emission": "t",
    "mean_price": "coins per allowance",
    "volume": "allowances",
    "allowances_issued": "allowances",
    "penalties_paid": "coins",
    "abatement_cost": "coins",
    "allocative_efficiency": "",
    "green_projects": "projects",
    "rejected_orders": "orders",
    "equilibrium_price": "coins per allowance",
    "abatement": "t per year, per firm",
    "least_total_cost": "coins per year",
    "unit_permit_max_gains": "coins per year",
    "competitive_price_interval": "coins per allowance",
    "unit_permit_least_cost": "coins per year",
    "smiths_alpha": "% of p*",
    "abatement_cost_per_year": "coins per year",
}

#: What a figure means, where its name alone does not say.
MEANINGS = {
    "smiths_alpha": "Smith's alpha: the root-mean-square gap between trade prices and the "
    "equilibrium price p*, in percent of p* (0: every trade at p*)",
    "allocative_efficiency": "share of the year's maximum gains from trade realised "
    "(1: all of them), averaged over the years that had gains to make",
    "equality": "1 - the normalised Gini of the firms' coins (1: all equal, 0: one owns all)",
    "welfare": "equality x productivity x exp(-c x over-emission) (MODEL.md)",
}


def run_episode(market: CarbonMarket, progress: bool = False) -> CarbonMarket:
    """Step the market until its episode ends, with an optional progress bar."""
    cfg = market.config
    total = cfg.steps_per_year * cfg.years
    with tqdm(total=total, disable=not progress, unit="round", desc=market.scenario.name) as bar:
        while market.running:
            market.step()
            bar.update()
    return market


def trades_frame(market: CarbonMarket) -> pd.DataFrame:
    """The trade ledger: round, year, buyer, seller, price (coins), quantity (allowances)."""
    return market.datacollector.get_table_dataframe("trades")


def episode_summary(market: CarbonMarket) -> dict[str, Any]:
    """The episode's headline metrics (MODEL.md "Metrics"), as plain numbers.

    Units: coins for productivity, tonnes for emissions and over-emission, coins per allowance
    for prices, allowances for volume.
    """
    trades = trades_frame(market)
    m = market.measures
    ent = market.enterprises
    return {
        "scenario": market.scenario.name,
        "policy": market.government.policy.name,
        "rounds": market.steps,
        "welfare": m["welfare"],
        "equality": m["equality"],
        "productivity": m["productivity"],
        "total_emissions": float(ent.emitted_total.sum()),
        "over_emission": m["over_emission"],
        "mean_price": metrics.vwap(trades["price"], trades["quantity"]) if len(trades) else None,
        "volume": int(trades["quantity"].sum()) if len(trades) else 0,
        "allowances_issued": market.allowances_issued,
        "penalties_paid": market.penalties_paid,
        "abatement_cost": market.abatement_spent,
        "allocative_efficiency": mean_efficiency(market),
        "green_projects": ent.green_projects_completed,
        "rejected_orders": market.rejected_orders,
    }


def mean_efficiency(market: CarbonMarket) -> float | None:
    """Mean allocative efficiency over the years that have one (None if none has).

    A year whose holdings already minimise the compliance cost has no gains from trade to
    realise, so its efficiency is undefined; a production market has none in any year.
    """
    years = [e for e in market.efficiency_by_year if not math.isnan(e)]
    return float(np.mean(years)) if years else None


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as Parquet or CSV, chosen by the file's suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    elif path.suffix == ".csv":
        frame.to_csv(path)
    else:
        raise ValueError(f"--out: {path.name} must end in .parquet or .csv")


def theory_report(scenario: str, seeds: int, **overrides: Any) -> dict[str, Any]:
    """Closed-form equilibrium of a textbook scenario and what the simulated market reached.

    Raises:
        ValueError: the scenario is not a textbook market (it has production).
    """
    first = CarbonMarket(scenario, seed=0, **overrides)
    if first.config.production:
        raise ValueError(
            f"theory: {first.scenario.name!r} is not a textbook market "
            "(market.production = true); try classroom or classroom-12"
        )
    ent, cfg = first.enterprises, first.config
    holdings = first.scenario_allocation
    equilibrium = competitive_equilibrium(
        ent.baseline_emissions, ent.abatement_cost, holdings.sum(), cfg.penalty
    )
    units = unit_permit_equilibrium(
        ent.baseline_emissions, ent.abatement_cost, holdings, cfg.penalty
    )
    runs = []
    for seed in range(seeds):
        market = run_episode(CarbonMarket(scenario, seed=seed, **overrides))
        trades = trades_frame(market)
        runs.append(
            {
                "seed": seed,
                "mean_price": metrics.vwap(trades["price"], trades["quantity"]),
                "allocative_efficiency": mean_efficiency(market),
                "smiths_alpha": metrics.smiths_alpha(trades["price"], equilibrium.price),
                "abatement_cost_per_year": market.abatement_spent / cfg.years,
            }
        )
    simulated = pd.DataFrame(runs, dtype=float)  # an undefined metric (None) is nan
    return {
        "scenario": first.scenario.name,
        "equilibrium_price": equilibrium.price,
        "abatement": equilibrium.abatement.tolist(),
        "least_total_cost": equilibrium.least_cost,
        "price_capped_by_penalty": bool(equilibrium.price_capped),
        "unit_permit_max_gains": units.max_gains_from_trade,
        "competitive_price_interval": [units.price_low, units.price_high],
        "unit_permit_least_cost": units.least_cost,
        "seeds": seeds,
        "simulated_mean": simulated.drop(columns="seed").mean().to_dict(),
        "simulated_std": simulated.drop(columns="seed").std(ddof=1).to_dict(),
    }
