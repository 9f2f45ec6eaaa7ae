"""Supply rules of real emissions-trading systems: policies that react to the market each year.

Each starts from the flat schedule (an equal share of the budget every year) and adjusts the
year's release to what it observes, as the real systems do (``reference/domain.md``):

* ``msr``: the EU's market stability reserve. Each year it reads the allowances in
  circulation (TNAC) and withholds part of the release into a reserve when the TNAC is above
  the upper threshold, or releases from the reserve when it is below the lower one
  (Decision (EU) 2015/1814 as amended). The EU's thresholds, in allowances, are scaled to the
  scenario by the ratio of a flat year's release to the EU's 2021 cap.
* ``price-collar``: an auction reserve price (a floor) and a cost-containment reserve held
  back from the schedule and released in any year that follows one whose average price
  reached the trigger (RGGI's CCR, California's APCR).
* ``price-target``: a feedback rule. The release moves by ``target_gain`` times last year's
  relative price gap: more allowances after a year priced above the target, fewer below.

What each releases goes to the firms as ``government.supply_split`` says: sold in the
uniform-price auction (with the revenue recycled as ``government.recycling`` says), or given
free by one of the textbook allocation rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import Allocation
from agents.policies import ALLOCATION_RULES, Policy, rule_shares, split

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import GovernmentConfig

#: The EU ETS stationary cap of 2021 (allowances), the scale of the MSR's thresholds
#: (EC, "Emissions cap and allowances"; ``reference/domain.md``).
EU_CAP_2021 = 1_571_583_007


@dataclass(frozen=True)
class ReserveRule:
    """The EU MSR's rule in allowances (defaults: the EU's from 2024, ``reference/domain.md``).

    Attributes:
        upper: TNAC above which allowances go into the reserve (833 M).
        buffer_top: top of the buffer band, where the intake is the TNAC above ``upper``
            (1,096 M); above it the intake is ``intake_rate`` of the TNAC.
        intake_rate: share of the TNAC taken in above the buffer band (24%).
        lower: TNAC below which the reserve releases (400 M).
        release: allowances released from the reserve in such a year (100 M).
    """

    upper: float = 833_000_000
    buffer_top: float = 1_096_000_000
    intake_rate: float = 0.24
    lower: float = 400_000_000
    release: float = 100_000_000

    def scaled(self, factor: float) -> ReserveRule:
        """The rule with every quantity times ``factor`` (the rate unchanged)."""
        return ReserveRule(
            self.upper * factor,
            self.buffer_top * factor,
            self.intake_rate,
            self.lower * factor,
            self.release * factor,
        )

    def intake(self, tnac: float) -> float:
        """Allowances withheld into the reserve for a year with ``tnac`` in circulation."""
        if tnac > self.buffer_top:
            return self.intake_rate * tnac
        if tnac > self.upper:
            return tnac - self.upper
        return 0.0

    def outflow(self, tnac: float, reserve: float) -> float:
        """Allowances released from a reserve holding ``reserve`` for ``tnac`` in circulation."""
        return min(self.release, reserve) if tnac < self.lower else 0.0


class SupplyRule(Policy):
    """A policy that sets each year's release from what it observes; subclasses say how much.

    The release goes to the firms as ``government.supply_split`` says (the auction, or a
    textbook allocation rule), green projects taking their share as under every policy.
    """

    def release_share(self, view: MarketView) -> float:
        """This year's release as a share of the episode budget."""
        raise NotImplementedError

    def allocate(self, view: MarketView) -> Allocation:
        """Release :meth:`release_share` of the budget, split as ``supply_split`` says."""
        to_firms, green = self.release_for(view, max(0.0, self.release_share(view)))
        return self.split_release(view, to_firms, green)

    def split_release(
        self, view: MarketView, to_firms: float, green: int, price_floor: int | None = None
    ) -> Allocation:
        """The firms' part sold at auction or given free by the configured rule."""
        how = self.config.supply_split
        n = view.enterprises.n
        if how == "auction":
            return Allocation(np.zeros(n), int(to_firms), green, price_floor)
        weights = rule_shares(view)[ALLOCATION_RULES.index(how)]
        return Allocation(split(to_firms, weights), 0, green, price_floor)


