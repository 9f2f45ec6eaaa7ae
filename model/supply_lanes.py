"""A batch's yearly allocation for the lanes under a supply rule (msr, price-collar, price-target).

A supply rule (``agents.supply_rules``) sets each year's release from what it observes: the
allowances the firms hold (the MSR), last year's average price (the collar and the target),
and its own state (a reserve). A batch decides all such lanes' allocations in one call a
year (:func:`agents.supply_kernels.supply_allocations`, the kernel each such policy calls
for one market), each lane's rule state a row of :attr:`SupplyLanes.state`, which the
policy of the lane's market reads once the market is built; the block applies them as
arrays, the call auction included (``model.lane_allocations``).
"""

from __future__ import annotations

import math

import numpy as np

from agents import allocation_kernels, supply_kernels
from agents.supply_rules import SupplyRule
from market.accounts import ALLOWANCES, ESCROW_ALLOWANCES
from market.book_kernels import FLOOR
from market.enterprises import FLOAT_ROW
from market.lanes import MarketArrays
from market.tallies import REMAINING
from model.compliance_year import RECORD_COLUMNS
from model.lane_allocations import LaneYear
from model.lane_start import LaneStart

PRICE = RECORD_COLUMNS["price"]


class SupplyLanes:
    """The lanes of a block whose policy is a supply rule.

    Args:
        lanes: the lanes' indices in the block.
        starts: every lane of the block's start (``model.lane_start.LaneStart``).

    Attributes:
        state: each lane's rule state (``agents.supply_kernels.STATE``), shape
            ``(lanes, len(STATE))``, changed in place each year.
    """

    def __init__(self, lanes: list[int], starts: list[LaneStart]) -> None:
        self.lanes = np.array(lanes, dtype=np.int64)
        chosen = [starts[b] for b in lanes]
        rules: list[SupplyRule] = [s.policy for s in chosen]  # type: ignore[misc]
        self.years = starts[0].config.years
        self.rules = np.array([rule.rule for rule in rules], dtype=np.int64)
        self.params = np.array(
            [rule.params(s.config.price_ceiling) for rule, s in zip(rules, chosen, strict=True)]
        ).reshape(len(lanes), len(supply_kernels.PARAMS))
        # A new policy's state, one row per lane (lanes of a scenario share its policy).
        self.state = np.array([rule.state for rule in rules]).reshape(
            len(lanes), len(supply_kernels.STATE)
        )
        self.splits = np.array([rule.split_code for rule in rules], dtype=np.int64)
        self.max_release = np.array([s.config.max_release_share for s in chosen], dtype=float)
        self.green_share = np.array([s.config.green_share for s in chosen], dtype=float)
        self.auction_share = np.array([s.policy.config.auction_share for s in chosen], dtype=float)
        self.budget = np.array([float(s.budget) for s in chosen])
        self.names = np.array([s.policy.name for s in chosen], dtype=object)
        self.recycle = np.array(
            [s.policy.config.recycling == "lump-sum" for s in chosen], dtype=np.bool_
        )
        self.columns = [FLOAT_ROW[name] for name in allocation_kernels.RANKED_COLUMNS]
        self.row = {b: k for k, b in enumerate(lanes)}

    @classmethod
    def of(cls, starts: list[LaneStart]) -> SupplyLanes:
        """The lanes whose policy is a supply rule."""
        return cls([b for b, s in enumerate(starts) if isinstance(s.policy, SupplyRule)], starts)

    def attach(self, b: int, policy: SupplyRule) -> None:
        """Give lane ``b``'s policy (its market's, once built) the lane's row of state."""
        policy.state = self.state[self.row[b]]

    def allocate(self, year: int, arrays: MarketArrays, year_table: np.ndarray) -> LaneYear:
        """This year's allocation of every supply-rule lane, the auctioned-share lever applied.

        Args:
            year: the year (0-based).
            arrays: the block's arrays.
            year_table: the block's table of years, ``(lanes, years, YEAR_COLUMNS)``.
        """
        lanes = self.lanes
        acc = arrays.accounts[lanes]
        tnac = supply_kernels.circulating(acc[:, ALLOWANCES], acc[:, ESCROW_ALLOWANCES])
        if year == 0:
            last_price = np.full(lanes.size, math.nan)
        else:
            last_price = year_table[lanes, year - 1, PRICE]
        free, auctioned, green, floors = supply_kernels.supply_allocations(
            self.rules,
            self.params,
            self.state,
            self.budget,
            self.years,
            tnac,
            last_price,
            arrays.book.meta[lanes, FLOOR],
            arrays.tallies[lanes, REMAINING],
            self.max_release,
            self.green_share,
            self.splits,
            arrays.firms.floats[lanes][:, self.columns],
        )
        allocation_kernels.move_to_auction(free, auctioned, self.auction_share)
        return LaneYear(lanes, self.names, free, auctioned, green, floors, self.recycle)
