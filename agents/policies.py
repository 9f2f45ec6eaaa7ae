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

if TYPE_CHECKING:
    from model.market import CarbonMarket
    from model.scenario import GovernmentConfig

# Yearly budget shares of the paper's schedules, in percent of the 10-year budget.
SCHEDULES: dict[str, tuple[float, ...]] = {
    "flat": (10, 10, 10, 10, 10, 10, 10, 10, 10, 10),
    "decreasing": (16, 16, 14, 12, 10, 10, 8, 6, 4, 4),
    "convex": (6, 8, 10, 12, 14, 14, 12, 10, 8, 6),
}
RANK_WEIGHTS = (7, 6, 5, 4, 3)
SIZE_RANK_WEIGHTS = (5, 5, 4, 3, 3)


@dataclass
class Allocation:
    """One year's release of allowances.

    Attributes:
        free: allowances given free to each firm, shape ``(n_firms,)``, whole numbers.
        auctioned: allowances sold in the call auction before trading opens.
        green_projects: allowances released as green projects (offsets firms may complete).
        price_floor: a new lowest price tick for the year's trading (None: unchanged).
    """

    free: np.ndarray
    auctioned: int = 0
    green_projects: int = 0
    price_floor: int | None = None

    @property
    def release(self) -> float:
        """Allowances this allocation takes from the budget."""
        return float(self.free.sum()) + self.auctioned + self.green_projects


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

    def allocate(self, market: CarbonMarket) -> Allocation:
        """This year's allocation."""
        raise NotImplementedError

    @staticmethod
    def release_for(market: CarbonMarket, share: float) -> tuple[float, int]:
        """Allowances released for a budget share, capped by the yearly maximum and what remains.

        Returns:
            ``(to_firms, green_projects)``: the firms' part and the green projects' part.
        """
        cfg = market.config
        release = min(
            share * cfg.budget,
            cfg.max_release_share * cfg.budget,
            market.government.remaining_budget,
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

    def weights(self, market: CarbonMarket) -> np.ndarray:
        """Weights by rank of last year's emissions, output per emission, or capacity."""
        ent = market.enterprises
        if self.rule == "grandfathering":
            return rank_weights(ent.last_year_emissions, RANK_WEIGHTS)
        if self.rule == "benchmarking":
            return rank_weights(ent.capacity / ent.emission_rate, RANK_WEIGHTS)
        if self.schedule == "flat":
            return np.ones(ent.n)
        return rank_weights(ent.capacity, SIZE_RANK_WEIGHTS)

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Release the schedule's share; split 90/10 between firms (by weight) and projects."""
        share = schedule_share(self.schedule, market.year, market.config.years)
        to_firms, green = self.release_for(market, share)
        return Allocation(split(to_firms, self.weights(market)), green_projects=green)


class EqualSplit(Policy):
    """The flat schedule split equally between firms."""

    name = "equal"
    description = "flat schedule (budget / years), split equally between firms"

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Release budget / years and give every firm the same whole number of allowances."""
        to_firms, green = self.release_for(market, 1.0 / market.config.years)
        return Allocation(split(to_firms, np.ones(market.enterprises.n)), green_projects=green)


class FullAuction(Policy):
    """The flat schedule sold in a uniform-price call auction; revenue recycled."""

    name = "auction"
    description = (
        "flat schedule, every firm allowance sold in a uniform-price call auction, "
        "revenue recycled lump-sum (government.recycling)"
    )

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Release budget / years, all of the firms' part to the auction."""
        to_firms, green = self.release_for(market, 1.0 / market.config.years)
        return Allocation(
            np.zeros(market.enterprises.n), auctioned=int(to_firms), green_projects=green
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

    def benchmarks(self, market: CarbonMarket) -> np.ndarray:
        """Benchmark emission rate per firm (t per unit output), from its sector's best firms."""
        ent = market.enterprises
        out = np.empty(ent.n)
        for sector in np.unique(ent.sector):
            members = np.flatnonzero(ent.sector == sector)
            rates = np.sort(ent.emission_rate[members])
            best = max(1, int(np.ceil(len(rates) * self.config.benchmark_percentile / 100)))
            out[members] = rates[:best].mean()
        return out

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Cap by the linear reduction factor; benchmark free allocation; auction the rest."""
        cfg, ent = market.config, market.enterprises
        factors = 1.0 - self.config.linear_reduction_factor * np.arange(cfg.years)
        to_firms, green = self.release_for(market, factors[market.year] / factors.sum())
        first_year = market.year == 0
        activity = ent.capacity * cfg.steps_per_year if first_year else ent.last_year_output
        wanted = self.benchmarks(market) * activity
        correction = min(1.0, to_firms / wanted.sum()) if wanted.sum() > 0 else 0.0
        free = np.floor(wanted * correction + 1e-9)
        return Allocation(free, auctioned=int(to_firms - free.sum()), green_projects=green)


class ScenarioAllocation(Policy):
    """The scenario file's per-firm ``allocation`` every year (a textbook market's holdings)."""

    name = "scenario"
    description = "each firm gets the allocation written in the scenario file, every year"

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Give each firm its fixed allocation while the budget lasts."""
        free = market.enterprises_allocation.copy()
        remaining = market.government.remaining_budget
        if free.sum() > remaining:
            free = split(remaining, free)
        return Allocation(free)


ALLOCATION_RULES = ("grandfathering", "benchmarking", "size", "equal")


def rule_shares(market: CarbonMarket) -> np.ndarray:
    """Each textbook allocation rule's split of a release, shape ``(4, n_firms)``, rows sum to 1.

    Rows follow :data:`ALLOCATION_RULES`: in proportion to last year's emissions
    (grandfathering; equal in the first year), to output per emission (benchmarking), to
    capacity (size), and equal.
    """
    ent = market.enterprises
    keys = np.stack(
        [ent.last_year_emissions, ent.capacity / ent.emission_rate, ent.capacity, np.ones(ent.n)]
    )
    totals = keys.sum(axis=1, keepdims=True)
    equal = np.full_like(keys, 1.0 / ent.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, keys / totals, equal)


class ManualPolicy(Policy):
    """Levers set from outside each year: by a person at the dashboard or a learned agent.

    Attributes:
        release_share: share of the episode budget to release this year (capped by
            ``market.max_release_share`` and what remains).
        weights: split between firms, shape ``(n_firms,)``; None splits equally.
        auction_share: share of the firms' part sold in the call auction.
        price_floor: lowest price tick for the year's trading; None leaves it.
    """

    name = "manual"
    description = "levers set each year by a person (dashboard) or a learned agent"

    def __init__(self, config: GovernmentConfig) -> None:
        super().__init__(config)
        self.release_share = 0.1
        self.weights: np.ndarray | None = None
        self.auction_share = 0.0
        self.price_floor: int | None = None

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Release and split as the levers say."""
        n = market.enterprises.n
        to_firms, green = self.release_for(market, max(0.0, self.release_share))
        auctioned = int(np.floor(to_firms * self.auction_share + 1e-9))
        weights = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=float)
        if weights.shape != (n,) or (weights < 0).any():
            raise ValueError(f"weights: expected {n} non-negative numbers, got {weights!r}")
        return Allocation(
            split(to_firms - auctioned, weights),
            auctioned=auctioned,
            green_projects=green,
            price_floor=self.price_floor,
        )


def _paper_baselines() -> dict[str, type[Policy] | tuple]:
    return {
        f"{schedule}-{rule}": (schedule, rule)
        for rule in PaperBaseline.RULES
        for schedule in SCHEDULES
    }


POLICIES: dict[str, str] = {
    **{
        name: f"paper baseline: {s} schedule, {r} ranking"
        for name, (s, r) in _paper_baselines().items()
    },
    EqualSplit.name: EqualSplit.description,
    FullAuction.name: FullAuction.description,
    EUBenchmark.name: EUBenchmark.description,
    ScenarioAllocation.name: ScenarioAllocation.description,
    ManualPolicy.name: ManualPolicy.description,
}

#: Policies named by a pattern rather than a fixed name.
POLICY_PATTERNS: dict[str, str] = {
    "learned:PATH": "a trained regulator: a .zip saved by `carbon-market train-regulator`",
}


def make_policy(config: GovernmentConfig) -> Policy:
    """Build the policy the ``[government]`` table names."""
    baselines = _paper_baselines()
    if config.policy in baselines:
        return PaperBaseline(config, *baselines[config.policy])
    for cls in (EqualSplit, FullAuction, EUBenchmark, ScenarioAllocation, ManualPolicy):
        if config.policy == cls.name:
            return cls(config)
    if config.policy.startswith("learned:"):
        # Learned regulators live in learning/ (they need torch): loaded only when asked for.
        from learning.learned_policy import load_learned_policy

        return load_learned_policy(config, config.policy.removeprefix("learned:"))
    raise ValueError(f"government.policy: {config.policy!r} is not one of {', '.join(POLICIES)}")
