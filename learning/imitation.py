"""A policy's open-loop imitation: what it does on average, replayed as a fixed schedule.

The direct test of adaptation (issue "Does adaptation pay?"): a regulator that reacts to
what it observes must beat the schedule that releases, every year, what it released on
average, and splits as it split on average, without observing anything. If the schedule
does as well, the regulator learned a schedule, not a rule.

:func:`open_loop_imitation` plays a policy on training seeds and records, for each year,

* the release as a share of the episode budget (its mean over the seeds is the schedule's
  ``release_shares``);
* the firms' shares of the year's allocation, which it explains as a non-negative mix of the
  textbook split rules (``agents.policies.rule_shares``) by non-negative least squares over
  every year and seed (the schedule's ``rule_weights``);
* the auctioned share of the firms' part (its mean is ``auction_share``).

``carbon-market imitate-schedule`` writes the imitation; ``optimize-schedule --start`` refines
it with the same search the schedule baseline uses, on training seeds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from agents.policies import ALLOCATION_RULES, rule_shares
from agents.schedule import Schedule
from learning.seeds import EVALUATION_SEED_START
from model import CarbonMarket

#: Training seeds of an imitation (below the evaluation seeds, apart from the search's).
IMITATION_SEED_START = 700_000_000


@dataclass(frozen=True)
class Imitation:
    """A policy's open-loop imitation and what it was fitted from.

    Attributes:
        schedule: the imitating schedule.
        yearly_shares: each seed's release share per year, shape ``(seeds, years)``.
        split_residual: root-mean-square error of the fitted rule mix in the firms' shares
            of a year's allocation (0: the policy splits exactly as a fixed mix of rules).
    """

    schedule: Schedule
    yearly_shares: np.ndarray
    split_residual: float


def imitation_seeds(count: int) -> list[int]:
    """``count`` training seeds for an imitation."""
    seeds = list(range(IMITATION_SEED_START, IMITATION_SEED_START + count))
    if seeds[-1] >= EVALUATION_SEED_START:
        raise ValueError("seeds: too many for the imitation's block of training seeds")
    return seeds


def open_loop_imitation(
    scenario: str | Path,
    policy: str,
    seeds: Sequence[int],
    climate_coefficient: float | None = None,
) -> Imitation:
    """Play ``policy`` on ``seeds`` and fit the schedule that imitates it (module docstring).

    Args:
        scenario: a scenario name or TOML path.
        policy: any policy name (``learned:PATH``, ``schedule:FILE``, ``msr``, ...).
        seeds: the training seeds to play.
        climate_coefficient: c the policy is played at (a learned regulator observes it);
            None: the scenario's.

    Raises:
        ValueError: no seeds, or an evaluation seed among them.
    """
    if not len(seeds):
        raise ValueError("seeds: an imitation needs at least one seed")
    if max(seeds) >= EVALUATION_SEED_START:
        raise ValueError(
            f"seeds: an imitation plays training seeds only (< {EVALUATION_SEED_START})"
        )
    overrides = {"policy": policy}
    if climate_coefficient is not None:
        overrides["climate_coefficient"] = climate_coefficient
    shares, rules, splits, auctioned = [], [], [], []
    for seed in seeds:
        market = CarbonMarket(scenario, seed=int(seed), **overrides)
        spy = market.config.steps_per_year
        yearly = []
        while market.running:
            opening = market.steps % spy == 0
            if opening:
                year_rules = rule_shares(market.view)
            market.step()
            if not opening:
                continue
            run = market.run
            yearly.append(run.release / run.budget if run.budget > 0 else 0.0)
            free, sold = run.allocations[-1], run.auctions[-1].sold
            to_firms = float(free.sum())
            if to_firms > 0:
                rules.append(year_rules)
                splits.append(free / to_firms)
                auctioned.append(sold / to_firms)
        shares.append(yearly)
    yearly_shares = np.asarray(shares, dtype=float)
    weights, residual = _rule_mix(rules, splits)
    schedule = Schedule(
        tuple(yearly_shares.mean(axis=0).tolist()),
        tuple(weights.tolist()),
        float(np.mean(auctioned)) if auctioned else 0.0,
    )
    return Imitation(schedule, yearly_shares, residual)


def _rule_mix(rules: list[np.ndarray], splits: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """Non-negative rule weights (summing to 1) that best explain the splits, and the RMSE."""
    if not rules:  # nothing went to the firms: any mix splits nothing
        return np.full(len(ALLOCATION_RULES), 1.0 / len(ALLOCATION_RULES)), 0.0
    design = np.concatenate([r.T for r in rules])  # (years x firms, rules)
    target = np.concatenate(splits)
    weights, _ = nnls(design, target)
    if weights.sum() <= 0:
        weights = np.ones(len(ALLOCATION_RULES))
    weights = weights / weights.sum()
    residual = float(np.sqrt(np.mean((design @ weights - target) ** 2)))
    return weights, residual
