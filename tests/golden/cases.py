"""Golden trajectories: the economics as recorded before the structure change (commit c9a9ea5).

Every case is one episode, fixed by scenario, overrides and seed. ``play`` runs it and returns
what must never change unless a change of the economics is intended: the trade ledger (round,
year, buyer, seller, price, quantity) and, at the end of every compliance year, every model
measure, the year's record and each firm's holdings and coins. ``python -m tests.golden.record``
writes them to ``tests/golden/data``; ``test_golden.py`` replays every case against them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import CarbonMarket

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
SEEDS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Case:
    """One recorded episode."""

    scenario: str
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """A stable identifier, e.g. ``paper-policy=auction-seed=3``."""
        parts = [
            self.scenario,
            *(f"{k}={Path(str(v)).name}" for k, v in sorted(self.overrides.items())),
        ]
        return "-".join([*parts, f"seed={self.seed}"])

    @property
    def group(self) -> str:
        """The case without its seed: the cases that differ only by seed share it."""
        return self.name.rpartition("-seed=")[0]

    def __hash__(self) -> int:
        return hash(self.name)


def _cases() -> list[Case]:
    policies = {
        "paper": (
            "flat-grandfathering",
            "decreasing-benchmarking",
            "convex-size",
            "auction",
            "eu-benchmark",
            "manual",
        ),
        "classroom": ("scenario", "equal", "auction", "flat-grandfathering"),
        "classroom-12": ("scenario", "equal", "auction", "decreasing-size"),
        "eu-large": ("eu-benchmark", "flat-benchmarking", "auction", "equal"),
    }
    sizes = {"eu-large": {"n_firms": 100}}
    cases = [
        Case(scenario, seed, {**sizes.get(scenario, {}), "policy": policy})
        for scenario, names in policies.items()
        for policy in names
        for seed in SEEDS
    ]
    behaviours = ("zi-c", "zi-u", "truthful", "rule-based")
    cases += [
        Case(scenario, seed, {**sizes.get(scenario, {}), "behaviour": behaviour})
        for scenario in policies
        for behaviour in behaviours
        for seed in SEEDS[:2]
    ]
    # Learned decision rules: the shipped regulator, and learned firms beside rule-based ones.
    cases += [Case("paper", seed, {"policy": "learned:shipped"}) for seed in SEEDS]
    cases += [Case("paper", seed, {"learned_share": 0.5}) for seed in SEEDS[:2]]
    cases += [
        Case(
            "classroom-12",
            seed,
            {
                "behaviour": "learned",
                "enterprise_policy": str(ROOT / "data/policies/enterprises-classroom-12.zip"),
            },
        )
        for seed in SEEDS[:2]
    ]
    return cases


CASES = _cases()


def play(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a case to its end: ``(trades, years)``, both with a ``case`` column."""
    market = CarbonMarket(case.scenario, seed=case.seed, **case.overrides)
    while market.running:
        market.step()
    trades = market.datacollector.get_table_dataframe("trades")
    rounds = market.datacollector.get_model_vars_dataframe()
    cfg = market.config
    year_ends = rounds[rounds["round"] % cfg.steps_per_year == 0].iloc[1:].reset_index(drop=True)
    records = pd.DataFrame(market.year_records).add_prefix("record_")
    years = pd.concat([year_ends, records], axis=1)
    allocations = np.asarray(market.government.allocations, dtype=float)
    # Per-firm vectors as JSON text: exact (floats print as repr) and easy to diff.
    years["allocation"] = [json.dumps(row.tolist()) for row in allocations]
    years["final_coins"] = json.dumps(market.accounts.total_coins().tolist())
    years["final_allowances"] = json.dumps(market.accounts.total_allowances().tolist())
    for frame in (trades, years):
        frame.insert(0, "case", case.name)
    return trades.astype({"price": float, "quantity": float}), years
