"""Allocation policies: how the government releases and splits allowances each year.

Every policy answers one question once a year, :meth:`Policy.allocate`: how many allowances to
release from the remaining budget and who gets them, free or at auction. The levers
(MODEL.md, "Government"): the released share of the budget, the split between firms
(weights), the auctioned share; a fixed share of every release becomes green projects.

Shipped policies (``carbon-market policies`` lists them):

* the paper's nine baselines, ``{flat, decreasing, convex}-{grandfathering, benchmarking,
  size}``: a yearly schedule of budget shares times a ranking rule that gives firms weights
  [7, 6, 5, 4, 3] by rank (size: [5, 5, 4, 3, 3], equal under the flat schedule);
* ``equal``: the flat schedule split equally;
* ``auction``: the flat schedule, every firm allowance sold in a uniform-price auction with
  the revenue recycled (lump-sum by default);
* ``eu-benchmark``: a cap falling by a linear reduction factor, free allocation of benchmark x
  last year's output (benchmark = mean emission rate of the cleanest 10% of the firm's sector),
  the rest auctioned (revenue recycled as ``government.recycling`` says);
* ``scenario``: the per-firm ``allocation`` of the scenario file every year (textbook markets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from agents.decisions import Allocation, Levers

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import GovernmentConfig

# Yearly budget shares of the paper's schedules, in percent of the 10-year budget.
SCHEDULES: dict[str, tuple[float, ...]] = {
    "flat": (10, 10, 10, 10, 10, 10, 10, 10, 10, 10),
    "decreasing": (16, 16, 14, 12, 10, 10, 8, 6, 4, 4),
    "convex": (6, 8, 10, 12, 14, 14, 12, 10, 8, 6),
}
RANK_WEIGHTS = (7, 6, 5, 4, 3)
SIZE_RANK_WEIGHTS = (5, 5, 4, 3, 3)


def schedule_share(schedule: str, year: int, years: int) -> float:
    """Share of the episode budget released in ``year`` (0-based) under a named schedule.

    The paper's schedules are given for 10 years; other horizons resample the profile and
    rescale it so the shares still sum to one. For 10 years this is the paper's table.
    """
    profile = np.asarray(SCHEDULES[schedule], dtype=float)
    if years == len(profile):
        return float(profile[year] / profile.sum())
    points = np.interp(np.linspace(0, len(profile) - 1, years), np.arange(len(profile)), profile)
    return float(points[year] / points.sum())


def rank_weights(key: np.ndarray, profile: tuple[int, ...]) -> np.ndarray:
    """Weights by rank: the firm with the largest ``key`` gets ``profile[0]``.

    Ties keep firm order. For N firms other than len(profile), the profile is interpolated
    over rank so that the top and bottom firms keep its end values.
    """
    n = len(key)
    order = np.argsort(-np.asarray(key, dtype=float), kind="stable")
    if n == len(profile):
        by_rank = np.asarray(profile, dtype=float)
    else:
        positions = np.linspace(0, len(profile) - 1, n) if n > 1 else np.zeros(1)
        by_rank = np.interp(positions, np.arange(len(profile)), profile)
    weights = np.empty(n)
    weights[order] = by_rank
    return weights


def split(amount: float, weights: np.ndarray) -> np.ndarray:
    """Whole allowances per firm: floor(amount x w_i / sum w); equal split if all weights are 0."""
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    shares = weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))
    return np.floor(amount * shares + 1e-9)


class Policy:
    """A government allocation rule. Subclasses implement :meth:`allocate`.

    Args:
        config: the scenario's ``[government]`` table.
    """

    name: ClassVar[str] = "policy"
    description: ClassVar[str] = ""

    def __init__(self, config: GovernmentConfig) -> None:
        self.config = config

    def allocate(self, view: MarketView) -> Allocation:
        """This year's allocation."""
        raise NotImplementedError

    @staticmethod
    def release_for(view: MarketView, share: float) -> tuple[float, int]:
        """Allowances released for a budget share, capped by the yearly maximum and what remains.

        Returns:
            ``(to_firms, green_projects)``: the firms' part and the green projects' part.
        """
        cfg = view.config
        release = min(
            share * view.budget,
            cfg.max_release_share * view.budget,
            view.remaining_budget,
        )
        green = int(np.floor(release * cfg.green_share + 1e-9))
        return release - green, green


class PaperBaseline(Policy):
    """A paper baseline: a yearly schedule times a ranking rule (reference/paper.md §7)."""

    RULES: ClassVar[tuple[str, ...]] = ("grandfathering", "benchmarking", "size")

    def __init__(self, config: GovernmentConfig, schedule: str, rule: str) -> None:
        super().__init__(config)
        self.schedule, self.rule = schedule, rule
        self.name = f"{schedule}-{rule}"

    def weights(self, view: MarketView) -> np.ndarray:
        """Weights by rank of last year's emissions, output per emission, or capacity."""
        ent = view.enterprises
        if self.rule == "grandfathering":
            return rank_weights(ent.last_year_emissions, RANK_WEIGHTS)
        if self.rule == "benchmarking":
            return rank_weights(ent.capacity / ent.emission_rate, RANK_WEIGHTS)
        if self.schedule == "flat":
            return np.ones(ent.n)
        return rank_weights(ent.capacity, SIZE_RANK_WEIGHTS)

    def allocate(self, view: MarketView) -> Allocation:
        """Release the schedule's share; split 90/10 between firms (by weight) and projects."""
        share = schedule_share(self.schedule, view.year, view.config.years)
        to_firms, green = self.release_for(view, share)
        return Allocation(split(to_firms, self.weights(view)), green_projects=green)


