"""What changes during a run besides the firms and the book: the government's side of it.

The scenario is frozen. The values a run changes (the episode's budget once ``cap_share`` has
scaled it, what remains of it, this year's price floor, the levers set from outside for the
manual policy) and the records of what was released live here, in one object the market
owns and alone writes (``CarbonMarket.run``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.decisions import Levers
from market.auction import AuctionResult


@dataclass
class RunState:
    """The government's side of a running market.

    Attributes:
        budget: allowances the government may issue over the episode.
        remaining_budget: allowances not yet released.
        price_floor: this year's lowest price tick (coins per allowance).
        levers: the manual policy's levers for the coming year.
        release: allowances released this year (free, sold at auction, green projects).
        green_projects_available: green projects on offer, not yet completed.
        allocations: allowances each firm received (free and won at auction) every year,
            each of shape ``(n_firms,)``.
        auctions: the call auction's outcome every year.
        auction_revenue: coins the auctions raised.
        recycled: auction revenue paid back to the firms.
    """

    budget: float
    remaining_budget: float
    price_floor: int
    levers: Levers = field(default_factory=Levers)
    release: float = 0.0
    green_projects_available: int = 0
    allocations: list[np.ndarray] = field(default_factory=list)
    auctions: list[AuctionResult] = field(default_factory=list)
    auction_revenue: float = 0.0
    recycled: float = 0.0
