"""A batch's yearly allocation for the lanes whose policy is a schedule times a split.

The nine paper baselines, ``equal`` and ``auction`` allocate a table of yearly budget shares
split among the firms by a fixed rule (``agents.policies.ScheduledRule``). A batch decides
all such lanes' allocations in one call a year
(:func:`agents.allocation_kernels.scheduled_allocations`, the kernel each such policy calls
for one market) and applies them to every lane that auctions nothing as arrays, with the
checks and the tallies a market applies to its own (``model.compliance_year``).
"""

from __future__ import annotations

import numpy as np

from agents import allocation_kernels
from agents.decisions import Allocation
from agents.policies import ScheduledRule
from market.accounts import ALLOWANCES
from market.auction import AuctionResult
from market.enterprises import FLOAT_ROW
from market.lanes import MarketArrays
from market.tallies import REMAINING
from model.carbon_market import CarbonMarket
from model.compliance_year import check_allocations, release_allowances


class ScheduledLanes:
    """The lanes of a block whose policy is a table of yearly shares times a split.

    Their allocations are made in one call a year
    (:func:`agents.allocation_kernels.scheduled_allocations`, the kernel each such policy
    calls for one market), the auctioned-share lever applied as the government applies it.

    Args:
        lanes: the lanes' indices in the block.
        rules: each lane's :class:`agents.policies.ScheduledRule`.
        markets: the block's markets.
    """

    def __init__(self, lanes: list[int], rules: list[ScheduledRule], markets: list) -> None:
        self.lanes = np.array(lanes, dtype=np.int64)
        n = markets[0].enterprises.n
        years = markets[0].config.years
        self.shares = np.array([rule.shares for rule in rules]).reshape(len(lanes), years)
        self.splits = np.array([rule.split for rule in rules], dtype=np.int64)
        self.keys = np.array([rule.key for rule in rules], dtype=np.int64)
        self.by_rank = np.array(
            [np.ones(n) if rule.by_rank is None else rule.by_rank for rule in rules]
        ).reshape(len(lanes), n)
        chosen = [markets[b] for b in lanes]
        self.max_release = np.array([m.config.max_release_share for m in chosen], dtype=float)
        self.green_share = np.array([m.config.green_share for m in chosen], dtype=float)
        self.auction_share = np.array(
            [m.government.policy.config.auction_share for m in chosen], dtype=float
        )
        self.budget = np.array([float(m.run.budget) for m in chosen])
        self.names = np.array([m.government.policy.name for m in chosen], dtype=object)
        self.columns = [FLOAT_ROW[name] for name in allocation_kernels.RANKED_COLUMNS]
        self._no_auction = AuctionResult(None, np.zeros(n, dtype=np.int64))

    @classmethod
    def of(cls, markets: list[CarbonMarket]) -> ScheduledLanes:
        """The lanes of ``markets`` whose policy is scheduled (the rest decide in Python)."""
        lanes, rules = [], []
        for b, market in enumerate(markets):
            rule = market.government.policy.scheduled(market.enterprises.n, market.config.years)
            if rule is not None:
                lanes.append(b)
                rules.append(rule)
        return cls(lanes, rules, markets)

    def allocate(
        self, year: int, markets: list[CarbonMarket], arrays: MarketArrays
    ) -> dict[int, Allocation | None]:
        """This year's allocation of every scheduled lane, applied where nothing is auctioned.

        Returns:
            By lane, the allocation a lane that auctions applies itself (its market runs the
            call auction), or None where it was applied here: the free allowances given and
            the release tallied for all such lanes at once.
        """
        if not self.lanes.size:
            return {}
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
        decided: dict[int, Allocation | None] = {}
        here = auctioned == 0
        if here.any():
            lanes = self.lanes[here]
            given = check_allocations(
                self.names[here],
                free[here],
                auctioned[here],
                green[here],
                remaining[here],
            )
            arrays.accounts[lanes, ALLOWANCES] += free[here]
            release_allowances(arrays.tallies, lanes, given, 0, green[here])
            for b, given_free in zip(lanes.tolist(), free[here], strict=True):
                run = markets[b].run
                run.allocations.append(given_free)
                run.auctions.append(self._no_auction)
                decided[b] = None
                if not markets[b].config.production:
                    markets[b].efficiency.start_year()
        for k in np.flatnonzero(~here).tolist():
            decided[int(self.lanes[k])] = Allocation(free[k], int(auctioned[k]), int(green[k]))
        return decided