class EqualSplit(Policy):
    """The flat schedule split equally between firms."""

    name = "equal"
    description = "flat schedule (budget / years), split equally between firms"

    def allocate(self, view: MarketView) -> Allocation:
        """Release budget / years and give every firm the same whole number of allowances."""
        to_firms, green = self.release_for(view, 1.0 / view.config.years)
        return Allocation(split(to_firms, np.ones(view.enterprises.n)), green_projects=green)


class FullAuction(Policy):
    """The flat schedule sold in a uniform-price call auction; revenue recycled."""

    name = "auction"
    description = (
        "flat schedule, every firm allowance sold in a uniform-price call auction, "
        "revenue recycled lump-sum (government.recycling)"
    )

    def allocate(self, view: MarketView) -> Allocation:
        """Release budget / years, all of the firms' part to the auction."""
        to_firms, green = self.release_for(view, 1.0 / view.config.years)
        return Allocation(
            np.zeros(view.enterprises.n), auctioned=int(to_firms), green_projects=green
        )


class EUBenchmark(Policy):
    """EU-style: a linearly falling cap, benchmark-based free allocation, the rest auctioned.

    The cap of year y is ``base x (1 - LRF x y)``, with ``base`` chosen so the caps sum to the
    budget. Free allocation per firm = sector benchmark x activity (last year's output; in the
    first year, capacity x rounds). The benchmark is the mean emission rate of the cleanest
    ``benchmark_percentile`` percent of the firm's sector (all firms when there are no sectors).
    If free allocation exceeds the cap it is scaled down (a cross-sectoral correction factor).
    """

    name = "eu-benchmark"
    description = (
        "cap falling by a linear reduction factor, free allocation = sector "
        "benchmark x activity, the rest auctioned"
    )

    def benchmarks(self, view: MarketView) -> np.ndarray:
        """Benchmark emission rate per firm (t per unit output), from its sector's best firms."""
        ent = view.enterprises
        out = np.empty(ent.n)
        for sector in np.unique(ent.sector):
            members = np.flatnonzero(ent.sector == sector)
            rates = np.sort(ent.emission_rate[members])
            best = max(1, int(np.ceil(len(rates) * self.config.benchmark_percentile / 100)))
            out[members] = rates[:best].mean()
        return out

    def allocate(self, view: MarketView) -> Allocation:
        """Cap by the linear reduction factor; benchmark free allocation; auction the rest."""
        cfg, ent = view.config, view.enterprises
        factors = 1.0 - self.config.linear_reduction_factor * np.arange(cfg.years)
        to_firms, green = self.release_for(view, factors[view.year] / factors.sum())
        first_year = view.year == 0
        activity = ent.capacity * cfg.steps_per_year if first_year else ent.last_year_output
        wanted = self.benchmarks(view) * activity
        correction = min(1.0, to_firms / wanted.sum()) if wanted.sum() > 0 else 0.0
        free = np.floor(wanted * correction + 1e-9)
        return Allocation(free, auctioned=int(to_firms - free.sum()), green_projects=green)


class ScenarioAllocation(Policy):
    """The scenario file's per-firm ``allocation`` every year (a textbook market's holdings)."""

    name = "scenario"
    description = "each firm gets the allocation written in the scenario file, every year"

    def allocate(self, view: MarketView) -> Allocation:
        """Give each firm its fixed allocation while the budget lasts."""
        free = view.scenario_allocation.copy()
        remaining = view.remaining_budget
        if free.sum() > remaining:
            free = split(remaining, free)
        return Allocation(free)


ALLOCATION_RULES = ("grandfathering", "benchmarking", "size", "equal")


def rule_shares(view: MarketView) -> np.ndarray:
    """Each textbook allocation rule's split of a release, shape ``(4, n_firms)``, rows sum to 1.

    Rows follow :data:`ALLOCATION_RULES`: in proportion to last year's emissions
    (grandfathering; equal in the first year), to output per emission (benchmarking), to
    capacity (size), and equal.
    """
    ent = view.enterprises
    keys = np.stack(
        [ent.last_year_emissions, ent.capacity / ent.emission_rate, ent.capacity, np.ones(ent.n)]
    )
    totals = keys.sum(axis=1, keepdims=True)
    equal = np.full_like(keys, 1.0 / ent.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, keys / totals, equal)


class ManualPolicy(Policy):
    """Levers set from outside each year: by a person at the dashboard or a learned agent.

    The levers (:class:`~agents.decisions.Levers`) are part of the market's run state; the
    policy reads them at the start of each year (``view.levers``) and allocates with them.
    """

    name = "manual"
    description = "levers set each year by a person (dashboard) or a learned agent"

    def allocate(self, view: MarketView) -> Allocation:
        """Release and split as the levers say."""
        return allocate_with(view, view.levers)


def allocate_with(view: MarketView, levers: Levers) -> Allocation:
    """The allocation the government's levers give this year.

    Raises:
        ValueError: the weights are not one non-negative number per firm.
    """
    n = view.enterprises.n
    to_firms, green = Policy.release_for(view, max(0.0, levers.release_share))
    auctioned = int(np.floor(to_firms * levers.auction_share + 1e-9))
    weights = np.ones(n) if levers.weights is None else np.asarray(levers.weights, dtype=float)
    if weights.shape != (n,) or (weights < 0).any():
        raise ValueError(f"weights: expected {n} non-negative numbers, got {weights!r}")
    return Allocation(
        split(to_firms - auctioned, weights),
        auctioned=auctioned,
        green_projects=green,
        price_floor=levers.price_floor,
    )


#: The paper's nine baselines by name: ``(schedule, rule)``.
PAPER_BASELINES: dict[str, tuple[str, str]] = {
    f"{schedule}-{rule}": (schedule, rule) for rule in PaperBaseline.RULES for schedule in SCHEDULES
}
