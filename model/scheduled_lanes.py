"""A batch's yearly allocation for the lanes whose policy is a schedule times a split.

The nine paper baselines, ``equal`` and ``auction`` allocate a table of yearly budget shares
split among the firms by a fixed rule (``agents.policies.ScheduledRule``). A batch decides
all such lanes' allocations in one call a year
(:func:`agents.allocation_kernels.scheduled_allocations`, the kernel each such policy calls
for one market), which the block applies to all of them as arrays, the call auction
included (``model.lane_allocations``).
"""

from __future__ import annotations

import numpy as np

from agents import allocation_kernels
from agents.policies import ScheduledRule
from market.enterprises import FLOAT_ROW
from market.lanes import MarketArrays
from market.tallies import REMAINING
from model.lane_allocations import LaneYear
from model.lane_start import LaneStart


class ScheduledLanes:
    """The lanes of a block whose policy is a table of yearly shares times a split.

    Their allocations are made in one call a year
    (:func:`agents.allocation_kernels.scheduled_allocations`, the kernel each such policy
    calls for one market), the auctioned-share lever applied as the government applies it.

    Args:
        lanes: the lanes' indices in the block.
        rules: each lane's :class:`agents.policies.ScheduledRule`.
        starts: every lane of the block's start (``model.lane_start.LaneStart``).
        n_firms: the firms in each lane.

    """

    def __init__(
        self, lanes: list[int], rules: list[ScheduledRule], starts: list[LaneStart], n_firms: int
    ) -> None:
        self.lanes = np.array(lanes, dtype=np.int64)
        n, years = n_firms, starts[0].config.years
        self.shares = np.array([rule.shares for rule in rules]).reshape(len(lanes), years)
        self.splits = np.array([rule.split for rule in rules], dtype=np.int64)
        self.keys = np.array([rule.key for rule in rules], dtype=np.int64)
        self.by_rank = np.array(
            [np.ones(n) if rule.by_rank is None else rule.by_rank for rule in rules]
        ).reshape(len(lanes), n)
        chosen = [starts[b] for b in lanes]
        self.max_release = np.array([s.config.max_release_share for s in chosen], dtype=float)
        self.green_share = np.array([s.config.green_share for s in chosen], dtype=float)
        self.auction_share = np.array([s.policy.config.auction_share for s in chosen], dtype=float)
        self.budget = np.array([float(s.budget) for s in chosen])
        self.names = np.array([s.policy.name for s in chosen], dtype=object)
        self.columns = [FLOAT_ROW[name] for name in allocation_kernels.RANKED_COLUMNS]
        self.recycle = np.array(
            [s.policy.config.recycling == "lump-sum" for s in chosen], dtype=np.bool_
        )

    @classmethod
    def of(cls, starts: list[LaneStart], n_firms: int) -> ScheduledLanes:
        """The lanes whose policy is scheduled (the rest decide in Python)."""
        lanes, rules = [], []
        by_policy: dict[int, ScheduledRule | None] = {}  # lanes of one scenario share a policy
        for b, start in enumerate(starts):
            if id(start.policy) not in by_policy:
                by_policy[id(start.policy)] = start.policy.scheduled(n_firms, start.config.years)
            rule = by_policy[id(start.policy)]
            if rule is not None:
                lanes.append(b)
                rules.append(rule)
        return cls(lanes, rules, starts, n_firms)

    def allocate(self, year: int, arrays: MarketArrays) -> LaneYear:
        """This year's allocation of every scheduled lane, the auctioned-share lever applied.

        The block applies it (``model.lane_allocations.apply_allocations``).
        """
        remaining = arrays.tallies[self.lanes, REMAINING]
        free, auctioned, green = allocation_kernels.scheduled_allocations(
            year,
            self.shares,
            self.splits,
            self.keys,
            self.by_rank,
            self.budget,
            remaining,
            self.max_release,
            self.green_share,
            arrays.firms.floats[self.lanes][:, self.columns],
        )
        allocation_kernels.move_to_auction(free, auctioned, self.auction_share)
        floors = np.full(self.lanes.size, -1, dtype=np.int64)
        return LaneYear(self.lanes, self.names, free, auctioned, green, floors, self.recycle)
