"""The government: a Mesa agent that allocates allowances once a year under a policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.policies import Allocation, Policy
from model.auction import AuctionResult, uniform_price_auction

if TYPE_CHECKING:
    from model.market import CarbonMarket


class Government(mesa.Agent):
    """Releases allowances from a multi-year budget and splits them between firms.

    Args:
        model: the carbon market.
        policy: the allocation rule.
        budget: allowances it may issue over the episode.

    Attributes:
        remaining_budget: allowances not yet released.
        allocations: the free allocation per firm of every year so far, each ``(n_firms,)``.
        auctions: the auction outcome of every year so far.
    """

    def __init__(self, model: CarbonMarket, policy: Policy, budget: float) -> None:
        super().__init__(model)
        self.policy = policy
        self.remaining_budget = float(budget)
        self.allocations: list[np.ndarray] = []
        self.auctions: list[AuctionResult] = []
        self.auction_revenue = 0.0
        self.recycled = 0.0
        self.release = 0.0

    def allocate(self) -> Allocation:
        """Run the year's allocation: free allowances, the auction, green projects."""
        market: CarbonMarket = self.model
        allocation = self.policy.allocate(market)
        free = np.floor(np.asarray(allocation.free, dtype=float))
        auctioned = allocation.auctioned
        share = self.policy.config.auction_share
        if share > 0:  # the auctioned-share lever moves part of every free allocation
            moved = np.floor(free * share)
            free -= moved
            auctioned += int(moved.sum())
        if (free < 0).any() or auctioned < 0 or allocation.green_projects < 0:
            raise RuntimeError(f"policy {self.policy.name}: allocated a negative amount")
        release = free.sum() + auctioned + allocation.green_projects
        if release > self.remaining_budget + 1e-9:
            raise RuntimeError(
                f"policy {self.policy.name}: released {release:g} allowances but "
                f"only {self.remaining_budget:g} remain in the budget"
            )
        if allocation.price_floor is not None:
            market.set_price_floor(allocation.price_floor)
        market.accounts.allowances += free
        result = self._auction(auctioned)
        market.green_projects_available += allocation.green_projects
        self.release = float(free.sum() + result.sold + allocation.green_projects)
        self.remaining_budget -= self.release
        market.allowances_issued += float(free.sum() + result.sold)
        self.allocations.append(free + result.won)
        self.auctions.append(result)
        return Allocation(free, auctioned=result.sold, green_projects=allocation.green_projects)

    def _auction(self, supply: int) -> AuctionResult:
        """Sell ``supply`` allowances to the firms' unit bids; recycle or keep the revenue."""
        market: CarbonMarket = self.model
        n = market.enterprises.n
        if supply <= 0:
            return AuctionResult(None, np.zeros(n, dtype=np.int64))
        bidders, prices = market.auction_bids(max_units=supply)
        result = uniform_price_auction(
            bidders, prices, supply, n, market.config.price_floor, market.rng
        )
        acc = market.accounts
        acc.allowances += result.won
        acc.coins -= result.won * (result.price or 0)
        self.auction_revenue += result.revenue
        if self.policy.config.recycling == "lump-sum" and result.revenue > 0:
            acc.coins += result.revenue / n
            self.recycled += result.revenue
        return result
