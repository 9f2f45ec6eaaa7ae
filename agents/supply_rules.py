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

from agents import supply_kernels as kernels
from agents.allocation_kernels import RANKED_COLUMNS
from agents.decisions import Allocation
from agents.policies import ALLOCATION_RULES, Policy

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import GovernmentConfig

#: The EU ETS stationary cap of 2021 (allowances), the scale of the MSR's thresholds
#: (EC, "Emissions cap and allowances"; ``reference/domain.md``).
EU_CAP_2021 = kernels.EU_CAP_2021


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

    upper: float = kernels.EU_UPPER
    buffer_top: float = kernels.EU_BUFFER_TOP
    intake_rate: float = kernels.EU_INTAKE_RATE
    lower: float = kernels.EU_LOWER
    release: float = kernels.EU_RELEASE

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
        return kernels.reserve_intake(float(tnac), self.upper, self.buffer_top, self.intake_rate)

    def outflow(self, tnac: float, reserve: float) -> float:
        """Allowances released from a reserve holding ``reserve`` for ``tnac`` in circulation."""
        return kernels.reserve_outflow(float(tnac), float(reserve), self.lower, self.release)


class SupplyRule(Policy):
    """A policy that sets each year's release from what it observes; the kernels say how much.

    The release goes to the firms as ``government.supply_split`` says (the auction, or a
    textbook allocation rule), green projects taking their share as under every policy. The
    rule and its arithmetic are ``agents.supply_kernels``' (the batch's too); the policy
    holds its state (:data:`agents.supply_kernels.STATE`) in ``state``, an array a batch
    may replace by its lane's row.

    Attributes:
        state: the rule's state, shape ``(len(agents.supply_kernels.STATE),)``.
    """

    rule: int = kernels.MSR

    def __init__(self, config: GovernmentConfig) -> None:
        super().__init__(config)
        self.state = np.zeros(len(kernels.STATE))

    def params(self, price_ceiling: int) -> np.ndarray:
        """The rule's parameters as the kernels read them (:data:`agents.supply_kernels.PARAMS`)."""
        rules = [float(getattr(self.config, name)) for name in kernels.PARAMS[:-1]]
        return np.array([*rules, float(price_ceiling)])  # the last: the market's ceiling

    @property
    def split_code(self) -> int:
        """How the firms' part is given: ``AUCTION``, or the row of the textbook rules' shares."""
        how = self.config.supply_split
        return kernels.AUCTION if how == "auction" else ALLOCATION_RULES.index(how)

    def release_share(self, view: MarketView) -> float:
        """This year's release as a share of the episode budget (the rule's state moves)."""
        return kernels.release_share(
            self.rule,
            self.params(view.config.price_ceiling),
            self.state,
            float(view.budget),
            view.config.years,
            float(view.accounts.total_allowances().sum()),
            last_year_price(view),
        )

    def allocate(self, view: MarketView) -> Allocation:
        """Release the rule's share of the budget, split as ``supply_split`` says.

        The batch's kernel (:func:`agents.supply_kernels.supply_allocations`) on one market.
        """
        cfg, ent = view.config, view.enterprises
        free, auctioned, green, floors = kernels.supply_allocations(
            np.array([self.rule]),
            self.params(cfg.price_ceiling)[None],
            self.state[None],
            np.array([float(view.budget)]),
            cfg.years,
            np.array([float(view.accounts.total_allowances().sum())]),
            np.array([last_year_price(view)]),
            np.array([view.price_floor]),
            np.array([float(view.remaining_budget)]),
            np.array([cfg.max_release_share]),
            np.array([cfg.green_share]),
            np.array([self.split_code]),
            np.stack([getattr(ent, name) for name in RANKED_COLUMNS])[None],
        )
        floor = None if floors[0] < 0 else int(floors[0])
        return Allocation(free[0], int(auctioned[0]), int(green[0]), floor)


def last_year_price(view: MarketView) -> float:
    """Last year's average trade price (ticks); nan in the first year or after no trade."""
    last = view.last_year_record
    return math.nan if last is None else float(last["price"])


class MarketStabilityReserve(SupplyRule):
    """The flat schedule with the EU's market stability reserve adjusting each year's release.

    Each year the release is the flat share minus the intake plus the outflow
    (:func:`agents.supply_kernels.msr_share`). The TNAC is what the firms hold (free and
    escrowed) when the year's allocation is made: what earlier years issued and nobody
    surrendered. Without banking every unused allowance expires at settlement, so the TNAC
    is 0 and the reserve never takes anything in.

    Attributes:
        reserve: allowances held in the reserve now.
    """

    name = "msr"
    description = (
        "flat schedule with an EU-style market stability reserve: intake above the upper TNAC "
        "threshold, release below the lower one (thresholds scaled to the budget)"
    )
    rule = kernels.MSR

    @property
    def reserve(self) -> float:
        """Allowances held in the reserve now."""
        return float(self.state[kernels.RESERVE])

    @reserve.setter
    def reserve(self, value: float) -> None:
        self.state[kernels.RESERVE] = value


class PriceCollar(SupplyRule):
    """An auction reserve price and a cost-containment reserve released above a trigger price.

    ``ccr_share`` of the budget is held back from the flat schedule as the reserve; a year
    after one whose average price reached ``ccr_trigger_share`` of the price ceiling, the
    reserve releases up to ``ccr_share`` of a flat year's release. Every year's trading and
    auction start from a floor of ``reserve_price_share`` of the ceiling
    (:func:`agents.supply_kernels.collar_share`).

    Attributes:
        reserve: allowances left in the cost-containment reserve (None before the first year).
    """

    name = "price-collar"
    description = (
        "flat schedule with an auction reserve price and a cost-containment reserve released "
        "after a year priced above the trigger (RGGI, California)"
    )
    rule = kernels.PRICE_COLLAR

    def __init__(self, config: GovernmentConfig) -> None:
        super().__init__(config)
        self.state[kernels.RESERVE] = math.nan

    @property
    def reserve(self) -> float | None:
        """Allowances left in the reserve; None before the first year sets it."""
        value = float(self.state[kernels.RESERVE])
        return None if math.isnan(value) else value

    @reserve.setter
    def reserve(self, value: float | None) -> None:
        self.state[kernels.RESERVE] = math.nan if value is None else value


class PriceTarget(SupplyRule):
    """Feedback on last year's price: release ``flat x (1 + gain x (p - target) / target)``.

    The target is ``target_price_share`` of the price ceiling. The first year, and a year
    after one without trades, release the flat share
    (:func:`agents.supply_kernels.target_share`).
    """

    name = "price-target"
    description = (
        "releases more after a year priced above a target price and less below "
        "(gain government.target_gain)"
    )
    rule = kernels.PRICE_TARGET
