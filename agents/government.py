"""The government as a Mesa agent: it decides each year's allocation under its policy.

The government holds an allocation policy (:mod:`agents.policies`) and, once a year, turns
what the policy allocates into the year's :class:`~agents.decisions.Allocation`, moving the
``auction_share`` of every free allocation to the call auction. The market checks and applies
it (gives the free allowances, runs the auction, offers the green projects); the records of
what was released live in the market's run state, which the agent's properties read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.allocation_kernels import move_to_auction
from agents.decisions import Allocation

if TYPE_CHECKING:
    from agents.policies import Policy
    from agents.view import MarketView
    from market.auction import AuctionResult


class Government(mesa.Agent):
    """Releases allowances from a multi-year budget and splits them between firms.

    Args:
        model: the carbon market.
        policy: the allocation rule.
    """

    def __init__(self, model: mesa.Model, policy: Policy) -> None:
        super().__init__(model)
        self.policy = policy

    def decide(self, view: MarketView) -> Allocation:
        """This year's allocation: the policy's, with the auctioned-share lever applied."""
        allocation = self.policy.allocate(view)
        free = np.array(allocation.free, dtype=float, ndmin=2)
        auctioned = np.array([allocation.auctioned])
        move_to_auction(free, auctioned, np.array([self.policy.config.auction_share]))
        return Allocation(
            free[0], int(auctioned[0]), allocation.green_projects, allocation.price_floor
        )

    # ------------------------------------------------------------------ what was released

    @property
    def remaining_budget(self) -> float:
        """Allowances not yet released."""
        return self.model.run.remaining_budget

    @property
    def release(self) -> float:
        """Allowances released this year (free, sold at auction and as green projects)."""
        return self.model.run.release

    @property
    def allocations(self) -> list[np.ndarray]:
        """The allowances each firm received (free and won at auction) every year so far."""
        return self.model.run.allocations

    @property
    def auctions(self) -> list[AuctionResult]:
        """The auction outcome of every year so far."""
        return self.model.run.auctions

    @property
    def auction_revenue(self) -> float:
        """Coins the auctions raised so far."""
        return self.model.run.auction_revenue

    @property
    def recycled(self) -> float:
        """Auction revenue paid back to the firms so far."""
        return self.model.run.recycled