def last_year_price(view: MarketView) -> float:
    """Last year's average trade price (ticks); nan in the first year or after no trade."""
    if not view.year_records:
        return math.nan
    return float(view.year_records[-1]["price"])


class MarketStabilityReserve(SupplyRule):
    """The flat schedule with the EU's market stability reserve adjusting each year's release.

    The TNAC is what the firms hold (free and escrowed) when the year's allocation is made:
    what earlier years issued and nobody surrendered. Without banking every unused allowance
    expires at settlement, so the TNAC is 0 and the reserve never takes anything in.

    Attributes:
        reserve: allowances held in the reserve now.
    """

    name = "msr"
    description = (
        "flat schedule with an EU-style market stability reserve: intake above the upper TNAC "
        "threshold, release below the lower one (thresholds scaled to the budget)"
    )

    def __init__(self, config: GovernmentConfig) -> None:
        super().__init__(config)
        self.reserve = 0.0

    def release_share(self, view: MarketView) -> float:
        """The flat share minus this year's intake plus this year's outflow."""
        flat = view.budget / view.config.years
        rule = ReserveRule().scaled(flat / EU_CAP_2021)
        tnac = float(view.accounts.total_allowances().sum())
        intake = min(rule.intake(tnac), flat)
        outflow = rule.outflow(tnac, self.reserve)
        self.reserve += intake - outflow
        return (flat - intake + outflow) / view.budget


class PriceCollar(SupplyRule):
    """An auction reserve price and a cost-containment reserve released above a trigger price.

    ``ccr_share`` of the budget is held back from the flat schedule as the reserve; a year
    after one whose average price reached ``ccr_trigger_share`` of the price ceiling, the
    reserve releases up to ``ccr_share`` of a flat year's release. Every year's trading and
    auction start from a floor of ``reserve_price_share`` of the ceiling.

    Attributes:
        reserve: allowances left in the cost-containment reserve (a share of the budget).
    """

    name = "price-collar"
    description = (
        "flat schedule with an auction reserve price and a cost-containment reserve released "
        "after a year priced above the trigger (RGGI, California)"
    )

    def __init__(self, config: GovernmentConfig) -> None:
        super().__init__(config)
        self.reserve: float | None = None

    def release_share(self, view: MarketView) -> float:
        """The schedule's share, plus the reserve's release after a year at the trigger."""
        cfg = self.config
        if self.reserve is None:
            self.reserve = cfg.ccr_share * view.budget
        share = (1 - cfg.ccr_share) / view.config.years
        price = last_year_price(view)
        if not math.isnan(price) and price >= cfg.ccr_trigger_share * view.config.price_ceiling:
            extra = min(self.reserve, cfg.ccr_share * view.budget / view.config.years)
            self.reserve -= extra
            share += extra / view.budget
        return share

    def allocate(self, view: MarketView) -> Allocation:
        """The year's release, with the reserve price as the year's floor."""
        to_firms, green = self.release_for(view, self.release_share(view))
        floor = math.floor(self.config.reserve_price_share * view.config.price_ceiling)
        return self.split_release(view, to_firms, green, price_floor=max(floor, view.price_floor))


class PriceTarget(SupplyRule):
    """Feedback on last year's price: release ``flat x (1 + gain x (p - target) / target)``.

    The target is ``target_price_share`` of the price ceiling. The first year, and a year
    after one without trades, release the flat share.
    """

    name = "price-target"
    description = (
        "releases more after a year priced above a target price and less below "
        "(gain government.target_gain)"
    )

    def release_share(self, view: MarketView) -> float:
        """The flat share moved by the gain times last year's relative price gap."""
        flat = 1.0 / view.config.years
        price = last_year_price(view)
        if math.isnan(price):
            return flat
        target = self.config.target_price_share * view.config.price_ceiling
        return flat * max(0.0, 1.0 + self.config.target_gain * (price - target) / target)
