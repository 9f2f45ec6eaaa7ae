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

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from agents import allocation_kernels as kernels
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


def rank_profile(n: int, profile: tuple[int, ...]) -> np.ndarray:
    """The weight of each rank for ``n`` firms: ``profile`` itself for ``len(profile)`` firms.

    For other N the profile is interpolated over rank so that the top and bottom firms keep
    its end values.
    """
    if n == len(profile):
        return np.asarray(profile, dtype=float)
    positions = np.linspace(0, len(profile) - 1, n) if n > 1 else np.zeros(1)
    return np.interp(positions, np.arange(len(profile)), profile)


def rank_weights(key: np.ndarray, profile: tuple[int, ...]) -> np.ndarray:
    """Weights by rank: the firm with the largest ``key`` gets ``profile[0]``; ties keep order."""
    key = np.asarray(key, dtype=float)
    return kernels.rank_weights(key, rank_profile(len(key), profile))


def split(amount: float, weights: np.ndarray) -> np.ndarray:
    """Whole allowances per firm: floor(amount x w_i / sum w); equal split if all weights are 0."""
    return kernels.split(float(amount), np.asarray(weights, dtype=float))


@dataclass(frozen=True)
class ScheduledRule:
    """A policy that is a table of yearly budget shares times a split, as the kernels take it.

    Attributes:
        shares: the budget share released each year, shape ``(years,)``.
        split: how the firms' part is split (``agents.allocation_kernels.RANKED`` ...).
        key: what a ranked split ranks by (``agents.allocation_kernels.BY_EMISSIONS`` ...).
        by_rank: the weight of each rank, shape ``(n_firms,)``.
    """

    shares: np.ndarray
    split: int
    key: int = kernels.BY_EMISSIONS
    by_rank: np.ndarray | None = None


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

    def scheduled(self, n_firms: int, years: int) -> ScheduledRule | None:
        """The policy as yearly shares times a split, if it is one; None if it decides in Python.

        A batch allocates every lane of such a policy in one call a year.
        """
        return None

    @staticmethod
    def release_for(view: MarketView, share: float) -> tuple[float, int]:
        """Allowances released for a budget share, capped by the yearly maximum and what remains.

        Returns:
            ``(to_firms, green_projects)``: the firms' part and the green projects' part.
        """
        cfg = view.config
        return kernels.release_for(
            float(share),
            float(view.budget),
            float(view.remaining_budget),
            cfg.max_release_share,
            cfg.green_share,
        )


def allocate_scheduled(view: MarketView, rule: ScheduledRule) -> Allocation:
    """This year's allocation under a :class:`ScheduledRule`: the batch's kernel on one market."""
    cfg, ent = view.config, view.enterprises
    by_rank = np.ones(ent.n) if rule.by_rank is None else rule.by_rank
    free, auctioned, green = kernels.scheduled_allocations(
        view.year,
        rule.shares[None],
        np.array([rule.split]),
        np.array([rule.key]),
        by_rank[None],
        np.array([float(view.budget)]),
        np.array([float(view.remaining_budget)]),
        np.array([cfg.max_release_share]),
        np.array([cfg.green_share]),
        np.stack([getattr(ent, name) for name in kernels.RANKED_COLUMNS])[None],
    )
    return Allocation(free[0], int(auctioned[0]), int(green[0]))


class PaperBaseline(Policy):
    """A paper baseline: a yearly schedule times a ranking rule (reference/paper.md §7)."""

    RULES: ClassVar[tuple[str, ...]] = ("grandfathering", "benchmarking", "size")

    def __init__(self, config: GovernmentConfig, schedule: str, rule: str) -> None:
        super().__init__(config)
        self.schedule, self.rule = schedule, rule
        self.name = f"{schedule}-{rule}"

    def scheduled(self, n_firms: int, years: int) -> ScheduledRule:
        """The schedule's shares, weights by rank of the rule's key.

        The keys: last year's emissions, output per emission or capacity (the flat
        schedule's size rule splits equally).
        """
        shares = np.array([schedule_share(self.schedule, y, years) for y in range(years)])
        if self.rule == "size" and self.schedule == "flat":
            return ScheduledRule(shares, kernels.EQUAL)
        key, profile = {
            "grandfathering": (kernels.BY_EMISSIONS, RANK_WEIGHTS),
            "benchmarking": (kernels.BY_OUTPUT_PER_EMISSION, RANK_WEIGHTS),
            "size": (kernels.BY_CAPACITY, SIZE_RANK_WEIGHTS),
        }[self.rule]
        return ScheduledRule(shares, kernels.RANKED, key, rank_profile(n_firms, profile))

    def allocate(self, view: MarketView) -> Allocation:
        """Release the schedule's share; split 90/10 between firms (by weight) and projects."""
        return allocate_scheduled(view, self.scheduled(view.enterprises.n, view.config.years))


class EqualSplit(Policy):
    """The flat schedule split equally between firms."""

    name = "equal"
    description = "flat schedule (budget / years), split equally between firms"

    def scheduled(self, n_firms: int, years: int) -> ScheduledRule:
        """Budget / years every year, split equally."""
        return ScheduledRule(np.full(years, 1.0 / years), kernels.EQUAL)

    def allocate(self, view: MarketView) -> Allocation:
        """Release budget / years and give every firm the same whole number of allowances."""
        return allocate_scheduled(view, self.scheduled(view.enterprises.n, view.config.years))


class FullAuction(Policy):
    """The flat schedule sold in a uniform-price call auction; revenue recycled."""

    name = "auction"
    description = (
        "flat schedule, every firm allowance sold in a uniform-price call auction, "
        "revenue recycled lump-sum (government.recycling)"
    )

    def scheduled(self, n_firms: int, years: int) -> ScheduledRule:
        """Budget / years every year, all of the firms' part auctioned."""
        return ScheduledRule(np.full(years, 1.0 / years), kernels.AUCTIONED)

    def allocate(self, view: MarketView) -> Allocation:
        """Release budget / years, all of the firms' part to the auction."""
        return allocate_scheduled(view, self.scheduled(view.enterprises.n, view.config.years))


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
        return kernels.sector_benchmarks(
            sector_codes(ent.sector), ent.emission_rate, self.config.benchmark_percentile
        )

    def allocate(self, view: MarketView) -> Allocation:
        """Cap by the linear reduction factor; benchmark free allocation; auction the rest.

        The batch's kernel (:func:`agents.allocation_kernels.benchmark_allocations`) on one
        market.
        """
        cfg, ent, gov = view.config, view.enterprises, self.config
        free, auctioned, green = kernels.benchmark_allocations(
            view.year,
            cfg.years,
            np.array([gov.linear_reduction_factor]),
            np.array([gov.benchmark_percentile]),
            np.array([cfg.steps_per_year]),
            np.array([float(view.budget)]),
            np.array([float(view.remaining_budget)]),
            np.array([cfg.max_release_share]),
            np.array([cfg.green_share]),
            sector_codes(ent.sector)[None],
            np.stack([getattr(ent, name) for name in kernels.BENCHMARK_COLUMNS])[None],
        )
        return Allocation(free[0], auctioned=int(auctioned[0]), green_projects=int(green[0]))


def sector_codes(sector: np.ndarray) -> np.ndarray:
    """Each firm's sector label as a code from 0 (the labels' sorted order), int64."""
    return np.unique(sector, return_inverse=True)[1].astype(np.int64).reshape(-1)


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
    return kernels.rule_shares(ent.last_year_emissions, ent.capacity, ent.emission_rate)


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
